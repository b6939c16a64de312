"""SeNT traversal nets T_k(z, c_k, c_k*) -> z_hat, and everything an edit needs per model.

A `TraversalBundle` belongs to one VAE and holds, from its candidate split:
the per-dim min/max that normalise z to [-1, 1], the relevant dims and MI
matrix, the mean code of each attribute value (for attribute-vector
arithmetic), and one trained net per attribute.  Saved as
models/NAME.traversal.safetensors + .json; loading never unpickles.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from engine.models import atomic_write, atomic_write_text
from engine.schema import get_schema


class TraversalNet(nn.Module):
    """T_k with the reference's layers (10,528 parameters at D = 32).

    residual=False is the reference: the head predicts the new code itself.  residual=True
    (our default) adds the head's output to the input code and clips to [-1, 1]: the net starts
    as the identity, so keeping the other dims costs nothing and training needs far fewer steps."""

    def __init__(self, latent: int = 32, residual: bool = True, classes: int = 0, width: int = 2):
        super().__init__()
        d, w = latent, width
        self.residual = residual
        self.classes = classes
        self.width = width
        self.z_branch = nn.Sequential(nn.Linear(d, w * d), nn.ReLU())
        if classes:   # categorical values as learned vectors, not points on [0, 1]
            self.c_branch = nn.Sequential(nn.Embedding(classes, d), nn.ReLU())
            self.c_star_branch = nn.Sequential(nn.Embedding(classes, d), nn.ReLU())
        else:
            self.c_branch = nn.Sequential(nn.Linear(1, d), nn.ReLU())
            self.c_star_branch = nn.Sequential(nn.Linear(1, d), nn.ReLU())
        self.head = nn.Sequential(nn.Linear((w + 1) * d, w * d), nn.ReLU(), nn.Linear(w * d, d), nn.Tanh())
        if residual:   # start at the identity: the last layer outputs zero
            nn.init.zeros_(self.head[2].weight)
            nn.init.zeros_(self.head[2].bias)

    def _value(self, c):
        if self.classes:
            return torch.round(c * (self.classes - 1)).long().clamp(0, self.classes - 1)
        return c[:, None]

    def forward(self, z_norm, c, c_star):
        dc = self.c_star_branch(self._value(c_star)) - self.c_branch(self._value(c))
        out = self.head(torch.cat([self.z_branch(z_norm), dc], dim=1))
        if self.residual:
            return torch.clamp(z_norm + 2 * out, -1.0, 1.0)
        return out


class TraversalBundle:
    def __init__(self, latent: int, z_min, z_max, means, relevant, mi, nets: dict | None = None,
                 meta: dict | None = None, names=None):
        self.latent = latent
        self.names = tuple(names) if names is not None else get_schema().names[:len(means)]   # knob per means entry
        self.z_min = np.asarray(z_min, dtype=np.float32)
        self.z_max = np.asarray(z_max, dtype=np.float32)
        self.means = [np.asarray(m, dtype=np.float32) for m in means]   # per attr: (n_k, D)
        self.relevant = np.asarray(relevant, dtype=np.int64)              # (9, gamma)
        self.mi = np.asarray(mi, dtype=np.float32)                        # (9, D)
        self.nets = nets or {}                                            # attr index -> TraversalNet
        self.meta = meta or {}
        self._span = np.maximum(self.z_max - self.z_min, 1e-6)

    def normalise(self, z):
        return 2 * (np.asarray(z, dtype=np.float32) - self.z_min) / self._span - 1

    def denormalise(self, zn):
        return (np.asarray(zn, dtype=np.float32) + 1) / 2 * self._span + self.z_min

    @torch.inference_mode()
    def traverse(self, k: int, z: np.ndarray, c, c_star) -> np.ndarray:
        """T_k on a batch: z (N, D), c and c_star (N,) normalised values. Needs the trained net."""
        net = self.nets[k]
        zn = torch.as_tensor(self.normalise(z))
        out = net(zn, torch.as_tensor(np.asarray(c, dtype=np.float32)),
                  torch.as_tensor(np.asarray(c_star, dtype=np.float32)))
        return self.denormalise(out.numpy())

    def shift(self, k: int, current: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Attribute-vector arithmetic: mean code of the target value minus that of the current one."""
        m = self.means[k]
        cur = np.where(current < 0, target, current)
        return m[target] - m[cur]

    # --- files ------------------------------------------------------------------
    def save(self, path) -> Path:
        path = Path(path)
        tensors = {"z_min": torch.tensor(self.z_min), "z_max": torch.tensor(self.z_max),
                   "relevant": torch.tensor(self.relevant), "mi": torch.tensor(self.mi)}
        for k, m in enumerate(self.means):
            tensors[f"means.{k}"] = torch.tensor(m)
        for k, net in self.nets.items():
            for name, v in net.state_dict().items():
                tensors[f"net.{k}.{name}"] = v.detach().cpu().contiguous()
        atomic_write(path, save(tensors, metadata={"format": "sentgen-traversal", "version": "1"}))
        atomic_write_text(path.with_suffix(".json"), json.dumps(
            {"latent": self.latent, "attributes": list(self.names), "nets": sorted(self.nets),
             "net_shapes": {str(k): {"residual": n.residual, "classes": n.classes, "width": n.width}
                            for k, n in self.nets.items()},
             **self.meta}, indent=1))
        return path

    @classmethod
    def load(cls, path) -> "TraversalBundle":
        path = Path(path)
        try:
            meta = json.loads(path.with_suffix(".json").read_text())
            t = load_file(str(path))
            nets = {}
            for k in meta.get("nets", []):
                shape = meta.get("net_shapes", {}).get(str(k), {})
                net = TraversalNet(meta["latent"], shape.get("residual", True), shape.get("classes", 0),
                                   shape.get("width", 2))
                prefix = f"net.{k}."
                net.load_state_dict({n[len(prefix):]: v for n, v in t.items() if n.startswith(prefix)})
                nets[int(k)] = net.eval()
            means = [t[f"means.{k}"].numpy() for k in range(len(meta["attributes"]))]
            extra = {k: v for k, v in meta.items() if k not in ("latent", "attributes", "nets", "net_shapes")}
            return cls(meta["latent"], t["z_min"].numpy(), t["z_max"].numpy(), means, t["relevant"].numpy(),
                       t["mi"].numpy(), nets, extra, meta["attributes"])
        except FileNotFoundError as e:
            raise FileNotFoundError(f"traversal file missing: {e.filename}") from None
        except (SafetensorError, OSError, KeyError, ValueError, RuntimeError, json.JSONDecodeError) as e:
            raise ValueError(f"cannot read traversal bundle {path}: {e}") from None


def traversal_path(model_path) -> Path:
    p = Path(model_path)
    return p.with_name(p.stem + ".traversal.safetensors")


def attribute_means(z: np.ndarray, factors: np.ndarray, counts=None) -> list[np.ndarray]:
    """Per knob, the mean code of the melodies having each value: list of (n_k, D).

    counts: the schema's values per knob (default dMelodies')."""
    counts = get_schema().counts if counts is None else counts
    out = []
    for k in range(len(counts)):
        f = factors[:, k].astype(np.int64)
        sums = np.zeros((counts[k], z.shape[1]))
        np.add.at(sums, f, z)
        out.append((sums / np.maximum(np.bincount(f, minlength=counts[k]), 1)[:, None]).astype(np.float32))
    return out
