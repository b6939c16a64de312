"""The session state and the files the engine writes, under bad conditions: a journal line that does not
validate, a full disk, a kill -9 right after a ready reply, links planted in the export folder."""
import errno
import json
import logging
import os
import signal
import threading

import pytest

from engine.session import Session

from bridge.engine_process import EngineOptions, start_engine
from bridge.latency import start_engine_process, wait_looked_ahead
from bridge.osc_client import Client
from bridge.state import StateFile
from tests.bridge.conftest import OracleEditor, melody_flat
from tests.bridge.test_persistence import A, _states, clip


def _recorded(tmp_path):
    """A state file holding a run of changes (one full write, then one journal line each); the states."""
    f = StateFile(tmp_path / "session.json")
    states = []
    for st in _states(Session(OracleEditor())):
        f.record(st)
        states.append(json.loads(json.dumps(st)))
    f.close()
    return states


def _corrupt(line: dict, how: str):
    if how == "tokens":
        line["add"][0]["tokens"][3] = 99
    elif how == "position":
        line["position"] = 9999
    elif how == "drop":
        line["drop"] = -1
    elif how == "bpm":
        line["bpm"] = 1e9
    elif how == "not json":
        return b'{"journal": "x", "drop"'
    return json.dumps(line).encode()


# --- defect 3: one bad journal line ------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["tokens", "position", "drop", "not json"])
def test_a_bad_journal_line_keeps_every_change_before_it(tmp_path, caplog, how):
    states = _recorded(tmp_path)
    journal = tmp_path / "session.journal"
    lines = journal.read_bytes().splitlines(keepends=True)
    assert len(lines) == len(states) - 1 == 8
    lines[3] = _corrupt(json.loads(lines[3]), how) + b"\n"           # line 4: the change to states[4]
    journal.write_bytes(b"".join(lines))
    whole = journal.read_bytes()
    with caplog.at_level(logging.WARNING, "sentgen.engine"):
        read = StateFile(tmp_path / "session.json").read()
    assert read == states[3], "every change before the bad line is restored, none after it"
    assert "line 4 does not validate" in caplog.text
    kept = list(tmp_path.glob("session.corrupt-*.journal"))
    assert len(kept) == 1 and kept[0].read_bytes() == whole, "the journal is kept aside whole"
    # the next change rewrites session.json and the journal; the copy aside stays whole
    f = StateFile(tmp_path / "session.json")
    s = Session(OracleEditor())
    s.restore(read)
    s.set_attrs({"tonic": "A"})
    f.record(s.to_dict())
    assert kept[0].read_bytes() == whole
    assert StateFile(tmp_path / "session.json").read() == json.loads(json.dumps(s.to_dict()))


def test_the_engine_restores_up_to_a_bad_line(tmp_path, model_path, caplog):
    """End to end (issue 11, defect 3): a tokens value 99 in one line no longer empties the session."""
    states = _recorded(tmp_path)
    journal = tmp_path / "session.journal"
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[5] = _corrupt(json.loads(lines[5]), "tokens") + b"\n"      # line 6: the scale edit
    journal.write_bytes(b"".join(lines))
    opts = EngineOptions(port=0, model=str(model_path), device="cpu", midi="none", state_dir=str(tmp_path),
                         lookahead=False)
    with caplog.at_level(logging.WARNING, "sentgen.engine"):
        running = start_engine(opts)
    try:
        assert running.restored and running.engine.session.to_dict()["history"] == states[5]["history"]
        assert "line 6 does not validate" in caplog.text
        with Client(port=running.engine.port) as c:
            c.request("/sentgen/undo", until="/sentgen/original")
    finally:
        running.stop()
    kept = list(tmp_path.glob("session.corrupt-*.journal"))
    assert len(kept) == 1 and len(kept[0].read_bytes().splitlines()) == 8


def test_a_cut_last_line_is_not_set_aside(tmp_path, caplog):
    states = _recorded(tmp_path)
    journal = tmp_path / "session.journal"
    journal.write_bytes(journal.read_bytes()[:-9])                   # a kill -9 while writing the last line
    with caplog.at_level(logging.WARNING, "sentgen.engine"):
        assert StateFile(tmp_path / "session.json").read() == states[-2]
    assert "cut short" in caplog.text and not list(tmp_path.glob("session.corrupt-*"))


def test_lines_of_another_generation_are_logged(tmp_path, caplog):
    states = _recorded(tmp_path)
    journal = tmp_path / "session.journal"
    journal.write_bytes(journal.read_bytes().replace(b'"journal":"', b'"journal":"old'))
    with caplog.at_level(logging.WARNING, "sentgen.engine"):
        assert StateFile(tmp_path / "session.json").read() == states[0]
    assert "8 line(s) not of the generation" in caplog.text


