"""The folk family's grid and its eight knobs (contract: the team's spec folk.md, docs/folk.md).

Pure numpy: the engine reads a clip's knobs without music21 or torch.

Tokens, one per sixteenth note, 32 per clip (2 bars of 4/4): 0 rest, 1 hold
(the note sounding at the previous step goes on), 2..62 onset of MIDI pitch
34 + token, i.e. MIDI 36..96 (C2..C7).  A hold after a rest or at step 0 is
read as a rest.

Clip -> tokens (`notes_to_tokens`), each rule that changes something adds a
line to `Conversion.changes` (as engine.clip does for dMelodies):
- an onset goes to the nearest sixteenth, half-way up (step = floor(4 * beats + 0.5));
- notes starting at or after beat 8 (after rounding) are dropped;
- of notes starting on one step the highest wins (top voice; a repeated pitch
  keeps its longest copy);
- a note ends at the next onset or at its own rounded end (floor(4 * end + 0.5),
  at least one step after its onset), whichever is first, and at step 32;
- a clip reaching outside MIDI 36..96 is moved by the smallest number of whole
  octaves that fits it; a clip wider than the range keeps its place and only the
  notes outside are folded by octaves.

The knobs (`values`, `parse`): density, complexity, range, leaps, contour and
mode are learned (moved by traversal nets), key and octave are rules
(`apply_rule`: exact transpositions).  Bins are "number of edges <= value",
-1 where a knob is undefined.  Every comparison with an edge is made in
integers, so the bins do not depend on float rounding; the best key uses the
exact integer covariance (see `_best_key`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.clip import MAX_NOTES, ClipError, Conversion, Note, check_note
from engine.clip import tokens_to_notes as notes_on_grid
from engine.schema import Knob, Schema, register

# --- token table -------------------------------------------------------------
REST, HOLD = 0, 1
PITCH_OFFSET = 34          # token t >= 2 is MIDI pitch t + 34
LOWEST_PITCH, HIGHEST_PITCH = 36, 96
VOCAB_SIZE = HIGHEST_PITCH - PITCH_OFFSET + 1      # 63
SEQ_LEN = 32               # 2 bars of 16 sixteenth notes
STEPS_PER_BAR = 16
STEP = 0.25                # beats per step
CLIP_BEATS = SEQ_LEN * STEP

# --- knobs -------------------------------------------------------------------
NAMES = ("density", "complexity", "range", "leaps", "contour", "mode", "key", "octave")
LEARNED = NAMES[:6]
RULES = ("key", "octave")
NUM_KNOBS = len(NAMES)

# upper-exclusive bin edges of the learned knobs (bin = number of edges <= value)
EDGES = {
    "density": (6, 8, 10, 12, 14, 16, 18),
    "complexity": (1, 2, 3, 4, 6, 8),
    "range": (4, 6, 8, 10, 12, 15),
    "leaps": (1.5, 2.0, 2.5, 3.0, 3.5, 4.5),
    "contour": (-4, -2, -0.75, 0.75, 2, 4),
}
KEY_LABELS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
LOWEST_OCTAVE = 2          # octave index 0 is MIDI octave 2 (C2 = 36)
LABELS = {
    "density": ("<=5 notes", "6-7 notes", "8-9 notes", "10-11 notes", "12-13 notes", "14-15 notes",
                "16-17 notes", ">=18 notes"),
    "complexity": ("0 (plain)", "1", "2", "3", "4-5", "6-7", ">=8"),
    "range": ("<4 semitones", "4-5 semitones", "6-7 semitones", "8-9 semitones", "10-11 semitones",
              "12-14 semitones", ">=15 semitones"),
    "leaps": ("steps <1.5", "leaps 1.5-2", "leaps 2-2.5", "leaps 2.5-3", "leaps 3-3.5", "leaps 3.5-4.5",
              "leaps >=4.5"),
    "contour": ("steep fall", "fall", "slight fall", "level", "slight rise", "rise", "steep rise"),
    "mode": ("major", "minor"),
    "key": KEY_LABELS,
    "octave": tuple(str(o) for o in range(LOWEST_OCTAVE, LOWEST_OCTAVE + 6)),
}
COUNTS = np.array([len(LABELS[n]) for n in NAMES])          # 8 7 7 7 7 2 12 6

# Lerdahl-Jackendoff metrical weights of one bar of sixteenths, over both bars
LJ_WEIGHTS = np.tile(np.array([5, 1, 2, 1, 3, 1, 2, 1, 4, 1, 2, 1, 3, 1, 2, 1], dtype=np.int64), 2)
_TOP_WEIGHTS = np.concatenate([[0], np.cumsum(np.sort(LJ_WEIGHTS)[::-1])])   # sum of the n largest

# Krumhansl-Kessler profiles, in hundredths (integers: the covariance below is exact)
KK_MAJOR = np.array([635, 223, 348, 233, 438, 409, 252, 519, 239, 366, 229, 288], dtype=np.int64)
KK_MINOR = np.array([633, 268, 352, 538, 260, 353, 254, 475, 398, 269, 334, 317], dtype=np.int64)
# the 24 profiles as columns (C major .. B major, C minor .. B minor): profile of key k at pitch class i
_PROFILES = np.stack([np.roll(KK_MAJOR, k) for k in range(12)] + [np.roll(KK_MINOR, k) for k in range(12)], axis=1)


def _spread(q):
    """12 * sum(q^2) - sum(q)^2 = 144 x the profile's variance; the same for all rotations."""
    return int(12 * (q * q).sum() - q.sum() ** 2)


