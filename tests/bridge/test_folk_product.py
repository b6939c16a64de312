"""The folk model in the product, end to end, with the shipped models/folk.* loaded the normal way: `sentgen
serve --model folk` over real UDP (knobs, a real tune's state, learned knob turns verified by parsing the
returned notes again, key and octave as exact transpositions, undo/redo, switching to s2 and back), the MIDI
map, and `sentgen edit` / `sentgen attrs` on a real .mid (the engine's one edit)."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pytest

from engine import folk
from engine.clip import flat_from_notes, notes_from_flat, read_midi, write_midi
from engine.models import MODELS_DIR
from engine.schema import get_schema

from bridge import cli
from bridge.latency import start_engine_process
from bridge.midi import MidiBridge
from bridge.osc_client import Client
from bridge.osc_server import load_editor
from bridge.osc_wire import decode_knobs
from tests.bridge.conftest import attrs_dict, tune_flat, tune_notes, wait_idle

FOLK = get_schema("folk")
MAX_FIXTURE = Path(__file__).resolve().parents[2] / "maxpatch" / "testdata" / "folk_knobs.json"
LEARNED = [k for k in range(FOLK.num_knobs) if not FOLK.is_rule(k)]


def knobs_of(flat) -> np.ndarray:
    """The folk knobs of notes as the engine sent them, parsed again with engine.folk."""
    return folk.parse(folk.notes_to_tokens(notes_from_flat(flat)).tokens)[0]


def key_shift(current: int, target: int) -> int:
    """folk.md: the interval from the current to the target tonic, the smaller of d and d - 12 (ties upward)."""
    d = (target - current) % 12
    return d if d <= 6 else d - 12


def transposed(flat, semitones: int) -> list:
    return [v + semitones if i % 5 == 0 else v for i, v in enumerate(flat)]


@pytest.fixture(scope="module")
def folk_engine(tmp_path_factory):
    """`sentgen serve --model folk` (the shipped model, the default lookahead) in its own process."""
    proc, port = start_engine_process(tmp_path_factory.mktemp("folk_state"), model="folk", device="cpu")
    yield port
    proc.terminate()
    try:
        proc.wait(10)
    except Exception:
        proc.kill()


def load(c: Client, flat) -> dict:
    got = c.request("/sentgen/clip/set", *flat, until="/sentgen/edit", timeout=30)
    assert got["/sentgen/edit"][:2] == [1, "load"], got
    return got


def test_serve_folk_lists_its_knobs_and_gives_a_real_tunes_state(folk_engine):
    with Client(port=folk_engine, timeout=30) as c:
        got = c.request("/sentgen/hello", c.port, until="/sentgen/knobs")
        assert got["/sentgen/pong"][:2] == ["2", "folk"]
        knobs = decode_knobs(got["/sentgen/knobs"])
        assert knobs == FOLK.describe()
        assert [k["name"] for k in knobs] == ["density", "complexity", "range", "leaps", "contour", "mode", "key",
                                              "octave"]
        assert [k["kind"] for k in knobs] == ["learned"] * 6 + ["rule"] * 2
        assert knobs[6]["labels"] == list(folk.KEY_LABELS) and knobs[7]["labels"] == ["2", "3", "4", "5", "6", "7"]
        # the Max device's and MIDI Tool's tests replay this very message (node --test maxpatch/)
        assert got["/sentgen/knobs"] == json.loads(MAX_FIXTURE.read_text()), f"regenerate {MAX_FIXTURE}"
        c.send("/sentgen/bye", c.port)
        for name in ("frere_jacques", "ode_to_joy", "twinkle"):
            flat = tune_flat(name)
            got = load(c, flat)
            assert got["/sentgen/clip"] == flat, "on the grid already: loaded as it is"
            rows = attrs_dict(got["/sentgen/attrs"])
            assert list(rows) == list(FOLK.names)
            assert [rows[n][0] for n in FOLK.names] == knobs_of(flat).tolist()
            assert all(i >= 0 for i, _, _ in rows.values()), f"{name}: every knob defined"
        assert attrs_dict(got["/sentgen/attrs"])["key"][1] == "C"           # twinkle: C major, octave 4
        assert attrs_dict(got["/sentgen/attrs"])["octave"][1] == "4"


def test_learned_knob_turns_answer_verified_or_refuse_with_a_reason(folk_engine):
    """Every learned knob one bin either way from a real tune: an answer's notes, parsed again, have the target
    bin and every other knob as before; a refusal says why and keeps the clip.  (A result that reached the
    target but changed another knob used to be applied as "not exact".)"""
    flat = tune_flat("frere_jacques")
    before = knobs_of(flat)
    answered, refused = [], []
    with Client(port=folk_engine, timeout=60) as c:
        load(c, flat)
        for k in LEARNED:
            name = FOLK.names[k]
            for target in (before[k] - 1, before[k] + 1):
                if not 0 <= target < FOLK.counts[k]:
                    continue
                label = FOLK.labels[k][target]
                got = c.request("/sentgen/attr/set", name, label, until="/sentgen/edit", timeout=60)
                if "/sentgen/error" in got:
                    address, why = got["/sentgen/error"]
                    # "target not reached within N candidates", "... reached only by also changing leaps ...",
                    # "no valid melody found within N candidates (invalid: ...)"
                    assert address == "/sentgen/attr/set" and re.search(r"within \d+ candidates", why), why
                    refused.append((name, label, why))
                    assert c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"] == flat
                    continue
                exact, method, reason, *changed = got["/sentgen/edit"]
                after = knobs_of(got["/sentgen/clip"])
                assert (exact, changed) == (1, []), (name, label, got["/sentgen/edit"])
                assert after[k] == target, (name, label)
                assert np.array_equal(np.delete(after, k), np.delete(before, k)), (name, label, before, after)
                assert [rows[0] for rows in attrs_dict(got["/sentgen/attrs"]).values()] == after.tolist()
                assert got["/sentgen/original"] == flat
                answered.append((name, label, method))
                assert c.request("/sentgen/undo", until="/sentgen/clip")["/sentgen/clip"] == flat
    assert answered, f"no learned turn was answered: {refused}"


def test_key_and_octave_turns_are_exact_transpositions_with_undo_and_redo(folk_engine):
    flat = tune_flat("ode_to_joy")
    a = knobs_of(flat)
    key, octave = FOLK.knob_index("key"), FOLK.knob_index("octave")
    with Client(port=folk_engine, timeout=60) as c:
        load(c, flat)
        for target in range(12):
            if target == a[key]:
                continue
            got = c.request("/sentgen/attr/set", "key", folk.KEY_LABELS[target], until="/sentgen/edit")
            assert got["/sentgen/clip"] == transposed(flat, key_shift(int(a[key]), target)), got
            after = knobs_of(got["/sentgen/clip"])
            assert after[key] == target and np.array_equal(after[:6], a[:6])
            # E -> B is 5 down: the mean pitch crosses into octave 3, which the reply says
            crossed = after[octave] != a[octave]
            assert got["/sentgen/edit"] == ([0, "rule", "also changed: octave", "octave"] if crossed else [1, "rule", ""])
            assert crossed == (target == 11)
            assert c.request("/sentgen/undo", until="/sentgen/clip")["/sentgen/clip"] == flat
        up = c.request("/sentgen/attr/set", "octave", str(folk.LOWEST_OCTAVE + a[octave] + 1), until="/sentgen/edit")
        assert up["/sentgen/clip"] == transposed(flat, 12) and up["/sentgen/edit"][0] == 1
        got = c.request("/sentgen/attrs/set", "octave", 1.0, until="/sentgen/error")      # octave 7: MIDI > 96
        assert "octave" in got["/sentgen/error"][1] and "36..96" in got["/sentgen/error"][1]
        assert c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"] == transposed(flat, 12)
        assert c.request("/sentgen/undo", until="/sentgen/clip")["/sentgen/clip"] == flat
        assert c.request("/sentgen/redo", until="/sentgen/clip")["/sentgen/clip"] == transposed(flat, 12)
        assert "nothing to redo" in c.request("/sentgen/redo", until="/sentgen/error")["/sentgen/error"][1]


def test_switching_between_s2_and_folk_converts_the_clip(folk_engine):
    flat = tune_flat("frere_jacques")
    dm = get_schema("dmelodies")
    with Client(port=folk_engine, timeout=60) as c:
        assert {"s2", "folk"} <= set(c.request("/sentgen/model/list", until="/sentgen/models")["/sentgen/models"])
        load(c, flat)
        got = c.request("/sentgen/model/load", "s2", until="/sentgen/knobs", timeout=60)
        assert [k["name"] for k in decode_knobs(got["/sentgen/knobs"])] == list(dm.names)
        conv = dm.notes_to_tokens(tune_notes("frere_jacques"))
        assert got["/sentgen/clip"] == flat_from_notes(dm.tokens_to_notes(conv.tokens, conv.velocities, conv.mutes))
        assert list(attrs_dict(got["/sentgen/attrs"])) == list(dm.names)
        assert c.request("/sentgen/ping", until="/sentgen/pong")["/sentgen/pong"][1] == "s2"
        back = c.request("/sentgen/model/load", "folk", until="/sentgen/knobs", timeout=60)
        assert decode_knobs(back["/sentgen/knobs"]) == FOLK.describe()
        folk_conv = folk.notes_to_tokens(notes_from_flat(got["/sentgen/clip"]))
        assert back["/sentgen/clip"] == flat_from_notes(folk.tokens_to_notes(folk_conv.tokens, folk_conv.velocities,
                                                                             folk_conv.mutes))
        assert [r[0] for r in attrs_dict(back["/sentgen/attrs"]).values()] == knobs_of(back["/sentgen/clip"]).tolist()


def test_random_on_folk_over_udp(folk_engine):
    with Client(port=folk_engine, timeout=30) as c:
        clips = set()
        for seed in range(5):
            got = c.request("/sentgen/random", seed)
            rows = attrs_dict(got["/sentgen/attrs"])
            assert list(rows) == list(FOLK.names) and all(i >= 0 for i, _, _ in rows.values())
            assert [r[0] for r in rows.values()] == knobs_of(got["/sentgen/clip"]).tolist()
            clips.add(tuple(got["/sentgen/clip"]))
        assert len(clips) == 5


@pytest.fixture(scope="module")
def folk_editor():
    return load_editor(MODELS_DIR / "folk.safetensors", "cpu")


def test_midi_map_follows_the_folk_knobs(make_engine, folk_editor):
    """The default map on a folk engine: CC 20..27 are density .. octave; a CC moves that knob."""
    eng = make_engine(folk_editor, models_dir=MODELS_DIR)
    bridge = MidiBridge(eng, kind="none")                 # the engine's controller, no ports opened
    eng.midi = bridge
    assert [(b.attr, b.cc) for b in bridge.controller.bindings] == [(n, 20 + i) for i, n in enumerate(FOLK.names)]
    flat = tune_flat("twinkle")
    with Client(port=eng.port, timeout=30) as c:
        c.request("/sentgen/hello", c.port, until="/sentgen/knobs")
        load(c, flat)
        cc = 20 + FOLK.knob_index("key")
        bridge.controller.handle_cc(0, cc, 0)              # pick-up: the knob meets the clip's key (C) first
        bridge.controller.handle_cc(0, cc, 127 * 2 // 11)  # then index 2: D
        got = c.wait_for("/sentgen/clip")[1]
        assert got == transposed(flat, 2)
        assert c.wait_for("/sentgen/attrs")[1][4 * FOLK.knob_index("key") + 2] == "D"


def test_sentgen_edit_and_attrs_on_a_real_mid(tmp_path, capsys, make_engine, folk_editor):
    """`sentgen attrs --schema folk` and `sentgen edit --model folk` on a .mid of a real tune; the file and the
    engine (a fresh editor each, one turn) give the same notes: one edit function."""
    src, out = tmp_path / "ode.mid", tmp_path / "out.mid"
    write_midi(src, tune_notes("ode_to_joy"), bpm=108)
    assert cli.main(["attrs", str(src), "--schema", "folk"]) == 0
    text = capsys.readouterr().out
    for name, i in zip(FOLK.names, knobs_of(tune_flat("ode_to_joy"))):
        assert f"{name}: {FOLK.labels[FOLK.knob_index(name)][i]} (index {i}," in text
    a = knobs_of(tune_flat("ode_to_joy"))
    k = FOLK.knob_index("complexity")
    label = FOLK.labels[k][a[k] + 1]
    code = cli.main(["edit", str(src), "--model", "folk", "--device", "cpu", "--set", f"complexity={label}",
                     "-o", str(out)])
    captured = capsys.readouterr()
    eng = make_engine(load_editor(MODELS_DIR / "folk.safetensors", "cpu"), models_dir=MODELS_DIR)
    with Client(port=eng.port, timeout=60) as c:
        load(c, tune_flat("ode_to_joy"))
        got = c.request("/sentgen/attr/set", "complexity", label, until="/sentgen/edit", timeout=60)
    if code == 0:
        assert "model folk: exact edit" in captured.out and f"wrote {out}" in captured.out
        assert "notes kept: " in captured.out
        notes, bpm = read_midi(out)
        assert bpm == 108 and flat_from_notes(notes) == got["/sentgen/clip"]
        after = knobs_of(flat_from_notes(notes))
        assert after[k] == a[k] + 1 and np.array_equal(np.delete(after, k), np.delete(a, k))
    else:
        assert code == 2 and "edit refused" in captured.err and not out.exists()
        assert got["/sentgen/error"][1] in captured.err
    # a rule knob: the exact transposition, said in the report
    assert cli.main(["edit", str(src), "--model", "folk", "--set", "key=G", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "exact edit (rule" in text and "notes kept: 0 of 8" in text
    assert flat_from_notes(read_midi(out)[0]) == transposed(tune_flat("ode_to_joy"), key_shift(int(a[6]), 7))
    assert cli.main(["edit", str(src), "--model", "folk", "--set", "key=H", "-o", str(out)]) == 2
    assert "unknown label 'H' for key" in capsys.readouterr().err


def test_a_folk_session_restarted_with_s2_is_converted_not_set_aside(tmp_path):
    """`make run MODEL=folk`, then `make run MODEL=s2`: the saved folk session's clip comes back on the s2 grid
    (as a model switch converts it); it used to be set aside as "not a valid session" and the engine started
    empty.  Without a model the saved session's model is used."""
    from bridge.engine_process import EngineOptions, start_engine

    def start(model):
        return start_engine(EngineOptions(port=0, model=model, midi="none", device="cpu", state_dir=str(tmp_path),
                                          lookahead=False))
    running = start("folk")
    try:
        with Client(port=running.address[1], timeout=30) as c:
            load(c, tune_flat("frere_jacques"))
    finally:
        running.stop()
    running = start("s2")
    try:
        session = running.engine.session
        assert running.restored and session.schema.name == "dmelodies" and len(session.history) == 1
        dm = get_schema("dmelodies")
        conv = dm.notes_to_tokens(tune_notes("frere_jacques"))
        assert flat_from_notes(session.notes()) == flat_from_notes(dm.tokens_to_notes(conv.tokens, conv.velocities,
                                                                                      conv.mutes))
        assert not list(tmp_path.glob("session.corrupt-*"))
    finally:
        running.stop()
    running = start(None)
    try:
        assert running.restored and running.engine.session.editor.name == "s2"
    finally:
        running.stop()


