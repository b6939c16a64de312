"""The paper's grid (VAE kinds x hyperparameters x seeds) on Ray: `sentgen grid run CONFIG.toml`.

Each cell trains its VAE (training/train_vae.py), its traversal nets (training/train_traversal.py) and
evaluates them (training/evaluate.py) in its own directory OUT/CELL/:

    checkpoint.safetensors/.json   the VAE's resumable training state (every epoch)
    vae.safetensors/.json          the trained VAE           figures.json   its training figures
    vae.traversal.safetensors/.json  the nets (saved after every attribute)
    eval_vae.json, eval_edits.json   what evaluate wrote     cell.json      the cell's result, written last

A cell whose cell.json exists with the same config is done and never redone; any other cell resumes from
what its directory holds. Ray is imported only by run_grid (the engine never needs it).
"""
from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import traceback
from pathlib import Path

from engine.attributes import NAMES
from engine.models import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent
GRIDS_DIR = Path(__file__).resolve().parent / "grids"
KINDS = ("beta", "ar", "i", "s2")
TOP_KEYS = {"name", "out", "dataset", "arch", "seeds", "vae_epochs", "traversal_epochs", "attributes", "subset",
            "max_retries", "device", "cpus_per_cell", "evaluate", "kind"}
EVAL_KEYS = {"samples", "max_pairs", "methods"}
KIND_KEYS = {"name", "beta", "gamma"}
METHODS = ("verified", "verified_rules", "direct", "arithmetic")


# --- the config -------------------------------------------------------------------
def _toml():
    try:
        import tomllib
    except ModuleNotFoundError:          # Python 3.10: the grid extra installs tomli
        import tomli as tomllib
    return tomllib


def _check(cond, msg):
    if not cond:
        raise ValueError(msg)


def _numbers(v, what):
    v = v if isinstance(v, list) else [v]
    _check(v and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v),
           f"{what} must be a number or a non-empty list of numbers, got {v!r}")
    return [float(x) for x in v]


def _count(v, what, zero_ok=False):
    _check(isinstance(v, int) and not isinstance(v, bool) and (v >= 0 if zero_ok else v >= 1),
           f"{what} must be an integer {'>= 0' if zero_ok else '>= 1'}, got {v!r}")
    return v


def load_config(path) -> dict:
    """Read and check a grid file; returns it with every default filled in. Clear ValueError on bad input."""
    path = Path(path)
    try:
        raw = _toml().loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"no grid file {path}") from None
    except Exception as e:           # tomllib.TOMLDecodeError, UnicodeDecodeError
        raise ValueError(f"{path} is not valid TOML: {e}") from None
    return check_config(raw, base=path.parent)