_PROFILES_F = _PROFILES.astype(np.float64)
_PROFILES_SUM = _PROFILES.sum(0)[None, :].astype(np.float64)
_PROFILE_SD = np.sqrt(np.array([_spread(KK_MAJOR)] * 12 + [_spread(KK_MINOR)] * 12, dtype=np.float64))

_TOKEN_PITCH = np.where(np.arange(VOCAB_SIZE) >= 2, np.arange(VOCAB_SIZE) + PITCH_OFFSET, 0).astype(np.int64)
_STEPS = np.arange(SEQ_LEN, dtype=np.int64)
_TOKEN_PITCH16 = _TOKEN_PITCH.astype(np.int16)
_STEP_ROWS = np.stack([LJ_WEIGHTS, np.arange(SEQ_LEN), np.arange(SEQ_LEN) ** 2]).astype(np.float64)   # (3, 32)


def check_tokens(tokens) -> np.ndarray:
    """Return tokens as an (N, 32) integer array, or raise a clear error."""
    arr = np.asarray(tokens)
    if arr.size == 0 and arr.dtype.kind == "f":        # [] or np.empty((0, 32)): no dtype to judge
        arr = arr.astype(np.int64)
    if arr.dtype == object or arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"tokens must be an integer array, got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != SEQ_LEN:
        raise ValueError(f"tokens must have shape (N, {SEQ_LEN}), got {np.shape(tokens)}")
    if arr.size and (arr.min() < 0 or arr.max() >= VOCAB_SIZE):
        raise ValueError(f"tokens must lie in 0..{VOCAB_SIZE - 1}, got {arr.min()}..{arr.max()}")
    return arr


# --- clip <-> tokens -----------------------------------------------------------
def _round_step(beats: float) -> int:
    return int(math.floor(beats / STEP + 0.5))


def _octave_shift(pitches) -> int:
    """Semitones (a multiple of 12, smallest size, upward on ties) that bring all pitches into range; 0 if none can."""
    lo, hi = min(pitches), max(pitches)
    if lo >= LOWEST_PITCH and hi <= HIGHEST_PITCH:
        return 0
    fits = [12 * k for k in range(-11, 12) if lo + 12 * k >= LOWEST_PITCH and hi + 12 * k <= HIGHEST_PITCH]
    return min(fits, key=lambda s: (abs(s), -s)) if fits else 0


