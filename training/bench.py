"""Speed figures of the product, for `sentgen bench [what]`.

Each figure is a function returning one line like
`parse all rows: 0.31 s (goal < 1 s)`; FIGURES maps its name to it, so adding a
figure is one function plus one registry entry.  Timings are the median of
REPEATS runs, after any setup, on this machine's CPU unless the line says otherwise.
"""
from __future__ import annotations

import statistics
import time
REPEATS = 3


def median_time(fn, repeats: int = REPEATS) -> float:
    """Median wall time of fn() in seconds over `repeats` runs."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def line(what: str, seconds: float, goal: float, unit: str = "s") -> str:
    """`what: 1.52 s (goal < 5 s)`; unit "ms" prints milliseconds."""
    per_unit = 1000.0 if unit == "ms" else 1.0
    return f"{what}: {seconds * per_unit:.2f} {unit} (goal < {goal:g} {unit})"


def bench_generate() -> str:
    from training.dmelodies import generate
    return line("generate all rows", median_time(generate), 5)


def bench_parse() -> str:
    from engine.attributes import parse
    from training.dmelodies import generate
    tokens = generate()[0]
    return line("parse all rows", median_time(lambda: parse(tokens)), 1)


def bench_decode() -> str:
    """Median time to decode one melody (one thread, eager torch) and throughput at batch 4096."""
    import numpy as np
    import torch
    from engine.kernels import NumpyVAE
    from engine.models import DEFAULT_MODEL, load_model
    threads = torch.get_num_threads()
    model = load_model(DEFAULT_MODEL, "cpu")
    z1 = np.random.default_rng(0).standard_normal((1, model.config.latent)).astype(np.float32)
    torch.set_num_threads(1)
    one = _warm_median(lambda: model.decode(z1))
    torch.set_num_threads(threads)
    fast = NumpyVAE(model)                          # what the engine's edits run on the CPU
    one_np = _warm_median(lambda: fast.decode(z1))
    zb = np.random.default_rng(1).standard_normal((4096, model.config.latent)).astype(np.float32)
    batch = median_time(lambda: model.decode(zb))
    return (line(f"decode one melody ({DEFAULT_MODEL}, 1 thread, median of 1000)", one, 0.2, "ms") +
            f"\ndecode one melody, the engine's numpy forward (engine.kernels): {one_np * 1000:.3f} ms" +
            f"\ndecode throughput at batch 4096 ({threads} threads): {4096 / batch:,.0f} melodies/s")


def _warm_median(fn, n: int = 1000) -> float:
    """Median seconds of n calls of fn, after 50 warm-up calls."""
    for _ in range(50):
        fn()
    return statistics.median(_times(fn, n))


def _times(fn, n):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def bench_training() -> str:
    """Seconds per VAE epoch as recorded by each shipped model's training run (not re-measured here)."""
    from engine.models import SHIPPED, load_model
    rows = []
    for name in SHIPPED:
        try:
            tr = load_model(name, "cpu").config.extra.get("training", {})
        except (FileNotFoundError, ValueError):
            continue
        rows.append(f"{name} {tr.get('seconds_per_epoch', float('nan')):.0f} s/epoch x {tr.get('epochs')} "
                    f"({tr.get('threads')} threads)")
    return "VAE training time per epoch, from models/NAME.json: " + ("; ".join(rows) or "no trained models")


def bench_random(seeds: int = 200) -> str:
    """Random (`Editor.random`, what /sentgen/random runs) on every shipped model: seeds 0..seeds-1, how many
    give a melody with every knob defined, how many differ, and the time of one call (median, p99)."""
    import numpy as np
    from engine.models import SHIPPED
    from engine.session import EditError, Editor
    rows = []
    for name in SHIPPED:
        try:
            editor = Editor.load(name, "cpu")
        except (FileNotFoundError, ValueError):
            continue
        got, ms = [], []
        for seed in range(seeds):
            t0 = time.perf_counter()
            try:
                got.append(editor.random(seed))
            except EditError:
                pass
            ms.append(1000 * (time.perf_counter() - t0))
        valid = int((editor.schema.parse(np.stack(got)) >= 0).all(1).sum()) if got else 0
        rows.append(f"{name} {valid} of {seeds} valid, {len({m.tobytes() for m in got})} different, "
                    f"{np.median(ms):.1f} / {np.percentile(ms, 99):.1f} ms")
    return (f"Random (Editor.random, seeds 0..{seeds - 1} per shipped model; median / p99 per call; goal >= "
            f"{seeds - seeds // 200} valid, milliseconds): " + ("; ".join(rows) or "no models"))


def bench_evaluate() -> str:
    """Plain SeNT evaluation of every test pair of the default model, all its knobs (decode + parse)."""
    from training.evaluate import evaluate_edits
    from engine.models import DEFAULT_MODEL, load_model
    schema = load_model(DEFAULT_MODEL, "cpu").schema
    t0 = time.perf_counter()
    r = evaluate_edits(DEFAULT_MODEL, methods=(), plots=False, out=_tmp_json())
    return line(f"evaluate all {r['pairs']:,} test pairs of {DEFAULT_MODEL} (SeNT, {schema.num_knobs} "
                f"{schema.knob_word}s)",
                time.perf_counter() - t0, 60)


