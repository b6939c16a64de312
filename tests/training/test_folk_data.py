"""The folk data pipeline on a handful of tunes (never the whole corpus)."""
import numpy as np
import pytest

from engine import folk
from training import folk_data as fd

REEL = """X:1
T:Test reel
M:C|
L:1/8
K:G
D|GABc d2 ef|g4 {a}g2 fe|d8-|d2 B2 G4|
"""


def parsed_of(*tasks):
    return fd._pack([(i, fd._parse_tune(t)) for i, t in enumerate(tasks)])


def synthetic(tunes, sources=None):
    """A parse result from (collection, meter, measures [(offset, length, bar, ts)], notes [(pitch, on, dur)])."""
    sources = sources or [f"t{i}" for i in range(len(tunes))]
    results = [(i, (c, source, meter, f"tune {i}", measures, [list(n) for n in notes], 0, ""))
               for i, ((c, meter, measures, notes), source) in enumerate(zip(tunes, sources))]
    return fd._pack(results)


def four_four(n_bars, start=0.0, ts="4/4"):
    return [(start + 4.0 * i, 4.0, 4.0, ts) for i in range(n_bars)]


# --- parsing (music21) ------------------------------------------------------------------------
def test_parse_a_reel_ties_graces_and_pickup():
    pytest.importorskip("music21")
    c, source, meter, title, measures, notes, graces, error = fd._parse_tune((1, "test#1", REEL))
    assert error == "" and meter == "C|" and title == "Test reel" and graces == 1
    assert [m[1:] for m in measures] == [(0.5, 4.0, "2/2")] + [(4.0, 4.0, "2/2")] * 4
    # D5 tied over the bar line: one note of 5 beats (L:1/8, so d8 = 4 beats)
    assert [74, 8.5, 5.0] in notes and not any(n[1] == 12.5 for n in notes)
    assert [n[0] for n in notes[:5]] == [62, 67, 69, 71, 72]


def test_windows_of_the_reel():
    pytest.importorskip("music21")
    parsed = parsed_of((1, "test#1", REEL))
    tokens, tune, bar, stats = fd.cut_windows(parsed)
    assert bar.tolist() == [1, 2, 3] and tune.tolist() == [0, 0, 0]      # the pickup makes no window
    # the window from bar 3: D held 5 beats (steps 0..19), then B for 1 beat, G for 2
    assert tokens[2].tolist() == [74 - 34] + [1] * 19 + [71 - 34] + [1] * 3 + [67 - 34] + [1] * 7
    assert stats["off_grid"] == 0 and stats["window_notes"] == 11 + 5 + 3


def test_a_corpus_tune_parses():
    pytest.importorskip("music21")
    tasks = [t for t in fd.tune_tasks() if t[1] == "ryansMammoth/AlhambraReel.abc#1"]
    assert len(tasks) == 1
    c, source, meter, title, measures, notes, graces, error = fd._parse_tune(tasks[0])
    assert error == "" and c == 2 and meter == "C|"
    assert all(abs(m[1] - 4.0) < 1e-9 and m[3] == "2/2" for m in measures)
    assert [n[0] for n in notes[:3]] == [74, 73, 76]


def test_split_tunes_keeps_the_file_header():
    text = "L:1/8\n% a comment\n\nX:1\nT:a\nK:C\nCDEF|\n\nX:2\nT:b\nK:C\nGABc|\n"
    tunes = fd.split_tunes(text)
    assert [n for n, _ in tunes] == ["1", "2"]
    assert tunes[1][1].startswith("L:1/8\nX:2") and "CDEF" not in tunes[1][1]


# --- windows, duplicates, split (no music21) ------------------------------------------------------
def test_meters_and_two_four_pairs():
    notes = [(60 + i % 12, 0.5 * i, 0.5) for i in range(80)]
    measures = ([(0.0, 1.0, 2.0, "2/4")] + [(1.0 + 2 * i, 2.0, 2.0, "2/4") for i in range(5)]   # pickup + 5 bars of 2/4
                + [(11.0, 3.0, 3.0, "3/4")] + four_four(3, 14.0, "2/2"))
    parsed = synthetic([(0, "2/4", measures, notes)])
    _, _, bar, _ = fd.cut_windows(parsed)
    assert bar.tolist() == [7, 8]                               # the 2/2 bars 7, 8, 9 only
    _, _, bar, _ = fd.cut_windows(parsed, two_four=True)
    assert bar.tolist() == [1, 7, 8]                            # 2/4 bars paired (1,2)+(3,4); bar 5 is left over


def test_window_notes_and_gaps():
    # a missing bar (a gap in the offsets) breaks the window; notes are cut at the window's edges
    measures = four_four(2) + four_four(2, 12.0)
    notes = [(60, 0.0, 1.0), (62, 7.0, 3.0), (64, 8.0, 1.0), (65, 12.0, 1.0)]
    tokens, _, bar, _ = fd.cut_windows(synthetic([(0, "4/4", measures, notes)]))
    assert bar.tolist() == [0, 2]
    assert tokens[0].tolist() == [26, 1, 1, 1] + [0] * 24 + [28, 1, 1, 1]        # 62 held to the end
    assert tokens[1][0] == 65 - 34


