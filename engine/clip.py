"""Clips (2 bars of 4/4 as Live-style notes) <-> a model's tokens, and .mid files.

The grid (steps, beats per step, pitch range) is the model's schema's
(engine.schema; `grid=` argument, default dMelodies: 16 eighth notes, MIDI
60..109, as below).  Rules for turning any user clip into tokens
(`notes_to_tokens`):
- onsets are quantised to the nearest step (dMelodies: eighth note, 0.5 beat);
- notes that start at or after beat 8 (after quantising) are dropped;
- where several notes start on one eighth, the highest is kept (top voice);
- a new onset ends the note before it (the line is monophonic);
- pitches outside 60..109 are folded by octaves into that range;
- a note lasts round(duration / 0.5) eighths (at least one): the first is its
  onset token, the rest hold tokens, up to the next onset or the clip's end.
Each rule that changes something adds a line to `Conversion.changes`, so a
surface can tell the user.  Velocity and mute ride along per onset slot.
"""
from __future__ import annotations

import io
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.attributes import SCHEMA as DMELODIES
from engine.files import atomic_write

CLIP_BEATS = 8.0
MAX_NOTES = 512            # bigger clips are refused, not truncated silently
MAX_BEATS = 1e6            # a start or duration beyond this is refused (it would overflow the grid arithmetic)
DEFAULT_VELOCITY = 100


class ClipError(ValueError):
    """A clip or .mid file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Note:
    pitch: int
    start_time: float
    duration: float
    velocity: int = DEFAULT_VELOCITY
    mute: int = 0

    def flat(self):
        return [self.pitch, self.start_time, self.duration, self.velocity, self.mute]


@dataclass
class Conversion:
    tokens: np.ndarray                 # (16,) int64
    velocities: np.ndarray             # (16,) velocity of the onset in each slot (0 where none)
    mutes: np.ndarray                  # (16,) mute flag of the onset in each slot
    changes: list = field(default_factory=list)


def check_note(n) -> Note:
    """A Note from a Note or a 5-sequence, or ClipError saying what is wrong."""
    if not isinstance(n, Note):
        try:
            pitch, start, dur, vel, mute = n
        except (TypeError, ValueError):
            raise ClipError(f"a note needs 5 values (pitch, start_time, duration, velocity, mute), got {n!r}") from None
        n = Note(pitch, start, dur, vel, mute)
    for name in ("pitch", "velocity", "mute"):
        v = getattr(n, name)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) and not (
                isinstance(v, (float, np.floating)) and math.isfinite(v) and float(v).is_integer()):
            raise ClipError(f"note {name} must be an integer, got {v!r}")
    for name in ("start_time", "duration"):
        v = getattr(n, name)
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
            raise ClipError(f"note {name} must be a finite number, got {v!r}")
        if abs(v) > MAX_BEATS:
            raise ClipError(f"note {name} {v!r} is out of range (at most {MAX_BEATS:g} beats)")
    pitch, vel, mute = int(n.pitch), int(n.velocity), int(n.mute)
    if not 0 <= pitch <= 127:
        raise ClipError(f"note pitch {pitch} outside MIDI 0..127")
    if n.start_time < 0:
        raise ClipError(f"note start_time {n.start_time} is negative")
    if n.duration <= 0:
        raise ClipError(f"note duration {n.duration} must be positive")
    if not 0 <= vel <= 127:
        raise ClipError(f"note velocity {vel} outside 0..127")
    if mute not in (0, 1):
        raise ClipError(f"note mute must be 0 or 1, got {mute}")
    return Note(pitch, float(n.start_time), float(n.duration), vel, mute)


def notes_from_flat(values) -> list[Note]:
    """Notes from the protocol's flat list (5 values per note)."""
    values = list(values)
    if len(values) % 5:
        raise ClipError(f"a clip travels as 5 values per note; got {len(values)} values")
    return [check_note(values[i:i + 5]) for i in range(0, len(values), 5)]


def flat_from_notes(notes) -> list:
    return [v for n in notes for v in n.flat()]


def fold_pitch(pitch: int, grid=None) -> int:
    """The pitch folded by octaves into the grid's range (engine.schema.Schema; default dMelodies)."""
    return (grid or DMELODIES).fold_pitch(pitch)