def fold_pitch(pitch: int) -> int:
    while pitch < LOWEST_PITCH:
        pitch += 12
    while pitch > HIGHEST_PITCH:
        pitch -= 12
    return pitch


@dataclass
class Steps:
    """What `steps_of` made of some notes: the tokens, which note sounds from each onset, and counts of changes."""
    tokens: np.ndarray            # (32,) int64
    source: np.ndarray            # (32,) index of the note whose onset is at each step, -1 elsewhere
    off_grid: int = 0             # onsets not on the sixteenth grid
    dropped_late: int = 0         # notes starting at or after beat 8
    chord_dropped: int = 0        # notes that lost their step to a higher one (top voice)
    cut: int = 0                  # notes shortened by the next onset
    shift: int = 0                # semitones the whole clip moved (a multiple of 12)
    folded: int = 0               # notes folded alone (the clip is wider than the range)


def steps_of(pitches, starts, durations) -> Steps:
    """The grid of plain note values (checked by the caller: MIDI pitches, start >= 0, duration > 0, in beats)."""
    out = Steps(np.zeros(SEQ_LEN, dtype=np.int64), np.full(SEQ_LEN, -1, dtype=np.int64))
    steps: dict[int, tuple[int, int, int]] = {}   # onset step -> (pitch, rounded end step, note index)
    for i, (pitch, start, dur) in enumerate(zip(pitches, starts, durations)):
        step = _round_step(start)
        if abs(step * STEP - start) > 1e-6:
            out.off_grid += 1
        if step >= SEQ_LEN:
            out.dropped_late += 1
            continue
        end = max(step + 1, _round_step(start + dur))
        if step in steps:
            out.chord_dropped += 1
            if steps[step][:2] >= (pitch, end):
                continue
        steps[step] = (pitch, end, i)
    if not steps:
        return out
    onsets = sorted(steps)
    out.shift = _octave_shift([steps[s][0] for s in onsets])
    for k, step in enumerate(onsets):
        pitch, end, i = steps[step]
        pitch += out.shift
        if not LOWEST_PITCH <= pitch <= HIGHEST_PITCH:
            pitch = fold_pitch(pitch)
            out.folded += 1
        end = min(end, SEQ_LEN)
        if k + 1 < len(onsets) and onsets[k + 1] < end:
            end = onsets[k + 1]
            out.cut += 1
        out.tokens[step] = pitch - PITCH_OFFSET
        out.tokens[step + 1:end] = HOLD
        out.source[step] = i
    return out


def notes_to_tokens(notes) -> Conversion:
    """Tokens (32,) of any clip, with what the conversion changed (see the module's rules)."""
    notes = [check_note(n) for n in notes]
    if not notes:
        raise ClipError("the clip is empty: it needs at least one note")
    if len(notes) > MAX_NOTES:
        raise ClipError(f"the clip has {len(notes)} notes; at most {MAX_NOTES} are accepted")
    st = steps_of([n.pitch for n in notes], [n.start_time for n in notes], [n.duration for n in notes])
    changes = []
    if st.off_grid:
        changes.append(f"{st.off_grid} note(s) moved to the sixteenth-note grid")
    if st.dropped_late:
        changes.append(f"{st.dropped_late} note(s) starting at or after beat 8 dropped (2 bars only)")
    if st.chord_dropped:
        changes.append(f"{st.chord_dropped} lower note(s) of chords dropped (top voice kept)")
    if not (st.source >= 0).any():
        raise ClipError("no note starts within the first 2 bars (8 beats)")
    if st.cut:
        changes.append(f"{st.cut} overlapping note(s) shortened (the next note starts first)")
    if st.shift:
        changes.append(f"the clip moved {'up' if st.shift > 0 else 'down'} {abs(st.shift) // 12} octave(s) "
                       f"into MIDI {LOWEST_PITCH}..{HIGHEST_PITCH}")
    if st.folded:
        changes.append(f"{st.folded} pitch(es) folded by octaves into MIDI {LOWEST_PITCH}..{HIGHEST_PITCH} "
                       f"(the clip is wider than the range)")
    velocities = np.zeros(SEQ_LEN, dtype=np.int64)
    mutes = np.zeros(SEQ_LEN, dtype=np.int64)
    at = np.flatnonzero(st.source >= 0)
    velocities[at] = [notes[i].velocity for i in st.source[at]]
    mutes[at] = [notes[i].mute for i in st.source[at]]
    return Conversion(st.tokens, velocities, mutes, changes)


