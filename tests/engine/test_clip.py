"""Clips (notes) <-> tokens, and .mid files."""
import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.attributes import HOLD, REST, SEQ_LEN, parse
from engine.clip import (ClipError, Note, check_note, flat_from_notes, notes_from_flat, notes_to_tokens,
                         read_midi, tokens_to_notes, write_midi)
from training.dmelodies import NUM_ROWS, generate


# --- tokens <-> notes ---------------------------------------------------------------------------
def test_dataset_rows_round_trip():
    rows = np.random.default_rng(0).integers(0, NUM_ROWS, 300)
    tokens, factors = generate(rows)
    for t, f in zip(tokens, factors):
        notes = tokens_to_notes(t)
        assert len(notes) == 12
        assert all(n.duration == 0.5 and n.start_time * 2 == int(n.start_time * 2) for n in notes)
        conv = notes_to_tokens(notes)
        assert conv.tokens.tolist() == t.tolist()
        assert conv.changes == []
        assert parse(conv.tokens)[0].tolist() == f.tolist()


def test_row0_notes():
    tokens, _ = generate([0])
    notes = tokens_to_notes(tokens[0])
    assert [(n.pitch, n.start_time, n.duration) for n in notes[:7]] == [
        (60, 0.0, 0.5), (64, 0.5, 0.5), (67, 1.0, 0.5), (65, 1.5, 0.5), (69, 2.0, 0.5), (72, 2.5, 0.5),
        (67, 4.0, 0.5)]
    assert all(n.velocity == 100 and n.mute == 0 for n in notes)


def canonical(tokens):
    """A hold after a rest (or at the start) is a rest: that is what notes can express."""
    out = tokens.copy()
    for i in range(SEQ_LEN):
        if out[i] == HOLD and (i == 0 or out[i - 1] == REST):
            out[i] = REST
    return out


melodies = hnp.arrays(np.int64, SEQ_LEN, elements=st.one_of(st.sampled_from([REST, HOLD]), st.integers(2, 51)))


@settings(max_examples=200, deadline=None)
@given(melodies)
def test_any_tokens_round_trip_through_notes(tokens):
    notes = tokens_to_notes(tokens)
    if not notes:
        with pytest.raises(ClipError, match="empty"):
            notes_to_tokens(notes)
        return
    conv = notes_to_tokens(notes)
    assert conv.tokens.tolist() == canonical(tokens).tolist()
    assert conv.changes == []
    assert (conv.velocities[conv.tokens >= 2] == 100).all() and (conv.velocities[conv.tokens < 2] == 0).all()


def test_holds_extend_notes():
    t = np.array([2, HOLD, HOLD, 6, REST, HOLD, 9, HOLD] + [REST] * 7 + [11])
    notes = tokens_to_notes(t)
    assert [(n.pitch, n.start_time, n.duration) for n in notes] == [
        (60, 0.0, 1.5), (64, 1.5, 0.5), (67, 3.0, 1.0), (69, 7.5, 0.5)]
    back = notes_to_tokens(notes).tokens
    assert back.tolist() == [2, 1, 1, 6, 0, 0, 9, 1] + [0] * 7 + [11]   # the hold after a rest is a rest


def test_leading_hold_is_a_rest():
    t = np.array([HOLD, HOLD, 2] + [REST] * 13)
    assert [(n.pitch, n.start_time) for n in tokens_to_notes(t)] == [(60, 1.0)]


def test_long_notes_become_holds_up_to_the_next_onset():
    conv = notes_to_tokens([Note(60, 0, 3.0), Note(62, 2.0, 0.5), Note(64, 7.0, 4.0)])
    assert conv.tokens.tolist() == [2, 1, 1, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 1]
    assert conv.changes == ["1 overlapping note(s) shortened (the next note starts first)"]


def test_polyphony_keeps_top_voice():
    notes = [Note(60, 0, 1), Note(67, 0, 1), Note(64, 0, 1), Note(62, 1.0, 0.5), Note(59 + 12, 1.0, 0.5)]
    conv = notes_to_tokens(notes)
    assert conv.tokens[0] == 67 - 58 and conv.tokens[2] == 71 - 58
    assert conv.tokens.tolist()[:4] == [9, 1, 13, 0]
    assert "3 lower note(s) of chords dropped (top voice kept)" in conv.changes


