"""The caches keyed by object identity and their contract (bridge/osc_server.py, Engine's docstring): an equal
copy of a snapshot is a miss (slower, never wrong), and the state file's journal does not depend on
Session.to_dict() handing out each snapshot's own __dict__."""
from __future__ import annotations

import copy
import json

from engine.session import Session

from bridge.osc_client import Client
from bridge.osc_server import load_editor
from bridge.osc_wire import unpack
from bridge.state import StateFile
from tests.bridge.conftest import OracleEditor, attrs_dict, melody_flat, wait_idle
from tests.bridge.test_lookahead import STATE_AND_EDIT, wait_ready
from tests.bridge.test_persistence import _states


def _journal_run(tmp_path, name, copies: bool):
    """Record the run of changes of test_persistence, each state's history as equal copies when `copies`;
    returns (journal lines, what the file reads back as, the last state)."""
    f = StateFile(tmp_path / name / "session.json")
    (tmp_path / name).mkdir()
    last = None
    for st in _states(Session(OracleEditor())):
        if copies:
            st = {**st, "history": [copy.deepcopy(s) for s in st["history"]]}
        f.record(st)
        last = json.loads(json.dumps(st))
    f.close()
    lines = f.journal_path.read_bytes().splitlines()
    return lines, f.read(), last


def _plain(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "journal"}


def test_equal_copies_of_the_history_still_give_one_journal_line_per_change(tmp_path):
    """Session.to_dict() handing out copies of the snapshots (equal, not the same objects) must not turn
    every change into a full rewrite of session.json, nor lose or change anything."""
    same_lines, same_read, same_last = _journal_run(tmp_path, "same", copies=False)
    copy_lines, copy_read, copy_last = _journal_run(tmp_path, "copies", copies=True)
    assert same_lines, "the run writes journal lines"
    assert len(copy_lines) == len(same_lines), "equal copies: the same journal lines, no full rewrites"
    assert [json.loads(line) | {"journal": ""} for line in copy_lines] == \
           [json.loads(line) | {"journal": ""} for line in same_lines]
    assert _plain(copy_read) == _plain(same_read) == _plain(copy_last) == _plain(same_last)


def test_an_equal_copy_of_the_current_snapshot_misses_the_ready_replies_and_gives_the_same_answer(make_engine, model_path):
    """The ready replies (keyed by id(snapshot), checked with `is`) and the state messages memo: an equal copy
    of the current snapshot finds neither; the knob turn goes to the worker and answers exactly as the
    ready reply would have (same messages), never an unrelated error."""
    eng = make_engine(load_editor(model_path, "cpu"), lookahead=True)
    with Client(port=eng.port, timeout=30) as c:
        c.request("/sentgen/hello", c.port, until="/sentgen/original")
        c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
        wait_ready(eng)
        wait_idle(eng)
        c.drain(0.05)
        snap = eng.session.current()
        entry = eng._ready[id(snap)]
        ready_answer = next(ans for (k, v), ans in entry["answers"].items()
                            if eng.session.schema.names[k] == "scale" and v == 2)
        ready_messages = ready_answer[1]
        clip_before = c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"]
        # the worker is idle and the lookahead done: swap the current step for an equal copy
        eng.session.history[eng.session.position] = twin = copy.deepcopy(snap)
        assert twin == snap and twin is not snap
        served = eng.stats["ready"]
        assert c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"] == clip_before
        c.send("/sentgen/attr/set", "scale", "blues")
        got = [c.recv() for _ in range(4)]
        assert [a for a, _ in got] == STATE_AND_EDIT, got
        assert eng.stats["ready"] == served, "an equal copy is not the snapshot the replies were built for"
        assert attrs_dict(got[1][1])["scale"][1] == "blues"
        assert [(a, list(args)) for a, args in (unpack(m)[0] for m in ready_messages)] == \
               [(a, list(args)) for a, args in got], "the same four messages as the ready reply"
        wait_idle(eng)
        assert eng.session.current() == ready_answer[2]