def tokens_to_notes(tokens, velocities=None, mutes=None) -> list[Note]:
    """Notes of one clip (32 tokens); holds extend the previous note, a hold after a rest is a rest
    (engine.clip's one conversion, on the folk grid)."""
    return notes_on_grid(tokens, velocities, mutes, SCHEMA)


# --- the knobs, vectorised over (N, 32) ---------------------------------------------
def _features(tok):
    """Per-row integer sums the knobs are made of (one pass over the 32 steps, rows in parallel)."""
    N = len(tok)
    cols = np.ascontiguousarray(tok.T, dtype=np.int16)         # (32, N): one step's tokens are contiguous
    pitch = _TOKEN_PITCH16[cols]                                 # 0 at rests and holds
    onset = pitch > 0
    n = onset.sum(0, dtype=np.int64)
    sounding = np.empty_like(pitch)                              # pitch sounding at each step, 0 if none
    jumps = np.zeros(N, dtype=np.int64)
    cur = np.zeros(N, dtype=np.int16)
    prev = np.zeros(N, dtype=np.int16)                           # previous onset's pitch, 0 before the first
    for i in range(SEQ_LEN):
        p, on = pitch[i], onset[i]
        cur = np.where(on, p, np.where(cols[i] == HOLD, cur, 0))
        sounding[i] = cur
        jumps += np.where(on & (prev > 0), np.abs(p - prev), 0)
        prev = np.where(on, p, prev)
    big = np.where(onset, pitch, -1).max(0).astype(np.int64)
    small = np.where(onset, pitch, 10_000).min(0).astype(np.int64)
    p64 = pitch.astype(np.int64)
    heard = sounding > 0
    hist = np.bincount((np.arange(N)[None, :] * 12 + sounding % 12)[heard], minlength=N * 12).reshape(N, 12)
    # the step-weighted sums as float products (BLAS; every sum is an integer far below 2**53)
    on = onset.astype(np.float64)
    w = (_STEP_ROWS @ on).astype(np.int64)
    return dict(
        n=n, sounding=heard.sum(0), hist=hist, jumps=jumps, range=big - small,
        sync=_TOP_WEIGHTS[n] - w[0], s_sum=w[1], p_sum=p64.sum(0), sp_sum=(_STEP_ROWS[1] @ p64.astype(np.float64)).astype(np.int64),
        ss_sum=w[2])


def _best_key(hist):
    """Index 0..23 of the best K-K key (C major .. B major, C minor .. B minor) per histogram row.

    Pearson's r of h with profile k is cov(h, q_k) / (sd(h) sd(q_k)); sd(h) is the
    same for all 24 keys, so the best key maximises C_k / sd(q_k) with the exact
    integer C_k = 12 * sum(h q_k) - sum(h) sum(q_k).  Keys of one mode share sd(q),
    so ties among them are exact; np.argmax takes the first.  A histogram with all
    12 counts equal has r = 0 (not a number, strictly) for every key: C major.
    """
    return np.argmax(_key_cov(hist) / _PROFILE_SD, axis=1)


