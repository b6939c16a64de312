"""`sentgen grid report DIR`: the grid's cells pooled over seeds, beside the paper's numbers.

Reads every cell.json under DIR (written by training/grid.py), groups the cells by (kind, beta, gamma), and writes
Tables 1-3 and the target deviation as mean +- standard deviation over seeds (n - 1 in the denominator),
the best setting per kind chosen as the paper chooses it, and figures with error bars.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from engine.attributes import NAMES
from engine.models import atomic_write_text
from training import paper
from training.train_vae import HEADLINE

ROOT = Path(__file__).resolve().parent.parent
DOCS_GRID = ROOT / "docs" / "results" / "grid"
TABLES = (("LDR (Table 1), N(0,I) codes", "ldr", paper.LDR), ("R^2 (Table 2)", "r2", paper.R2),
          ("TDR (Table 3)", "tdr", paper.TDR), ("Target deviation", "target_deviation", paper.TARGET_DEVIATION))
# The paper's selection ("the best performing hyper-parameters"): for the supervised models the most
# regularisation (gamma = 10), for the beta-VAE the median beta (= 1).
SHIPPED_EPOCHS = (6, 8)      # VAE, each traversal net (docs/models.md)
PAPER_BEST = {"beta": ("beta", 1.0), "ar": ("gamma", 10.0), "i": ("gamma", 10.0), "s2": ("gamma", 10.0)}


def load_cells(grid_dir) -> list[dict]:
    grid_dir = Path(grid_dir)
    if not grid_dir.is_dir():
        raise FileNotFoundError(f"no grid directory {grid_dir}")
    cells = []
    for path in sorted(grid_dir.rglob("cell.json")):          # several grids' cells may sit side by side
        try:
            cells.append(json.loads(path.read_text()))
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} is not JSON: {e}") from None
    if not cells:
        raise FileNotFoundError(f"no finished cells (cell.json) under {grid_dir}")
    return cells


def values(cell: dict, key: str) -> list[float]:
    """One row of nine figures of a cell (NaN where the attribute was not evaluated)."""
    if key == "ldr":
        return cell["ldr_normal"]
    return [cell["edits"][a][key] if a in cell["edits"] else float("nan") for a in NAMES]


def pool(cells: list[dict]) -> dict:
    """{(kind, beta, gamma, vae epochs, net epochs): {"seeds", "cells", key: (mean (9,), std (9,))}} in grid order."""
    groups: dict = {}
    for c in sorted(cells, key=lambda c: (list(paper.LDR).index(c["config"]["kind"]), c["config"]["beta"],
                                          c["config"]["gamma"], -c["config"]["vae_epochs"],
                                          -c["config"]["traversal_epochs"], c["config"]["seed"])):
        cfg = c["config"]
        key = (cfg["kind"], cfg["beta"], cfg["gamma"], cfg["vae_epochs"], cfg["traversal_epochs"])
        groups.setdefault(key, {"cells": []})["cells"].append(c)
    for g in groups.values():
        g["seeds"] = [c["config"]["seed"] for c in g["cells"]]
        for _, key, _ in TABLES + (("", "exact", None),):
            m = np.array([values(c, key) for c in g["cells"]], dtype=float)
            std = m.std(0, ddof=1) if len(m) > 1 else np.full(m.shape[1], np.nan)
            g[key] = (m.mean(0), std)
        rec = np.array([[c["reconstruction"]["token_accuracy"], c["reconstruction"]["melody_accuracy"]]
                        for c in g["cells"]])
        g["reconstruction"] = (rec.mean(0), rec.std(0, ddof=1) if len(rec) > 1 else np.full(2, np.nan))
        g["seconds"] = np.array([[c["seconds"]["vae"], c["seconds"]["traversal"], c["seconds"]["evaluate"]]
                                 for c in g["cells"]])
    return groups


def paper_setting(s) -> bool:
    """Is s the setting the paper reports for its kind?"""
    param, value = PAPER_BEST[s[0]]
    return (s[1] if param == "beta" else s[2]) == value


def best_settings(groups: dict) -> dict:
    """Per kind, the setting the paper reports (the longest-trained, when the grid holds it with several epoch
    counts), else the kind's only setting, else None."""
    best = {}
    for kind in paper.LDR:
        mine = [s for s in groups if s[0] == kind]
        pick = sorted((s for s in mine if paper_setting(s)), key=lambda s: s[3:], reverse=True)
        best[kind] = pick[0] if pick else (mine[0] if len(mine) == 1 else None)
    return best