@pytest.mark.parametrize("content, why", [
    ("{}", "field 'history' missing"),
    ('{"version": 1, "bpm": 1e9, "position": -1, "history": []}', "bpm must be a number in 20..400"),
    ('{"version": 1, "position": true, "history": []}', "position True"),
])
def test_a_session_file_that_does_not_validate_is_set_aside_and_logged(tmp_path, model_path, caplog, content, why):
    (tmp_path / "session.json").write_text(content)
    (tmp_path / "session.journal").write_text('{"journal":"x","drop":0,"keep":0,"add":[]}\n')
    with caplog.at_level(logging.WARNING, "sentgen.engine"):
        running = start_engine(EngineOptions(port=0, model=str(model_path), device="cpu", midi="none",
                                             state_dir=str(tmp_path), lookahead=False))
    try:
        assert not running.restored and running.engine.session.bpm == 120.0
        assert why in caplog.text and "starting with an empty session" in caplog.text
        assert list(tmp_path.glob("session.corrupt-*.json")) and list(tmp_path.glob("session.corrupt-*.journal"))
    finally:
        running.stop()


def test_a_journal_line_with_a_bad_bpm_stops_the_replay(tmp_path):
    states = _recorded(tmp_path)
    journal = tmp_path / "session.journal"
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[-1] = _corrupt(json.loads(lines[-1]), "bpm") + b"\n"
    journal.write_bytes(b"".join(lines))
    assert StateFile(tmp_path / "session.json").read() == states[-2]


