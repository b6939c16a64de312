"""`sentgen attrs FILE.mid` and `sentgen bench [what]`."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.cli import main
from bridge.latency import ROOT
from engine.clip import Note, tokens_to_notes, write_midi
from training import bench
from training.dmelodies import generate

ROW0_LINES = ["tokens: 2 6 9 7 11 14 0 0 9 13 16 2 6 9 0 0",
              "tonic: C (index 0, value 0.000)",
              "octave: 4 (index 0, value 0.000)",
              "scale: major (index 0, value 0.000)",
              "rhythm_bar1: 11111100 (index 0, value 0.000)",
              "rhythm_bar2: 11111100 (index 0, value 0.000)",
              "arp_chord1: up (index 0, value 0.000)",
              "arp_chord2: up (index 0, value 0.000)",
              "arp_chord3: up (index 0, value 0.000)",
              "arp_chord4: up (index 0, value 0.000)"]


@pytest.fixture
def row0_mid(tmp_path):
    tokens, _ = generate([0])
    return write_midi(tmp_path / "row0.mid", tokens_to_notes(tokens[0]), bpm=97)


def test_attrs_prints_tokens_and_attributes(row0_mid, capsys):
    assert main(["attrs", str(row0_mid)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ROW0_LINES and err == ""


def test_attrs_prints_changes_and_invalid(tmp_path, capsys):
    notes = [Note(36, 0.1, 1.0), Note(48, 0.1, 0.5), Note(72, 1.0, 0.5), Note(76, 9.0, 1.0)]
    path = write_midi(tmp_path / "odd.mid", notes)
    assert main(["attrs", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == ["changed: 2 note(s) moved to the eighth-note grid",
                         "changed: 1 note(s) starting at or after beat 8 dropped (2 bars only)",
                         "changed: 1 lower note(s) of chords dropped (top voice kept)",
                         "changed: 1 pitch(es) folded by octaves into MIDI 60..109"]
    assert lines[4] == "tokens: 2 0 14 " + " ".join(["0"] * 13)   # the top voice (48 -> 60) lasts 1 eighth
    assert "tonic: invalid (index -1, value nan)" in lines            # only 2 notes
    assert len(lines) == 14


@pytest.mark.parametrize("content,msg", [(None, "no such file"), (b"not midi at all" * 10, "cannot read"),
                                         (b"MThd\x00\x00\x00\x06\x00", "cannot read")])
def test_attrs_bad_file_exits_2(tmp_path, capsys, content, msg):
    path = tmp_path / "bad.mid"
    if content is not None:
        path.write_bytes(content)
    assert main(["attrs", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("sentgen attrs: error: ") and msg in err


def test_attrs_no_notes_exits_2(tmp_path, capsys):
    path = write_midi(tmp_path / "silent.mid", [])
    assert main(["attrs", str(path)]) == 2
    assert "holds no notes" in capsys.readouterr().err


def test_installed_sentgen_attrs(row0_mid, tmp_path):
    exe = Path(sys.executable).parent / "sentgen"
    done = subprocess.run([str(exe), "attrs", str(row0_mid)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ROW0_LINES
    done = subprocess.run([str(exe), "attrs", str(tmp_path / "missing.mid")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "sentgen attrs: error: no such file" in done.stderr


# --- bench ------------------------------------------------------------------------------------------
def test_bench_registry_and_line_format():
    assert {"generate", "parse"} <= set(bench.FIGURES)
    assert bench.line("parse all rows", 0.714, 1) == "parse all rows: 0.71 s (goal < 1 s)"
    assert bench.line("latency", 0.0123, 50, "ms") == "latency: 12.30 ms (goal < 50 ms)"
    calls = []
    assert bench.median_time(lambda: calls.append(1)) >= 0 and len(calls) == 3


def test_bench_parse_for_real(capsys):
    assert main(["bench", "parse"]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"parse all rows: \d+\.\d\d s \(goal < 1 s\)\n", out)


def test_bench_random_every_shipped_model_including_folk_in_milliseconds():
    """`sentgen bench random` (one BLAS thread, as the engine): at least 199 of 200 seeds valid on every shipped
    model, folk included, and a median of milliseconds per Random (the bound leaves room for a loaded machine)."""
    done = subprocess.run([sys.executable, "-m", "bridge.cli", "bench", "random"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    found = dict((m[0], m[1:]) for m in re.findall(r"\b(\w+) (\d+) of 200 valid, \d+ different, ([\d.]+) / [\d.]+ ms",
                                                   done.stdout))
    assert set(found) == {"beta", "ar", "i", "s2", "folk"}, done.stdout
    for name, (valid, median_ms) in found.items():
        assert int(valid) >= 199 and float(median_ms) < 100, (name, done.stdout)


def test_bench_all_runs_every_figure_in_order(monkeypatch, capsys):
    monkeypatch.setattr(bench, "FIGURES", {"a": lambda: "a: 1.00 s (goal < 2 s)"})
    monkeypatch.setitem(bench.FIGURES, "b", lambda: "b: 3.00 ms (goal < 5 ms)")    # adding one: one line
    assert main(["bench"]) == 0
    assert capsys.readouterr().out == "a: 1.00 s (goal < 2 s)\nb: 3.00 ms (goal < 5 ms)\n"
    assert main(["bench", "b", "a"]) == 0
    assert capsys.readouterr().out == "b: 3.00 ms (goal < 5 ms)\na: 1.00 s (goal < 2 s)\n"
    assert bench.run("all", out=lambda s: None) == ["a: 1.00 s (goal < 2 s)", "b: 3.00 ms (goal < 5 ms)"]


def test_bench_unknown_figure_exits_2(capsys):
    assert main(["bench", "nope"]) == 2
    err = capsys.readouterr().err
    # later figures come after these two, so this prefix stays true
    assert "sentgen bench: error: unknown figure 'nope'; expected all or one of generate, parse" in err
