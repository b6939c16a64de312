"""Evaluation: the VAEs (reconstruction, LDR, MI) and the edits (the paper's Tables 2-3, Figures 4-6).

    sentgen evaluate --vae-only --model NAME
    sentgen evaluate --model NAME [--max-pairs N] --out FILE.json
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from engine.schema import get_schema
from engine.models import atomic_write_text, load_model
from engine.session import Editor
from engine.traversal import TraversalBundle, traversal_path
from training import paper
from training.dmelodies import load, split_indices
from training.train_vae import reconstruction
from training.traversal_data import encode_all, make_pairs, mi_matrix, split_pairs

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "docs" / "results"


def _dmelodies_only(model):
    """The model's schema; the evaluation's data and the paper's figures are dMelodies', so another
    family is refused with a clear error."""
    if model.schema.name != "dmelodies":
        raise ValueError(f"sentgen evaluate measures dMelodies models against the paper; "
                         f"{model.name} is a {model.schema.name} model")
    return model.schema


# --- VAE ---------------------------------------------------------------------------
def latent_density_ratio(model, z) -> list[float]:
    """Share of decoded samples whose attribute parses, per attribute."""
    g = model.schema
    valid = np.zeros(g.num_knobs)
    for i in range(0, len(z), 16384):
        valid += (g.parse(model.decode(z[i:i + 16384])) >= 0).sum(0)
    return (valid / len(z)).tolist()


def evaluate_vae(name: str, samples: int = 100_000, seed: int = 0, out_dir: Path = RESULTS_DIR,
                 out: Path | None = None, plots: bool = True, limit: int | None = None) -> dict:
    """name: a shipped model or a .safetensors path; out: the JSON (default out_dir/vae_NAME.json);
    limit: the first N candidates only (small grids)."""
    model = load_model(name, "cpu")
    tokens, factors = load()
    g = _dmelodies_only(model)
    _, _, cand = split_indices(seed)
    cand = cand[:limit] if limit else cand
    t0 = time.perf_counter()
    recon = reconstruction(model, tokens[cand])
    rng = np.random.default_rng(seed)
    z_normal = rng.standard_normal((samples, model.config.latent)).astype(np.float32)
    # "uniform": regularised dims 0..8 uniform over the range the candidates' codes occupy
    pick = cand[rng.choice(len(cand), min(50_000, len(cand)), replace=False)]
    zc = encode_all(model, tokens[pick].astype(np.int64))
    z_uniform = z_normal.copy()
    lo, hi = zc[:, :g.num_knobs].min(0), zc[:, :g.num_knobs].max(0)
    z_uniform[:, :g.num_knobs] = rng.uniform(lo, hi, (samples, g.num_knobs))
    result = {"model": name, "test_rows": recon["rows"], "token_accuracy": recon["token_accuracy"],
              "melody_accuracy": recon["melody_accuracy"],
              "ldr_normal": latent_density_ratio(model, z_normal),
              "ldr_uniform_regularised": latent_density_ratio(model, z_uniform),
              "ldr_samples": samples, "paper_ldr": paper.LDR.get(model.config.regulariser),
              "training": model.config.extra.get("training", {}), "seconds": 0.0}
    mi = mi_matrix(zc, factors[pick].astype(np.int64))
    result["mi"] = mi.tolist()
    result["seconds"] = time.perf_counter() - t0
    out = Path(out or out_dir / f"vae_{name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, json.dumps(result, indent=1))
    if plots:
        plot_mi(mi, f"{name}: mutual information, attributes x latent dims", out_dir / f"mi_{name}.png")
    return result


def plot_mi(mi, title, path):
    g = get_schema("dmelodies")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(10, 3.6))
    im = ax.imshow(mi, aspect="auto", cmap="viridis")
    ax.set_yticks(range(g.num_knobs), g.names)
    ax.set_xlabel("latent dim")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="MI (nats)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- edits -----------------------------------------------------------------------
def attribute_metrics(parsed, source, target, k, schema=None) -> dict:
    """The paper's metrics for edits of attribute k: parsed results (M,9), source attrs (M,9), target idx (M,)."""
    g = get_schema(schema)
    n = g.counts - 1
    got = parsed[:, k]
    ok = got >= 0
    c_hat, c_star = got / n[k], target / n[k]
    dev = float(np.abs(c_hat[ok] - c_star[ok]).mean()) if ok.any() else float("nan")
    if ok.sum() > 1 and np.var(c_star[ok]) > 0:
        r2 = float(1 - ((c_hat[ok] - c_star[ok]) ** 2).sum() / ((c_star[ok] - c_star[ok].mean()) ** 2).sum())
    else:
        r2 = float("nan")
    others = {}
    for u in range(g.num_knobs):
        if u == k:
            continue
        v = (parsed[:, u] >= 0) & (source[:, u] >= 0)
        others[g.names[u]] = float(np.abs(parsed[v, u] - source[v, u]).mean() / n[u]) if v.any() else float("nan")
    keep = np.ones(g.num_knobs, bool)
    keep[k] = False
    return {"target_deviation": dev, "tdr": float(ok.mean()), "r2": r2, "non_target_deviation": others,
            "all_valid": float((parsed >= 0).all(1).mean()), "target_reached": float((got == target).mean()),
            "others_kept": float((parsed[:, keep] == source[:, keep]).all(1).mean()),
            "exact": float(((got == target) & (parsed[:, keep] == source[:, keep]).all(1)).mean())}


