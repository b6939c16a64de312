"""The folk family's held-out clips (training/heldout/): shipped .mid files that load on the folk grid,
and the evaluation and the results page that use them."""
import json

import numpy as np
import pytest

from engine.clip import read_midi, write_midi
from engine.models import MODELS_DIR
from engine.schema import get_schema
from training import heldout
from training.heldout import HELDOUT_DIR, grid_notes, load_heldout, producer_clips

FOLK = get_schema("folk")


def test_every_heldout_clip_loads_as_two_bars_on_the_folk_grid():
    h = load_heldout()
    listed = json.loads((HELDOUT_DIR / "clips.json").read_text())["clips"]
    assert sorted(h.files) == sorted(e["file"] for e in listed) == sorted(p.name for p in HELDOUT_DIR.glob("*.mid"))
    assert (h.origin == "corpus").sum() >= 250 and (h.origin == "producer").sum() >= 30
    assert set(h.group[h.origin == "corpus"]) == set(heldout.CORPUS_GROUPS)
    assert h.tokens.shape == (len(h.files), 32) and h.tokens.dtype == np.int64
    assert ((h.tokens >= 0) & (h.tokens < FOLK.vocab)).all()
    for name, notes, tokens, changes in zip(h.files, h.notes, h.tokens, h.changes):
        # all of it inside the 2 bars: nothing dropped, no note starting at or after beat 8
        assert all(0 <= n.start_time < 8 for n in notes), name
        assert not any("dropped (2 bars only)" in c for c in changes), (name, changes)
        # the grid: at least MIN_NOTES onsets (corpus) or one (producer), and the converted notes are a
        # fixed point of the conversion (every note on the sixteenth grid, inside MIDI 36..96)
        assert (tokens >= 2).sum() >= (heldout.MIN_NOTES if name.startswith("corpus") else 1), name
        on_grid = FOLK.tokens_to_notes(tokens)
        assert all(4 * n.start_time == int(4 * n.start_time) and n.start_time + n.duration <= 8 for n in on_grid)
        assert all(36 <= n.pitch <= 96 for n in on_grid)
        assert FOLK.notes_to_tokens(on_grid).tokens.tolist() == tokens.tolist()
    # every knob of folk.md is defined on every clip that has two onsets (the knobs the evaluation turns)
    assert (FOLK.parse(h.tokens)[:, 0] >= 0).all()


def test_the_shipped_producer_clips_are_the_ones_written_in_code(tmp_path):
    """The files are what PRODUCER_CLIPS says (byte for byte, as `sentgen dataset --family heldout` writes them)."""
    clips = producer_clips()
    assert len(clips) >= 30 and len({n for n, _, _ in clips}) == len(clips)
    for i, (name, _, notes) in enumerate(clips):
        shipped = HELDOUT_DIR / f"producer-{i + 1:02d}-{name}.mid"
        write_midi(tmp_path / "x.mid", notes, heldout.BPM)
        assert (tmp_path / "x.mid").read_bytes() == shipped.read_bytes(), shipped.name
        back = read_midi(shipped)[0]
        assert [n.pitch for n in back] == [n.pitch for n in notes]
        assert np.allclose([n.start_time for n in back], [n.start_time for n in notes], atol=1 / 480)   # a tick
    # the off-grid ones keep their swing and triplets in the file, and the conversion says it moved them
    h = load_heldout()
    for name in ("swing-eighths", "triplet-lead"):
        i = next(j for j, f in enumerate(h.files) if f.endswith(f"-{name}.mid"))
        assert any(4 * n.start_time != int(4 * n.start_time) for n in h.notes[i])
        assert any("moved to the sixteenth-note grid" in c for c in h.changes[i])


def test_patterns_are_checked():
    assert [(n.pitch, n.start_time, n.duration) for n in grid_notes("C4 - . E4" + " ." * 28)] == \
        [(60, 0.0, 0.5), (64, 0.75, 0.25)]
    with pytest.raises(ValueError, match="needs 32 steps"):
        grid_notes("C4 - -")
    with pytest.raises(ValueError, match="a hold at step 1 follows no note"):
        grid_notes(". -" + " ." * 30)
    with pytest.raises(ValueError, match="not a note name"):
        grid_notes("H4" + " ." * 31)


def test_a_missing_heldout_folder_says_how_to_build_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="sentgen dataset --family heldout"):
        load_heldout(tmp_path)


