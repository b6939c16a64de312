"""Knob turns answered from the lookahead (engine in-process, real UDP, the real model)."""
import time

import pytest

from engine.attributes import COUNTS, LABELS, NAMES, parse
from engine.clip import notes_from_flat, notes_to_tokens

from bridge.osc_client import Client, build
from bridge.osc_server import load_editor
from tests.bridge.conftest import attrs_dict, melody_flat, wait_idle

STATE_AND_EDIT = ["/sentgen/clip", "/sentgen/attrs", "/sentgen/original", "/sentgen/edit"]


def wait_ready(engine, timeout=60.0):
    """Until every one-knob reply of the current clip is built."""
    want = sum(int(n) - 1 for n in COUNTS)
    deadline = time.monotonic() + timeout
    while True:
        entry = engine._ready.get(id(engine.session.current())) if engine.session.has_clip else None
        if entry is not None and entry["snap"] is engine.session.current() and len(entry["answers"]) == want:
            return
        assert time.monotonic() < deadline, "the lookahead did not finish"
        time.sleep(0.01)


def attrs_of(flat):
    return parse(notes_to_tokens(notes_from_flat(flat)).tokens)[0]


def test_ready_knob_turns_reply_like_the_worker_and_commit_the_step(make_engine, model_path):
    eng = make_engine(load_editor(model_path, "cpu"), lookahead=True)
    with Client(port=eng.port, timeout=30) as c, Client(port=eng.port, timeout=30) as other:
        other.request("/sentgen/hello", other.port, until="/sentgen/original")      # a second surface
        c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
        loaded = c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"]
        wait_ready(eng)
        other.drain(0.05)                                  # it heard everything so far too
        served = eng.stats["ready"]
        c.send("/sentgen/attr/set", "scale", "blues")
        got = [c.recv() for _ in range(4)]
        assert [a for a, _ in got] == STATE_AND_EDIT
        assert eng.stats["ready"] == served + 1, "answered from the lookahead"
        clip, attrs, edit = got[0][1], attrs_dict(got[1][1]), got[3][1]
        assert attrs["scale"][1] == "blues" and attrs_of(clip)[2] == 2 and edit[0] == 1
        assert [a for a, _ in [other.recv() for _ in range(4)]] == STATE_AND_EDIT, "every surface hears it"
        wait_idle(eng)
        # the step is in the session: state, history, undo
        assert c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"] == clip
        assert c.request("/sentgen/undo", until="/sentgen/clip")["/sentgen/clip"] == loaded
        wait_idle(eng)                                     # (while the worker is busy, knobs queue up)
        # back on a clip whose replies are still built: another ready answer, of the same edit
        c.send("/sentgen/attr/set", "scale", "blues")
        assert c.wait_for("/sentgen/edit")[1][0] == 1 and eng.stats["ready"] == served + 2
        wait_idle(eng)
        assert c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"] == clip


def test_a_ready_turn_the_worker_takes_sends_the_same_replies_after_recording_the_step(make_engine, model_path):
    """A knob turn the network thread does not answer (here: over MIDI) still finds its replies ready."""
    from bridge.state import StateFile
    eng = make_engine(load_editor(model_path, "cpu"), lookahead=True)
    with Client(port=eng.port, timeout=30) as c:
        c.request("/sentgen/hello", c.port, until="/sentgen/original")
        c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
        wait_ready(eng)
        c.drain(0.05)
        entry = eng._ready[id(eng.session.current())]
        built = entry["answers"][(NAMES.index("scale"), 2)][1]
        served, steps = eng.stats["ready"], len(eng.session.history)
        eng.midi_knob("scale", 1.0)                       # the last of three scales: blues
        got = [c.recv() for _ in range(4)]
        assert [a for a, _ in got] == STATE_AND_EDIT and eng.stats["ready"] == served + 1
        assert attrs_dict(got[1][1])["scale"][1] == "blues" and built[3].startswith(b"/sentgen/edit")
        wait_idle(eng)
        assert len(eng.session.history) == steps + 1 and eng.current_attrs[2] == 2       # committed, published
        saved = StateFile(eng.state_file.path).read()
        assert saved["position"] == eng.session.position and len(saved["history"]) == steps + 1


def test_stats_say_while_the_engine_looks_ahead(make_engine, model_path):
    """/sentgen/stats' last field is 1 until every one-knob reply of the clip is built (the bench waits for 0)."""
    from bridge.latency import engine_stats, wait_looked_ahead
    eng = make_engine(load_editor(model_path, "cpu"), lookahead=True)
    with Client(port=eng.port, timeout=30) as c:
        c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
        assert engine_stats(c)["looking_ahead"] == 1
        wait_looked_ahead(c, timeout=60)
        wait_ready(eng, timeout=0)                        # the replies are all built by then
        c.request("/sentgen/attr/set", "scale", "minor", until="/sentgen/edit")
        assert engine_stats(c)["looking_ahead"] == 1      # a new clip: work to do again