def notes_to_tokens(notes, grid=None) -> Conversion:
    """Tokens of any clip, with what the conversion changed (see the module's rules).

    grid: the schema whose grid and pitch range to use (engine.schema.Schema; default dMelodies)."""
    g = grid or DMELODIES
    step, steps = g.step_beats, g.steps
    notes = [check_note(n) for n in notes]
    if not notes:
        raise ClipError("the clip is empty: it needs at least one note")
    if len(notes) > MAX_NOTES:
        raise ClipError(f"the clip has {len(notes)} notes; at most {MAX_NOTES} are accepted")
    changes = []
    slots: dict[int, tuple[Note, int]] = {}   # slot -> (note, length in slots)
    dropped_late = off_grid = chord_dropped = folded = 0
    for n in notes:
        slot = int(math.floor(n.start_time / step + 0.5))
        if abs(slot * step - n.start_time) > 1e-6:
            off_grid += 1
        if slot >= steps:
            dropped_late += 1
            continue
        length = max(1, int(math.floor(n.duration / step + 0.5)))
        if slot in slots:
            chord_dropped += 1
            if slots[slot][0].pitch >= n.pitch:
                continue
        slots[slot] = (n, length)
    if off_grid:
        changes.append(f"{off_grid} note(s) moved to the {g.step_name} grid")
    if dropped_late:
        changes.append(f"{dropped_late} note(s) starting at or after beat {g.clip_beats:g} dropped ({g.bars} bars only)")
    if chord_dropped:
        changes.append(f"{chord_dropped} lower note(s) of chords dropped (top voice kept)")
    tokens = np.zeros(steps, dtype=np.int64)
    velocities = np.zeros(steps, dtype=np.int64)
    mutes = np.zeros(steps, dtype=np.int64)
    onsets = sorted(slots)
    cut = 0
    for i, slot in enumerate(onsets):
        n, length = slots[slot]
        pitch = g.fold_pitch(n.pitch)
        folded += pitch != n.pitch
        end = min(slot + length, steps)
        if i + 1 < len(onsets) and onsets[i + 1] < end:
            end = onsets[i + 1]
            cut += 1
        tokens[slot] = pitch - g.pitch_offset
        tokens[slot + 1:end] = g.hold
        velocities[slot], mutes[slot] = n.velocity, n.mute
    if cut:
        changes.append(f"{cut} overlapping note(s) shortened (the next note starts first)")
    if folded:
        changes.append(f"{folded} pitch(es) folded by octaves into MIDI {g.lowest_pitch}..{g.highest_pitch}")
    if not onsets:
        raise ClipError(f"no note starts within the first {g.bars} bars ({g.clip_beats:g} beats)")
    return Conversion(tokens, velocities, mutes, changes)


def _slot_values(name, values, lo, hi, steps=16):
    """None, or `values` as `steps` integers in lo..hi (one per slot); ClipError otherwise."""
    if values is None:
        return None
    arr = np.asarray(values)
    if arr.shape != (steps,):
        raise ClipError(f"{name} must hold {steps} values (one per slot), got shape {arr.shape}")
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ClipError(f"{name} must be integers, got dtype {arr.dtype}")
    whole = arr.dtype.kind in "iu" or (np.isfinite(arr).all() and (arr == np.round(arr)).all())
    if not whole or arr.min() < lo or arr.max() > hi:
        raise ClipError(f"{name} must be integers in {lo}..{hi}")
    return arr.astype(np.int64, copy=False)


def tokens_to_notes(tokens, velocities=None, mutes=None, grid=None) -> list[Note]:
    """Notes of one melody (16 tokens, or those of `grid`); holds extend the previous note, a leading hold is a rest."""
    g = grid or DMELODIES
    steps, step, hold, offset = g.steps, g.step_beats, g.hold, g.pitch_offset
    tok = g.check_tokens(tokens)
    if tok.shape[0] != 1:
        raise ValueError(f"tokens_to_notes takes one melody, got {tok.shape[0]}")
    tok = tok[0]
    velocities = _slot_values("velocities", velocities, 0, 127, steps)
    mutes = _slot_values("mutes", mutes, 0, 1, steps)
    tok = tok.tolist()                                   # plain ints: a Python loop over 16 slots is fastest
    velocities = None if velocities is None else velocities.tolist()
    mutes = None if mutes is None else mutes.tolist()
    notes = []
    i = 0
    while i < steps:
        t = tok[i]
        if t < 2:
            i += 1
            continue
        j = i + 1
        while j < steps and tok[j] == hold:
            j += 1
        vel = velocities[i] if velocities is not None and velocities[i] > 0 else DEFAULT_VELOCITY
        mute = mutes[i] if mutes is not None else 0
        notes.append(Note(t + offset, i * step, (j - i) * step, vel, mute))
        i = j
    return notes


# --- .mid files ----------------------------------------------------------------
# A 2-bar clip is a few hundred bytes and a few dozen events.  Bigger files are refused before
# anything is read, and reading stops at MAX_EVENTS: a 100 MB file of notes once took minutes and
# gigabytes through mido, which builds a message object per event before anything can be counted.
MAX_FILE_BYTES = 1 << 20
MAX_EVENTS = 100_000

_DATA_BYTES = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}   # channel messages, by status nibble
_SYSTEM_BYTES = {0xF1: 1, 0xF2: 2, 0xF3: 1}                               # other 0xF1..0xFE carry none


