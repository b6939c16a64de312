"""Training data for the traversal nets: codes of the candidate split, pairs, relevance.

Pairs (epsilon rule): two candidates differing in attribute k, every other
attribute within epsilon (normalised); epsilon = 0 means identical.  Matched
greedily without reuse, in a seeded order; the first 80% train, the rest test.
"""
from __future__ import annotations

import numpy as np

from engine.schema import get_schema


def encode_all(model, tokens, batch=16384) -> np.ndarray:
    """Posterior means of all melodies (model in eval mode)."""
    model.eval()
    return np.concatenate([model.encode(tokens[i:i + batch].astype(np.int64))
                           for i in range(0, len(tokens), batch)])


def make_pairs(factors, k: int, epsilon: float = 0.0, seed: int = 0, window: int = 64, counts=None) -> np.ndarray:
    """Index pairs (P, 2) of rows differing in attribute k, others within epsilon; greedy, no reuse.

    epsilon = 0: rows are grouped by their other eight attributes and paired inside each group in a
    seeded random order. epsilon > 0: rows sorted by the other attributes, each unused row takes the
    first unused row within `window` places that differs in k and is within epsilon on the others.
    counts: the schema's values per knob (default dMelodies')."""
    counts = get_schema().counts if counts is None else np.asarray(counts)
    f = np.asarray(factors, dtype=np.int64)
    n = len(f)
    rng = np.random.default_rng(seed)
    others = [u for u in range(f.shape[1]) if u != k]
    order = rng.permutation(n)
    if epsilon <= 0:
        key = np.zeros(n, dtype=np.int64)
        for u in others:
            key = key * counts[u] + f[:, u]
        order = order[np.argsort(key[order], kind="stable")]
        ks = key[order]
        # position of each row inside its group; pair 0-1, 2-3, ... of each group
        start = np.r_[0, np.flatnonzero(np.diff(ks)) + 1]
        group_len = np.diff(np.r_[start, n])
        pos = np.arange(n) - np.repeat(start, group_len)
        size = np.repeat(group_len, group_len)
        first = (pos % 2 == 0) & (pos + 1 < size)
        a, b = order[first], order[np.flatnonzero(first) + 1]
        ok = f[a, k] != f[b, k]
        pairs = np.stack([a[ok], b[ok]], axis=1)
    else:
        c = f / (counts - 1)
        sort_key = np.lexsort([f[order, u] for u in reversed(others)])
        order = order[sort_key]
        used = np.zeros(n, dtype=bool)
        out = []
        for i in range(n):
            a = order[i]
            if used[a]:
                continue
            cand = order[i + 1:i + 1 + window]
            free = cand[~used[cand]]
            close = (np.abs(c[free][:, others] - c[a, others]) <= epsilon + 1e-9).all(1) & (f[free, k] != f[a, k])
            if close.any():
                b = free[np.argmax(close)]
                used[a] = used[b] = True
                out.append((a, b))
        pairs = np.array(out, dtype=np.int64).reshape(-1, 2)
    return pairs[rng.permutation(len(pairs))]


def split_pairs(pairs, train_fraction: float = 0.8):
    cut = int(train_fraction * len(pairs))
    return pairs[:cut], pairs[cut:]


def mutual_information(z, c, bins: int = 32) -> np.ndarray:
    """MI (nats) between each latent dim (quantile-binned) and a discrete attribute value: (D,)."""
    z = np.asarray(z, dtype=np.float64)
    values, labels = np.unique(np.asarray(c), return_inverse=True)
    n, d = z.shape
    edges = np.quantile(z, np.linspace(0, 1, bins + 1)[1:-1], axis=0)          # (bins-1, D)
    zb = np.stack([np.searchsorted(edges[:, j], z[:, j]) for j in range(d)], 1)  # (N, D)
    joint = np.zeros((d, bins, len(values)))
    for j in range(d):
        np.add.at(joint[j], (zb[:, j], labels), 1)
    joint /= n
    pz = joint.sum(2, keepdims=True)
    pc = joint.sum(1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(joint > 0, joint * np.log(joint / (pz * pc)), 0.0)
    return term.sum((1, 2))


def mi_matrix(z, factors) -> np.ndarray:
    """(K, D) mutual information between every knob and every latent dim."""
    return np.stack([mutual_information(z, factors[:, k]) for k in range(factors.shape[1])])


def relevant_dims(mi, gamma: int = 3) -> np.ndarray:
    """Top-gamma dims per attribute by mutual information: (9, gamma)."""
    return np.argsort(-np.asarray(mi), axis=1)[:, :gamma]
