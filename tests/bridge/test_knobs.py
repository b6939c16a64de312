"""Protocol 2: the knobs come from the model (/sentgen/knobs), through the engine over real UDP and the
MIDI map, for dMelodies (a v1 client sees v1) and for a toy family (4 steps, 2 knobs) with no special case."""
from __future__ import annotations

import pytest

from engine.clip import Note, flat_from_notes
from engine.schema import get_schema
from engine.session import Editor

from bridge.midi import Binding, Controller, default_mapping, load_mapping
from bridge.osc_client import Client
from bridge.osc_wire import decode_knobs
from tests.bridge.conftest import attrs_dict, melody_flat
from tests.toy_schema import SCHEMA as TOY, toy_model


def test_dmelodies_engine_speaks_v1_plus_knobs(engine):
    """Pong says protocol 2; hello's state is v1's, then /sentgen/knobs (the nine attributes)."""
    with Client(port=engine.port, timeout=5) as c:
        got = c.request("/sentgen/hello", c.port, until="/sentgen/knobs")
        assert got["/sentgen/pong"][0] == "2"
        assert list(got) == ["/sentgen/pong", "/sentgen/clip", "/sentgen/attrs", "/sentgen/original", "/sentgen/knobs"]
        knobs = decode_knobs(got["/sentgen/knobs"])
        assert knobs == get_schema("dmelodies").describe()
        assert [k["name"] for k in knobs] == list(attrs_dict(got["/sentgen/attrs"]))
        assert knobs[0] == {"name": "tonic", "title": "tonic", "kind": "learned", "count": 12,
                            "labels": ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]}
        assert decode_knobs(c.request("/sentgen/knobs/get", until="/sentgen/knobs")["/sentgen/knobs"]) == knobs
        got = c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
        assert got["/sentgen/edit"][:2] == [1, "load"] and len(got["/sentgen/attrs"]) == 36
        got = c.request("/sentgen/attr/set", "scale", "minor", until="/sentgen/edit")
        assert got["/sentgen/edit"] == [1, "oracle", ""]        # exact: exactly v1's three arguments


@pytest.fixture(scope="module")
def toy_models(tmp_path_factory):
    d = tmp_path_factory.mktemp("toy_models")
    toy_model(d / "toy.safetensors")
    return d


def test_toy_model_through_the_engine(make_engine, toy_models):
    """Any knob of the current model over real UDP; the knobs follow a model switch."""
    eng = make_engine(Editor.load(toy_models / "toy.safetensors", "cpu"), models_dir=toy_models)
    with Client(port=eng.port, timeout=10) as c:
        got = c.request("/sentgen/hello", c.port, until="/sentgen/knobs")
        assert decode_knobs(got["/sentgen/knobs"]) == [
            {"name": "notes", "title": "Notes", "kind": "learned", "count": 4, "labels": ["1", "2", "3", "4"]},
            {"name": "register", "title": "Register", "kind": "rule", "count": 2, "labels": ["low", "high"]}]
        assert attrs_dict(got["/sentgen/attrs"]) == {"notes": (-1, "invalid", -1.0), "register": (-1, "invalid", -1.0)}
        got = c.request("/sentgen/clip/set", *flat_from_notes([Note(62, 0.0, 2.0), Note(64, 2.0, 2.0)]),
                        until="/sentgen/edit")
        assert got["/sentgen/clip"] == [62, 0.0, 2.0, 100, 0, 64, 2.0, 2.0, 100, 0]
        assert attrs_dict(got["/sentgen/attrs"])["notes"] == (1, "2", pytest.approx(1 / 3))
        got = c.request("/sentgen/attr/set", "register", "high", until="/sentgen/edit")
        assert got["/sentgen/edit"][:2] == [1, "rule"]
        assert got["/sentgen/clip"][0::5] == [68, 70]
        got = c.request("/sentgen/attrs/set", "register", 0.0, until="/sentgen/edit")
        assert got["/sentgen/clip"][0::5] == [62, 64]
        got = c.request("/sentgen/attr/set", "tonic", "D", until="/sentgen/error")
        assert "unknown knob 'tonic'; expected one of notes, register" in got["/sentgen/error"][1]
        assert c.request("/sentgen/undo")["/sentgen/attrs"][1] == 1           # the state is kept


def test_model_switch_sends_the_new_knobs(make_engine, toy_models, model_path):
    import os
    for ext in (".safetensors", ".json"):
        os.symlink(model_path.with_suffix(ext), toy_models / f"dm{ext}")
    eng = make_engine(Editor.load(toy_models / "toy.safetensors", "cpu"), models_dir=toy_models)
    with Client(port=eng.port, timeout=10) as c:
        c.request("/sentgen/hello", c.port, until="/sentgen/knobs")
        c.request("/sentgen/clip/set", *flat_from_notes([Note(62, 0.0, 2.0), Note(64, 2.0, 2.0)]), until="/sentgen/edit")
        got = c.request("/sentgen/model/load", "dm", until="/sentgen/knobs")
        assert [k["name"] for k in decode_knobs(got["/sentgen/knobs"])] == list(get_schema().names)
        assert list(attrs_dict(got["/sentgen/attrs"])) == list(get_schema().names)
        assert got["/sentgen/clip"][0::5] == [62, 64]           # the clip, on the new grid
        got = c.request("/sentgen/model/load", "toy", until="/sentgen/knobs")
        assert [k["name"] for k in decode_knobs(got["/sentgen/knobs"])] == ["notes", "register"]


def test_midi_map_follows_the_models_knobs(tmp_path):
    knobs = [TOY.knobs]
    sent = []
    current = lambda: (-1,) * len(knobs[0])      # noqa: E731  (a clip that does not parse: no pick-up wait)
    c = Controller(None, lambda name, v: sent.append((name, v)), current=current, knobs=lambda: knobs[0])
    assert c.bindings == [Binding("notes", 20), Binding("register", 21)]          # CC 20 + knob index
    c.handle_cc(0, 21, 127)
    assert sent == [("register", 1.0)]
    c.handle_cc(0, 22, 127)                                                       # no third knob
    assert len(sent) == 1
    # a mapping file names knobs by name; a knob the model lacks is kept, inactive, not an error
    p = tmp_path / "map.toml"
    p.write_text('[[mapping]]\nattr = "register"\ncc = 5\n[[mapping]]\nattr = "tonic"\ncc = 6\n')
    c = Controller(load_mapping(p), lambda name, v: sent.append((name, v)), current=current, knobs=lambda: knobs[0])
    assert [b.attr for b in c.inactive()] == ["tonic"]
    c.handle_cc(0, 6, 127)
    assert len(sent) == 1
    knobs[0] = get_schema("dmelodies").knobs                                      # the model switched
    c.set_knobs()
    assert [b.attr for b in c.inactive()] == ["register"]
    c.handle_cc(0, 6, 127)
    assert sent[-1] == ("tonic", 1.0)
    # the default map follows a switch too; learned bindings stay
    d = Controller(None, lambda *a: None, knobs=lambda: knobs[0])
    assert d.bindings == default_mapping()
    d.learn("scale")
    d.handle_cc(0, 99, 0)
    knobs[0] = TOY.knobs
    d.set_knobs()
    assert Binding("scale", 99, 0) in d.bindings and Binding("notes", 20) in d.bindings
    assert [b.attr for b in d.inactive()] == ["scale"]
    with pytest.raises(KeyError, match="unknown knob 'tonic'"):
        d.learn("tonic")