def test_out_of_range_pitches_folded():
    conv = notes_to_tokens([Note(36, 0, 0.5), Note(59, 0.5, 0.5), Note(110, 1.0, 0.5), Note(127, 1.5, 0.5),
                            Note(0, 2.0, 0.5), Note(60, 2.5, 0.5), Note(109, 3.0, 0.5)])
    pitches = [int(t) + 58 for t in conv.tokens if t >= 2]
    assert pitches == [60, 71, 98, 103, 60, 60, 109]
    assert conv.changes == ["5 pitch(es) folded by octaves into MIDI 60..109"]


def test_notes_past_beat_8_dropped():
    conv = notes_to_tokens([Note(60, 0, 0.5), Note(62, 8.0, 0.5), Note(64, 12.0, 1.0)])
    assert conv.tokens.tolist() == [2] + [0] * 15
    assert conv.changes == ["2 note(s) starting at or after beat 8 dropped (2 bars only)"]
    conv = notes_to_tokens([Note(60, 0, 0.5), Note(62, 7.8, 0.5)])           # quantises to beat 8
    assert conv.tokens.tolist() == [2] + [0] * 15
    assert len(conv.changes) == 2 and "dropped" in conv.changes[1] and "grid" in conv.changes[0]
    with pytest.raises(ClipError, match="no note starts within the first 2 bars"):
        notes_to_tokens([Note(60, 9.0, 0.5)])


def test_off_grid_onsets_quantised():
    conv = notes_to_tokens([Note(60, 0.1, 0.5), Note(62, 0.6, 0.4), Note(64, 1.26, 0.5), Note(65, 7.7, 0.3)])
    assert conv.tokens.tolist() == [2, 4, 0, 6] + [0] * 11 + [7]
    assert conv.changes == ["4 note(s) moved to the eighth-note grid"]
    # ties go to the later slot: 0.25 beats -> slot 1
    assert notes_to_tokens([Note(60, 0.25, 0.5)]).tokens.tolist()[:2] == [0, 2]


def test_velocity_and_mute_carried_per_slot():
    notes = [Note(60, 0, 1.0, 80, 0), Note(64, 1.0, 0.5, 33, 1), Note(67, 3.5, 0.5, 127, 0)]
    conv = notes_to_tokens(notes)
    assert conv.velocities.tolist() == [80, 0, 33] + [0] * 4 + [127] + [0] * 8
    assert conv.mutes.tolist() == [0, 0, 1] + [0] * 13
    back = tokens_to_notes(conv.tokens, conv.velocities, conv.mutes)
    assert back == notes
    # a new melody over the same slots keeps the clip's velocities where an onset stays
    assert tokens_to_notes(conv.tokens, conv.velocities)[1] == Note(64, 1.0, 0.5, 33, 0)


def test_flat_protocol():
    notes = [Note(60, 0.0, 0.5, 90, 0), Note(64, 0.5, 1.0, 100, 1)]
    flat = flat_from_notes(notes)
    assert flat == [60, 0.0, 0.5, 90, 0, 64, 0.5, 1.0, 100, 1]
    assert notes_from_flat(flat) == notes
    assert notes_from_flat([60.0, 0, 1, 100.0, 0]) == [Note(60, 0.0, 1.0, 100, 0)]
    with pytest.raises(ClipError, match="5 values per note; got 4"):
        notes_from_flat([60, 0, 1, 100])


