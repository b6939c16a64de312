"""Traversal pairs made by the verified search (folk): a window and its own melody-keeping edit.

SeNT-Gen trains T_k on pairs that differ in knob k and keep the others.  In dMelodies such a pair is a
small edit of one melody; among real tunes it is two different tunes, and a net trained on those moves
a clip towards another tune (measured: its proposals added nothing to the engine's edit).  Here the
partner of a window is what the engine's verified search made of it for a one-knob turn (target reached,
every other knob kept, most notes kept): T_k learns the edit the product makes, in one forward pass.

The search runs without the model's proposals (Editor.model_proposals False), so the teacher does not
depend on the nets it trains; in parallel over the cores (one process each, a share of the windows).
"""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

TURNS = (-2, -1, 1, 2)
_EDITOR = None


def _start(model_path: str):
    global _EDITOR
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from engine.models import load_model
    from engine.session import Editor
    _EDITOR = Editor(load_model(model_path, "cpu"), None)
    _EDITOR.model_proposals = False


def _edit(args):
    tokens, targets = args
    b = _EDITOR.edit_batch(tokens, targets, a0=_EDITOR.schema.parse(tokens))
    return b["tokens"], _EDITOR.answered(b)


def turns_for(fac, k: int, counts, per_knob: int, seed: int):
    """(rows, targets) of up to per_knob one-knob turns of knob k: distinct windows, each one turn of 1 or 2
    bins to a value that exists (seeded)."""
    rng = np.random.default_rng(seed + 7919 * k)
    cur = fac[:, k]
    rows = rng.permutation(np.flatnonzero(cur >= 0))
    d = rng.choice(TURNS, len(rows))
    t = cur[rows] + d
    t = np.where((t < 0) | (t >= counts[k]), cur[rows] - d, t)      # the other way where this one does not exist
    ok = (t >= 0) & (t < counts[k])
    return rows[ok][:per_knob], t[ok][:per_knob]


def search_pairs(model, tokens, factors, knobs, per_knob: int = 2000, seed: int = 0, workers: int | None = None,
                 chunk: int = 64, progress=print) -> dict:
    """{k: (source tokens (P, steps), edited tokens (P, steps))} of the search's exact edits of knob k turns."""
    g = model.schema
    workers = workers or min(2, os.cpu_count() or 1)
    jobs, owner = [], []
    for k in knobs:
        rows, t = turns_for(factors, k, g.counts, per_knob, seed)
        targets = np.full((len(rows), g.num_knobs), -1, np.int64)
        targets[:, k] = t
        for lo in range(0, len(rows), chunk):
            jobs.append((tokens[rows[lo:lo + chunk]].astype(np.int64), targets[lo:lo + chunk]))
            owner.append(k)
    t0 = time.perf_counter()
    out = {k: ([], []) for k in knobs}
    # spawned, not forked: a fork of a process with threads (torch's, a test runner's) can inherit a held lock
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn, initializer=_start, initargs=(str(model.path),)) as pool:
        for i, ((src, _), (res, ok)) in enumerate(zip(jobs, pool.map(_edit, jobs))):
            out[owner[i]][0].append(src[ok])
            out[owner[i]][1].append(res[ok])
            if progress and (i + 1) % max(1, len(jobs) // 10) == 0:
                progress(f"  search pairs: {i + 1}/{len(jobs)} chunks, {time.perf_counter() - t0:.0f} s")
    return {k: (np.concatenate(a), np.concatenate(b)) for k, (a, b) in out.items()}
