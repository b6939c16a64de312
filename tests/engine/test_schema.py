"""The schema of a model family (engine.schema): dMelodies', folk's and a toy one, through the models,
the clip conversion, the Editor and the Session; rule knobs through the verified path and the history."""
from __future__ import annotations

import json

import numpy as np
import pytest

from engine import attributes
from engine import folk
from engine.clip import Note, notes_to_tokens
from engine.models import MODELS_DIR, MusicVAE, VAEConfig, load_model, save_model
from engine.schema import Knob, Schema, get_schema
from engine.session import EditError, Editor, Session
from tests.toy_schema import SCHEMA as TOY, toy_model


def test_dmelodies_schema_is_the_attributes_module():
    g = get_schema("dmelodies")
    assert g is get_schema() is attributes.SCHEMA
    assert (g.steps, g.steps_per_bar, g.vocab, g.lowest_pitch, g.highest_pitch, g.pitch_offset) == \
        (attributes.SEQ_LEN, attributes.SLOTS_PER_BAR, attributes.VOCAB_SIZE, attributes.LOWEST_PITCH,
         attributes.HIGHEST_PITCH, attributes.PITCH_OFFSET)
    assert g.names == attributes.NAMES and g.labels == attributes.LABELS
    assert (g.counts == attributes.COUNTS).all() and g.rule_knobs == ()
    assert all(k.kind == "learned" for k in g.knobs)
    factors = np.array([[2, 1, 1, 3, 7, 0, 1, 1, 0]])
    assert (g.parse(g.melodies_of(factors)) == factors).all()


def test_folk_schema_grid_and_knobs():
    g = get_schema("folk")
    assert g is folk.SCHEMA
    assert (g.steps, g.steps_per_bar, g.step_beats, g.vocab) == (32, 16, 0.25, folk.VOCAB_SIZE)
    assert g.names == folk.NAMES
    assert [k.kind for k in g.knobs] == ["learned"] * 6 + ["rule", "rule"]
    assert [g.names[k] for k in g.rule_knobs] == ["key", "octave"]
    assert not g.has_inverse
    with pytest.raises(NotImplementedError, match="no exact inverse"):
        g.melodies_of(np.zeros((1, 8), np.int64))
    assert g.describe()[6] == {"name": "key", "title": "key", "kind": "rule", "count": 12,
                               "labels": list(folk.KEY_LABELS)}


def test_unknown_schema_and_bad_knobs_are_clear_errors():
    with pytest.raises(KeyError, match="unknown schema 'nope'; known: dmelodies, folk"):
        get_schema("nope")
    with pytest.raises(ValueError, match="unknown schema 'nope'"):
        VAEConfig(schema="nope")
    with pytest.raises(ValueError, match="kind must be one of"):
        Knob("x", "X", ("a", "b"), "magic")
    with pytest.raises(ValueError, match="rule knobs but no apply_rule"):
        Schema("bad", steps_per_bar=2, bars=2, step_beats=2.0, step_name="half-note", lowest_pitch=60,
               highest_pitch=71, pitch_offset=58, knobs=[Knob("r", "R", ("a", "b"), "rule")], parse=lambda t: t)


def test_shipped_models_load_with_the_dmelodies_schema():
    raw = json.loads((MODELS_DIR / "s2.json").read_text())
    assert "schema" not in raw                   # the shipped JSONs are unchanged
    assert load_model("s2", "cpu").schema is get_schema("dmelodies")


def test_a_models_json_names_its_schema(tmp_path):
    path = toy_model(tmp_path / "toy.safetensors")
    assert json.loads(path.with_suffix(".json").read_text())["schema"] == "toy"
    model = load_model(path, "cpu")
    assert model.schema is TOY
    assert model.decode(np.zeros((3, 4), np.float32)).shape == (3, 4)     # the toy grid: 4 steps
    assert model.encode(np.array([[2, 1, 0, 5]])).shape == (1, 4)
    with pytest.raises(ValueError, match=r"shape \(N, 4\)"):
        model.encode(np.zeros((1, 16), np.int64))
    bad = path.with_suffix(".json")
    bad.write_text(json.dumps({**json.loads(bad.read_text()), "schema": "nope"}))
    with pytest.raises(ValueError, match="unknown schema 'nope'"):
        load_model(path, "cpu")


def test_clip_conversion_reads_the_grid():
    notes = [Note(48, 0.0, 2.0), Note(64, 2.1, 1.0), Note(80, 4.0, 4.0)]
    conv = TOY.notes_to_tokens(notes)
    assert conv.tokens.tolist() == [60 - 58, 64 - 58, 68 - 58, 1]      # folded into 60..71, on half notes
    assert "1 note(s) moved to the half-note grid" in conv.changes
    assert "2 pitch(es) folded by octaves into MIDI 60..71" in conv.changes
    assert TOY.tokens_to_notes(conv.tokens)[-1] == Note(68, 4.0, 4.0)
    # dMelodies' conversion is the default one, unchanged
    assert notes_to_tokens(notes).tokens.tolist() == get_schema().notes_to_tokens(notes).tokens.tolist()
    # folk's own rules (whole-clip octave moves, sixteenths)
    assert get_schema("folk").notes_to_tokens(notes).tokens.tolist() == folk.notes_to_tokens(notes).tokens.tolist()