def test_what_is_not_ready_goes_to_the_worker(make_engine, model_path):
    eng = make_engine(load_editor(model_path, "cpu"), lookahead=True)
    with Client(port=eng.port, timeout=30) as c:
        c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
        wait_ready(eng)
        current = attrs_dict(c.request("/sentgen/attrs/get")["/sentgen/attrs"])
        served = eng.stats["ready"]
        c.send("/sentgen/attr/set", "scale", "dorian")                      # a bad label: the worker's error
        assert "unknown label" in c.wait_for("/sentgen/error")[1][1]
        c.send("/sentgen/attr/set", "tonic", current["tonic"][1])           # already there: unchanged
        assert c.wait_for("/sentgen/edit")[1][1] == "unchanged"
        c.send("/sentgen/attrs/set", "tonic", "D", "scale", "minor")        # two knobs: computed on demand
        assert c.wait_for("/sentgen/edit", "/sentgen/error")[0] == "/sentgen/edit"
        assert eng.stats["ready"] == served
        k = NAMES.index("octave")
        other = next(label for label in LABELS[k] if label != current["octave"][1])
        c.send("/sentgen/attr/set", "octave", other)      # the clip just changed: its replies are not built yet
        assert c.wait_for("/sentgen/edit")[1][0] in (0, 1) and eng.stats["ready"] == served


def test_ready_replies_in_use_are_the_last_evicted(model_path):
    """Turn, undo, turn ...: each result's replies get built, and the clip returned to keeps its own."""
    from engine.session import Session
    from bridge.osc_server import READY_CLIPS, Engine
    eng = Engine(Session(load_editor(model_path, "cpu")), port=0, lookahead=True)   # not started: steps by hand
    s = eng.session
    s.set_clip(melody_flat())
    while s.lookahead() or eng._build_ready():
        pass
    home = s.current()
    current = int(s.attrs()[0])
    for i in range(READY_CLIPS + 2):
        label = LABELS[0][(current + 1 + i % 11) % 12]
        assert eng._answer_ready("/sentgen/attr/set", ("tonic", label), None), f"turn {i} was not ready"
        kind, _, payload, sender = eng._queue.popleft()
        assert kind == "do_commit"
        eng.do_commit(payload, sender)
        s.lookahead()
        eng._build_ready()                         # the result's first replies: a new entry
        s.undo()
        assert s.current() is home


@pytest.mark.parametrize("where", ["model stage", "reply"])
def test_a_request_that_comes_while_looking_ahead_starts_before_the_next_piece_of_it(make_engine, model_path, where):
    """The lookahead gives way: a knob turn queued during one of its pieces (a model stage of a chunk of
    edits, or one ready reply being built) is started right after that piece, before any other."""
    eng = make_engine(load_editor(model_path, "cpu"), lookahead=True)
    events = []
    editor, session = eng.session.editor, eng.session
    consider, preview, do_knob = editor._consider, session.preview, eng.do_knob
    with Client(port=eng.port, timeout=30) as c:
        turn = build("/sentgen/attr/set", "octave", "5")

        def piece(name, real):
            def run(*args, **kw):
                if events or name != where:           # (before the turn is sent: nothing to record)
                    events.extend([name] if events else [])
                    return real(*args, **kw)
                c.send_raw(turn)                           # a request arrives during this piece ...
                deadline = time.monotonic() + 10
                while not eng._queue:                      # ... and is queued by the network thread
                    assert time.monotonic() < deadline, "the turn was not queued"
                    time.sleep(0.001)
                events.append("queued")
                out = real(*args, **kw)
                events.append("piece done")
                return out
            return run
        editor._consider = piece("model stage", consider)
        session.preview = piece("reply", preview)
        eng.do_knob = lambda *a: (events.append("request"), do_knob(*a))
        try:
            c.send("/sentgen/clip/set", *melody_flat())    # no model work: the lookahead starts 5 ms later
            c.wait_for("/sentgen/edit")                    # the clip's
            assert c.wait_for("/sentgen/edit", timeout=60)[1][0] == 1, "the turn's"
        finally:
            del editor._consider
        i = events.index("piece done")
        assert events[i + 1] == "request", f"lookahead work between the turn's arrival and its start: {events[:i + 2]}"
        assert eng.stats["lookahead_yielded"] >= 1
        wait_ready(eng)                                    # and the lookahead is done again later


