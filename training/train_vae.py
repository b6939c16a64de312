"""Train one music VAE of a family (resumable, a checkpoint per epoch), and its prior bank.

    sentgen train vae --model s2 [--arch fast|reference] [--epochs N] [--seed S] [--device D]
    sentgen train vae --family folk [--model folk] [--regulariser s2] [--epochs N]
    sentgen train prior --model s2 [--seed S]      (also done at the end of `train vae`)

dMelodies trains on its generated 70% split.  folk trains on the training tunes of
the four collections (training/folk_data.py), each batch moved by a random
transposition (+-6 semitones where the clip stays in range: the learned knobs do not
change under it, key and octave do); its test figures are per collection, on
held-out tunes.
"""
from __future__ import annotations

import json
import math
import subprocess
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from engine.device import pick_device
from engine.models import (MODELS_DIR, PRIOR_ROWS, MusicVAE, VAEConfig, beta_schedule, load_model, save_model,
                           save_prior, vae_loss)
from training.checkpoint import load_checkpoint, save_checkpoint
from training.dmelodies import generate, load, split_indices

RUNS_DIR = Path(__file__).resolve().parent.parent / "runs"
HEADLINE = {"beta": dict(beta=1.0, gamma=0.0), "ar": dict(beta=0.2, gamma=10.0),
            "i": dict(beta=0.2, gamma=10.0), "s2": dict(beta=0.2, gamma=10.0)}
# per family: the shipped model's name, regulariser, weights and width (folk: measured in docs/folk.md)
FAMILIES = {"dmelodies": {}, "folk": dict(name="folk", regulariser="s2", beta=0.2, gamma=1.0, hidden=1024,
                                          epochs=120, traversal_epochs=8, transpose=6)}


class FamilyData:
    """What training needs of a family: tokens and knob labels of each split, the test groups, an augmentation."""

    def __init__(self, family: str, seed: int = 0, limit: int | None = None):
        self.family = family
        if family == "dmelodies":
            tokens, factors = load()
            train_idx, val_idx, cand_idx = split_indices(seed)
            if limit:   # smoke runs: a slice of every split
                train_idx, val_idx, cand_idx = train_idx[:limit], val_idx[:limit], cand_idx[:limit]
            self.train = (tokens[train_idx], factors[train_idx])
            self.val, self.test = tokens[val_idx], tokens[cand_idx]
            self.groups = {}
            self.transpose = 0
        elif family == "folk":
            from engine.folk import parse
            from training.folk_data import COLLECTIONS, load as load_folk
            d = load_folk(seed, progress=False)
            tok = d.tokens.astype(np.int64)
            take = [np.flatnonzero(d.split == s)[:limit] for s in range(3)]
            self.train = (tok[take[0]], parse(tok[take[0]]))
            self.val, self.test = tok[take[1]], tok[take[2]]
            self.groups = {c: d.collection[take[2]] == i for i, c in enumerate(COLLECTIONS)}
            self.transpose = FAMILIES["folk"]["transpose"]
        else:
            raise ValueError(f"unknown family {family!r}; expected dmelodies or folk")

    CANDIDATE_TRANSPOSITIONS = 8    # folk: copies of each validation window, each moved by a random shift

    def candidates(self, seed: int = 0, limit: int | None = None) -> np.ndarray:
        """Tokens of the windows the traversal nets learn from, which the VAE was not trained on:
        dMelodies' candidate split; folk's validation tunes, CANDIDATE_TRANSPOSITIONS copies of each
        window moved by the training augmentation (the first copy unmoved)."""
        if self.family == "dmelodies":
            return self.test[:limit] if limit else self.test
        x = torch.as_tensor(self.val[:limit] if limit else self.val)
        gen = torch.Generator().manual_seed(seed + 2)
        copies = [x] + [self.augment(x, gen) for _ in range(self.CANDIDATE_TRANSPOSITIONS - 1)]
        return torch.cat(copies).numpy()

    def augment(self, x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        """folk: each row moved by a random number of semitones in +-transpose (0 where it would leave the range)."""
        if not self.transpose:
            return x
        from engine.folk import VOCAB_SIZE
        shift = torch.randint(-self.transpose, self.transpose + 1, (len(x), 1), generator=gen)
        onset = x >= 2
        moved = torch.where(onset, x + shift, x)
        ok = ~(onset & ((moved < 2) | (moved >= VOCAB_SIZE))).any(1, keepdim=True)
        return torch.where(ok, moved, x)


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=5).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