def check_config(raw: dict, base: Path = ROOT) -> dict:
    unknown = set(raw) - TOP_KEYS
    _check(not unknown, f"unknown grid keys: {', '.join(sorted(unknown))} (known: {', '.join(sorted(TOP_KEYS))})")
    cfg = {"name": str(raw.get("name", "grid")), "dataset": raw.get("dataset", "dmelodies"),
           "arch": raw.get("arch", "fast"), "device": raw.get("device", "auto")}
    _check(cfg["dataset"] == "dmelodies", f"dataset {cfg['dataset']!r}: only 'dmelodies' is supported")
    _check(cfg["arch"] in ("fast", "reference"), f"arch must be 'fast' or 'reference', got {cfg['arch']!r}")
    _check(cfg["device"] in ("auto", "cpu", "cuda"), f"device must be auto, cpu or cuda, got {cfg['device']!r}")
    cfg["out"] = str(raw.get("out", f"runs/grid-{cfg['name']}"))     # relative to the current directory
    seeds = raw.get("seeds", [0, 1, 2])
    _check(isinstance(seeds, list) and seeds and all(isinstance(s, int) and s >= 0 for s in seeds)
           and len(set(seeds)) == len(seeds), f"seeds must be a list of distinct integers >= 0, got {seeds!r}")
    cfg["seeds"] = seeds
    cfg["vae_epochs"] = _count(raw.get("vae_epochs", 6), "vae_epochs")
    cfg["traversal_epochs"] = _count(raw.get("traversal_epochs", 8), "traversal_epochs")
    cfg["subset"] = _count(raw.get("subset", 0), "subset", zero_ok=True) or None
    cfg["max_retries"] = _count(raw.get("max_retries", 1), "max_retries", zero_ok=True)
    cfg["cpus_per_cell"] = _count(raw.get("cpus_per_cell", 1), "cpus_per_cell")
    attrs = raw.get("attributes", "all")
    attrs = list(NAMES) if attrs == "all" else attrs
    _check(isinstance(attrs, list) and attrs and all(a in NAMES for a in attrs),
           f"attributes must be 'all' or a list of {', '.join(NAMES)}; got {attrs!r}")
    cfg["attributes"] = [a for a in NAMES if a in attrs]
    ev = raw.get("evaluate", {})
    _check(isinstance(ev, dict) and not set(ev) - EVAL_KEYS,
           f"[evaluate] takes {', '.join(sorted(EVAL_KEYS))}; got {ev!r}")
    methods = ev.get("methods", [])
    _check(isinstance(methods, list) and all(m in METHODS for m in methods),
           f"evaluate.methods must be a list of {', '.join(METHODS)}; got {methods!r}")
    cfg["evaluate"] = {"samples": _count(ev.get("samples", 100_000), "evaluate.samples"),
                       "max_pairs": _count(ev.get("max_pairs", 0), "evaluate.max_pairs", zero_ok=True) or None,
                       "methods": methods}
    kinds = raw.get("kind")
    _check(isinstance(kinds, list) and kinds, "a grid needs at least one [[kind]] table")
    cfg["kinds"] = []
    for k in kinds:
        _check(isinstance(k, dict) and not set(k) - KIND_KEYS, f"[[kind]] takes {', '.join(sorted(KIND_KEYS))}; got {k!r}")
        _check(k.get("name") in KINDS, f"kind name must be one of {', '.join(KINDS)}, got {k.get('name')!r}")
        beta = _numbers(k.get("beta", 1.0 if k["name"] == "beta" else 0.2), f"{k['name']}: beta")
        gamma = _numbers(k.get("gamma", 0.0 if k["name"] == "beta" else 10.0), f"{k['name']}: gamma")
        _check(all(b >= 0 for b in beta + gamma), f"{k['name']}: beta and gamma must be >= 0")
        cfg["kinds"].append({"name": k["name"], "beta": beta, "gamma": gamma})
    return cfg


def cell_id(cell: dict) -> str:
    return f"{cell['kind']}-beta{cell['beta']:g}-gamma{cell['gamma']:g}-seed{cell['seed']}"


def cells_of(cfg: dict) -> list[dict]:
    """Every cell of the grid, in order: kind, beta, gamma, seed."""
    cells = []
    for k in cfg["kinds"]:
        for beta in k["beta"]:
            for gamma in k["gamma"]:
                for seed in cfg["seeds"]:
                    cells.append({"kind": k["name"], "beta": beta, "gamma": gamma, "seed": seed, "arch": cfg["arch"],
                                  "dataset": cfg["dataset"], "vae_epochs": cfg["vae_epochs"],
                                  "traversal_epochs": cfg["traversal_epochs"], "attributes": cfg["attributes"],
                                  "subset": cfg["subset"], **cfg["evaluate"]})
    ids = [cell_id(c) for c in cells]
    _check(len(set(ids)) == len(ids), "the grid lists a cell twice (repeated beta or gamma values)")
    return cells


