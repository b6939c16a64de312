"""The session survives kill -9 (engine subprocess), corrupt files are set aside, the file format is Session's."""
import json
import signal
import time

import pytest

from engine.session import Session

from bridge.engine_process import EngineOptions, start_engine
from bridge.latency import start_engine_process
from bridge.osc_client import Client
from bridge.state import StateFile
from tests.bridge.conftest import OracleEditor, melody_flat, wait_idle

A = [0, 0, 0, 3, 5, 0, 0, 0, 0]
B = [4, 1, 1, 10, 20, 1, 0, 1, 0]


def clip(c):
    return c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"]


def test_kill9_during_edit_then_restart(tmp_path, model_path):
    proc, port = start_engine_process(tmp_path, model=str(model_path), device="cpu")
    try:
        with Client(port=port, timeout=30) as c:
            c.request("/sentgen/clip/set", *melody_flat(A), until="/sentgen/edit")
            clip_a = clip(c)
            c.request("/sentgen/clip/set", *melody_flat(B), until="/sentgen/edit")
            clip_b = clip(c)
            for i in range(30):                           # a stream of edits: the kill lands in the middle
                c.send("/sentgen/attrs/set", "scale", ["minor", "major"][i % 2], "arp_chord3", ["down", "up"][i % 2])
            time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    saved = StateFile(tmp_path / "session.json").read()
    assert saved is not None and saved["position"] >= 1

    proc, port = start_engine_process(tmp_path, model=str(model_path), device="cpu")
    try:
        with Client(port=port, timeout=30) as c:
            steps = 0
            while "/sentgen/clip" in c.request("/sentgen/undo", until="/sentgen/original"):
                steps += 1                                 # back through the edits that finished before the kill
                assert steps <= 31
            assert clip(c) == clip_a, "the history's first step is the first clip"
            assert steps >= 1
            assert c.request("/sentgen/redo", until="/sentgen/original")["/sentgen/clip"] == clip_b
            assert c.request("/sentgen/original/get", until="/sentgen/original")["/sentgen/original"] == clip_b
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("content", ["{not json", '{"version": 1, "history": [{"tokens": [99]}], "position": 0}',
                                     '["a list"]', ""])
def test_corrupt_session_file_is_set_aside(tmp_path, model_path, content):
    (tmp_path / "session.json").write_text(content)
    running = start_engine(EngineOptions(port=0, model=str(model_path), device="cpu", midi="none",
                                         state_dir=str(tmp_path)))
    try:
        assert not running.restored and not running.engine.session.has_clip
        assert list(tmp_path.glob("session.corrupt-*.json"))
        with Client(port=running.engine.port) as c:
            c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
        wait_idle(running.engine)                        # (written before the reply; a barrier anyway)
        assert StateFile(tmp_path / "session.json").read()["position"] == 0
    finally:
        running.stop()


def test_state_file_is_session_to_dict(tmp_path):
    s = Session(OracleEditor())
    f = StateFile(tmp_path / "s.json")
    s.set_clip(melody_flat())
    for label in ("D", "E", "F"):
        s.set_attrs({"tonic": label})
        f.save(s)
    s.undo()
    f.save(s)
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved.pop("journal") and saved == json.loads(json.dumps(s.to_dict()))
    restored = Session(OracleEditor())
    restored.restore(StateFile(tmp_path / "s.json").read())
    assert restored.notes() == s.notes() and restored.position == s.position
    assert not list(tmp_path.glob(".*tmp*"))


def _states(session):
    """A run of changes of every kind, yielding Session.to_dict() after each."""
    session.set_clip(melody_flat(A))
    yield session.to_dict()
    for label in ("D", "E", "F", "G"):
        session.set_attrs({"tonic": label})
        yield session.to_dict()
    session.undo()
    session.undo()
    yield session.to_dict()
    session.set_attrs({"scale": "minor"})                  # drops the redo steps
    yield session.to_dict()
    session.set_clip(melody_flat(B))                       # a new original
    yield session.to_dict()
    session.bpm = 97.0
    yield session.to_dict()


def test_the_journal_replays_every_kind_of_change(tmp_path):
    f = StateFile(tmp_path / "s.json")
    for want in _states(Session(OracleEditor())):
        f.record(want)
        assert StateFile(tmp_path / "s.json").read() == json.loads(json.dumps(want))
    assert len((tmp_path / "s.journal").read_text().splitlines()) == 8, "one full write, then a line per change"


def test_the_journal_replays_a_step_added_again_and_skips_no_change(tmp_path):
    """A looked-ahead step is one object, added again after an undo (Session.step_of): the journal's
    identity-based delta must still replay to the same history.  A record that changes nothing adds no line."""
    s, f = Session(OracleEditor()), StateFile(tmp_path / "s.json")
    s.set_clip(melody_flat(A))
    f.record(s.to_dict())
    outcomes = [s.editor.edit(s.current().as_arrays()[0], {0: v}) for v in (2, 7)]
    for o in outcomes:
        s.preview(o)                                        # as the engine builds a ready reply
    for o in outcomes + outcomes:
        s.apply({0: int(o.attrs[0])}, o)
        f.record(s.to_dict())
        s.undo()
        f.record(s.to_dict())
    step = s.step_of(outcomes[0])
    s.apply({0: 2}, outcomes[0])
    assert s.current() is step
    f.record(s.to_dict())
    lines = len((tmp_path / "s.journal").read_text().splitlines())
    f.record(s.to_dict())
    assert len((tmp_path / "s.journal").read_text().splitlines()) == lines == 9
    assert StateFile(tmp_path / "s.json").read() == json.loads(json.dumps(s.to_dict()))


