"""Hostile .mid files through the `sentgen` command line, run as a subprocess: exit code 2, one line
on stderr, no traceback, bounded time and memory; a type-1 file short of tracks keeps those it has."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

from engine.clip import MAX_EVENTS, MAX_FILE_BYTES, tokens_to_notes, write_midi
from training.dmelodies import generate

from tests.bridge.test_cli_attrs_bench import ROW0_LINES

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not hasattr(os, "wait4"), reason="measures the child's memory with os.wait4")


def run_cli(*args, timeout: float = 60.0) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, peak RSS in MB) of `python -m bridge.cli ARGS` from this tree."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", *map(str, args)], cwd=ROOT, env=env,
                                stdout=out, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)      # this child's own peak memory
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        assert proc.returncode != -9, f"sentgen {' '.join(map(str, args))} ran past {timeout} s"
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read().decode(), err.read().decode(), usage.ru_maxrss / 1024


def smf(tracks: list[bytes], fmt: int = 1, claimed: int | None = None, tpb: int = 480) -> bytes:
    """A standard MIDI file of these track bodies (the header may claim another track count)."""
    head = b"MThd" + struct.pack(">LHHH", 6, fmt, len(tracks) if claimed is None else claimed, tpb)
    return head + b"".join(b"MTrk" + struct.pack(">L", len(t)) + t for t in tracks)


def row0_bytes(tmp_path) -> bytes:
    tokens, _ = generate([0])
    return write_midi(tmp_path / "row0-src.mid", tokens_to_notes(tokens[0]), bpm=97).read_bytes()


NOTES = b"\x00\x90\x3c\x40" + b"\x00\x3c\x40" * ((1 << 20) // 3)   # ~1 MiB of note-ons (running status)


def hostile(tmp_path, kind: str) -> Path:
    """Write one hostile file (or leave a folder / nothing) and return its path."""
    path = tmp_path / f"{kind}.mid"
    if kind == "big":                    # 100 MB of note events, built from a 1 MiB block
        with open(path, "wb") as f:
            f.write(smf([b""], fmt=0)[:-4] + struct.pack(">L", 100 * len(NOTES)))
            for _ in range(100):
                f.write(NOTES)
        assert path.stat().st_size > 100 * 10**6
    elif kind == "many_events":          # under the size limit, over the event limit
        data = smf([b"\x00\x90\x3c\x40" + b"\x00\x3c\x40" * (MAX_EVENTS + 10)], fmt=0)
        assert len(data) < MAX_FILE_BYTES
        path.write_bytes(data)
    elif kind == "tempo0":
        good = row0_bytes(tmp_path)
        at = good.index(b"\xff\x51\x03") + 3
        path.write_bytes(good[:at] + b"\x00\x00\x00" + good[at + 3:])
    elif kind == "truncated":
        path.write_bytes(row0_bytes(tmp_path)[:-5])
    elif kind == "random":
        path.write_bytes(np.random.default_rng(6).bytes(4096))
    elif kind == "midi_header_random_tracks":
        path.write_bytes(smf([np.random.default_rng(7).bytes(3000)]))
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":                 # opening it would wait for a writer forever
        os.mkfifo(path)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind != "missing":
        raise ValueError(kind)
    return path


KINDS = {"big": "too big for a 2-bar clip", "many_events": f"more than {MAX_EVENTS:,} events",
         "tempo0": "tempo must be between 1 and 999 bpm", "truncated": "ends too early",
         "random": "not a MIDI file", "midi_header_random_tracks": "cannot read", "folder": "it is a folder",
         "fifo": "not a regular file", "empty": "it is empty", "missing": "no such file"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_attrs_refuses_a_hostile_file_in_one_line(tmp_path, kind):
    path = hostile(tmp_path, kind)
    code, out, err, _ = run_cli("attrs", path, timeout=30)
    assert code == 2, (out, err)
    assert "Traceback" not in err and err.count("\n") == 1 and out == ""
    assert err.startswith("sentgen attrs: error: ") and KINDS[kind] in err and err.count(str(path)) == 1, err


@pytest.mark.parametrize("kind", ["big", "tempo0", "folder"])
def test_edit_refuses_a_hostile_file_in_one_line(tmp_path, kind):
    path, out_mid = hostile(tmp_path, kind), tmp_path / "out.mid"
    code, out, err, _ = run_cli("edit", path, "--set", "scale=minor", "--device", "cpu", "-o", out_mid, timeout=60)
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("sentgen edit: error: ") and KINDS[kind] in err and not out_mid.exists()


def test_big_files_cost_what_a_small_one_does(tmp_path):
    """100 MB of notes and 100,000+ events are refused in about the time and memory of a 2-bar clip
    (before the limits: minutes, 5.7-7.6 GB, then MemoryError)."""
    small = tmp_path / "row0.mid"
    small.write_bytes(row0_bytes(tmp_path))
    code, out, _, base_mb = run_cli("attrs", small, timeout=30)
    assert code == 0 and out.splitlines() == ROW0_LINES
    for kind in ("big", "many_events"):
        code, _, err, peak_mb = run_cli("attrs", hostile(tmp_path, kind), timeout=30)
        assert code == 2 and KINDS[kind] in err
        assert peak_mb < base_mb + 50, f"{kind}: peak {peak_mb:.0f} MB against {base_mb:.0f} MB for a 2-bar clip"


def test_type1_file_short_of_tracks_keeps_the_tracks_it_has(tmp_path):
    good = row0_bytes(tmp_path)                        # type 0: one track (tempo, time signature, notes)
    track = good[22:]                                  # after MThd (14 bytes) and the MTrk chunk header (8)
    tempo = b"\x00\xff\x51\x03" + good[good.index(b"\xff\x51\x03") + 3:][:3] + b"\x00\xff\x2f\x00"
    path = tmp_path / "short.mid"
    path.write_bytes(smf([tempo, track], fmt=1, claimed=4))       # claims 4 tracks, holds 2
    code, out, err, _ = run_cli("attrs", path, timeout=30)
    assert code == 0, err
    assert out.splitlines() == ROW0_LINES