def _tmp_json():
    import tempfile
    from pathlib import Path
    return Path(tempfile.mkdtemp()) / "bench_eval.json"


def bench_latency(model: str | None = None, edit_budget_ms: float | None = None) -> str:
    """Engine round trips over UDP (1,000 edits vs ping) and a 10 kHz knob flood (bridge/latency.py); with a
    folk-family model (`--model folk`), its turns on the held-out real clips instead (bench_latency_folk),
    served with the given edit time budget (`sentgen serve --edit-budget-ms`)."""
    from bridge import latency
    folk = False
    if model is not None:
        from engine.models import load_model
        folk = load_model(model, "cpu").schema.name == "folk"
    if edit_budget_ms is not None and not folk:
        raise ValueError("--edit-budget-ms applies to the latency of a folk model (--model folk)")
    if folk:
        return latency.bench_latency_folk(model, edit_budget_ms=edit_budget_ms)
    return latency.bench_latency() if model is None else latency.bench_latency(model)


def bench_budgets(model: str | None = None, edit_budget_ms: float | None = None) -> str:
    """The folk family's first turns in-process under edit time budgets of 16, 50, 200 and 1,000 ms (and
    edit_budget_ms when given) and with none: answered share and p99 time (bridge.latency.first_turn_budgets)."""
    from bridge import latency
    from engine.schema import get_schema
    budgets = sorted({16.0, 50.0, 200.0, 1000.0} | ({edit_budget_ms} if edit_budget_ms is not None else set()))
    result, knobs = latency.first_turn_budgets(model or "folk", budgets)
    names = [k for k in get_schema("folk").names if k in set(knobs)]
    lines = [f"first turns worked out on demand, in-process, on {len(knobs)} held-out clips (one learned knob 1 or 2 "
             f"bins), under the edit time budget of `sentgen serve --edit-budget-ms`:"]
    for b, (t, a) in result.items():
        per_knob = ", ".join(f"{k} {a[knobs == k].sum()}/{(knobs == k).sum()}" for k in names)
        lines.append(f"  {'no budget' if b is None else f'{b:g} ms'}: {a.mean() * 100:.1f}% answered ({per_knob}); "
                     f"p50 {latency.pct(t, 50):.2f} ms, p99 {latency.pct(t, 99):.2f} ms")
    return "\n".join(lines)


def bench_ready(model: str | None = None, edit_budget_ms: float | None = None) -> str:
    """How soon after loading a held-out clip the lookahead has its turns of 1-2 bins ready
    (bridge.latency.near_turns_ready; default model folk)."""
    from bridge import latency
    if edit_budget_ms is not None:
        raise ValueError("--edit-budget-ms does not apply to ready (the lookahead has its own: LOOKAHEAD_QUICK)")
    ready, whole = latency.near_turns_ready(model or "folk")
    shares = ", ".join(f"{(ready <= t).mean() * 100:.1f}% by {t:g} s" for t in (0.25, 0.5, 1, 2, 4))
    return (f"lookahead on {len(whole)} held-out clips, in-process: of their {len(ready)} turns of 1 or 2 bins, "
            f"{shares}; the whole lookahead took median {statistics.median(whole):.2f} s a clip")


# name -> figure; `sentgen bench all` runs them in this order.
FIGURES = {
    "generate": bench_generate,
    "parse": bench_parse,
    "decode": bench_decode,
    "training": bench_training,
    "random": bench_random,
    "evaluate": bench_evaluate,
    "latency": bench_latency,
    "budgets": bench_budgets,
    "ready": bench_ready,
}


# figures that take `--model` and `--edit-budget-ms` (the others: the default model)
MODEL_FIGURES = ("latency", "budgets", "ready")


def run(names=("all",), out=print, model: str | None = None, edit_budget_ms: float | None = None) -> list[str]:
    """Run the named figures ("all" = every one), printing each line as it comes; returns the lines.
    model: the model of the figures in MODEL_FIGURES (default: theirs); edit_budget_ms: latency's (folk)."""
    if isinstance(names, str):
        names = [names]
    names = list(names) or ["all"]
    unknown = [n for n in names if n != "all" and n not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure {', '.join(map(repr, unknown))}; "
                         f"expected all or one of {', '.join(FIGURES)}")
    chosen = list(FIGURES) if "all" in names else list(dict.fromkeys(names))
    for option, value in (("--model", model), ("--edit-budget-ms", edit_budget_ms)):
        if value is not None and not set(chosen) & set(MODEL_FIGURES):
            raise ValueError(f"{option} applies to {', '.join(MODEL_FIGURES)}; not to {', '.join(chosen)}")
    lines = []
    for name in chosen:
        text = FIGURES[name](model, edit_budget_ms) if name in MODEL_FIGURES else FIGURES[name]()
        out(text)
        lines.append(text)
    return lines