# --- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("note,msg", [
    (Note(60, float("nan"), 1), "start_time must be a finite number"),
    (Note(60, 0, float("nan")), "duration must be a finite number"),
    (Note(60, float("inf"), 1), "start_time must be a finite number"),
    (Note(60, -0.5, 1), "start_time -0.5 is negative"),
    (Note(60, 0, -1), "duration -1 must be positive"),
    (Note(60, 0, 0), "duration 0 must be positive"),
    (Note(128, 0, 1), "pitch 128 outside MIDI 0..127"),
    (Note(-1, 0, 1), "pitch -1 outside MIDI 0..127"),
    (Note(60.5, 0, 1), "pitch must be an integer"),
    (Note(True, 0, 1), "pitch must be an integer"),
    (Note("60", 0, 1), "pitch must be an integer"),
    (Note(60, "0", 1), "start_time must be a finite number"),
    (Note(60, 0, 1, 128), "velocity 128 outside 0..127"),
    (Note(60, 0, 1, 100, 2), "mute must be 0 or 1"),
    ((60, 0, 1), "a note needs 5 values"),
    (None, "a note needs 5 values"),
])
def test_bad_notes(note, msg):
    with pytest.raises(ClipError, match=msg):
        check_note(note)
    with pytest.raises(ClipError, match=msg):
        notes_to_tokens([Note(60, 0, 1), note])


def test_empty_and_huge_clips():
    with pytest.raises(ClipError, match="the clip is empty"):
        notes_to_tokens([])
    with pytest.raises(ClipError, match="at most 512"):
        notes_to_tokens([Note(60, 0, 1)] * 513)
    assert issubclass(ClipError, ValueError)


@pytest.mark.parametrize("tokens,exc,msg", [
    (np.zeros(16, dtype=np.float32), TypeError, "integer array"),
    (np.zeros(15, dtype=np.int64), ValueError, r"shape \(N, 16\)"),
    (np.zeros((2, 16), dtype=np.int64), ValueError, "one melody, got 2"),
    (np.zeros((1, 2, 16), dtype=np.int64), ValueError, r"shape \(N, 16\)"),
    (np.full(16, 52), ValueError, r"0\.\.51"),
    (np.full(16, -3), ValueError, r"0\.\.51"),
    ([], ValueError, r"shape \(N, 16\)"),
])
def test_bad_tokens_to_notes(tokens, exc, msg):
    with pytest.raises(exc, match=msg):
        tokens_to_notes(tokens)


@pytest.mark.parametrize("velocities,mutes,msg", [
    ([100] * 15, None, r"velocities must hold 16 values"),
    ([200] * 16, None, r"velocities must be integers in 0\.\.127"),
    ([float("nan")] * 16, None, r"velocities must be integers"),
    (None, [2] * 16, r"mutes must be integers in 0\.\.1"),
    (None, ["a"] * 16, r"mutes must be integers"),
])
def test_bad_slot_values(velocities, mutes, msg):
    with pytest.raises(ClipError, match=msg):
        tokens_to_notes(np.full(16, 2), velocities, mutes)


# --- .mid files -----------------------------------------------------------------------------------
def test_midi_round_trip(tmp_path):
    notes = [Note(60, 0.0, 0.5, 100), Note(64, 0.5, 1.25, 90), Note(67, 2.125, 0.5, 1), Note(72, 7.5, 0.5, 127),
             Note(48, 3.0, 2.0, 64), Note(50, 3.0, 1.0, 65)]          # a chord: both come back
    path = write_midi(tmp_path / "clip.mid", notes, bpm=97)
    assert path == tmp_path / "clip.mid"
    back, bpm = read_midi(path)
    assert bpm == 97
    assert sorted(back, key=lambda n: (n.start_time, n.pitch)) == sorted(notes, key=lambda n: (n.start_time, n.pitch))
    assert os.listdir(tmp_path) == ["clip.mid"]


def test_midi_round_trip_of_dataset_row(tmp_path):
    tokens, _ = generate([123_456])
    write_midi(tmp_path / "r.mid", tokens_to_notes(tokens[0]), bpm=133.5)
    notes, bpm = read_midi(tmp_path / "r.mid")
    assert bpm == 133.5
    assert notes_to_tokens(notes).tokens.tolist() == tokens[0].tolist()


def test_midi_muted_notes_left_out(tmp_path):
    write_midi(tmp_path / "m.mid", [Note(60, 0, 1), Note(62, 1, 1, 100, 1)])
    notes, bpm = read_midi(tmp_path / "m.mid")
    assert [n.pitch for n in notes] == [60] and bpm == 120


