"""Clips (2 bars of 4/4 as Live-style notes) <-> the model's 16 tokens, and .mid files.

Rules for turning any user clip into tokens (`notes_to_tokens`):
- onsets are quantised to the nearest eighth note (0.5 beat);
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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.attributes import (HIGHEST_PITCH, HOLD, LOWEST_PITCH, PITCH_OFFSET, SEQ_LEN,
                               check_tokens)
from engine.files import atomic_write

CLIP_BEATS = 8.0
STEP = 0.5                 # one token = one eighth note = half a beat
MAX_NOTES = 512            # bigger clips are refused, not truncated silently
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


def fold_pitch(pitch: int) -> int:
    while pitch < LOWEST_PITCH:
        pitch += 12
    while pitch > HIGHEST_PITCH:
        pitch -= 12
    return pitch


def notes_to_tokens(notes) -> Conversion:
    """Tokens of any clip, with what the conversion changed (see the module's rules)."""
    notes = [check_note(n) for n in notes]
    if not notes:
        raise ClipError("the clip is empty: it needs at least one note")
    if len(notes) > MAX_NOTES:
        raise ClipError(f"the clip has {len(notes)} notes; at most {MAX_NOTES} are accepted")
    changes = []
    slots: dict[int, tuple[Note, int]] = {}   # slot -> (note, length in slots)
    dropped_late = off_grid = chord_dropped = folded = 0
    for n in notes:
        slot = int(math.floor(n.start_time / STEP + 0.5))
        if abs(slot * STEP - n.start_time) > 1e-6:
            off_grid += 1
        if slot >= SEQ_LEN:
            dropped_late += 1
            continue
        length = max(1, int(math.floor(n.duration / STEP + 0.5)))
        if slot in slots:
            chord_dropped += 1
            if slots[slot][0].pitch >= n.pitch:
                continue
        slots[slot] = (n, length)
    if off_grid:
        changes.append(f"{off_grid} note(s) moved to the eighth-note grid")
    if dropped_late:
        changes.append(f"{dropped_late} note(s) starting at or after beat 8 dropped (2 bars only)")
    if chord_dropped:
        changes.append(f"{chord_dropped} lower note(s) of chords dropped (top voice kept)")
    tokens = np.zeros(SEQ_LEN, dtype=np.int64)
    velocities = np.zeros(SEQ_LEN, dtype=np.int64)
    mutes = np.zeros(SEQ_LEN, dtype=np.int64)
    onsets = sorted(slots)
    cut = 0
    for i, slot in enumerate(onsets):
        n, length = slots[slot]
        pitch = fold_pitch(n.pitch)
        folded += pitch != n.pitch
        end = min(slot + length, SEQ_LEN)
        if i + 1 < len(onsets) and onsets[i + 1] < end:
            end = onsets[i + 1]
            cut += 1
        tokens[slot] = pitch - PITCH_OFFSET
        tokens[slot + 1:end] = HOLD
        velocities[slot], mutes[slot] = n.velocity, n.mute
    if cut:
        changes.append(f"{cut} overlapping note(s) shortened (the next note starts first)")
    if folded:
        changes.append(f"{folded} pitch(es) folded by octaves into MIDI {LOWEST_PITCH}..{HIGHEST_PITCH}")
    if not onsets:
        raise ClipError("no note starts within the first 2 bars (8 beats)")
    return Conversion(tokens, velocities, mutes, changes)


def _slot_values(name, values, lo, hi):
    """None, or `values` as 16 integers in lo..hi (one per slot); ClipError otherwise."""
    if values is None:
        return None
    arr = np.asarray(values)
    if arr.shape != (SEQ_LEN,):
        raise ClipError(f"{name} must hold {SEQ_LEN} values (one per slot), got shape {arr.shape}")
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ClipError(f"{name} must be integers, got dtype {arr.dtype}")
    whole = arr.dtype.kind in "iu" or (np.isfinite(arr).all() and (arr == np.round(arr)).all())
    if not whole or arr.min() < lo or arr.max() > hi:
        raise ClipError(f"{name} must be integers in {lo}..{hi}")
    return arr.astype(np.int64, copy=False)


def tokens_to_notes(tokens, velocities=None, mutes=None) -> list[Note]:
    """Notes of one melody (16 tokens); holds extend the previous note, a leading hold is a rest."""
    tok = check_tokens(tokens)
    if tok.shape[0] != 1:
        raise ValueError(f"tokens_to_notes takes one melody, got {tok.shape[0]}")
    tok = tok[0]
    velocities = _slot_values("velocities", velocities, 0, 127)
    mutes = _slot_values("mutes", mutes, 0, 1)
    tok = tok.tolist()                                   # plain ints: a Python loop over 16 slots is fastest
    velocities = None if velocities is None else velocities.tolist()
    mutes = None if mutes is None else mutes.tolist()
    notes = []
    i = 0
    while i < SEQ_LEN:
        t = tok[i]
        if t < 2:
            i += 1
            continue
        j = i + 1
        while j < SEQ_LEN and tok[j] == HOLD:
            j += 1
        vel = velocities[i] if velocities is not None and velocities[i] > 0 else DEFAULT_VELOCITY
        mute = mutes[i] if mutes is not None else 0
        notes.append(Note(t + PITCH_OFFSET, i * STEP, (j - i) * STEP, vel, mute))
        i = j
    return notes


# --- .mid files ----------------------------------------------------------------
def read_midi(path) -> tuple[list[Note], float]:
    """(notes, bpm) of a .mid file: every track merged, times in beats."""
    import mido
    path = Path(path)
    try:
        mid = mido.MidiFile(str(path))
    except FileNotFoundError:
        raise ClipError(f"no such file: {path}") from None
    except Exception as e:           # mido raises many kinds on bad bytes
        reason = "it ends too early (truncated?)" if isinstance(e, EOFError) else str(e) or type(e).__name__
        raise ClipError(f"cannot read {path} as a MIDI file: {reason}") from None
    if mid.type == 2:
        raise ClipError(f"{path} is a type 2 MIDI file (independent patterns); use type 0 or 1")
    tpb = mid.ticks_per_beat
    if not tpb or tpb <= 0:
        raise ClipError(f"{path} uses SMPTE time division; only ticks per beat are supported")
    bpm, tempo_seen = 120.0, False
    notes = []
    for track in mid.tracks:
        tick, sounding = 0, {}
        for msg in track:
            tick += msg.time
            if msg.type == "set_tempo" and not tempo_seen:
                bpm, tempo_seen = mido.tempo2bpm(msg.tempo), True
            elif msg.type == "note_on" and msg.velocity > 0:
                key = (msg.channel, msg.note)
                if key in sounding:     # retrigger: close the previous one
                    start, vel = sounding.pop(key)
                    notes.append(Note(msg.note, start / tpb, max(tick - start, 1) / tpb, vel))
                sounding[key] = (tick, msg.velocity)
            elif msg.type in ("note_off", "note_on"):
                key = (msg.channel, msg.note)
                if key in sounding:
                    start, vel = sounding.pop(key)
                    notes.append(Note(msg.note, start / tpb, max(tick - start, 1) / tpb, vel))
        for (_, pitch), (start, vel) in sounding.items():   # never released: end at the track's end
            notes.append(Note(pitch, start / tpb, max(tick - start, 1) / tpb, vel))
    notes.sort(key=lambda n: (n.start_time, -n.pitch))
    if not notes:
        raise ClipError(f"{path} holds no notes")
    return notes, round(bpm, 3)


def write_midi(path, notes, bpm: float = 120.0, ticks_per_beat: int = 480) -> Path:
    """Write notes as a type-0 .mid file atomically (muted notes are left out: Live would not play them)."""
    import mido
    if (isinstance(bpm, (bool, np.bool_)) or not isinstance(bpm, (int, float, np.integer, np.floating))
            or not math.isfinite(bpm) or not 1 <= bpm <= 999):
        raise ClipError(f"tempo must be between 1 and 999 bpm, got {bpm!r}")
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