@pytest.fixture(scope="module")
def toy_editor(tmp_path_factory):
    return Editor.load(toy_model(tmp_path_factory.mktemp("toy") / "toy.safetensors"), "cpu")


def test_toy_session_reads_its_schema(toy_editor):
    s = Session(toy_editor)
    s.set_clip([Note(62, 0.0, 2.0), Note(64, 2.0, 2.0)])
    assert s.attrs().tolist() == [1, 0]
    assert s.attr_rows() == [("notes", 1, "2", 1 / 3), ("register", 0, "low", 0.0)]
    with pytest.raises(EditError, match="unknown knob 'tonic'; expected one of notes, register"):
        s.set_attrs({"tonic": "D"})


def test_rule_knob_is_exact_verified_and_in_the_history(toy_editor):
    s = Session(toy_editor)
    s.set_clip([Note(62, 0.0, 2.0), Note(64, 2.0, 2.0)])
    out = s.set_attrs({"register": "high"})
    assert out.exact and out.method == "rule" and out.candidates >= 1
    assert [n.pitch for n in s.notes()] == [68, 70]                    # up 6 semitones, exactly
    assert s.attrs().tolist() == [1, 1]
    assert len(s.history) == 2 and s.undo() and [n.pitch for n in s.notes()] == [62, 64]
    # refused with the rule's reason; the clip is kept
    s.set_clip([Note(60, 0.0, 2.0), Note(71, 2.0, 2.0)])
    steps = len(s.history)
    with pytest.raises(EditError, match="register: the result would leave MIDI 60..71"):
        s.set_attrs({"register": "high"})
    assert len(s.history) == steps


def test_folk_rule_knobs_through_a_session(tmp_path):
    torch_model = MusicVAE(VAEConfig(regulariser="beta", latent=8, embed=4, hidden=16, schema="folk")).eval()
    path = save_model(torch_model, tmp_path / "folk_tiny.safetensors")
    s = Session(Editor.load(path, "cpu"))
    # C major, octave 4: C4 E4 G4 C5 as quarter notes, twice
    s.set_clip([Note(p, 1.0 * i, 1.0) for i, p in enumerate([60, 64, 67, 72, 60, 64, 67, 72])])
    g = s.schema
    before = s.attrs().copy()
    assert g.label_of("key", int(before[6])) == "C" and g.label_of("mode", int(before[5])) == "major"
    out = s.set_attrs({"key": "D"})
    assert out.exact and out.method == "rule"
    assert [n.pitch for n in s.notes()][:4] == [62, 66, 69, 74]
    after = s.attrs()
    assert g.label_of("key", int(after[6])) == "D"
    assert (np.delete(after, 6) == np.delete(before, 6)).all()           # every other knob kept
    out = s.set_attrs({"octave": g.labels[7][int(after[7]) + 1]})
    assert out.exact and [n.pitch for n in s.notes()][:4] == [74, 78, 81, 86]
    assert s.undo() and s.undo() and [n.pitch for n in s.notes()][:4] == [60, 64, 67, 72]
    with pytest.raises(EditError, match="octave: the result would leave MIDI 36..96"):
        s.set_attrs({"octave": "7"})


def test_switching_family_converts_the_clip(toy_editor):
    s = Session(Editor.load("s2", "cpu"))
    s.set_clip([Note(62, 0.0, 2.0), Note(64, 2.0, 2.0)])
    changes = s.switch_model(toy_editor)
    assert s.schema is TOY and len(s.history) == 1 and s.attrs().tolist() == [1, 0]
    assert changes == []
    assert [(n.pitch, n.start_time) for n in s.notes()] == [(62, 0.0), (64, 2.0)]


def test_a_toy_session_survives_the_state_file(toy_editor, tmp_path):
    from bridge.state import StateFile
    s = Session(toy_editor)
    s.set_clip([Note(62, 0.0, 2.0), Note(64, 2.0, 2.0)])
    f = StateFile(tmp_path / "session.json")
    f.record(s.to_dict())
    s.set_attrs({"register": "high"})
    f.record(s.to_dict())                        # a journal line
    data = StateFile(tmp_path / "session.json").read()
    assert data["schema"] == "toy"
    back = Session(toy_editor)
    back.restore(data)
    assert [n.pitch for n in back.notes()] == [68, 70] and len(back.history) == 2
    # under a model of another family: the current clip converted to its grid, as a model switch does
    # (it used to be refused, and the engine set the session file aside as "not a valid session")
    other = Session(Editor.load("s2", "cpu"))
    assert other.restore(data) == [] and len(other.history) == 1 and other.schema.name == "dmelodies"
    assert [(n.pitch, n.start_time) for n in other.notes()] == [(68, 0.0), (70, 2.0)]
    with pytest.raises(ValueError, match="unknown grid"):
        other.restore(dict(data, schema="nope"))
    assert [(n.pitch, n.start_time) for n in other.notes()] == [(68, 0.0), (70, 2.0)]