def test_the_engine_process_freezes_what_it_keeps_once_a_clip_is_looked_ahead(make_engine, model_path):
    """freeze_gc (set by the engine process): when the lookahead has finished a clip, what the engine keeps
    is moved out of the collector's reach, so a full collection no longer walks it in one long pause."""
    import gc
    eng = make_engine(load_editor(model_path, "cpu"), lookahead=True)
    eng.freeze_gc = True
    gc.unfreeze()
    try:
        with Client(port=eng.port, timeout=30) as c:
            c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
            wait_ready(eng)
            kept = eng.session.current().tokens            # a list the engine keeps
            deadline = time.monotonic() + 10
            while any(o is kept for o in gc.get_objects()):   # frozen: in no generation of the collector
                assert time.monotonic() < deadline, "not frozen after the lookahead finished"
                time.sleep(0.05)
    finally:
        gc.unfreeze()                                      # the test process's own objects go back to the collector


def _engine_process(tmp_path, model_path):
    from bridge.engine_process import EngineOptions, start_engine
    return start_engine(EngineOptions(port=0, model=str(model_path), device="cpu", midi="none",
                                      state_dir=str(tmp_path)))


def test_the_engine_process_looks_ahead_in_a_lower_priority_process(tmp_path, model_path):
    """In the engine process no lookahead edit runs in the engine itself (its model work would hold the GIL a
    request needs): a child process at a lower priority works them out, and the worker builds their replies."""
    import os
    running = _engine_process(tmp_path, model_path)
    eng = running.engine
    helper = eng.lookahead_process
    try:
        in_engine = []
        edit_many = eng.session.editor.edit_many
        eng.session.editor.edit_many = lambda *a, **kw: (in_engine.append(a), edit_many(*a, **kw))[1]
        assert helper is not None and helper.proc.poll() is None
        if hasattr(os, "getpriority"):
            assert os.getpriority(os.PRIO_PROCESS, helper.proc.pid) > os.getpriority(os.PRIO_PROCESS, 0)
        with Client(port=eng.port, timeout=30) as c:
            c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
            wait_ready(eng)
            # the replies and steps it made are those the worker makes (Session.preview, edit_replies)
            from bridge.server.replies import edit_replies
            entry = eng._ready[id(eng.session.current())]
            for key, (outcome, messages, step) in entry["answers"].items():
                clip, attrs, edit = edit_replies(*eng.session.preview(outcome), outcome)
                assert messages == [clip, attrs, eng.original_message(), edit], key
                assert eng.session.step_of(outcome) is step and step.tokens == outcome.tokens.tolist()
            served = eng.stats["ready"]
            c.send("/sentgen/attr/set", "scale", "blues")
            assert c.wait_for("/sentgen/edit")[1][0] == 1 and eng.stats["ready"] == served + 1
        assert in_engine == [], "lookahead edits ran in the engine process"
    finally:
        running.stop()
    assert helper.proc.poll() is not None, "the lookahead process outlived the engine"


def test_without_its_lookahead_process_the_engine_looks_ahead_itself(tmp_path, model_path):
    """The lookahead process killed: the worker takes the lookahead over (nothing waits for a dead child)."""
    import signal
    running = _engine_process(tmp_path, model_path)
    eng = running.engine
    try:
        eng.lookahead_process.proc.send_signal(signal.SIGKILL)
        with Client(port=eng.port, timeout=30) as c:
            c.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
            wait_ready(eng)
            assert eng.lookahead_process is None
            c.send("/sentgen/attr/set", "scale", "blues")
            assert c.wait_for("/sentgen/edit")[1][0] == 1
    finally:
        running.stop()


def test_the_lookahead_process_keeps_the_first_passs_budget_and_says_what_ran_out_of_time(model_path):
    """A first-pass job (Session.lookahead_job: a budget) goes to the child with its budget; a turn that ran out of
    time comes back saying so (the session then leaves it to the second pass instead of filing a refusal)."""
    import dataclasses
    import queue

    from bridge.server.lookahead_process import LookaheadProcess
    from engine.session import Session
    answers = queue.Queue()
    helper = LookaheadProcess(lambda job_id, outcomes, error: answers.put((job_id, outcomes, error)),
                              lambda job_id, built: None)
    try:
        s = Session(load_editor(str(model_path)))
        s.set_clip(melody_flat())
        job = s.lookahead_job()
        assert job.budget_s is not None                    # the first pass's
        for job_id, budget_s in ((1, -1.0), (2, 60.0)):
            sent = dataclasses.replace(job, budget_s=budget_s)
            assert helper.submit(job_id, str(model_path), sent)
            got_id, outcomes, error = answers.get(timeout=60)
            assert got_id == job_id and error is None and len(outcomes) == len(job.part)
            assert all(o.out_of_time for o in outcomes) == (job_id == 1)
            assert all(o.tokens is None for o in outcomes) == (job_id == 1)
    finally:
        helper.close()
