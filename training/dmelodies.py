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


# Lookup tables for melodies_of: the onset mask of each rhythm, and the 12
# semitone offsets of each (scale, arp code) with arp code = 8*chord1 + 4*chord2 + 2*chord3 + chord4.
_RHYTHM_MASKS = np.zeros((len(RHYTHM_SLOTS), SLOTS_PER_BAR), dtype=bool)
for _i, _slots in enumerate(RHYTHM_SLOTS):
    _RHYTHM_MASKS[_i, _slots] = True
_ARP_DIRS = (np.arange(16)[:, None] >> np.arange(3, -1, -1)) & 1
_ARP_POSITIONS = np.where(_ARP_DIRS[:, :, None] == 1, CHORD_POSITIONS[None, :, ::-1],
                          CHORD_POSITIONS[None]).reshape(16, 12)
_OFFSETS = SCALE_OFFSETS[:, _ARP_POSITIONS]          # (3 scales, 16 arp codes, 12 notes)


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


def melodies_of(factors) -> np.ndarray:
    """Tokens (N, 16) of melodies with the given factor indices (N, 9)."""
    f = np.asarray(factors)
    if f.dtype == bool or not (np.issubdtype(f.dtype, np.integer) or f.size == 0):
        raise TypeError(f"factors must be integers, got dtype {f.dtype}")
    f = f.astype(np.int64, copy=False)
    if f.ndim != 2 or f.shape[1] != len(COUNTS):
        raise ValueError(f"factors must have shape (N, {len(COUNTS)}), got {f.shape}")
    if f.size and ((f < 0) | (f >= COUNTS)).any():
        raise ValueError("factor indices out of range: column k must lie in 0..n_k-1 with n = "
                         f"{COUNTS.tolist()}")
    n = f.shape[0]
    root = 12 * (f[:, 1] + 4 + 1) + f[:, 0] - PITCH_OFFSET          # as a token
    arp = f[:, 5] * 8 + f[:, 6] * 4 + f[:, 7] * 2 + f[:, 8]
    pitches = root[:, None] + _OFFSETS[f[:, 2], arp]                 # (N, 12) tokens in time order
    onset = np.concatenate([_RHYTHM_MASKS[f[:, 3]], _RHYTHM_MASKS[f[:, 4]]], axis=1)
    tokens = np.zeros((n, SEQ_LEN), dtype=np.int64)
    # Row-major boolean assignment: each row has 12 onsets, filled with its 12 pitches in order.
    tokens[onset] = pitches.ravel()
    return tokens


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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}.npz")
    try:
        np.savez(tmp, tokens=tokens, factors=factors, fingerprint=_fingerprint())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
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