# --- one cell -------------------------------------------------------------------------
def cell_done(cell: dict, cell_dir: Path) -> dict | None:
    """The cell's result when its cell.json exists and was made with this config, else None."""
    try:
        result = json.loads((Path(cell_dir) / "cell.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return result if result.get("config") == cell else None


def _claim(cell: dict, cell_dir: Path):
    """Tie the directory to this cell's config: its checkpoints are only resumed under the same config."""
    path = cell_dir / "config.json"
    if path.exists():
        old = json.loads(path.read_text())
        if old != cell:
            changed = sorted(k for k in set(old) | set(cell) if old.get(k) != cell.get(k))
            raise ValueError(f"{cell_dir} holds a cell trained with another config (differs in {', '.join(changed)}); "
                             f"give the grid another 'out' or remove that directory")
    else:
        cell_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(cell, indent=1))


def run_cell(cell: dict, cell_dir, device: str = "cpu", threads: int = 1, progress: bool = False) -> dict:
    """Train the VAE, its traversal nets, evaluate; each stage resumes from what cell_dir holds. Returns cell.json."""
    from engine.traversal import TraversalBundle, traversal_path
    from training.evaluate import evaluate_edits, evaluate_vae
    from training.train_traversal import train_traversal
    from training.train_vae import train_vae

    cell_dir = Path(cell_dir)
    _claim(cell, cell_dir)
    t0, cpu0 = time.perf_counter(), time.process_time()
    vae = cell_dir / "vae.safetensors"
    if not (cell_dir / "figures.json").exists():          # written after the VAE is saved
        train_vae(cell["kind"], arch=cell["arch"], epochs=cell["vae_epochs"], seed=cell["seed"], device=device,
                  limit=cell["subset"], out=cell_dir / "vae", run_dir=cell_dir, threads=threads, progress=progress,
                  beta=cell["beta"], gamma=cell["gamma"])
    trav = traversal_path(vae)
    done = set(TraversalBundle.load(trav).meta.get("training", {})) if trav.exists() else set()
    todo = [a for a in cell["attributes"] if a not in done]
    if todo:
        train_traversal(str(vae), todo, epochs=cell["traversal_epochs"], seed=cell["seed"], progress=progress,
                        threads=threads, limit=cell["subset"])
    t = time.perf_counter()
    ev = evaluate_vae(str(vae), samples=cell["samples"], seed=cell["seed"], out=cell_dir / "eval_vae.json",
                      plots=False, limit=cell["subset"])
    ed = evaluate_edits(str(vae), cell["max_pairs"], cell["seed"], out=cell_dir / "eval_edits.json",
                        methods=tuple(cell["methods"]), plots=False, limit=cell["subset"], attrs=cell["attributes"])
    evaluate_seconds = time.perf_counter() - t
    vae_fig = json.loads((cell_dir / "figures.json").read_text())
    nets = TraversalBundle.load(trav).meta.get("training", {})
    keep = ("target_deviation", "tdr", "r2", "exact", "all_valid", "target_reached", "others_kept")
    result = {
        "id": cell_id(cell), "config": cell, "host": socket.gethostname(), "device": device, "threads": threads,
        "reconstruction": {"token_accuracy": ev["token_accuracy"], "melody_accuracy": ev["melody_accuracy"],
                           "rows": ev["test_rows"]},
        "ldr_normal": ev["ldr_normal"], "ldr_uniform_regularised": ev["ldr_uniform_regularised"],
        "edits": {a: {k: m[k] for k in keep} for a, m in ed["attributes"].items()},
        "methods": {meth: {a: {k: m[k] for k in keep if k in m} for a, m in b.items()}
                    for meth, b in ed["methods"].items() if b},
        "pairs": ed["pairs"],
        # the cost of the cell, from the training figures (so a resumed cell still reports its whole cost)
        "seconds": {"vae": vae_fig["train_seconds"],
                    "traversal": sum(nets[a]["seconds"] for a in cell["attributes"] if a in nets),
                    "evaluate": evaluate_seconds, "this_attempt": time.perf_counter() - t0,
                    "this_attempt_cpu": time.process_time() - cpu0},
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    atomic_write_text(cell_dir / "cell.json", json.dumps(result, indent=1))
    return result


def _cell_task(cell, cell_dir, device, threads):
    """What a Ray worker runs: a cell, with the traceback's text kept if it fails."""
    try:
        return run_cell(cell, cell_dir, device, threads)
    except Exception as e:
        raise RuntimeError(f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=6)}") from None


# --- the grid on Ray --------------------------------------------------------------------
def run_grid(cfg: dict, address: str | None = None, num_cpus: int | None = None, out=None, log=print) -> dict:
    """Run every cell not yet done as a Ray task (cpus_per_cell CPUs each, and 1 GPU when the cluster has them).

    address: a Ray cluster ("auto", "ray://host:10001", ...); None starts a local Ray on this machine unless
    RAY_ADDRESS is set. A failed cell is retried max_retries times, then reported; the others go on.
    Returns {cell id: status} and writes OUT/grid.json."""
    import ray

    out = Path(out or cfg["out"]).resolve()
    cells = cells_of(cfg)
    status = {}
    todo = []
    for cell in cells:
        cid = cell_id(cell)
        if cell_done(cell, out / cid):
            status[cid] = {"status": "done", "attempts": 0, "cached": True}
            log(f"grid: {cid}: done already (cell.json), not redone")
        else:
            todo.append(cell)
    started = False
    if todo and not ray.is_initialized():
        kwargs = {"include_dashboard": False, "log_to_driver": True}
        if not (address or os.environ.get("RAY_ADDRESS")):
            kwargs["num_cpus"] = num_cpus or os.cpu_count()
        before = signal.getsignal(signal.SIGTERM)
        ray.init(address=address, **kwargs)
        started = True
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, before)     # ray.init replaces the caller's SIGTERM handling: keep it
    try:
        if todo:
            gpus = ray.cluster_resources().get("GPU", 0) if cfg["device"] != "cpu" else 0
            _check(gpus or cfg["device"] != "cuda", "device = 'cuda' but the Ray cluster has no GPU")
            cpus = cfg["cpus_per_cell"]        # Ray reserves them; torch uses as many threads
            most = max((n["Resources"].get("CPU", 0) for n in ray.nodes() if n["Alive"]), default=0)
            _check(cpus <= most, f"cpus_per_cell = {cpus} but no Ray node has more than {most:g} CPUs")
            device, resources = ("cuda", {"num_cpus": cpus, "num_gpus": 1}) if gpus else ("cpu", {"num_cpus": cpus})
            # Ray retries a cell whose worker or node died; a cell that raises is retried here (and reported)
            task = ray.remote(max_retries=cfg["max_retries"])(_cell_task).options(**resources)
            log(f"grid: {len(cells)} cells, {len(cells) - len(todo)} done already, {len(todo)} to run on "
                f"{ray.cluster_resources().get('CPU', 0):g} CPUs / {gpus:g} GPUs ({device}); out {out}")
            pending = {}

            def submit(cell, attempt):
                cid = cell_id(cell)
                pending[task.remote(cell, str(out / cid), device, cpus)] = (cell, attempt, time.time())
                status[cid] = {"status": "submitted", "attempts": attempt}

            for cell in todo:
                submit(cell, 1)
            _write_status(out, cfg, status)
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                ref = ready[0]
                cell, attempt, since = pending.pop(ref)
                cid = cell_id(cell)
                try:
                    result = ray.get(ref)
                    status[cid] = {"status": "done", "attempts": attempt, "seconds": result["seconds"]}
                    log(f"grid: {cid}: done in {(time.time() - since) / 60:.1f} min (attempt {attempt})")
                except Exception as e:   # RayTaskError (the cell raised), WorkerCrashedError, ...
                    err = str(getattr(e, "cause", None) or e).strip().splitlines()
                    msg = err[0] if err else type(e).__name__
                    if attempt <= cfg["max_retries"]:
                        log(f"grid: {cid}: failed (attempt {attempt}): {msg}; retrying")
                        submit(cell, attempt + 1)
                    else:
                        status[cid] = {"status": "failed", "attempts": attempt, "error": msg}
                        log(f"grid: {cid}: FAILED after {attempt} attempts: {msg}")
                counts = {s: sum(v["status"] == s for v in status.values()) for s in ("done", "submitted", "failed")}
                log(f"grid: progress {counts['done']}/{len(cells)} done, {counts['submitted']} running or queued, "
                    f"{counts['failed']} failed")
                _write_status(out, cfg, status)
    finally:
        if started:
            ray.shutdown()
    _write_status(out, cfg, status)
    failed = [c for c, v in status.items() if v["status"] == "failed"]
    log(f"grid: finished: {len(cells) - len(failed)}/{len(cells)} cells done" +
        (f"; failed: {', '.join(failed)}" if failed else ""))
    return status


def _write_status(out: Path, cfg: dict, status: dict):
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "grid.json", json.dumps({"config": cfg, "cells": status}, indent=1))