def test_an_edit_time_budget_refuses_what_it_cannot_finish_and_keeps_the_clip(tmp_path):
    """`sentgen serve --edit-budget-ms`: a learned turn worked out on demand that runs out of its budget is refused
    with that reason and the clip stays; a rule turn (an exact transposition, no search) is still answered."""
    proc, port = start_engine_process(tmp_path, model="folk", device="cpu",
                                      extra=("--no-lookahead", "--edit-budget-ms", "0.001"))
    try:
        flat = tune_flat("frere_jacques")
        before = knobs_of(flat)
        with Client(port=port, timeout=30) as c:
            load(c, flat)
            k = FOLK.names.index("density")
            label = FOLK.labels[k][before[k] + 1]
            got = c.request("/sentgen/attr/set", "density", label, until="/sentgen/edit")
            address, why = got["/sentgen/error"]
            assert address == "/sentgen/attr/set" and "time budget" in why, why
            assert c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"] == flat
            got = c.request("/sentgen/attr/set", "key", "D", until="/sentgen/edit")
            assert got["/sentgen/clip"] == transposed(flat, 2)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except Exception:
            proc.kill()


def _send_during_edit(eng, c, *messages):
    """Make the next model stage of an edit send `messages` and wait until the last is queued (the
    network thread has it) before it runs: they arrive while the edit is being worked out."""
    editor = eng.session.editor
    real = editor._consider

    def consider(*args, **kw):
        editor._consider = real                       # once
        for address, *values in messages:
            c.send(address, *values)
        deadline = time.monotonic() + 10
        while len(eng._queue) < len(messages):
            assert time.monotonic() < deadline, "the requests were not queued"
            time.sleep(0.001)
        return real(*args, **kw)
    editor._consider = consider