class _Unreadable(Exception):
    """Why bytes are not a usable MIDI file (becomes a ClipError naming the file)."""


_TRUNCATED = "it ends too early (truncated?)"


def check_bpm(bpm) -> float:
    """bpm as a float when it is a tempo in 1..999 bpm (what .mid files here carry), else ClipError."""
    if (isinstance(bpm, (bool, np.bool_)) or not isinstance(bpm, (int, float, np.integer, np.floating))
            or not math.isfinite(bpm) or not 1 <= bpm <= 999):
        raise ClipError(f"tempo must be between 1 and 999 bpm, got {bpm!r}")
    return float(bpm)


def read_midi(path) -> tuple[list[Note], float]:
    """(notes, bpm) of a .mid file: every track merged, times in beats.

    Anything that is not a usable file (missing, a folder, not a regular file, over MAX_FILE_BYTES,
    not MIDI, truncated, over MAX_EVENTS events, no notes, tempo outside 1..999 bpm) raises
    ClipError with a one-line reason; nothing else escapes.  A type-1 file whose header claims
    more tracks than it holds keeps the tracks it has."""
    path = Path(path)
    try:
        info = os.stat(path)
        refused = ("it is a folder, not a .mid file" if stat.S_ISDIR(info.st_mode) else
                   "not a regular file" if not stat.S_ISREG(info.st_mode) else
                   f"{info.st_size:,} bytes is too big for a 2-bar clip (at most {MAX_FILE_BYTES:,} bytes are read)"
                   if info.st_size > MAX_FILE_BYTES else None)
        if refused is None:
            with open(path, "rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)          # the file may have grown since
            if len(data) > MAX_FILE_BYTES:
                refused = f"more than {MAX_FILE_BYTES:,} bytes is too big for a 2-bar clip"
    except FileNotFoundError:
        raise ClipError(f"no such file: {path}") from None
    except (OSError, ValueError) as e:                     # permission, a NUL in the name, ...
        refused = getattr(e, "strerror", None) or str(e)
    if refused is not None:
        raise ClipError(f"cannot read {path}: {refused}")
    return parse_midi(data, path)


def parse_midi(data: bytes, name="the data") -> tuple[list[Note], float]:
    """(notes, bpm) of the bytes of a .mid file (see read_midi); ClipError naming `name` otherwise.

    Read here rather than with mido.MidiFile, which cannot stop after N events, raises on a file
    that ends before the track count its header claims (losing the tracks it has; its `clip`
    option only clamps data bytes above 127), and divides by a tempo of 0."""
    if not data:
        raise ClipError(f"cannot read {name} as a MIDI file: it is empty")
    try:
        fmt, tpb, tracks = _smf_chunks(memoryview(data))
        if fmt == 2:
            raise ClipError(f"{name} is a type 2 MIDI file (independent patterns); use type 0 or 1")
        if tpb & 0x8000:
            raise ClipError(f"{name} uses SMPTE time division; only ticks per beat are supported")
        if tpb == 0:
            raise _Unreadable("its header gives 0 ticks per beat")
        notes, tempo, budget = [], None, MAX_EVENTS
        for track in tracks:
            budget, tempo = _track_notes(track, tpb, notes, budget, tempo)
    except _Unreadable as e:
        raise ClipError(f"cannot read {name} as a MIDI file: {e}") from None
    bpm = 120.0
    if tempo is not None:
        try:
            bpm = check_bpm(60_000_000 / tempo if tempo else math.inf)
        except ClipError as e:
            raise ClipError(f"cannot read {name} as a MIDI file: {e} (set_tempo of {tempo} microseconds "
                            f"per beat)") from None
    notes.sort(key=lambda n: (n.start_time, -n.pitch))
    if not notes:
        raise ClipError(f"{name} holds no notes")
    return notes, round(bpm, 3)


def _smf_chunks(data: memoryview) -> tuple[int, int, list]:
    """(format, division, [track chunk bytes]) of a standard MIDI file; other chunk kinds are skipped.
    Tracks the header claims but the file does not hold are left out (the others are kept)."""
    if bytes(data[:4]) != b"MThd"[:min(4, len(data))]:
        raise _Unreadable("no MThd header: not a MIDI file")
    if len(data) < 14:
        raise _Unreadable(_TRUNCATED)
    size = int.from_bytes(data[4:8], "big")
    if size < 6:
        raise _Unreadable(f"its header chunk is {size} bytes long (6 needed)")
    if 8 + size > len(data):
        raise _Unreadable(_TRUNCATED)
    fmt, count, division = (int.from_bytes(data[i:i + 2], "big") for i in (8, 10, 12))
    if fmt > 2:
        raise _Unreadable(f"unknown format {fmt} (0, 1 or 2)")
    pos, tracks = 8 + size, []
    while len(tracks) < count and pos < len(data):
        if pos + 8 > len(data):
            raise _Unreadable(_TRUNCATED)
        kind, size = bytes(data[pos:pos + 4]), int.from_bytes(data[pos + 4:pos + 8], "big")
        pos += 8
        if pos + size > len(data):
            raise _Unreadable(_TRUNCATED)
        if kind == b"MTrk":
            tracks.append(data[pos:pos + size])
        pos += size
    return fmt, division, tracks


def _track_notes(body: memoryview, tpb: int, notes: list, budget: int, tempo):
    """Append the notes of one track chunk to `notes`; returns (events left of the budget, tempo):
    the first set_tempo of the file counts.  Note-on velocity 0 is a note-off; a note-on of a
    sounding key closes it; notes never released end at the track's end."""
    n, i, tick, running, sounding = len(body), 0, 0, None, {}

    def number(i):                              # a variable-length quantity: at most 4 bytes
        value = 0
        for j in range(i, min(i + 4, n)):
            value = (value << 7) | (body[j] & 0x7F)
            if body[j] < 0x80:
                return value, j + 1
        raise _Unreadable(_TRUNCATED if i + 4 > n else "a delta time or length longer than 4 bytes")

    def close(key, end):
        start, vel = sounding.pop(key)
        notes.append(Note(key[1], start / tpb, max(end - start, 1) / tpb, vel))

    while i < n:
        if budget <= 0:
            raise _Unreadable(f"more than {MAX_EVENTS:,} events, far more than a 2-bar clip holds "
                              f"(reading stopped there)")
        budget -= 1
        delta, i = number(i)
        tick += delta
        if i >= n:
            raise _Unreadable(_TRUNCATED)
        status = body[i]
        if status < 0x80:                       # running status: the previous channel message's
            if running is None:
                raise _Unreadable("a data byte where a status byte was expected")
            status = running
        else:
            i += 1
        if status == 0xFF:                      # meta event: type, length, data
            if i >= n:
                raise _Unreadable(_TRUNCATED)
            kind = body[i]
            length, i = number(i + 1)
            if i + length > n:
                raise _Unreadable(_TRUNCATED)
            if kind == 0x51 and tempo is None:
                if length != 3:
                    raise _Unreadable(f"a set_tempo event with {length} data bytes (3 needed)")
                tempo = int.from_bytes(body[i:i + 3], "big")
            i += length
            if kind == 0x2F:                    # end of track
                break
        elif status in (0xF0, 0xF7):            # sysex: length, data
            length, i = number(i)
            if i + length > n:
                raise _Unreadable(_TRUNCATED)
            i += length
        elif status >= 0xF0:
            i += _SYSTEM_BYTES.get(status, 0)
        else:
            running = status
            size = _DATA_BYTES[status >> 4]
            if i + size > n:
                raise _Unreadable(_TRUNCATED)
            if body[i] > 0x7F or (size == 2 and body[i + 1] > 0x7F):
                raise _Unreadable("a data byte above 127 (a damaged file)")
            kind, key = status & 0xF0, (status & 0x0F, body[i])
            if kind == 0x90 and body[i + 1] > 0:
                if key in sounding:             # retrigger: close the previous one
                    close(key, tick)
                sounding[key] = (tick, body[i + 1])
            elif kind in (0x80, 0x90) and key in sounding:
                close(key, tick)
            i += size
    for key in list(sounding):                  # never released: end at the track's end
        close(key, tick)
    return budget, tempo


def write_midi(path, notes, bpm: float = 120.0, ticks_per_beat: int = 480) -> Path:
    """Write notes as a type-0 .mid file atomically (muted notes are left out: Live would not play them)."""
    import mido
    bpm = check_bpm(bpm)
    notes = [check_note(n) for n in notes]
    events = []
    for n in notes:
        if n.mute:
            continue
        on = int(round(n.start_time * ticks_per_beat))
        off = max(on + 1, int(round((n.start_time + n.duration) * ticks_per_beat)))
        events.append((on, 1, mido.Message("note_on", note=n.pitch, velocity=max(1, n.velocity))))
        events.append((off, 0, mido.Message("note_off", note=n.pitch, velocity=0)))
    events.sort(key=lambda e: (e[0], e[1]))   # note-offs before note-ons at one tick
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(float(bpm)), time=0))
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    last = 0
    for tick, _, msg in events:
        track.append(msg.copy(time=tick - last))
        last = tick
    end = int(CLIP_BEATS * ticks_per_beat)
    track.append(mido.MetaMessage("end_of_track", time=max(0, end - last)))
    mid = mido.MidiFile(type=0, ticks_per_beat=ticks_per_beat)
    mid.tracks.append(track)
    buf = io.BytesIO()
    mid.save(file=buf)
    return atomic_write(path, buf.getvalue())