def test_history_trimmed_at_the_front_and_compaction(tmp_path, monkeypatch):
    from engine import session as session_module
    from bridge import state as state_module
    monkeypatch.setattr(session_module, "HISTORY_LIMIT", 3)
    monkeypatch.setattr(state_module, "COMPACT_EVERY", 4)
    s, f = Session(OracleEditor()), StateFile(tmp_path / "s.json")
    s.set_clip(melody_flat(A))
    generations = set()
    for label in ("D", "E", "F", "G", "A", "B", "C", "D#"):
        s.set_attrs({"tonic": label})
        f.record(s.to_dict())
        if f.compact_due():                                        # as the engine does when idle
            f.compact()
        generations.add(json.loads((tmp_path / "s.json").read_text())["journal"])
        assert StateFile(tmp_path / "s.json").read() == json.loads(json.dumps(s.to_dict()))
    assert len(s.history) == 3 and len(generations) == 2          # full writes at the first and after the fifth


def test_without_idle_time_the_journal_is_compacted_at_its_limit(tmp_path, monkeypatch):
    from bridge import state as state_module
    monkeypatch.setattr(state_module, "COMPACT_EVERY", 2)
    monkeypatch.setattr(state_module, "COMPACT_LIMIT", 4)
    s, f = Session(OracleEditor()), StateFile(tmp_path / "s.json")
    s.set_clip(melody_flat(A))
    f.record(s.state())
    lines = []
    for label in ("D", "E", "F", "G", "A", "B"):
        s.set_attrs({"tonic": label})
        f.record(s.state())
        lines.append(len(f.journal_path.read_bytes().splitlines()))
        assert StateFile(tmp_path / "s.json").read() == json.loads(json.dumps(s.to_dict()))
    assert lines == [1, 2, 3, 4, 0, 1]            # never compacted by record() before the limit


def test_a_cut_last_line_or_a_stale_journal_loses_only_that_change(tmp_path):
    f = StateFile(tmp_path / "s.json")
    states = list(_states(Session(OracleEditor())))
    for st in states:
        f.record(st)
    journal = tmp_path / "s.journal"
    text = journal.read_bytes()
    journal.write_bytes(text[:-7])                                  # kill -9 in the middle of the last write
    assert StateFile(tmp_path / "s.json").read() == json.loads(json.dumps(states[-2]))
    journal.write_bytes(text.replace(b'"journal":"', b'"journal":"old'))   # lines of an older generation
    assert StateFile(tmp_path / "s.json").read() == json.loads(json.dumps(states[0]))


def test_engine_restores_saved_session_in_process(tmp_path, model_path):
    opts = EngineOptions(port=0, model=str(model_path), device="cpu", midi="none", state_dir=str(tmp_path))
    running = start_engine(opts)
    try:
        with Client(port=running.engine.port) as c:
            c.request("/sentgen/clip/set", *melody_flat(A), until="/sentgen/edit")
            c.request("/sentgen/clip/set", *melody_flat(B), until="/sentgen/edit")
            before = clip(c)
    finally:
        running.stop()
    running = start_engine(opts)
    try:
        assert running.restored and "restored, 2 step(s)" in running.describe()
        with Client(port=running.engine.port) as c:
            assert clip(c) == before
            assert c.request("/sentgen/undo", until="/sentgen/original")
    finally:
        running.stop()


def _python_lines(fn) -> int:
    """How many Python lines `fn()` runs (line events, loop iterations included): work that a C-level pass does
    not show, and that does not depend on the machine's speed or load."""
    import sys
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return trace
    sys.settrace(trace)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def test_a_ready_turns_journal_line_costs_the_same_whatever_the_history(tmp_path):
    """The line a ready knob turn writes before its replies (Engine._save(step), on the network thread) does
    Python work that grows with the change, not with the history (it was a to_dict() of every step)."""
    from engine.attributes import parse
    from engine.session import EditOutcome
    from bridge.osc_server import Engine
    from tests.bridge.conftest import melody
    lines = {}
    for steps in (4, 200):
        s = Session(OracleEditor())
        s.set_clip(melody_flat(A))
        eng = Engine(s, state_file=StateFile(tmp_path / f"{steps}" / "s.json"), port=0)
        (tmp_path / f"{steps}").mkdir()
        eng._save()
        for i in range(steps - 1):
            s.set_attrs({"tonic": ("D", "E")[i % 2]})
            eng._save()
        f = parse(s.current().as_arrays()[0])[0].copy()
        f[0] = 7
        out = melody(f)
        step = s.step_of(EditOutcome(out, True, parse(out)[0], "", 1, "oracle"))
        lines[steps] = _python_lines(lambda: eng._save(step))
        assert len(s.history) == steps
        s.apply({0: 7}, EditOutcome(out, True, parse(out)[0], "", 1, "oracle"))
        assert StateFile(tmp_path / f"{steps}" / "s.json").read() == json.loads(json.dumps(s.to_dict()))
    assert lines[200] == lines[4], lines
