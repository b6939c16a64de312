"""Train one music VAE on the 70% split of dMelodies (resumable, a checkpoint per epoch), and its prior bank.

    sentgen train vae --model s2 [--arch fast|reference] [--epochs N] [--seed S] [--device D]
    sentgen train prior --model s2 [--seed S]      (also done at the end of `train vae`)
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
              eval_rows=20000, beta=None, gamma=None) -> dict:
    """Train, checkpointing every epoch into run_dir; resume from it when present. Returns the figures.

    beta and gamma default to the shipped model's (HEADLINE); the grid sets them per cell."""
    if model_name not in HEADLINE:
        raise ValueError(f"unknown model {model_name!r}; expected one of {', '.join(HEADLINE)}")
    if threads:
        torch.set_num_threads(threads)
    dev = pick_device(device)
    torch.manual_seed(seed)
    weights = dict(HEADLINE[model_name], **{k: float(v) for k, v in (("beta", beta), ("gamma", gamma)) if v is not None})
    cfg = VAEConfig(regulariser=model_name, arch=arch, **weights)
    model = MusicVAE(cfg).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    tokens, factors = load()
    train_idx, val_idx, cand_idx = split_indices(seed)
    if limit:   # smoke runs: a slice of every split
        train_idx, val_idx, cand_idx = train_idx[:limit], val_idx[:limit], cand_idx[:limit]
    x_all = torch.as_tensor(tokens[train_idx].astype(np.int64))
    y_all = torch.as_tensor(factors[train_idx].astype(np.int64))
    steps_per_epoch = max(1, len(train_idx) // batch)
    total = steps_per_epoch * epochs
    warmup = int(warmup_frac * total)

    run_dir = Path(run_dir or RUNS_DIR / f"{model_name}-{arch}-seed{seed}")
    ckpt = run_dir / "checkpoint.safetensors"
    meta = {"epoch": 0, "step": 0, "history": [], "train_seconds": 0.0}
    if ckpt.exists():
        meta = load_checkpoint(ckpt, model, opt)
        print(f"resuming {run_dir} at epoch {meta['epoch']}")
    gen = torch.Generator().manual_seed(seed)
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
            x, y = x_all[idx].to(dev), y_all[idx].to(dev)
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
        val = reconstruction(model, tokens[val_idx[:eval_rows]])
        row = {"epoch": epoch + 1, "seconds": seconds, **{k: v / steps_per_epoch for k, v in sums.items()},
               "val_token_accuracy": val["token_accuracy"], "val_melody_accuracy": val["melody_accuracy"]}
        meta["history"].append(row)
        meta["epoch"] = epoch + 1
        print(json.dumps(row))
        save_checkpoint(ckpt, model, opt, meta)

    test = reconstruction(model, tokens[cand_idx])
    figures = {"model": model_name, "arch": arch, "beta": cfg.beta, "gamma": cfg.gamma, "seed": seed, "epochs": epochs, "batch": batch, "lr": lr,
               "train_rows": len(train_idx), "split_seed": seed, "commit": git_commit(),
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
    train_idx, _, _ = split_indices(seed)
    chosen = np.sort(np.random.default_rng(seed).choice(train_idx, rows, replace=False))
    tokens, _ = generate(chosen)
    path = save_prior(model.encode(tokens), model.path,
                      f"posterior means of {rows} melodies of the dMelodies training split (seed {seed})")
    print(f"saved {path} ({rows} posterior means)")
    return path