def test_results_page_includes_the_folk_sections(tmp_path):
    from training.evaluate import write_results_md
    (tmp_path / "folk_section.md").write_text("## Folk: test tunes\n")
    (tmp_path / "folk_heldout_section.md").write_text("## Folk: held-out clips\n")
    text = write_results_md(tmp_path / "results.md", tmp_path).read_text()
    assert text.index("## Folk: test tunes") < text.index("## Folk: held-out clips")


def _folk_model():
    path = MODELS_DIR / "folk.safetensors"
    if not (path.exists() and (MODELS_DIR / "folk.traversal.safetensors").exists()):
        pytest.skip("no folk model (models/folk.*) in this checkout")
    return path


def test_folk_evaluation_on_a_few_heldout_clips(tmp_path):
    from training.evaluate_folk import GOALS, METHODS, evaluate_folk
    _folk_model()
    r = evaluate_folk("folk", max_rows=3, source="heldout", out=tmp_path / "e.json", budget=8, write_docs=False)
    assert json.loads((tmp_path / "e.json").read_text())["source"] == "heldout"
    assert r["test_windows"] == 3 and r["goals"] == GOALS and set(r["methods"]) == set(METHODS)
    for method in METHODS:
        o = r["methods"][method]["overall"]
        assert o["turns"] > 0 and 0 <= o["target_reached"] <= 1
        groups = r["groups"][method]
        assert sum(v["turns"] for v in groups.values()) == o["turns"]
        assert set(groups) <= set(heldout.CORPUS_GROUPS) | {"producer"}
    assert set(r["rules"]) == {"key", "octave"}
    from training.evaluate_folk import section_md
    text = section_md(r)
    assert "--source heldout" in text and "Per group of clips" in text and "Notes kept on the same turns" in text
    assert set(r["paired"]) == set(METHODS) - {"arithmetic"}


def test_paired_notes_kept_compares_the_same_turns():
    from training.evaluate_folk import paired_notes_kept
    t, f = True, False
    # (answered, reached, kept, notes) per turn; the baseline made the edit on turns 0, 1 and 3 only
    base = [(np.array([t, t, t, t]), np.array([t, t, f, t]), np.array([t, t, t, t]), np.array([0.5, 0.9, 1.0, 0.4]))]
    ours = [(np.array([t, t, t, f]), np.array([t, t, t, f]), np.array([t, t, t, f]), np.array([0.6, 0.8, 0.2, 1.0]))]
    p = paired_notes_kept({"verified": ours, "arithmetic": base})
    assert set(p) == {"verified"}
    v = p["verified"]                    # turns 0 and 1: both made the edit there
    assert v["turns"] == 2 and v["median"] == pytest.approx(0.7) and v["arithmetic_median"] == pytest.approx(0.7)
    assert v["at_least_as_many"] == 0.5


def test_unknown_source_is_refused():
    from training.evaluate_folk import clips_of
    with pytest.raises(ValueError, match="unknown source 'nope'; expected test or heldout"):
        clips_of("nope", None, 0)


def test_cli_refuses_a_source_for_dmelodies_models(capsys):
    from bridge.cli import main
    if not (MODELS_DIR / "s2.safetensors").exists():
        pytest.skip("no s2 model")
    assert main(["evaluate", "--model", "s2", "--source", "heldout"]) == 2
    assert "--source applies to folk models" in capsys.readouterr().err


def test_build_without_the_corpus_rewrites_the_producer_clips_and_removes_stale_files(tmp_path):
    import shutil
    shutil.copy(HELDOUT_DIR / "clips.json", tmp_path / "clips.json")
    (tmp_path / "stale.mid").write_bytes(b"MThd")
    m = heldout.build(tmp_path, corpus=False)
    shipped = json.loads((HELDOUT_DIR / "clips.json").read_text())
    assert m == shipped == json.loads((tmp_path / "clips.json").read_text())
    assert (tmp_path / "README.md").read_text() == (HELDOUT_DIR / "README.md").read_text()
    assert not (tmp_path / "stale.mid").exists()
    assert sorted(p.name for p in tmp_path.glob("*.mid")) == sorted(
        e["file"] for e in shipped["clips"] if e["origin"] == "producer")


def test_cli_dataset_heldout(monkeypatch, capsys):
    from bridge import cli
    monkeypatch.setattr(heldout, "summary", lambda seed: f"HELD {seed}")
    monkeypatch.setitem(__import__("sys").modules, "music21", object())
    assert cli.main(["dataset", "--family", "heldout", "--seed", "3"]) == 0
    assert capsys.readouterr().out.strip() == "HELD 3"
    monkeypatch.setitem(__import__("sys").modules, "music21", None)          # not installed
    assert cli.main(["dataset", "--family", "heldout"]) == 2
    assert "the heldout data needs music21" in capsys.readouterr().err
