"""Train the nine SeNT traversal nets of one VAE (and the statistics an edit needs).

    sentgen train traversal --model s2 [--attr NAME] [--epochs N] [--lc decoder|surrogate]

Loss = w_I * L_I + w_-I * L_-I + w_c * L_c.  L_c is the squared error between the
decoded-and-parsed attribute and its target (1 when invalid); it is not
differentiable, so its gradient comes from either
- "decoder" (default): cross-entropy of the decoder's output at z_hat against the
  partner melody's tokens, which holds the target attribute and every other one; or
- "surrogate": the reference's frozen regressor z -> c_k (32-128-64-32-16-1).
The figures report the true L_c on held-out pairs.
"""
from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm import tqdm

from engine.models import load_model
from engine.traversal import TraversalBundle, TraversalNet, attribute_means, traversal_path
from training.dmelodies import load, split_indices
from training.train_vae import FamilyData
from training.traversal_data import encode_all, make_pairs, mi_matrix, relevant_dims, split_pairs


def surrogate_net(latent=32):
    return nn.Sequential(nn.Linear(latent, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 32),
                         nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())


def train_surrogate(zn, c, epochs=2, batch=512, seed=0):
    """Frozen regressor from normalised codes to one normalised attribute (the reference's L_c gradient)."""
    torch.manual_seed(seed)
    net = surrogate_net(zn.shape[1])
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    x, y = torch.as_tensor(zn), torch.as_tensor(c, dtype=torch.float32)
    for _ in range(epochs):
        for idx in torch.randperm(len(x)).split(batch):
            loss = F.mse_loss(net(x[idx])[:, 0], y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net.eval().requires_grad_(False)


def true_lc(model, bundle, net, k, z, c, c_star):
    """Mean (R_k(G(z_hat)) - c*)^2 with 1 for invalid results, and the share of valid results."""
    c, c_star = np.asarray(c, np.float32), np.asarray(c_star, np.float32)
    with torch.no_grad():
        zh = net(torch.as_tensor(bundle.normalise(z)), torch.as_tensor(c), torch.as_tensor(c_star)).numpy()
    got = model.schema.parse(model.decode(bundle.denormalise(zh)))[:, k]
    err = np.where(got >= 0, (got / (model.schema.counts[k] - 1) - c_star) ** 2, 1.0)
    return float(err.mean()), float((got >= 0).mean())


def train_one(model, bundle, k, z, tokens, factors, pairs, *, epochs=5, batch=512, lr=3e-3, weights=(1.0, 1.0, 1.0),
              lc="decoder", surrogate=None, seed=0, progress=True, eval_pairs=4096, residual=True, categorical=True,
              width=2, all_dims=False):
    """Train T_k on pairs (both directions). Returns (net, figures).
    all_dims: L_I pulls every dim to the partner's code and there is no L_-I (pairs that are one melody and its
    edit: the partner's code is the whole answer, not only its relevant dims)."""
    torch.manual_seed(seed)
    counts, names = model.schema.counts, model.schema.names
    train, test = split_pairs(pairs)
    src = np.concatenate([train[:, 0], train[:, 1]])
    dst = np.concatenate([train[:, 1], train[:, 0]])
    zn = torch.as_tensor(bundle.normalise(z))
    c = torch.as_tensor(factors[:, k] / (counts[k] - 1), dtype=torch.float32)
    tok = torch.as_tensor(tokens.astype(np.int64))
    rel = torch.zeros(z.shape[1], dtype=torch.bool)
    rel[torch.as_tensor(bundle.relevant[k])] = True
    span = torch.as_tensor(bundle._span)
    zmin = torch.as_tensor(bundle.z_min)
    net = TraversalNet(z.shape[1], residual, int(counts[k]) if categorical else 0, width)
    opt = torch.optim.Adam(net.parameters(), lr)
    decoder = model.coder
    decoder.requires_grad_(False)
    w_i, w_ni, w_c = weights
    history = []
    te = test[:eval_pairs]
    for epoch in range(epochs):
        net.train()
        perm = torch.randperm(len(src))
        sums = np.zeros(3)
        steps = 0
        for idx in tqdm(perm.split(batch), desc=f"{names[k]} epoch {epoch + 1}/{epochs}", disable=not progress,
                        mininterval=2, leave=False):
            a, b = torch.as_tensor(src[idx]), torch.as_tensor(dst[idx])
            zh = net(zn[a], c[a], c[b])
            if all_dims:
                l_i, l_ni = F.mse_loss(zh, zn[b]), torch.zeros(())
            else:
                l_i = F.mse_loss(zh[:, rel], zn[b][:, rel])
                l_ni = F.mse_loss(zh[:, ~rel], zn[a][:, ~rel])
            z_real = (zh + 1) / 2 * span + zmin
            if lc == "surrogate":
                l_c = F.mse_loss(surrogate(zh)[:, 0], c[b])
            else:
                logits = decoder.decode(z_real)
                l_c = F.cross_entropy(logits.reshape(-1, model.schema.vocab), tok[b].reshape(-1))
            loss = w_i * l_i + w_ni * l_ni + w_c * l_c
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sums += [l_i.item(), l_ni.item(), l_c.item()]
            steps += 1
        net.eval()
        lc_true, valid = true_lc(model, bundle, net, k, z[te[:, 0]], factors[te[:, 0], k] / (counts[k] - 1),
                                 factors[te[:, 1], k] / (counts[k] - 1))
        row = {"epoch": epoch + 1, "L_I": sums[0] / steps, "L_-I": sums[1] / steps, f"L_c_grad_{lc}": sums[2] / steps,
               "test_L_c_true": lc_true, "test_target_valid": valid}
        history.append(row)
        if progress:
            print(f"  {names[k]} epoch {epoch + 1}: " + ", ".join(f"{n} {v:.4f}" for n, v in row.items() if n != "epoch"))
    decoder.requires_grad_(True)
    return net, {"pairs": len(pairs), "train_pairs": len(train), "test_pairs": len(test), "history": history}


def prepare(model, seed=0, gamma=3, limit=None):
    """Codes of the candidate windows (the first `limit` when given; FamilyData.candidates), and a bundle
    with its statistics (no nets yet)."""
    g = model.schema
    if g.name == "dmelodies":
        tokens, factors = load()
        _, _, cand = split_indices(seed)
        cand = cand[:limit] if limit else cand
        tok, fac = tokens[cand].astype(np.int64), factors[cand].astype(np.int64)
    else:
        tok = FamilyData(g.name, seed).candidates(seed, limit).astype(np.int64)
        fac = g.parse(tok)
    z = encode_all(model, tok)
    sub = np.random.default_rng(seed).choice(len(z), min(len(z), 100_000), replace=False)
    mi = mi_matrix(z[sub], fac[sub])
    bundle = TraversalBundle(z.shape[1], z.min(0), z.max(0), attribute_means(z, fac, model.schema.counts), relevant_dims(mi, gamma), mi,
                             names=model.schema.names)
    return bundle, z, tok, fac


def train_traversal(model_name="s2", attrs=None, epochs=8, seed=0, epsilon=0.0, gamma=3, lc="decoder",
                    weights=(1.0, 1.0, 1.0), progress=True, threads=None, width=8, limit=None, pairs_from="tunes",
                    per_knob=2000) -> dict:
    """pairs_from: "tunes" (SeNT-Gen's: candidates that differ in the knob and keep the others) or "search"
    (a candidate and the verified search's edit of it: training/search_pairs.py; per_knob turns a knob)."""
    if threads:
        torch.set_num_threads(threads)
    model = load_model(model_name, "cpu")
    t0 = time.perf_counter()
    bundle, z, tok, fac = prepare(model, seed, gamma, limit)
    out_path = traversal_path(model.path)
    if out_path.exists():                      # keep nets of attributes not retrained now
        old = TraversalBundle.load(out_path)
        bundle.nets.update(old.nets)
        bundle.meta = old.meta
    figures = bundle.meta.setdefault("training", {})
    g = model.schema
    learned = [k for k in range(g.num_knobs) if not g.is_rule(k)]   # pairs differ in k, keep the other learned knobs
    ks = [g.knob_index(a) for a in attrs] if attrs else learned
    if any(k not in learned for k in ks):
        raise ValueError(f"{', '.join(g.names[k] for k in ks if k not in learned)}: rule knobs are exact "
                         f"transformations, no traversal net")
    if pairs_from not in ("tunes", "search"):
        raise ValueError(f"pairs_from: expected tunes or search, got {pairs_from!r}")
    made = None
    if pairs_from == "search":
        from training.search_pairs import search_pairs
        t1 = time.perf_counter()
        made = search_pairs(model, tok, fac, ks, per_knob, seed, progress=print if progress else None)
        figures["search_pairs_seconds"] = time.perf_counter() - t1
    for k in ks:
        z_k, tok_k, fac_k = z, tok, fac
        if made is not None:       # the candidates' codes for the surrogate; the pairs' own for the net
            src, dst = made[k]
            tok_k = np.concatenate([src, dst])
            z_k, fac_k, m = encode_all(model, tok_k), g.parse(tok_k), len(src)
            pairs = np.random.default_rng(seed).permutation(np.stack([np.arange(m), m + np.arange(m)], 1))
        else:
            pairs = make_pairs(fac[:, learned], learned.index(k), epsilon, seed, counts=g.counts[learned])
        if len(pairs) < 2:
            raise ValueError(f"only {len(pairs)} {g.names[k]} pairs among {len(fac):,} candidates: use more rows")
        sur = None
        if lc == "surrogate":
            sur = train_surrogate(bundle.normalise(z), fac[:, k] / (g.counts[k] - 1), seed=seed)
        t1 = time.perf_counter()
        net, fig = train_one(model, bundle, k, z_k, tok_k, fac_k, pairs, epochs=epochs, lc=lc, surrogate=sur,
                             weights=weights, seed=seed, progress=progress, width=width, all_dims=made is not None)
        fig.update(seconds=time.perf_counter() - t1, epsilon=epsilon, gamma=gamma, lc=lc, weights=list(weights), width=width,
                   relevant=bundle.relevant[k].tolist(), seed=seed, pairs_from=pairs_from)
        bundle.nets[k] = net
        figures[g.names[k]] = fig
        bundle.save(out_path)                   # after every attribute: an interrupted run keeps its work
    bundle.meta["seconds_total"] = time.perf_counter() - t0
    bundle.save(out_path)
    print(f"saved {out_path}")
    return figures


def train_traversal_cli(args):
    attrs = [args.attr] if args.attr else None
    lc = getattr(args, "lc", None)
    if lc is None:      # folk pairs are different tunes: the frozen regressor, not the partner's tokens
        from engine.models import load_model
        lc = "decoder" if load_model(args.model, "cpu").schema.has_inverse else "surrogate"
    train_traversal(args.model, attrs, epochs=args.epochs, seed=args.seed, threads=args.threads,
                    epsilon=getattr(args, "epsilon", 0.0), gamma=getattr(args, "gamma", 3),
                    lc=lc, width=getattr(args, "width", 8), pairs_from=getattr(args, "pairs", "tunes"),
                    per_knob=getattr(args, "per_knob", 2000))
