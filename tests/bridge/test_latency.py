"""The latency figure runs end to end (short: 50 edits, a 0.5 s flood)."""
import re

from bridge.latency import bench_latency
from training import bench


def test_the_unparsed_clip_does_not_parse():
    from bridge.latency import dataset_flat, unparsed_flat
    from engine.attributes import NAMES, parse
    from engine.clip import notes_from_flat, notes_to_tokens
    attrs = [parse(notes_to_tokens(notes_from_flat(f)).tokens)[0] for f in (dataset_flat(), unparsed_flat())]
    assert (attrs[0] >= 0).all() and attrs[1][NAMES.index("scale")] == -1


def test_latency_figure_short_run(model_path):
    assert "latency" in bench.FIGURES
    text = bench_latency(model=str(model_path), edits=50, flood_seconds=0.5, rate=10_000, device="cpu", clips=20)
    first, cold, first_turns, flood = text.splitlines()
    assert re.search(r"edit round trip p50 [\d.]+ ms, p99 [\d.]+ ms; bare ping sent like the edits p50 [\d.]+ ms, "
                     r"p99 [\d.]+ ms, back to back p50 [\d.]+ ms, p99 [\d.]+ ms", first)
    assert re.search(r"(\d+) answered from ready replies", first).group(1) == "50", "measured once looked ahead"
    assert "50 edits" in first and "goal p99 <= 2 ms" in first
    assert re.search(r"on demand .*edit round trip p50 [\d.]+ ms, p99 [\d.]+ ms", cold)
    assert re.search(r"(\d+) exact", first) and re.search(r"(\d+) exact", cold)
    assert re.search(r"\d+ answered from ready replies", first)
    assert re.search(r"; 0 answered from ready replies", cold), "--no-lookahead answers nothing ready"
    unparsed = re.search(r"does not parse .*?(\d+) edits alone p50 [\d.]+ ms, p99 [\d.]+ ms \((\d+) exact, (\d+) not exact, "
                         r"(\d+) refused\)", cold)
    assert unparsed and int(unparsed.group(1)) == 50 == sum(int(unparsed.group(i)) for i in (2, 3, 4))
    turns = re.findall(r"p50 [\d.]+ ms, p99 [\d.]+ ms \((\d+) exact, (\d+) not exact, (\d+) refused\)", first_turns)
    assert first_turns.startswith("load, then turn (20 different dMelodies clips") and len(turns) == 8
    assert all(sum(map(int, t)) == 20 for t in turns), "every first turn answered"
    assert all(t[0] == "20" for t in turns[:4]), "dMelodies clips: every first turn exact"
    assert re.search(r"engine RSS [\d.]+ -> [\d.]+ MB; newest value applied [\d.]+ ms after", flood)
    # the flood's last move (tonic F#) is the value applied: the shipped s2 reaches every tonic from a dMelodies
    # melody (480 of 480 tonic edits, 40 random rows x 12 tonics), so anything else is a lost newest value
    assert "(tonic now F#)" in flood
