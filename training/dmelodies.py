"""dMelodies, generated here: 1,354,752 two-bar melodies and their nine factors.

Rows are the Cartesian product of the factors in column order (arp_chord4
changes fastest), exactly as the public generator orders them.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import numpy as np
import platformdirs

from engine.attributes import (CHORD_POSITIONS, COUNTS, PITCH_OFFSET, RHYTHM_SLOTS,
                               SCALE_OFFSETS, SEQ_LEN, SLOTS_PER_BAR)

NUM_ROWS = int(np.prod(COUNTS))          # 1,354,752
SPLIT_FRACTIONS = (0.70, 0.05, 0.25)     # train VAE / validation / traversal candidates
CACHE_VERSION = 1


def factors_of(indices) -> np.ndarray:
    """Factor indices (N, 9) of the given row numbers."""
    idx = np.asarray(indices, dtype=np.int64)
    if idx.ndim != 1:
        raise ValueError(f"indices must be 1-D, got shape {idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= NUM_ROWS):
        raise ValueError(f"row indices must lie in 0..{NUM_ROWS - 1}")
    return np.stack(np.unravel_index(idx, tuple(COUNTS)), axis=1).astype(np.int64)


def melodies_of(factors) -> np.ndarray:
    """Tokens (N, 16) of melodies with the given factor indices (N, 9)."""
    f = np.asarray(factors, dtype=np.int64)
    n = f.shape[0]
    tonic, octave, scale = f[:, 0], f[:, 1], f[:, 2]
    root = 12 * (octave + 4 + 1) + tonic
    # chord positions, reversed for "down" chords: (N, 4, 3) -> (N, 12)
    pos = np.where(f[:, 5:9, None] == 1, CHORD_POSITIONS[None, :, ::-1], CHORD_POSITIONS[None])
    pos = pos.reshape(n, 12)
    pitches = root[:, None] + np.take_along_axis(SCALE_OFFSETS[scale], pos, axis=1)
    tokens = np.zeros((n, SEQ_LEN), dtype=np.int64)
    rows = np.arange(n)[:, None]
    tokens[rows, RHYTHM_SLOTS[f[:, 3]]] = pitches[:, :6] - PITCH_OFFSET
    tokens[rows, SLOTS_PER_BAR + RHYTHM_SLOTS[f[:, 4]]] = pitches[:, 6:] - PITCH_OFFSET
    return tokens


def generate(indices=None):
    """(tokens, factors): int64 arrays (N, 16) and (N, 9) for the given rows (all when None)."""
    idx = np.arange(NUM_ROWS) if indices is None else np.asarray(indices, dtype=np.int64)
    factors = factors_of(idx)
    return melodies_of(factors), factors


def split_indices(seed: int = 0):
    """Row numbers of the (train, validation, candidates) splits: seeded shuffle, contiguous 70/5/25 cut."""
    perm = np.random.default_rng(seed).permutation(NUM_ROWS)
    n_train = int(SPLIT_FRACTIONS[0] * NUM_ROWS)
    n_cand = int(SPLIT_FRACTIONS[2] * NUM_ROWS)
    return perm[:n_train], perm[n_train:NUM_ROWS - n_cand], perm[NUM_ROWS - n_cand:]


def cache_path() -> Path:
    return Path(platformdirs.user_cache_dir("sentgen")) / f"dmelodies-v{CACHE_VERSION}.npz"


def _fingerprint() -> str:
    # Stale when the generator's rules change: hash the tables the melodies come from.
    h = hashlib.sha256()
    for table in (COUNTS, SCALE_OFFSETS, CHORD_POSITIONS, RHYTHM_SLOTS):
        h.update(np.ascontiguousarray(table, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


def load(path: Path | None = None):
    """(tokens int8 (N,16), factors int8 (N,9)) for all rows, from the cache, rebuilt when missing or stale."""
    path = Path(path or cache_path())
    try:
        with np.load(path) as data:
            if str(data["fingerprint"]) == _fingerprint() and data["tokens"].shape == (NUM_ROWS, SEQ_LEN):
                return data["tokens"], data["factors"]
    except (OSError, KeyError, ValueError):
        pass
    tokens, factors = generate()
    tokens, factors = tokens.astype(np.int8), factors.astype(np.int8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(tmp, tokens=tokens, factors=factors, fingerprint=_fingerprint())
    os.replace(tmp, path)
    return tokens, factors


def summary(seed: int = 0) -> str:
    """Text summary for `sentgen dataset`."""
    from engine.attributes import LABELS, NAMES
    t0 = time.perf_counter()
    tokens, factors = load()
    took = time.perf_counter() - t0
    train, val, cand = split_indices(seed)
    lines = [f"dMelodies: {len(tokens):,} melodies of {SEQ_LEN} tokens",
             f"cache: {cache_path()}", f"loaded in {took:.2f} s",
             f"splits (seed {seed}): train {len(train):,} / validation {len(val):,} / candidates {len(cand):,}",
             "rows per factor value:"]
    for k, name in enumerate(NAMES):
        counts = np.bincount(factors[:, k].astype(np.int64), minlength=COUNTS[k])
        values = " ".join(f"{LABELS[k][i]}:{c}" for i, c in enumerate(counts[:6]))
        more = f" ... ({COUNTS[k]} values)" if COUNTS[k] > 6 else ""
        lines.append(f"  {name:<12} {values}{more}")
    return "\n".join(lines)
