"""Resumable training state without pickle: tensors in safetensors, the rest in JSON."""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save

from engine.models import atomic_write, atomic_write_text


def save_checkpoint(path: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, meta: dict):
    """Model weights + Adam moments in one .safetensors, counters and history in .json."""
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    opt = optimizer.state_dict()
    for pid, st in opt["state"].items():
        for key, val in st.items():
            tensors[f"opt.{pid}.{key}"] = torch.as_tensor(val).detach().cpu().contiguous().clone()
    atomic_write(path, save(tensors))
    meta = dict(meta, param_groups=[{k: v for k, v in g.items() if k != "params"} for g in opt["param_groups"]])
    atomic_write_text(path.with_suffix(".json"), json.dumps(meta, indent=1))


def load_checkpoint(path: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    tensors = load_file(str(path))
    meta = json.loads(path.with_suffix(".json").read_text())
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    state: dict = {}
    for key, val in tensors.items():
        if key.startswith("opt."):
            _, pid, name = key.split(".", 2)
            state.setdefault(int(pid), {})[name] = val
    opt = optimizer.state_dict()
    for group, saved in zip(opt["param_groups"], meta.get("param_groups", [])):
        group.update({k: v for k, v in saved.items()})
    opt["state"] = state
    optimizer.load_state_dict(opt)
    return meta