def test_midi_write_is_atomic(tmp_path, monkeypatch):
    import errno
    path = tmp_path / "keep.mid"
    write_midi(path, [Note(60, 0, 1)])
    before = path.read_bytes()
    real_write = os.write

    def disk_fills(fd, data):                          # a few bytes get written, then the disk is full
        if len(data) > 4:
            real_write(fd, bytes(data[:4]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_fills)
    with pytest.raises(OSError, match="No space left"):
        write_midi(path, [Note(62, 0, 1)])
    monkeypatch.undo()
    assert path.read_bytes() == before                 # the old file is intact
    assert os.listdir(tmp_path) == ["keep.mid"]        # and no temp file is left behind


@pytest.mark.parametrize("bpm", [0, -5, 1000, float("nan"), "120", True, None])
def test_midi_bad_tempo(tmp_path, bpm):
    with pytest.raises(ClipError, match="tempo must be between 1 and 999 bpm"):
        write_midi(tmp_path / "x.mid", [Note(60, 0, 1)], bpm=bpm)
    assert not (tmp_path / "x.mid").exists()


def test_midi_numpy_tempo(tmp_path):
    write_midi(tmp_path / "x.mid", [Note(60, 0, 1)], bpm=np.int64(90))
    assert read_midi(tmp_path / "x.mid")[1] == 90


def test_unreadable_midi_files(tmp_path):
    with pytest.raises(ClipError, match="no such file"):
        read_midi(tmp_path / "missing.mid")
    junk = tmp_path / "junk.mid"
    junk.write_bytes(np.random.default_rng(1).bytes(300))
    with pytest.raises(ClipError, match="cannot read .*junk.mid as a MIDI file"):
        read_midi(junk)
    good = write_midi(tmp_path / "good.mid", [Note(60, 0, 1), Note(64, 1, 1)]).read_bytes()
    for cut in (5, 20, len(good) - 2):
        (tmp_path / "cut.mid").write_bytes(good[:cut])
        with pytest.raises(ClipError, match="cannot read .*cut.mid as a MIDI file: .+"):
            read_midi(tmp_path / "cut.mid")
    (tmp_path / "empty.mid").write_bytes(b"")
    with pytest.raises(ClipError, match="cannot read .*empty.mid"):
        read_midi(tmp_path / "empty.mid")
    with pytest.raises(ClipError, match="cannot read"):
        read_midi(tmp_path)                            # a folder


def test_midi_without_notes(tmp_path):
    write_midi(tmp_path / "silent.mid", [])
    with pytest.raises(ClipError, match="silent.mid holds no notes"):
        read_midi(tmp_path / "silent.mid")


def test_midi_unreleased_note_and_running_note_on_zero(tmp_path):
    import mido
    mid = mido.MidiFile(type=1, ticks_per_beat=96)
    meta = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(140), time=0)])
    track = mido.MidiTrack([
        mido.Message("note_on", note=60, velocity=70, time=0),
        mido.Message("note_on", note=60, velocity=0, time=48),       # note_on velocity 0 = note_off
        mido.Message("note_on", note=62, velocity=80, time=48),
        mido.Message("note_on", note=62, velocity=81, time=96),      # retrigger closes the first one
        mido.Message("note_on", note=64, velocity=90, time=0),
        mido.MetaMessage("end_of_track", time=192),                  # 62 and 64 are never released
    ])
    mid.tracks.extend([meta, track])
    mid.save(str(tmp_path / "t1.mid"))
    notes, bpm = read_midi(tmp_path / "t1.mid")
    assert bpm == 140
    assert [(n.pitch, n.start_time, n.duration, n.velocity) for n in notes] == [
        (60, 0.0, 0.5, 70), (62, 1.0, 1.0, 80), (64, 2.0, 2.0, 90), (62, 2.0, 2.0, 81)]
    assert math.isclose(sum(n.duration for n in notes), 5.5)