def _is_shipped_setting(s) -> bool:
    return (s[1], s[2]) == (HEADLINE[s[0]]["beta"], HEADLINE[s[0]]["gamma"])


def _pm(mean, std, fmt="{:.2f}"):
    if np.isnan(mean):
        return "–"
    return fmt.format(mean) + ("" if np.isnan(std) else " ± " + fmt.format(std))


def _name(s):
    epochs = f", {s[3]}+{s[4]} epochs" if s[3:] != SHIPPED_EPOCHS else ""
    return f"{s[0]} beta {s[1]:g}" + (f" gamma {s[2]:g}" if s[0] != "beta" else "") + epochs


def _shipped(kind: str, key: str):
    """The shipped seed-0 model's row from docs/results (what `sentgen evaluate` wrote), or None."""
    res = ROOT / "docs" / "results"
    try:
        if key == "ldr":
            return json.loads((res / f"vae_{kind}.json").read_text())["ldr_normal"]
        return [json.loads((res / f"edits_{kind}.json").read_text())["attributes"][a][key] for a in NAMES]
    except (FileNotFoundError, KeyError):
        return None


def markdown(groups: dict, grid_dir: Path, figures: dict, level: str = "##") -> str:
    best = best_settings(groups)
    head = "| setting | seeds | " + " | ".join(paper.SHORT) + " |\n|---|---|" + "---|" * len(NAMES)
    lines = [f"{level} The grid, pooled over seeds", "",
             f"Generated by `sentgen grid report {grid_dir}` from {sum(len(g['cells']) for g in groups.values())} "
             "cells (cell.json). Ours: mean ± standard deviation over the seeds (n - 1). Paper: pooled over 3 "
             "seeds, for its best setting per kind (the most regularisation, gamma = 10, for AR, I and S2; the "
             "median beta = 1 for the beta-VAE). 'shipped' is the shipped seed-0 model (docs/results/). SeNT "
             "edits: one forward pass of the traversal net, as in the paper. '(best)' marks the setting the paper "
             "selects. Minutes: wall time per cell where it ran ([docs/grid.md](grid.md#cost) says on what).", "",
             "| setting | seeds | epochs (VAE, nets) | token accuracy | exact melodies | VAE min | nets min | eval min |",
             "|---|---|---|---|---|---|---|---|"]
    if any(s[3:] != SHIPPED_EPOCHS for s in groups):
        lines[4:4] = [f"'A+B epochs': the cells' VAEs were trained for A epochs and each traversal net for B; "
                      f"the shipped models (and rows without that mark) for {SHIPPED_EPOCHS[0]} and "
                      f"{SHIPPED_EPOCHS[1]}.", ""]
    subsets = sorted({c["config"]["subset"] for g in groups.values() for c in g["cells"]} - {None})
    if subsets:
        lines[4:4] = [f"Smoke run: the first {', '.join(f'{n:,}' for n in subsets)} rows of each split only.", ""]
    for s, g in groups.items():
        (tm, mm), (ts, ms) = g["reconstruction"]
        sec = g["seconds"].mean(0) / 60
        lines.append(f"| {_name(s)} | {', '.join(map(str, g['seeds']))} | "
                     f"{s[3]}, {s[4]} | {_pm(tm, ts, '{:.5f}')} | "
                     f"{_pm(mm, ms, '{:.5f}')} | {sec[0]:.1f} | {sec[1]:.1f} | {sec[2]:.1f} |")
    for title, key, ref in TABLES:
        lines += ["", f"{level}# {title}", "", head]
        for i, (s, g) in enumerate(groups.items()):
            mean, std = g[key]
            if i == 0 or list(groups)[i - 1][0] != s[0]:      # the paper's (and the shipped) row, once per kind
                lines.append(f"| {s[0]}: paper (best setting) | 3 | " + " | ".join(f"{v:.2f}" for v in ref[s[0]]) + " |")
                shipped = _shipped(s[0], key)
                if shipped:
                    h = HEADLINE[s[0]]
                    lines.append(f"| {_name((s[0], h['beta'], h['gamma']) + SHIPPED_EPOCHS)}: shipped (seed 0) | 1 | " + " | ".join(
                        "–" if v is None or np.isnan(v) else f"{v:.2f}" for v in shipped) + " |")
            lines.append(f"| {_name(s)}{' (best)' if best.get(s[0]) == s else ''} | {len(g['seeds'])} | " +
                         " | ".join(_pm(m, sd) for m, sd in zip(mean, std)) + " |")
    if figures:
        lines += ["", "Figures (bars: mean, error bars: ± one standard deviation over seeds; paper: black marks; "
                  "shipped seed-0 model: red crosses): " +
                  ", ".join(f"[{k}]({v})" for k, v in figures.items())]
    return "\n".join(lines) + "\n"