def test_duplicates_removed_across_collections():
    notes = [(60, 0.0, 4.0), (62, 4.0, 4.0), (64, 8.0, 4.0)]
    parsed = synthetic([(0, "4/4", four_four(3), notes), (1, "4/4", four_four(3), notes),
                        (1, "C", four_four(3), notes), (2, "4/4", four_four(3), notes[:2])])
    assert fd._duplicate_mask(parsed).tolist() == [False, True, False, False]
    data = fd.load(parsed=parsed, progress=False)
    assert data.stats["duplicates"] == 1 and data.stats["duplicates_per_collection"] == [0, 1, 0, 0]
    assert data.tunes["source"].tolist() == ["t0", "t2", "t3"]
    assert len(data.tokens) == 2 + 2 + 2 and data.tune.tolist() == [0, 0, 1, 1, 2, 2]


def test_oneills_repeated_numbers_removed():
    a = [(60, 0.0, 4.0), (62, 4.0, 4.0)]
    b = [(64, 0.0, 4.0), (65, 4.0, 4.0)]
    tunes = [(1, "C|", four_four(2), a), (0, "4/4", four_four(2), b), (1, "C|", four_four(2), b),
             (0, "C|", four_four(2), a), (1, "C|", four_four(2), [(67, 0.0, 8.0)])]
    sources = ["oneills1850/0550-0625.abc#626", "essenFolksong/x.abc#626", "oneills1850/0626-0635.abc#0626",
               "essenFolksong/y.abc#1", "oneills1850/0626-0635.abc#627"]
    parsed = synthetic(tunes, sources)
    assert fd._repeat_mask(parsed).tolist() == [False, False, True, False, False]
    data = fd.load(parsed=parsed, progress=False)
    assert data.tunes["source"].tolist() == [sources[0], sources[1], sources[4]]   # y.abc#1 is an exact duplicate
    assert data.stats["repeated_numbers"] == 1 and data.stats["duplicates"] == 1


def test_split_by_tune_is_seeded_and_whole():
    rng = np.random.default_rng(1)
    tunes = [(int(c), "4/4", four_four(6), [(60 + int(rng.integers(12)), 4.0 * b, 4.0) for b in range(6)])
             for c in rng.integers(0, 4, 200)]
    parsed = synthetic(tunes)
    a = fd.load(seed=3, parsed=parsed, progress=False)
    b = fd.load(seed=3, parsed=parsed, progress=False)
    c = fd.load(seed=4, parsed=parsed, progress=False)
    assert a.split.tolist() == b.split.tolist() and a.split.tolist() != c.split.tolist()
    for t in np.unique(a.tune):                                  # a tune's windows all on one side
        assert len(set(a.split[a.tune == t].tolist())) == 1
    for coll in range(4):                                        # 80/10/10 of each collection's tunes
        s = a.tunes["split"][a.tunes["collection"] == coll]
        assert abs((s == 0).mean() - 0.8) < 0.05 and (s == 2).sum() >= 1
    assert (a.collection == np.array(tunes, dtype=object)[a.tune, 0].astype(int)).all()


# --- cache ----------------------------------------------------------------------------------------
def test_cache_is_reused_and_rebuilt_when_stale_or_broken(tmp_path, monkeypatch):
    pytest.importorskip("music21")
    path = tmp_path / "folk.npz"
    first = fd.load_parsed(path, processes=2, progress=False, limit=3)      # parsed in 2 worker processes
    assert len(first["source"]) == 3 and path.exists() and (first["error"] == "").all()
    calls = []

    def fake_parse(processes, progress, limit):
        calls.append(limit)
        return first

    monkeypatch.setattr(fd, "parse_corpus", fake_parse)
    again = fd.load_parsed(path, progress=False, limit=3)
    assert calls == [] and again["source"].tolist() == first["source"].tolist()
    np.testing.assert_array_equal(again["notes"], first["notes"])
    fd.load_parsed(path, progress=False, limit=4)                 # another key: rebuilt
    assert calls == [4]
    path.write_bytes(b"not a zip")                                # broken: rebuilt
    fd.load_parsed(path, progress=False, limit=4)
    assert calls == [4, 4]
    monkeypatch.setattr(fd, "PARSE_VERSION", fd.PARSE_VERSION + 1)   # our parse changed: stale
    fd.load_parsed(path, progress=False, limit=4)
    assert calls == [4, 4, 4]
    fd.load_parsed(path, progress=False, limit=4)
    assert calls == [4, 4, 4]
    assert [p.name for p in tmp_path.iterdir()] == ["folk.npz"]   # no temporary file left behind


# --- summary and CLI --------------------------------------------------------------------------------
def test_summary_of_a_few_tunes():
    pytest.importorskip("music21")
    parsed = parsed_of((1, "test#1", REEL), (3, "test#2", REEL.replace("X:1", "X:2").replace("B2 G4", "A2 G4")))
    text = fd.summary(parsed=parsed, progress=False)
    assert text.startswith("folk: 6 windows of 2 bars (4/4, C, 2/2, C|) from 2 tunes")
    assert "on the 16th grid 100.00%" in text and "grace notes left out 2" in text
    assert "density" in text and "windows/s" in text
    for name in folk.NAMES:
        assert f"  {name} " in text


def test_cli_dataset_folk(monkeypatch, capsys):
    from bridge import cli
    seen = {}
    monkeypatch.setattr(fd, "summary", lambda seed, two_four: seen.update(seed=seed, two_four=two_four) or "SUMMARY")
    monkeypatch.setitem(__import__("sys").modules, "music21", object())
    assert cli.main(["dataset", "--family", "folk", "--seed", "2", "--two-four"]) == 0
    assert capsys.readouterr().out.strip() == "SUMMARY" and seen == {"seed": 2, "two_four": True}
    monkeypatch.setitem(__import__("sys").modules, "music21", None)          # not installed
    assert cli.main(["dataset", "--family", "folk"]) == 2
    assert "needs music21" in capsys.readouterr().err
