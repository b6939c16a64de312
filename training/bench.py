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
    scale = 1000.0 if unit == "ms" else 1.0
    return f"{what}: {seconds * scale:.2f} {unit} (goal < {goal:g} {unit})"


def bench_generate() -> str:
    from training.dmelodies import generate
    return line("generate all rows", median_time(generate), 5)


def bench_parse() -> str:
    from engine.attributes import parse
    from training.dmelodies import generate
    tokens = generate()[0]
    return line("parse all rows", median_time(lambda: parse(tokens)), 1)


def bench_latency() -> str:
    """Engine round trips over UDP (1,000 edits vs ping) and a 10 kHz knob flood (bridge/latency.py)."""
    from bridge.latency import bench_latency as latency
    return latency()


# name -> figure; `sentgen bench all` runs them in this order.
FIGURES = {
    "generate": bench_generate,
    "parse": bench_parse,
    "latency": bench_latency,
}


def run(names=("all",), out=print) -> list[str]:
    """Run the named figures ("all" = every one), printing each line as it comes; returns the lines."""
    if isinstance(names, str):
        names = [names]
    names = list(names) or ["all"]
    unknown = [n for n in names if n != "all" and n not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure {', '.join(map(repr, unknown))}; "
                         f"expected all or one of {', '.join(FIGURES)}")
    chosen = list(FIGURES) if "all" in names else list(dict.fromkeys(names))
    lines = []
    for name in chosen:
        text = FIGURES[name]()
        out(text)
        lines.append(text)
    return lines
