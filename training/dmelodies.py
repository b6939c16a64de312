"""dMelodies, generated here: 1,354,752 two-bar melodies and their nine factors.

Part of the dMelodies family with its schema (engine/attributes.py): the data generator names that family's
factors and grid as the schema does, and is used only for dMelodies models.

Rows are the Cartesian product of the factors in column order (arp_chord4
changes fastest), exactly as the public generator orders them.
"""
from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path

import numpy as np
import platformdirs

from engine.attributes import (CHORD_POSITIONS, COUNTS, RHYTHM_SLOTS, SCALE_OFFSETS, SEQ_LEN,
                               melodies_of)
from engine.files import atomic_write

NUM_ROWS = int(np.prod(COUNTS))          # 1,354,752
SPLIT_FRACTIONS = (0.70, 0.05, 0.25)     # train VAE / validation / traversal candidates
CACHE_VERSION = 1


def factors_of(indices) -> np.ndarray:
    """Factor indices (N, 9) of the given row numbers."""
    idx = np.asarray(indices)
    if idx.dtype == bool or not (np.issubdtype(idx.dtype, np.integer) or idx.size == 0):
        raise TypeError(f"row indices must be integers, got dtype {idx.dtype}")
    idx = idx.astype(np.int64, copy=False)
    if idx.ndim != 1:
        raise ValueError(f"indices must be 1-D, got shape {idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= NUM_ROWS):
        raise ValueError(f"row indices must lie in 0..{NUM_ROWS - 1}")
    return np.stack(np.unravel_index(idx, tuple(COUNTS)), axis=1).astype(np.int64, copy=False)


def generate(indices=None):
    """(tokens, factors): int64 arrays (N, 16) and (N, 9) for the given rows (all when None)."""
    factors = factors_of(np.arange(NUM_ROWS) if indices is None else indices)
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
            tokens, factors = data["tokens"], data["factors"]
            if (str(data["fingerprint"]) == _fingerprint()
                    and tokens.shape == (NUM_ROWS, SEQ_LEN) and tokens.dtype == np.int8
                    and factors.shape == (NUM_ROWS, len(COUNTS)) and factors.dtype == np.int8):
                return tokens, factors
    except Exception:        # missing, truncated, not a zip, bad CRC, missing keys: rebuild
        pass
    tokens, factors = generate()
    tokens, factors = tokens.astype(np.int8), factors.astype(np.int8)
    buf = io.BytesIO()
    np.savez(buf, tokens=tokens, factors=factors, fingerprint=_fingerprint())
    atomic_write(path, buf.getvalue())
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