def plot(groups: dict, out_dir: Path) -> dict:
    """One figure per table: the paper's setting of each kind, bars = mean, error bars = std over seeds."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    best = best_settings(groups)
    shown = [s for s in groups if paper_setting(s) or s == best[s[0]]]    # the paper's setting of each kind
    out_dir.mkdir(parents=True, exist_ok=True)
    made = {}
    x = np.arange(len(NAMES))
    for title, key, ref in TABLES:
        fig, ax = plt.subplots(figsize=(10, 3.8))
        width = 0.8 / max(1, len(shown))
        for i, s in enumerate(shown):
            kind = s[0]
            mean, std = groups[s][key]
            pos = x + (i - (len(shown) - 1) / 2) * width
            ax.bar(pos, mean, width, yerr=np.nan_to_num(std), capsize=3,
                   label=f"{_name(s)} (n={len(groups[s]['seeds'])})")
            ax.plot(pos, ref[kind], "k_", markersize=10, mew=2, label="paper" if i == 0 else None)
            shipped = _shipped(kind, key) if _is_shipped_setting(s) else None
            if shipped:
                ax.plot(pos, [np.nan if v is None else v for v in shipped], "rx", markersize=6,
                        label="shipped, seed 0" if i == 0 else None)
        ax.set_xticks(x, paper.SHORT)
        ax.set_title(f"{title}: mean ± std over seeds")
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out_dir / f"grid_{key}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made[key] = path
    return made


def report(grid_dir, docs: bool = False) -> str:
    """Write DIR/report.md and DIR/figures/*.png (with docs: docs/results/grid/ and docs/results.md)."""
    grid_dir = Path(grid_dir)
    groups = pool(load_cells(grid_dir))
    fig_dir = DOCS_GRID if docs else grid_dir / "figures"
    figures = plot(groups, fig_dir)
    if docs:
        rel = {k: f"results/grid/{p.name}" for k, p in figures.items()}
        atomic_write_text(DOCS_GRID / "section.md", markdown(groups, grid_dir, rel))
        from training.evaluate import write_results_md
        return f"wrote {DOCS_GRID / 'section.md'} and {write_results_md()}"
    text = markdown(groups, grid_dir, {k: f"figures/{p.name}" for k, p in figures.items()}, level="#")
    atomic_write_text(grid_dir / "report.md", text)
    return text + f"\nwrote {grid_dir / 'report.md'} and {fig_dir}/"