# --- defect 4: a full disk ----------------------------------------------------------------------------------
class FullDisk:
    """os.write / os.replace fail with ENOSPC while `on` is set (a short write first, as a real disk does)."""

    def __init__(self, monkeypatch):
        self.on = threading.Event()
        self._write, self._replace = os.write, os.replace
        monkeypatch.setattr(os, "write", self.write)
        monkeypatch.setattr(os, "replace", self.replace)

    def write(self, fd, data):
        if self.on.is_set():
            if len(data) > 8:
                self._write(fd, bytes(data[:8]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._write(fd, data)

    def replace(self, src, dst, **kw):
        if self.on.is_set():
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._replace(src, dst, **kw)


def _unsaved(c: Client) -> str:
    address, args = c.wait_for("/sentgen/error")
    assert args[0] == "/sentgen/state", args
    return args[1]


def test_a_full_disk_is_reported_to_every_surface_and_saving_resumes(make_engine, monkeypatch):
    engine = make_engine()
    disk = FullDisk(monkeypatch)
    folder = engine.state_file.path.parent
    with Client(port=engine.port) as panel, Client(port=engine.port) as script:
        panel.request("/sentgen/hello", panel.port, until="/sentgen/original")
        script.request("/sentgen/clip/set", *melody_flat(A), until="/sentgen/edit")
        panel.wait_for("/sentgen/edit")
        disk.on.set()
        for label in ("D", "E", "F"):
            got = script.request("/sentgen/attr/set", "tonic", label, until="/sentgen/edit")
            assert "/sentgen/error" not in got, "the edit itself is made and answered"
            for c in (script, panel):
                why = _unsaved(c)
                assert "could not be saved" in why and "No space left on device" in why
        with Client(port=engine.port) as late:                      # a surface that registers meanwhile is told
            late.send("/sentgen/hello", late.port)
            assert "could not be saved" in _unsaved(late)
        assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")], "no temporary file is left"
        disk.on.clear()
        script.request("/sentgen/attr/set", "tonic", "G", until="/sentgen/edit")
        after = script.request("/sentgen/attrs/get", until="/sentgen/attrs")   # the worker's next answer
        assert list(after) == ["/sentgen/attrs"], "saved again: no error"
    # what a kill -9 now would leave on disk: every change, the ones made while the disk was full too
    saved = StateFile(engine.state_file.path).read()
    assert saved == json.loads(json.dumps(engine.session.to_dict())) and len(saved["history"]) == 5
    assert engine.unsaved is None


def test_the_stop_and_start_of_a_full_disk_lose_nothing_in_the_state_file(tmp_path, monkeypatch):
    """StateFile alone: failures raise, leave no temp file, and the next record writes everything."""
    f = StateFile(tmp_path / "session.json")
    disk = FullDisk(monkeypatch)
    states = list(_states(Session(OracleEditor())))
    for i, st in enumerate(states):
        if i in (2, 3, 4):
            disk.on.set()
            with pytest.raises(OSError, match="No space"):
                f.record(st)
            disk.on.clear()
        else:
            f.record(st)
        assert not list(tmp_path.glob(".*.tmp"))
    assert StateFile(tmp_path / "session.json").read() == json.loads(json.dumps(states[-1]))


FSIZE_ENGINE = """
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # a write beyond the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv.pop(1)),) * 2)
sys.argv = ["sentgen"] + sys.argv[1:]
runpy.run_module("bridge.cli", run_name="__main__")
"""


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="RLIMIT_FSIZE is POSIX")
def test_a_real_write_failure_in_an_engine_process_is_reported_and_nothing_answered_is_lost(tmp_path, model_path):
    """The OS refuses the writes (a file size limit: EFBIG, the way a full disk gives ENOSPC): the journal
    outgrows 6 KB, an append fails half way, the surfaces are told, the next change rewrites session.json
    (smaller than the limit) and saving goes on; after a kill -9 every answered edit is there."""
    import subprocess
    import sys
    from bridge.engine_process import READY
    cmd = [sys.executable, "-c", FSIZE_ENGINE, str(6 * 1024), "serve", "--port", "0",
           "--midi", "none", "--no-lookahead", "--device", "cpu", "--model", str(model_path),
           "--state-dir", str(tmp_path)]
    proc = subprocess.Popen(cmd, cwd=os.getcwd(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        out = []
        for line in proc.stdout:
            out.append(line)
            if line.startswith(READY):
                port = int(line[len(READY):].split()[0].rsplit(":", 1)[1])
                break
        else:
            pytest.fail("the engine did not start:\n" + "".join(out[-20:]))
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        errors = []
        with Client(port=port, timeout=30) as c:
            c.request("/sentgen/clip/set", *melody_flat(A), until="/sentgen/edit")
            for label in ["D", "E"] * 20:
                got = c.request("/sentgen/attr/set", "tonic", label, until="/sentgen/edit")
                assert "/sentgen/error" not in got
                last = c.request("/sentgen/attrs/get", until="/sentgen/attrs")      # after anything the edit sent
                errors += [args[1] for address, args in [*got.items(), *last.items()] if address == "/sentgen/error"]
            answered = c.request("/sentgen/clip/get", until="/sentgen/clip")["/sentgen/clip"]
        assert errors and all("could not be saved" in e and "too large" in e for e in errors), errors
        assert len(errors) < 5, "saving resumed after the failed append"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        saved = StateFile(tmp_path / "session.json").read()
        assert len(saved["history"]) == 41 and saved["position"] == 40
        s = Session(OracleEditor())
        s.restore(saved)
        from engine.clip import flat_from_notes
        assert flat_from_notes(s.notes()) == answered
    finally:
        proc.kill()
        proc.wait(10)


# --- defect 5: a knob turn answered from ready replies, then kill -9 ---------------------------------------------
def test_a_ready_knob_turn_survives_a_kill_right_after_its_reply(tmp_path, model_path):
    """The reply of a ready knob turn used to go out before its journal line: a kill -9 right after the reply
    lost the turn about half the time.  Ten rounds of: turn, kill as soon as the reply is in, restart."""
    proc, port = start_engine_process(tmp_path, model=str(model_path), device="cpu")
    try:
        with Client(port=port, timeout=30) as c:
            c.request("/sentgen/clip/set", *melody_flat(A), until="/sentgen/edit")
        for i, label in enumerate(["D", "E", "F", "G", "A", "B", "C", "D", "E", "F"]):
            with Client(port=port, timeout=30) as c:
                wait_looked_ahead(c)
                got = c.request("/sentgen/attr/set", "tonic", label, until="/sentgen/edit")
                proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            assert "/sentgen/error" not in got, got
            proc, port = start_engine_process(tmp_path, model=str(model_path), device="cpu")
            with Client(port=port, timeout=30) as c:
                assert clip(c) == got["/sentgen/clip"], f"round {i + 1}: the answered turn to {label} was lost"
    finally:
        proc.kill()
        proc.wait(10)


# --- defect 7 and 11: the export folder -----------------------------------------------------------------------
def test_an_export_folder_that_links_outside_the_state_dir_is_refused(make_engine, tmp_path):
    engine = make_engine()
    outside = tmp_path / "outside"
    outside.mkdir()
    engine.state_dir.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, engine.state_dir / "export")
    with Client(port=engine.port) as c:
        c.request("/sentgen/clip/set", *melody_flat(A), until="/sentgen/edit")
        got = c.request("/sentgen/export/midi", "x", until="/sentgen/exported")
        assert "leads outside the state folder" in got["/sentgen/error"][1]
    assert not list(outside.iterdir())


def test_an_export_dir_chosen_by_the_user_is_taken_as_it_is(make_engine, tmp_path):
    outside = tmp_path / "mine"
    outside.mkdir()
    (tmp_path / "link").symlink_to(outside)
    engine = make_engine(export_dir=tmp_path / "link")
    with Client(port=engine.port) as c:
        c.request("/sentgen/clip/set", *melody_flat(A), until="/sentgen/edit")
        got = c.request("/sentgen/export/midi", "x", until="/sentgen/exported")
    assert got["/sentgen/exported"] == [str(outside / "x.mid")] and (outside / "x.mid").exists()


def test_an_export_folder_that_is_a_plain_file_gets_a_clear_error(make_engine):
    engine = make_engine()
    engine.state_dir.mkdir(parents=True, exist_ok=True)
    (engine.state_dir / "export").write_text("not a folder")
    with Client(port=engine.port) as c:
        c.request("/sentgen/clip/set", *melody_flat(A), until="/sentgen/edit")
        message = c.request("/sentgen/export/midi", "x", until="/sentgen/exported")["/sentgen/error"][1]
    assert "is a file, not a folder" in message and "internal error" not in message
    assert (engine.state_dir / "export").read_text() == "not a folder"