@torch.no_grad()
def reconstruction(model: MusicVAE, tokens: np.ndarray, batch=8192) -> dict:
    """Token accuracy and exact-melody accuracy of argmax(decode(mean(encode)))."""
    model.eval()
    right_tokens = right_melodies = 0
    for i in range(0, len(tokens), batch):
        x = tokens[i:i + batch].astype(np.int64)
        out = model.decode(model.encode(x))
        same = out == x
        right_tokens += int(same.sum())
        right_melodies += int(same.all(1).sum())
    n = len(tokens)
    return {"token_accuracy": right_tokens / (n * tokens.shape[1]), "melody_accuracy": right_melodies / n, "rows": n}


def train_vae(model_name="s2", arch="fast", epochs=5, seed=0, device=None, batch=512, lr=1e-3,
              limit=None, out=None, run_dir=None, warmup_frac=0.1, threads=None, progress=True,
              eval_rows=20000, beta=None, gamma=None, family="dmelodies", regulariser=None, hidden=None) -> dict:
    """Train, checkpointing every epoch into run_dir; resume from it when present. Returns the figures.

    dMelodies: model_name is the regulariser (beta, ar, i, s2).  folk: model_name names the weights
    (default "folk") and the regulariser, beta, gamma and width default to FAMILIES["folk"].
    beta and gamma default to the shipped model's (HEADLINE); the grid sets them per cell."""
    fam = FAMILIES.get(family)
    if fam is None:
        raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
    regulariser = regulariser or fam.get("regulariser", model_name)
    if regulariser not in HEADLINE:
        raise ValueError(f"unknown model {regulariser!r}; expected one of {', '.join(HEADLINE)}")
    if threads:
        torch.set_num_threads(threads)
    dev = pick_device(device)
    torch.manual_seed(seed)
    weights = dict(HEADLINE[regulariser], **{k: float(fam[k]) for k in ("beta", "gamma") if k in fam})
    weights.update({k: float(v) for k, v in (("beta", beta), ("gamma", gamma)) if v is not None})
    width = {"hidden": int(hidden or fam["hidden"])} if (hidden or "hidden" in fam) else {}
    cfg = VAEConfig(regulariser=regulariser, arch=arch, schema=family, **weights, **width)
    model = MusicVAE(cfg).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    data = FamilyData(family, seed, limit)
    x_all = torch.as_tensor(data.train[0].astype(np.int64))
    y_all = torch.as_tensor(data.train[1].astype(np.int64))
    steps_per_epoch = max(1, len(x_all) // batch)
    total = steps_per_epoch * epochs
    warmup = int(warmup_frac * total)

    run_dir = Path(run_dir or RUNS_DIR / f"{model_name}-{arch}-seed{seed}")
    ckpt = run_dir / "checkpoint.safetensors"
    meta = {"epoch": 0, "step": 0, "history": [], "train_seconds": 0.0}
    if ckpt.exists():
        meta = load_checkpoint(ckpt, model, opt)
        print(f"resuming {run_dir} at epoch {meta['epoch']}")
    gen = torch.Generator().manual_seed(seed)
    aug = torch.Generator().manual_seed(seed + 1)   # transpositions (folk); not replayed on resume
    for _ in range(meta["epoch"]):   # replay the shuffles so a resumed run sees the same order
        torch.randperm(len(x_all), generator=gen)

    for epoch in range(meta["epoch"], epochs):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(len(x_all), generator=gen)
        sums = {"loss": 0.0, "recon": 0.0, "kl": 0.0, "attr": 0.0}
        bar = tqdm(range(steps_per_epoch), desc=f"{model_name} epoch {epoch + 1}/{epochs}",
                   disable=not progress, mininterval=2)
        for i in bar:
            idx = perm[i * batch:(i + 1) * batch]
            x, y = data.augment(x_all[idx], aug).to(dev), y_all[idx].to(dev)
            beta_t = beta_schedule(meta["step"], warmup, total - warmup, cfg.beta)
            for group in opt.param_groups:   # cosine decay to lr/10 sharpens the last epochs
                group["lr"] = lr * (0.1 + 0.45 * (1 + math.cos(math.pi * meta["step"] / total)))
            teacher = arch == "reference" and i % 2 == 0
            loss, parts = vae_loss(model, x, y, beta_t, teacher)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            meta["step"] += 1
            sums["loss"] += loss.item()
            for k in parts:
                sums[k] += parts[k]
            if i % 50 == 0:
                bar.set_postfix(loss=f"{loss.item():.3f}", recon=f"{parts['recon']:.3f}",
                                kl=f"{parts['kl']:.1f}", attr=f"{parts['attr']:.3f}", beta=f"{beta_t:.3f}")
        seconds = time.perf_counter() - t0
        meta["train_seconds"] += seconds
        val = reconstruction(model, data.val[:eval_rows])
        row = {"epoch": epoch + 1, "seconds": seconds, **{k: v / steps_per_epoch for k, v in sums.items()},
               "val_token_accuracy": val["token_accuracy"], "val_melody_accuracy": val["melody_accuracy"]}
        meta["history"].append(row)
        meta["epoch"] = epoch + 1
        print(json.dumps(row))
        save_checkpoint(ckpt, model, opt, meta)

    test = reconstruction(model, data.test)
    if data.groups:     # per collection, on held-out tunes
        test["groups"] = {name: reconstruction(model, data.test[m]) for name, m in data.groups.items()}
    figures = {"model": model_name, "family": family, "regulariser": regulariser, "hidden": cfg.hidden, "arch": arch, "beta": cfg.beta, "gamma": cfg.gamma, "seed": seed, "epochs": epochs, "batch": batch, "lr": lr,
               "train_rows": len(x_all), "split_seed": seed, "commit": git_commit(),
               "train_seconds": meta["train_seconds"], "seconds_per_epoch": meta["train_seconds"] / max(1, epochs),
               "device": str(dev), "threads": torch.get_num_threads(), "history": meta["history"],
               "test": test, "parameters": sum(p.numel() for p in model.parameters())}
    model.config.extra = {"training": figures}
    out = Path(out or MODELS_DIR / model_name)
    path = save_model(model, out)
    (run_dir / "figures.json").write_text(json.dumps(figures, indent=1))
    print(f"saved {path}; test token accuracy {test['token_accuracy']:.5f}, melody {test['melody_accuracy']:.5f}")
    train_prior(path, seed=seed)
    return figures


def train_prior(model_name="s2", seed=0, rows=PRIOR_ROWS) -> Path:
    """Encode `rows` melodies of the VAE's training split (seeded choice) and save their posterior means
    as models/NAME.prior.safetensors: where Random samples (engine.session.Editor.random)."""
    model = load_model(model_name, "cpu")
    rng = np.random.default_rng(seed)
    if model.schema.name == "dmelodies":
        train_idx, _, _ = split_indices(seed)
        tokens, _ = generate(np.sort(rng.choice(train_idx, rows, replace=False)))
    else:   # windows of the training tunes, each moved by the training augmentation's transposition
        data = FamilyData(model.schema.name, seed)
        train = data.train[0]
        x = torch.as_tensor(train[np.sort(rng.choice(len(train), min(rows, len(train)), replace=False))])
        tokens = data.augment(x, torch.Generator().manual_seed(seed)).numpy()
    path = save_prior(model.encode(tokens), model.path,
                      f"posterior means of {len(tokens)} melodies of the {model.schema.name} training split (seed {seed})")
    print(f"saved {path} ({rows} posterior means)")
    return path
