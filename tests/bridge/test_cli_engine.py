"""`sentgen edit` (offline verified edit) and `sentgen serve` / `run` plumbing."""
import os
import shutil
import signal
import subprocess
import sys

import pytest

from engine.attributes import parse
from engine.clip import Note, flat_from_notes, notes_from_flat, notes_to_tokens, read_midi, write_midi

import bridge.offline as offline
from bridge import cli
from bridge.engine_process import READY, STOPPED
from bridge.latency import ROOT
from bridge.offline import parse_set
from bridge.state import StateFile
from engine.session import EditError
from tests.bridge.conftest import OracleEditor, melody_flat


@pytest.fixture
def oracle(monkeypatch):
    monkeypatch.setattr(offline.Editor, "load", classmethod(lambda cls, *a, **k: OracleEditor()))


def test_edit_writes_the_verified_edit(tmp_path, oracle, capsys):
    src, out = tmp_path / "in.mid", tmp_path / "out.mid"
    write_midi(src, notes_from_flat(melody_flat()), bpm=97)
    assert cli.main(["edit", str(src), "--set", "scale=minor", "--set", "tonic=D", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "exact edit" in text and "NOT" not in text
    assert "tonic" in text and "minor" in text and f"wrote {out}" in text
    notes, bpm = read_midi(out)
    attrs = parse(notes_to_tokens(notes).tokens)[0]
    assert attrs[0] == 2 and attrs[2] == 1 and bpm == 97


def test_edit_refusals_and_bad_input_exit_2(tmp_path, oracle, capsys):
    src, out = tmp_path / "in.mid", tmp_path / "out.mid"
    write_midi(src, [Note(60, 0.0, 1.0), Note(62, 1.0, 1.0)])          # 2 notes: no valid attributes
    assert cli.main(["edit", str(src), "--set", "scale=minor", "-o", str(out)]) == 2
    assert "edit refused" in capsys.readouterr().err and not out.exists()
    for args, words in ((["--set", "scale=dorian"], "unknown label"), (["--set", "colour=1"], "unknown attribute"),
                        (["--set", "tonic"], "name=value"), (["--set", "tonic=2.0"], "[0, 1]"), ([], "nothing to set")):
        assert cli.main(["edit", str(src), *args, "-o", str(out)]) == 2
        assert words in capsys.readouterr().err
    (tmp_path / "junk.mid").write_bytes(b"not midi")
    assert cli.main(["edit", str(tmp_path / "junk.mid"), "--set", "tonic=D", "-o", str(out)]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert cli.main(["edit", str(tmp_path / "missing.mid"), "--set", "tonic=D", "-o", str(out)]) == 2


def test_parse_set_labels_before_numbers():
    assert parse_set("octave=5") == ("octave", "5")         # a label, not the number 5
    assert parse_set("scale=0.5") == ("scale", 0.5)
    assert parse_set(" tonic = Eb ") == ("tonic", "Eb")
    with pytest.raises(EditError):
        parse_set("=D")


def test_edit_with_the_real_model(tmp_path, model_path, capsys):
    src, out = tmp_path / "in.mid", tmp_path / "out.mid"
    write_midi(src, notes_from_flat(melody_flat()))
    code = cli.main(["edit", str(src), "--set", "octave=5", "--model", str(model_path), "--device", "cpu",
                     "-o", str(out)])
    captured = capsys.readouterr()
    if code == 0:
        assert "edit (" in captured.out and out.exists()
    else:
        assert code == 2 and "edit refused" in captured.err and not out.exists()


def test_serve_and_run_are_wired(monkeypatch):
    seen = []
    import bridge.engine_process as ep
    panels = []
    monkeypatch.setattr(ep, "serve", lambda opts, panel=False: seen.append(opts) or panels.append(panel) or 0)
    assert cli.main(["serve", "--port", "0", "--midi", "none", "--model", "x", "--state-dir", "/tmp/s"]) == 0
    assert cli.main(["run"]) == 0
    assert cli.main(["run", "--model", "folk"]) == 0
    assert (seen[0].port, seen[0].midi, seen[0].model, seen[0].state_dir) == (0, "none", "x", "/tmp/s")
    assert (seen[1].port, seen[1].model, seen[1].host, seen[1].midi) == (9000, None, "127.0.0.1", "auto")
    assert (seen[2].port, seen[2].model, seen[2].host, seen[2].midi) == (9000, "folk", "127.0.0.1", "auto")
    assert panels == [False, True, True]          # only `run` opens the panel beside the engine


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_run_takes_a_model_and_keeps_the_default():
    def planned(*args):
        # run as a make of its own: under `make test` the inherited MAKELEVEL/MAKEFLAGS make it print
        # "make[1]: Leaving directory ..." after the command
        env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
        out = subprocess.run(["make", "--no-print-directory", "-n", "run", *args], cwd=ROOT, capture_output=True,
                             text=True, check=True, env=env).stdout
        return [line for line in out.strip().splitlines() if "sentgen run" in line][-1]
    assert planned("MODEL=folk").endswith("bin/sentgen run --model folk")
    assert planned().endswith("bin/sentgen run")             # the saved session's model, else DEFAULT_MODEL (s2)


def test_sigterm_right_after_listening_stops_cleanly(tmp_path, model_path):
    """SIGTERM at once after the "listening" line: the signal handling was installed after that line
    (and after the gc work that follows it), so the process died by the signal, the session unsaved."""
    cmd = [sys.executable, "-m", "bridge.cli", "serve", "--port", "0", "--midi", "none", "--device", "cpu",
           "--state-dir", str(tmp_path), "--model", str(model_path)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        for line in proc.stdout:
            if line.startswith(READY):
                proc.send_signal(signal.SIGTERM)
                break
        out = proc.communicate(timeout=60)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert f"{STOPPED} {tmp_path / 'session.json'}" in out
    assert StateFile(tmp_path / "session.json").read() is not None


def test_edit_to_values_the_clip_has_is_unchanged_as_in_the_engine(tmp_path, model_path, make_engine, capsys):
    """`sentgen edit --set scale=minor` on a clip already minor: the engine's one edit (Session.set_attrs)
    answers "unchanged" and keeps the notes, offline as over OSC (offline the s2 model used to
    rewrite a note of this clip and call it an exact edit)."""
    from bridge.osc_client import Client
    from bridge.osc_server import load_editor
    from engine.session import ALREADY_THERE
    flat = melody_flat([6, 2, 1, 22, 18, 0, 0, 1, 1])            # a dMelodies melody in minor
    src, out = tmp_path / "in.mid", tmp_path / "out.mid"
    write_midi(src, notes_from_flat(flat), bpm=97)
    engine = make_engine(load_editor(model_path, "cpu"))
    with Client(port=engine.port, timeout=10) as c:
        assert c.request("/sentgen/clip/set", *flat, until="/sentgen/edit")["/sentgen/clip"] == flat
        got = c.request("/sentgen/attr/set", "scale", "minor", until="/sentgen/edit")
    assert got["/sentgen/edit"] == [1, "unchanged", ALREADY_THERE] and got["/sentgen/clip"] == flat

    assert cli.main(["edit", str(src), "--set", "scale=minor", "--model", str(model_path), "--device", "cpu",
                     "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert f": unchanged: {ALREADY_THERE}\n" in text and "exact" not in text
    notes, bpm = read_midi(out)
    assert flat_from_notes(notes) == flat == flat_from_notes(read_midi(src)[0]) and bpm == 97


def test_a_set_without_a_value_shows_an_example_of_the_models_own_knobs():
    from bridge.offline import parse_set
    from engine.session import EditError
    from tests.toy_schema import SCHEMA as TOY
    with pytest.raises(EditError, match=r"e\.g\. notes=4, register=0\.5"):
        parse_set("notes", TOY)
    with pytest.raises(EditError, match=r"e\.g\. tonic=B, arp_chord4=0\.5"):
        parse_set("tonic")
