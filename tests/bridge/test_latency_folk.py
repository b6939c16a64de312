"""`sentgen bench latency --model folk`: the folk figure on the held-out real clips (short run), and its turns."""
import re

import numpy as np
import pytest

import functools

from bridge import latency
from bridge.latency import bench_latency_folk, heldout_clips, learned_turn
from engine.models import MODELS_DIR
from engine.schema import get_schema
from training import bench


def test_learned_turn_moves_one_learned_knob_one_or_two_bins_to_a_value_that_exists():
    g = get_schema("folk")
    knobs = g.describe()                     # what /sentgen/knobs carries, decoded
    rows = []
    for name, index in zip(g.names, [0, 6, -1, 3, 3, 1, 4, 2]):     # range undefined; density at its bottom
        rows += [name, index, "", 0.0]
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(400):
        name, label = learned_turn(knobs, rows, rng)
        k = g.names.index(name)
        assert not g.is_rule(k) and name != "range"
        d = g.labels[k].index(label) - rows[4 * k + 1]
        assert d in (-2, -1, 1, 2)
        seen.add((name, d))
    assert ("density", -1) not in seen and ("density", 2) in seen and ("complexity", 1) not in seen
    assert ("mode", -1) in seen and len(seen) == 2 + 2 + 4 + 4 + 1    # every possible turn comes up
    rows = [v if i % 4 != 1 else -1 for i, v in enumerate(rows)]
    assert learned_turn(knobs, rows, rng) is None


def test_heldout_clips_are_seeded_and_complete():
    clips = heldout_clips()
    assert len(clips) >= 300 and heldout_clips(5) == clips[:5] and heldout_clips(5, seed=1) != clips[:5]
    assert {g for _, g in clips} >= {"producer", "bach-chorales"}
    assert all(len(flat) % 5 == 0 and flat for flat, _ in clips)


def test_model_option_is_for_the_latency_figure_only():
    with pytest.raises(ValueError, match="--model applies to latency, budgets, ready; not to generate"):
        bench.run(["generate"], model="folk")
    with pytest.raises(ValueError, match="--edit-budget-ms applies to latency, budgets, ready; not to parse"):
        bench.run(["parse"], edit_budget_ms=5)
    with pytest.raises(ValueError, match="budgets measures a folk model"):
        bench.run(["budgets"], model="s2")


def test_folk_latency_figure_short_run():
    if not (MODELS_DIR / "folk.safetensors").exists():
        pytest.skip("no folk model (models/folk.*) in this checkout")
    text = bench_latency_folk("folk", clips=6, later_clips=1, turns=4, device="cpu")
    head, first, later = text.splitlines()
    assert head.startswith("folk latency (model folk on cpu, 6 held-out clips from training/heldout/")
    turns = re.findall(r"p50 [\d.]+ ms, p99 [\d.]+ ms \(goal p99 <= (\d+) ms: (?:met|NOT met); (\d+) turns: (\d+) exact, "
                       r"(\d+) not exact, (\d+) refused\)", first + later)
    assert [t[0] for t in turns] == ["20", "20", "5"]
    assert [int(t[1]) for t in turns] == [6, 6, 4]
    assert all(sum(map(int, t[2:])) == int(t[1]) for t in turns), "every turn is counted once"
    assert re.search(r"(\d+) answered from ready replies", later)


def test_budgets_figure_short_run(monkeypatch):
    """`sentgen bench budgets`: the same first turns under every budget and with none, per knob."""
    if not (MODELS_DIR / "folk.safetensors").exists():
        pytest.skip("no folk model (models/folk.*) in this checkout")
    monkeypatch.setattr(latency, "first_turn_budgets", functools.partial(latency.first_turn_budgets, clips=4))
    head, *rows = bench.run(["budgets"], out=lambda s: None, edit_budget_ms=7)[0].splitlines()
    assert head.startswith("first turns worked out on demand, in-process, on 4 held-out clips")
    assert [r.split(":")[0].strip() for r in rows] == ["7 ms", "16 ms", "50 ms", "200 ms", "1000 ms", "no budget"]
    g = get_schema("folk")
    for r in rows:
        counts = re.findall(r"(\w+) (\d+)/(\d+)", r)
        learned = {n for i, n in enumerate(g.names) if not g.is_rule(i)}
        assert sum(int(n) for _, _, n in counts) == 4 and {k for k, _, _ in counts} <= learned
        share = float(re.search(r"([\d.]+)% answered", r).group(1))
        assert share == pytest.approx(100 * sum(int(a) for _, a, _ in counts) / 4)


def test_ready_figure_short_run(monkeypatch):
    """`sentgen bench ready`: when the lookahead has a fresh clip's turns of 1-2 bins ready (the real folk lookahead on
    one held-out clip)."""
    if not (MODELS_DIR / "folk.safetensors").exists():
        pytest.skip("no folk model (models/folk.*) in this checkout")
    monkeypatch.setattr(latency, "near_turns_ready", functools.partial(latency.near_turns_ready, clips=1))
    text = bench.run(["ready"], out=lambda s: None)[0]
    m = re.fullmatch(r"lookahead on 1 held-out clips, in-process: of their (\d+) turns of 1 or 2 bins, "
                     r"([\d.]+)% by 0.25 s, ([\d.]+)% by 0.5 s, ([\d.]+)% by 1 s, ([\d.]+)% by 2 s, ([\d.]+)% by 4 s; "
                     r"the whole lookahead took median [\d.]+ s a clip", text)
    assert m and 1 <= int(m.group(1)) <= 6 * 4
    shares = [float(x) for x in m.groups()[1:]]
    assert shares == sorted(shares), "ready by a later time includes ready by an earlier one"
    with pytest.raises(ValueError, match="the lookahead has its own: LOOKAHEAD_QUICK"):
        bench.run(["ready"], edit_budget_ms=16)