def _key_cov(hist):
    """The integer C_k of `_best_key` per row and key (N, 24), as float64: the products are small integers,
    exact in a double, and a float matrix product is BLAS (an integer one is not)."""
    h = hist.astype(np.float64)
    return 12 * (h @ _PROFILES_F) - h.sum(1, keepdims=True) * _PROFILES_SUM


def _count_ge(num, den, edges, scale):
    """Number of edges e with num / den >= e, in integers: edges * scale are integers, den > 0."""
    out = np.zeros(num.shape, dtype=np.int64)
    for e in edges:
        out += num * scale >= round(e * scale) * den
    return out


def knobs(tokens, key_scores: bool = False):
    """(values float (N, 8), bins int64 (N, 8)) of the knobs in NAMES order; nan / -1 where undefined.
    key_scores: also the Pearson correlation of each clip with the 24 keys (N, 24), as a third item.

    Values: density and complexity counts, range in semitones, leaps in mean
    semitones, contour in semitones per bar, mode 0/1, key 0..11 (tonic), octave
    as the MIDI octave number (C4 = 60 -> 4).  Bins: the knob index 0..COUNTS-1.
    """
    tok = check_tokens(tokens).astype(np.int64, copy=False)
    N = len(tok)
    if N == 0:
        return np.zeros((0, NUM_KNOBS)), np.zeros((0, NUM_KNOBS), dtype=np.int64)
    f = _features(tok)
    n = f["n"]
    has, two = n > 0, n >= 2
    values = np.full((N, NUM_KNOBS), np.nan)
    bins = np.full((N, NUM_KNOBS), -1, dtype=np.int64)
    one = np.ones(N, dtype=np.int64)

    values[has, 0] = n[has]
    bins[has, 0] = _count_ge(n, one, EDGES["density"], 1)[has]
    values[has, 1] = f["sync"][has]
    bins[has, 1] = _count_ge(f["sync"], one, EDGES["complexity"], 1)[has]
    values[has, 2] = f["range"][has]
    bins[has, 2] = _count_ge(f["range"], one, EDGES["range"], 1)[has]
    gaps = np.maximum(n - 1, 1)
    values[two, 3] = (f["jumps"] / gaps)[two]
    bins[two, 3] = _count_ge(f["jumps"], gaps, EDGES["leaps"], 2)[two]
    # slope of p against s / 16 = 16 * (n sum(sp) - sum(s) sum(p)) / (n sum(s^2) - sum(s)^2)
    num = 16 * (n * f["sp_sum"] - f["s_sum"] * f["p_sum"])
    den = n * f["ss_sum"] - f["s_sum"] ** 2
    slope_ok = two & (den > 0)
    safe_den = np.where(slope_ok, den, 1)
    values[slope_ok, 4] = (num / safe_den)[slope_ok]
    bins[slope_ok, 4] = _count_ge(num, safe_den, EDGES["contour"], 4)[slope_ok]
    sounds = f["sounding"] > 0
    cov = _key_cov(f["hist"])
    best = np.argmax(cov / _PROFILE_SD, axis=1)               # as _best_key
    if key_scores:
        h = f["hist"].astype(np.float64)
        sd_h = np.sqrt(np.maximum(12 * (h * h).sum(1) - h.sum(1) ** 2, 1e-9))[:, None]
        scores = cov / (12 * _PROFILE_SD[None, :] * sd_h)
    values[sounds, 5] = bins[sounds, 5] = (best // 12)[sounds]
    values[sounds, 6] = bins[sounds, 6] = (best % 12)[sounds]
    octave = np.floor_divide(f["p_sum"], 12 * np.maximum(n, 1)) - 1
    values[has, 7] = octave[has]
    bins[has, 7] = (octave - LOWEST_OCTAVE)[has]
    return (values, bins, scores) if key_scores else (values, bins)


def measure(tokens):
    """(values, bins, key scores) of clips: what `bin_distance` needs (the editor's local search)."""
    return knobs(tokens, key_scores=True)


def parse(tokens) -> np.ndarray:
    """Knob bins of each clip: int64 (N, 8) in NAMES order, -1 where undefined."""
    return knobs(tokens)[1]


def values(tokens) -> np.ndarray:
    """Knob values of each clip: float (N, 8) in NAMES order, nan where undefined."""
    return knobs(tokens)[0]


# --- how far a clip is from given bins (the editor's local search steers by it) -----------------
def _bounds():
    """Per knob and bin: the interval [lo, hi) of values, and the knob's typical bin width."""
    lo = np.full((NUM_KNOBS, 12), -np.inf)
    hi = np.full((NUM_KNOBS, 12), np.inf)
    width = np.ones(NUM_KNOBS)
    for k, name in enumerate(NAMES):
        if name in EDGES:
            e = np.asarray(EDGES[name], float)
            lo[k, 1:len(e) + 1], hi[k, :len(e)] = e, e
            width[k] = np.diff(e).mean()
        elif name == "octave":     # value: the MIDI octave number, bin = octave - 2
            b = np.arange(COUNTS[k])
            lo[k, :len(b)], hi[k, :len(b)] = b + LOWEST_OCTAVE, b + LOWEST_OCTAVE + 1
    return lo, hi, width


_LO, _HI, _WIDTH = _bounds()
# the smallest change of each knob's value: counts and semitones move by 1, leaps and contour are real numbers
_UNIT = np.array([1.0 if n in ("density", "complexity", "range", "octave") else 1e-3 for n in NAMES])


KEY_GAP = 0.1      # a key correlation this far below the best key's counts as one bin away


def bin_distance(measured, bins) -> np.ndarray:
    """How far clips measured (values (N, 8), bins, key scores (N, 24): `measure`) are from the wanted bins
    (N, 8), in typical bin widths: 0 inside the bin, growing outside it (the nearest value inside counts:
    a count on an upper-exclusive edge is one unit out).  Mode and key together (a key is both): how far
    the wanted key's correlation (wanted mode and tonic; the clip's own where not wanted) is below the best
    key's, in KEY_GAP, in both columns: 0 exactly when the best key is the wanted one.  An undefined
    value 100.  Bins < 0 give 0."""
    values, got, scores = measured
    b = np.maximum(bins, 0)
    k = np.arange(NUM_KNOBS)
    lo, hi = _LO[k, b], _HI[k, b]
    with np.errstate(invalid="ignore"):
        out = np.maximum(np.maximum(lo - values, values - (hi - _UNIT)), 0) / _WIDTH
    m, t = knob_index("mode"), knob_index("key")
    want = np.where(bins[:, m] >= 0, bins[:, m], np.maximum(got[:, m], 0)) * 12 + \
        np.where(bins[:, t] >= 0, bins[:, t], np.maximum(got[:, t], 0))
    gap = (scores.max(1) - np.take_along_axis(scores, want[:, None], 1)[:, 0]) / KEY_GAP
    gap = gap + (want != got[:, m] * 12 + got[:, t]) * 1e-3    # a tie the parser breaks the other way still counts
    out[:, m] = out[:, t] = gap
    out = np.where(np.isnan(values), 100.0, out)
    return np.where(bins < 0, 0.0, out)


# --- names and labels ------------------------------------------------------------------
def knob_index(name: str) -> int:
    try:
        return NAMES.index(name)
    except ValueError:
        raise KeyError(f"unknown knob {name!r}; expected one of {', '.join(NAMES)}") from None


def label_of(name: str, index: int) -> str:
    """Label of a knob's bin; "undefined" for -1."""
    k = knob_index(name)
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"{name} index must be an integer, got {index!r}")
    if not -1 <= int(index) < COUNTS[k]:
        raise ValueError(f"{name} index {index} out of range 0..{COUNTS[k] - 1} (or -1 for undefined)")
    return "undefined" if index < 0 else LABELS[name][int(index)]