# --- hostile .mid bytes: only ClipError escapes ----------------------------------------------------
@pytest.fixture(scope="module")
def row0_midi(tmp_path_factory) -> bytes:
    tokens, _ = generate([0])
    path = write_midi(tmp_path_factory.mktemp("fuzz") / "row0.mid", tokens_to_notes(tokens[0]), bpm=97)
    return path.read_bytes()


def _read_or_clip_error(folder, data: bytes):
    """read_midi of these bytes (through a real file) and the tokens of its notes, or ClipError; a
    result is checked like the protocol's notes (what a caller gets is always usable)."""
    path = folder / "fuzz.mid"
    path.write_bytes(data)
    try:
        notes, bpm = read_midi(path)
        assert 1 <= bpm <= 999 and notes
        assert [check_note(n) for n in notes] == notes
        notes_to_tokens(notes)
    except ClipError as e:
        assert str(e) and "\n" not in str(e)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=600), midi_header=st.booleans())
def test_random_bytes_give_notes_or_a_clip_error(tmp_path_factory, data, midi_header):
    folder = tmp_path_factory.getbasetemp()
    if midi_header:                                   # past the header check, into the tracks
        data = b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk" + len(data).to_bytes(4, "big") + data
    _read_or_clip_error(folder, data)


@settings(max_examples=400, deadline=None)
@given(draw=st.data())
def test_mutated_midi_files_give_notes_or_a_clip_error(tmp_path_factory, row0_midi, draw):
    data = bytearray(row0_midi)
    edit = st.sampled_from(["byte", "zeros", "bytes", "cut"])
    where = st.integers(4, 40) | st.integers(0, len(data) - 1)     # often the header fields, sizes and tempo
    for _ in range(draw.draw(st.integers(1, 3), label="edits")):
        at, kind = draw.draw(where, label="at"), draw.draw(edit, label="edit")
        at = min(at, len(data) - 1)
        if kind == "cut":
            del data[at:]
            break
        chunk = {"byte": st.binary(min_size=1, max_size=1), "zeros": st.integers(1, 4).map(bytes),
                 "bytes": st.binary(min_size=2, max_size=8)}[kind]
        new = draw.draw(chunk, label=kind)
        data[at:at + len(new)] = new
    _read_or_clip_error(tmp_path_factory.getbasetemp(), bytes(data))


@pytest.mark.parametrize("tempo,result", [(b"\x00\x00\x00", "set_tempo of 0 microseconds"),      # was ZeroDivisionError
                                          (b"\x00\x00\x01", "set_tempo of 1 microseconds"),      # 60,000,000 bpm
                                          (b"\xff\xff\xff", 3.576)])                             # the slowest there is
def test_midi_tempo_extremes(tmp_path, row0_midi, tempo, result):
    at = row0_midi.index(b"\xff\x51\x03") + 3
    (tmp_path / "t.mid").write_bytes(row0_midi[:at] + tempo + row0_midi[at + 3:])
    if isinstance(result, str):
        with pytest.raises(ClipError, match=f"t.mid as a MIDI file: tempo must be between 1 and 999 bpm.*{result}"):
            read_midi(tmp_path / "t.mid")
    else:
        assert read_midi(tmp_path / "t.mid")[1] == result


def test_midi_limits_are_checked_before_reading(tmp_path, monkeypatch):
    import engine.clip as clip
    good = write_midi(tmp_path / "good.mid", [Note(60, 0, 1), Note(64, 1, 1)])
    monkeypatch.setattr(clip, "MAX_FILE_BYTES", good.stat().st_size - 1)
    with pytest.raises(ClipError, match=r"good.mid: \d+ bytes is too big for a 2-bar clip"):
        read_midi(good)
    monkeypatch.setattr(clip, "MAX_FILE_BYTES", good.stat().st_size)
    monkeypatch.setattr(clip, "MAX_EVENTS", 4)                  # tempo, time signature, 2 notes on, 2 off, end
    with pytest.raises(ClipError, match="more than 4 events, far more than a 2-bar clip holds"):
        read_midi(good)
    monkeypatch.setattr(clip, "MAX_EVENTS", 7)
    assert len(read_midi(good)[0]) == 2