def evaluate_edits(name: str, max_pairs: int | None = None, seed: int = 0, out: Path | None = None,
                   methods=("verified", "verified_rules", "direct", "arithmetic"), budget: int = 64, plots=True,
                   verified_pairs: int = 2000, limit: int | None = None, attrs=None) -> dict:
    """name: a shipped model or a .safetensors path; limit: the first N candidates only; attrs: names (all nine
    when None)."""
    t0 = time.perf_counter()
    model = load_model(name, "cpu")
    bundle = TraversalBundle.load(traversal_path(model.path))
    g = _dmelodies_only(model)
    editor = Editor(model, bundle, seed)
    tokens, factors = load()
    _, _, cand = split_indices(seed)
    cand = cand[:limit] if limit else cand
    tok, fac = tokens[cand].astype(np.int64), factors[cand].astype(np.int64)
    result = {"model": name, "pairs": 0, "attributes": {}, "methods": {m: {} for m in methods}, "seconds": {}}
    for k in (range(g.num_knobs) if attrs is None else [g.knob_index(a) for a in attrs]):
        _, test = split_pairs(make_pairs(fac, k, 0.0, seed))
        if max_pairs:
            test = test[:max_pairs]
        src, dst = test[:, 0], test[:, 1]
        x, a0, t = tok[src], fac[src], fac[dst, k]
        result["pairs"] += len(test)
        targets = np.full((len(test), g.num_knobs), -1, np.int64)
        targets[:, k] = t
        z0 = model.encode(x)
        runs = {"sent": lambda: editor.traversal_codes(z0, a0, targets)}
        if "direct" in methods and model.config.regulariser != "beta":
            runs["direct"] = lambda: editor.direct_codes(z0, targets)
        if "arithmetic" in methods:
            runs["arithmetic"] = lambda: editor.arithmetic_codes(z0, a0, targets)
        for method, codes in runs.items():
            t1 = time.perf_counter()
            parsed = g.parse(model.decode(codes()))
            m = attribute_metrics(parsed, a0, t, k, g)
            result["seconds"][f"{method}.{g.names[k]}"] = time.perf_counter() - t1
            (result["attributes"] if method == "sent" else result["methods"][method])[g.names[k]] = m
        for method in ("verified", "verified_rules"):
            if method not in methods:
                continue
            # verified edits refine failures one batch at a time: measured on the first verified_pairs pairs
            v = slice(0, verified_pairs)
            t1 = time.perf_counter()
            b = editor.edit_batch(x[v], targets[v], budget, use_rules=method == "verified_rules")
            refused = b["score"] >= 10
            src = a0[v]
            # a refused edit leaves the clip as it was: valid, target not reached
            m = attribute_metrics(np.where(refused[:, None], src, b["attrs"]), src, t[v], k, g)
            m["refused"] = float(refused.mean())
            m["exact"] = float((b["score"] == 0).mean())
            m["pairs"] = len(src)
            m["mean_candidates"] = float(b["candidates"].mean())
            m["won_by"] = {meth: float((b["method"] == i).mean()) for i, meth in enumerate(b["methods"])}
            result["methods"][method][g.names[k]] = m
            result["seconds"][f"{method}.{g.names[k]}"] = time.perf_counter() - t1
    result["seconds"]["total"] = time.perf_counter() - t0
    out = Path(out or RESULTS_DIR / f"edits_{name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, json.dumps(result, indent=1))
    if plots:
        plot_edits(result, out.parent, bundle, editor, tok, fac, seed)
    return result


def plot_edits(result, out_dir, bundle, editor, tok, fac, seed):
    """Figures 4-6 of the paper: target deviation bars, the 9x9 non-target heatmap, target vs achieved."""
    g = editor.schema
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    name = result["model"]
    blocks = {"SeNT": result["attributes"], **{m: b for m, b in result["methods"].items() if b}}
    fig, ax = plt.subplots(figsize=(10, 3.5))
    width = 0.8 / len(blocks)
    for i, (m, b) in enumerate(blocks.items()):
        ax.bar(np.arange(g.num_knobs) + i * width, [b[a]["target_deviation"] for a in g.names], width, label=m)
    ax.set_xticks(np.arange(g.num_knobs) + 0.4 - width / 2, paper.SHORT)
    ax.set_ylabel("target deviation")
    ax.set_title(f"{name}: target deviation per attribute (Figure 4)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir / f"target_deviation_{name}.png", dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, (m, b) in zip(axes, [("SeNT", result["attributes"]), ("verified", result["methods"].get("verified"))]):
        if not b:
            ax.axis("off")
            continue
        mat = np.full((g.num_knobs, g.num_knobs), np.nan)
        for k, a in enumerate(g.names):
            for u, o in enumerate(g.names):
                if u != k:
                    mat[k, u] = b[a]["non_target_deviation"][o]
        im = ax.imshow(mat, cmap="magma_r", vmin=0, vmax=max(0.3, np.nanmax(mat)))
        ax.set_xticks(range(g.num_knobs), paper.SHORT)
        ax.set_yticks(range(g.num_knobs), paper.SHORT)
        ax.set_xlabel("non-target attribute")
        ax.set_ylabel("target attribute")
        ax.set_title(f"{name} {m}: non-target deviation (Figure 5)")
        fig.colorbar(im, ax=ax)
    fig.tight_layout()
    fig.savefig(out_dir / f"non_target_{name}.png", dpi=110)
    plt.close(fig)

    # Figure 6: target vs achieved value, bubble size = count, for the first two knobs (SeNT)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for ax, k in zip(axes, (0, 1)):
        _, test = split_pairs(make_pairs(fac, k, 0.0, seed))
        test = test[:4000]
        targets = np.full((len(test), g.num_knobs), -1, np.int64)
        targets[:, k] = fac[test[:, 1], k]
        z0 = editor.model.encode(tok[test[:, 0]])
        got = g.parse(editor.model.decode(editor.traversal_codes(z0, fac[test[:, 0]], targets)))[:, k]
        ok = got >= 0
        pairs, counts = np.unique(np.stack([targets[ok, k], got[ok]], 1), axis=0, return_counts=True)
        ax.scatter(pairs[:, 0], pairs[:, 1], s=counts / counts.max() * 300, alpha=0.6)
        ax.plot([0, g.counts[k] - 1], [0, g.counts[k] - 1], "k--", lw=0.8)
        ax.set_xlabel(f"target {g.names[k]}")
        ax.set_ylabel(f"achieved {g.names[k]}")
        ax.set_title(f"{name} SeNT: {g.names[k]} (Figure 6)")
    fig.tight_layout()
    fig.savefig(out_dir / f"target_vs_achieved_{name}.png", dpi=110)
    plt.close(fig)


# --- docs/results.md -------------------------------------------------------------
def _row(values, fmt="{:.2f}"):
    return " | ".join("–" if v is None or (isinstance(v, float) and np.isnan(v)) else fmt.format(v) for v in values)


def write_results_md(path: Path = ROOT / "docs" / "results.md", results_dir: Path = RESULTS_DIR):
    """Regenerate docs/results.md from the JSON files the evaluate commands wrote."""
    g = get_schema("dmelodies")         # the paper's tables are those of dMelodies
    head = "| model | source | " + " | ".join(paper.SHORT) + " |\n|---|---|" + "---|" * g.num_knobs
    lines = ["# Results", "",
             "Generated by `sentgen evaluate --vae-only --model NAME`, `sentgen evaluate --model NAME` and "
             "`sentgen evaluate --report` from the JSON files in docs/results/. Paper numbers are pooled "
             "over 3 seeds; ours are seed 0 of the shipped models.", ""]
    vae = {n: json.loads((results_dir / f"vae_{n}.json").read_text())
           for n in ("beta", "ar", "i", "s2") if (results_dir / f"vae_{n}.json").exists()}
    if vae:
        lines += ["## VAEs: reconstruction on the held-out candidate split (25%, 338,688 rows)", "",
                  "| model | token accuracy | exact melodies | training time | epochs |", "|---|---|---|---|---|"]
        for n, r in vae.items():
            tr = r.get("training", {})
            lines.append(f"| {n} | {r['token_accuracy']:.5f} | {r['melody_accuracy']:.5f} | "
                         f"{tr.get('train_seconds', float('nan')) / 60:.1f} min | {tr.get('epochs', '?')} |")
        lines += ["", "## LDR (Table 1), 100,000 samples", "",
                  "'N(0,I)' decodes pure standard-normal codes (what the reference script in effect does); "
                  "'uniform' draws dims 0..8 uniformly over the range the candidates' codes occupy.", "", head]
        for n, r in vae.items():
            lines.append(f"| {n} | paper | {_row(paper.LDR[n])} |")
            lines.append(f"| {n} | ours, N(0,I) | {_row(r['ldr_normal'])} |")
            lines.append(f"| {n} | ours, uniform | {_row(r['ldr_uniform_regularised'])} |")
        lines += ["", "Mutual information matrices (Figure 3): " +
                  ", ".join(f"[{n}](results/mi_{n}.png)" for n in vae), ""]
    edits = {n: json.loads((results_dir / f"edits_{n}.json").read_text())
             for n in ("beta", "ar", "i", "s2") if (results_dir / f"edits_{n}.json").exists()}
    if edits:
        for title, key, ref in (("R^2 (Table 2)", "r2", paper.R2), ("TDR (Table 3)", "tdr", paper.TDR),
                                ("Target deviation", "target_deviation", paper.TARGET_DEVIATION)):
            lines += ["", f"## {title}", "", head]
            for n, r in edits.items():
                lines.append(f"| {n} | paper | {_row(ref[n])} |")
                lines.append(f"| {n} | ours, SeNT | {_row([r['attributes'][a][key] for a in g.names])} |")
                for m, b in r["methods"].items():
                    if b:
                        lines.append(f"| {n} | ours, {m} | {_row([b[a][key] for a in g.names])} |")
        lines += ["", "## Verified edits (the engine's path)", "",
                  "Share of test pairs (the first 2,000 per attribute): all nine attributes valid / target reached / "
                  "every other attribute kept / all three. A refused edit leaves the clip as it was (valid, kept, "
                  "target not reached). 'verified' refines with neural proposals only; 'verified_rules' also "
                  "re-encodes the melody the dMelodies rules give for the wanted attributes (what the engine does).",
                  "",
                  "| model | measure | " + " | ".join(paper.SHORT) + " |\n|---|---|" + "---|" * g.num_knobs]
        for n, r in edits.items():
            for method in ("verified", "verified_rules"):
                v = r["methods"].get(method)
                if v:
                    for key in ("all_valid", "target_reached", "others_kept", "exact"):
                        lines.append(f"| {n} | {method}: {key} | {_row([v[a][key] for a in g.names], '{:.3f}')} |")
        lines += ["", "Plain SeNT, share with every attribute kept and the target reached (exact):", "",
                  "| model | " + " | ".join(paper.SHORT) + " |\n|---|" + "---|" * g.num_knobs]
        for n, r in edits.items():
            lines.append(f"| {n} | {_row([r['attributes'][a]['exact'] for a in g.names], '{:.3f}')} |")
        lines += ["", "Pairs evaluated and time: " + ", ".join(
            f"{n}: {r['pairs']:,} pairs in {r['seconds']['total']:.0f} s" for n, r in edits.items()), "",
            "Figures: " + ", ".join(f"{n}: [deviation](results/target_deviation_{n}.png), "
                                    f"[non-target](results/non_target_{n}.png), "
                                    f"[target vs achieved](results/target_vs_achieved_{n}.png)" for n in edits)]
    grid = results_dir / "grid" / "section.md"      # written by `sentgen grid report DIR --docs`
    # written by `sentgen evaluate --model folk [--source heldout]` (training/evaluate_folk.py)
    for section in (grid, results_dir / "folk_section.md", results_dir / "folk_heldout_section.md"):
        if section.exists():
            lines += ["", section.read_text().rstrip("\n")]
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path