# --- rule knobs: exact transpositions ----------------------------------------------------
def rule_shift(name: str, current, target):
    """Semitones that move a rule knob from `current` to `target` (arrays of bins, same shape).

    key: d = (target - current) mod 12, then d or d - 12, whichever is smaller
    (6 goes up); octave: 12 x (target - current).
    """
    current, target = np.asarray(current, dtype=np.int64), np.asarray(target, dtype=np.int64)
    if name == "key":
        d = (target - current) % 12
        return np.where(d <= 6, d, d - 12)
    if name == "octave":
        return 12 * (target - current)
    raise KeyError(f"{name!r} is not a rule knob; rule knobs are {', '.join(RULES)}")


def transpose(tokens, shift):
    """(tokens moved by `shift` semitones per row, ok per row): ok is False where a pitch would leave 36..96.

    Rows that are not ok come back unchanged.
    """
    tok = check_tokens(tokens).astype(np.int64)
    shift = np.broadcast_to(np.asarray(shift, dtype=np.int64), (len(tok),))
    onset = tok >= 2
    moved = np.where(onset, tok + shift[:, None], tok)
    ok = ~(onset & ((moved < 2) | (moved >= VOCAB_SIZE))).any(1)
    return np.where(ok[:, None], moved, tok), ok


def apply_rule(tokens, name: str, target):
    """(tokens, ok, why) with the rule knob `name` set to bin `target` per row (exact transposition).

    A row is refused (ok False, the row unchanged, `why` says why; '' where ok)
    when the clip has no notes, when the result would leave MIDI 36..96, or for key
    when the transposed clip's best key is not the target: that happens only where
    two keys tie exactly and the tie order (C first) picks another one after moving.
    """
    k = knob_index(name)
    if name not in RULES:
        raise KeyError(f"{name!r} is not a rule knob; rule knobs are {', '.join(RULES)}")
    tok = check_tokens(tokens).astype(np.int64)
    target = np.broadcast_to(np.asarray(target, dtype=np.int64), (len(tok),))
    if target.size and (target.min() < 0 or target.max() >= COUNTS[k]):
        raise ValueError(f"{name} target must lie in 0..{COUNTS[k] - 1}")
    current = parse(tok)[:, k]
    defined = current >= 0
    out, fits = transpose(tok, np.where(defined, rule_shift(name, current, target), 0))
    reached = parse(out)[:, k] == target
    ok = defined & fits & reached
    why = ["" if g else "the clip has no notes" if not d else
           f"the result would leave MIDI {LOWEST_PITCH}..{HIGHEST_PITCH}" if not f else
           f"two keys tie exactly: the moved clip reads as another {name}"
           for g, d, f in zip(ok.tolist(), defined.tolist(), fits.tolist())]
    return np.where(ok[:, None], out, tok), ok, why


# --- the folk schema (engine.schema) ------------------------------------------------------
TITLES = {"density": "density", "complexity": "complexity", "range": "range", "leaps": "leaps",
          "contour": "contour", "mode": "mode", "key": "key", "octave": "octave"}

SCHEMA = register(Schema(
    "folk", steps_per_bar=STEPS_PER_BAR, bars=2, step_beats=STEP, step_name="sixteenth-note",
    lowest_pitch=LOWEST_PITCH, highest_pitch=HIGHEST_PITCH, pitch_offset=PITCH_OFFSET,
    knobs=[Knob(n, TITLES[n], LABELS[n], "rule" if n in RULES else "learned") for n in NAMES],
    parse=parse, apply_rule=apply_rule, notes_to_tokens=notes_to_tokens, name_knobs=("key", "mode"),
    measure=measure, distance=bin_distance))
assert SCHEMA.vocab == VOCAB_SIZE and SCHEMA.steps == SEQ_LEN