def _one_bin_either_way(tune: str, knob: str):
    """A tune of TUNES, the knob's index, the tune's knobs, and the knob's labels one bin down and up."""
    flat = tune_flat(tune)
    k, a = FOLK.names.index(knob), knobs_of(flat)
    return flat, k, a, FOLK.labels[k][a[k] - 1], FOLK.labels[k][a[k] + 1]


def test_a_knob_move_being_worked_out_gives_way_to_a_newer_move_of_the_same_knob(make_engine, folk_editor):
    """Twinkle's density one bin down takes the whole search (seconds) and is refused; a newer density move
    that comes meanwhile wins: the first is given up at the search's next check, its sender hears the newer
    move's answer (one reply), and the clip has only that edit."""
    eng = make_engine(folk_editor, models_dir=MODELS_DIR)
    flat, k, a, down, up = _one_bin_either_way("twinkle", "density")
    with Client(port=eng.port, timeout=60) as c:
        load(c, flat)
        _send_during_edit(eng, c, ("/sentgen/attr/set", "density", up))
        c.send("/sentgen/attr/set", "density", down)
        got = c.wait_for("/sentgen/clip")[1]                  # the state comes first, then the edit's report
        address, args = c.wait_for("/sentgen/edit", "/sentgen/error")
        assert address == "/sentgen/edit" and args[0] == 1, args
        assert knobs_of(got)[k] == a[k] + 1 and np.array_equal(np.delete(knobs_of(got), k), np.delete(a, k))
        wait_idle(eng, 30)
        assert eng.stats["coalesced"] == 1 and eng.stats["edits"] == 1
        assert len(eng.session.history) == 2                 # the loaded clip and the newer move's edit
        assert c.request("/sentgen/undo", until="/sentgen/clip")["/sentgen/clip"] == flat


def test_a_newer_move_after_another_request_does_not_cut_the_edit_short(make_engine, folk_editor):
    """A request between the two moves (here /sentgen/attrs/get) keeps their order: the first move's edit is
    worked out to its end and answered, then the newer move is answered on its result."""
    eng = make_engine(folk_editor, models_dir=MODELS_DIR)
    flat, k, a, down, up = _one_bin_either_way("ode_to_joy", "range")
    with Client(port=eng.port, timeout=60) as c:
        load(c, flat)
        _send_during_edit(eng, c, ("/sentgen/attrs/get",), ("/sentgen/attr/set", "range", up))
        c.send("/sentgen/attr/set", "range", down)
        first = c.wait_for("/sentgen/clip")[1]
        assert knobs_of(first)[k] == a[k] - 1
        assert c.wait_for("/sentgen/attrs")[1][4 * k + 2] == down     # the attrs/get, after the first edit
        second = c.wait_for("/sentgen/clip")[1]
        assert knobs_of(second)[k] == a[k] + 1
        wait_idle(eng, 30)
        assert eng.stats["coalesced"] == 0 and eng.stats["edits"] == 2
