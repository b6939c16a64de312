"""The dMelodies schema: its token table and nine attributes (`SCHEMA`, see engine.schema).

Tokens, one per eighth note, 16 per melody: 0 rest, 1 hold, 2..51 onset of
MIDI pitch 58 + token (60..109).  `parse` reads the attributes back from any
token array with the reference rules of dMelodies (see docs/dmelodies.md):
vectorised numpy, -1 where an attribute is invalid.
"""
from __future__ import annotations

import itertools

import numpy as np

from engine.schema import Knob, Schema, register

# --- token table -------------------------------------------------------------
REST, HOLD = 0, 1
PITCH_OFFSET = 58          # token t >= 2 is MIDI pitch t + 58
LOWEST_PITCH, HIGHEST_PITCH = 60, 109
VOCAB_SIZE = 52
SEQ_LEN = 16               # 2 bars of 8 eighth notes
SLOTS_PER_BAR = 8

# --- attributes --------------------------------------------------------------
NAMES = ("tonic", "octave", "scale", "rhythm_bar1", "rhythm_bar2",
         "arp_chord1", "arp_chord2", "arp_chord3", "arp_chord4")
COUNTS = np.array([12, 3, 3, 28, 28, 2, 2, 2, 2])
NUM_ATTRS = len(NAMES)

TONIC_LABELS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
OCTAVE_LABELS = ("4", "5", "6")
SCALE_LABELS = ("major", "minor", "blues")
ARP_LABELS = ("up", "down")

# The 28 rhythms: 6-of-8 onset slots, in lexicographic order of the subsets.
RHYTHM_SLOTS = np.array(list(itertools.combinations(range(SLOTS_PER_BAR), 6)))
RHYTHM_LABELS = tuple("".join("1" if s in slots else "0" for s in range(8))
                      for slots in RHYTHM_SLOTS)

LABELS = (TONIC_LABELS, OCTAVE_LABELS, SCALE_LABELS, RHYTHM_LABELS, RHYTHM_LABELS,
          ARP_LABELS, ARP_LABELS, ARP_LABELS, ARP_LABELS)

# Nine semitone offsets from the root per scale, and the chord positions in them.
SCALE_OFFSETS = np.array([[0, 2, 4, 5, 7, 9, 11, 12, 14],
                          [0, 2, 3, 5, 7, 8, 11, 12, 14],
                          [0, 2, 3, 5, 6, 9, 10, 12, 14]])
CHORD_POSITIONS = np.array([[0, 2, 4], [3, 5, 7], [4, 6, 8], [0, 2, 4]])

_SCALE_MASKS = [int(np.bitwise_or.reduce(1 << (offsets % 12))) for offsets in SCALE_OFFSETS]
# onset pattern of one bar (bit 7 = first slot, as np.packbits gives it) -> rhythm index or -1
_RHYTHM_LOOKUP = np.full(256, -1, dtype=np.int8)
for _i, _slots in enumerate(RHYTHM_SLOTS):
    _RHYTHM_LOOKUP[sum(1 << (7 - int(s)) for s in _slots)] = _i
# first scale (major, minor, blues) whose mask contains each 12-bit pitch-class mask
_SCALE_LOOKUP = np.full(4096, -1, dtype=np.int8)
for _m in range(4096):
    for _s, _mask in enumerate(_SCALE_MASKS):
        if _m & ~_mask == 0:
            _SCALE_LOOKUP[_m] = _s
            break
# per token: pitch-class bit (0 for rest/hold), tonic and octave index of its pitch
_TOKEN_PITCH = np.arange(VOCAB_SIZE) + PITCH_OFFSET
_PC_BIT = np.where(np.arange(VOCAB_SIZE) >= 2, 1 << (_TOKEN_PITCH % 12), 0).astype(np.uint16)
_TONIC_OF = (_TOKEN_PITCH % 12).astype(np.uint16)
_OCTAVE_OF = np.where((_TOKEN_PITCH // 12 - 5 >= 0) & (_TOKEN_PITCH // 12 - 5 <= 2),
                      _TOKEN_PITCH // 12 - 5, -1).astype(np.int8)
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
_ARP_OF_TURN = np.array([1, 1, -1, 0, 0], dtype=np.int8)     # turn + 2 -> 0 up, 1 down, -1 flat
_COLUMNS = np.arange(SEQ_LEN, dtype=np.uint8)


# Lookup tables for melodies_of: the onset mask of each rhythm, and the 12
# semitone offsets of each (scale, arp code) with arp code = 8*chord1 + 4*chord2 + 2*chord3 + chord4.
_RHYTHM_MASKS = np.zeros((len(RHYTHM_SLOTS), SLOTS_PER_BAR), dtype=bool)
for _i, _slots in enumerate(RHYTHM_SLOTS):
    _RHYTHM_MASKS[_i, _slots] = True
_ARP_DIRS = (np.arange(16)[:, None] >> np.arange(3, -1, -1)) & 1
_ARP_POSITIONS = np.where(_ARP_DIRS[:, :, None] == 1, CHORD_POSITIONS[None, :, ::-1],
                          CHORD_POSITIONS[None]).reshape(16, 12)
_OFFSETS = SCALE_OFFSETS[:, _ARP_POSITIONS]          # (3 scales, 16 arp codes, 12 notes)


def check_tokens(tokens) -> np.ndarray:
    """Return tokens as an (N, 16) integer array (dtype kept), or raise a clear error."""
    return SCHEMA.check_tokens(tokens)


def parse(tokens) -> np.ndarray:
    """Attributes of each melody: int64 array (N, 9), -1 where invalid.

    tokens: integer array (N, 16) or one melody (16,).  Works in uint8/int8 and
    builds the int64 result once at the end (~0.3 s for all dMelodies rows).
    """
    tok = check_tokens(tokens)
    n = tok.shape[0]
    if n == 0:
        return np.full((0, NUM_ATTRS), -1, dtype=np.int64)
    tok = tok.astype(np.uint8, copy=False)
    onset = tok >= 2
    bars = np.packbits(onset, axis=1)                       # (N, 2), bit 7 = first slot of the bar
    count = _POPCOUNT[bars[:, 0]] + _POPCOUNT[bars[:, 1]]   # notes per melody
    # Notes in time order, packed to the left: both boolean masks run in row-major
    # order with `count` Trues per row, so each note lands in its rank's column.
    notes = np.zeros((n, SEQ_LEN), dtype=np.uint8)
    notes[_COLUMNS < count[:, None]] = tok[onset]
    out = np.empty((n, NUM_ATTRS), dtype=np.int8)

    root = np.minimum(np.minimum(notes[:, 0], notes[:, 1]), notes[:, 2])   # as a token
    tonic = _TONIC_OF[root]
    out[:, 0] = tonic
    out[:, 1] = _OCTAVE_OF[root]

    # Pitch classes present: OR the 16 per-slot bits (as 4 uint64 words), then
    # rotate the 12-bit mask so that the root is bit 0.
    words = _PC_BIT[tok].view(np.uint64)
    w = words[:, 0] | words[:, 1] | words[:, 2] | words[:, 3]
    w |= w >> np.uint64(32)
    present = (w | (w >> np.uint64(16))).astype(np.uint16)
    relative = ((present >> tonic) | (present << (12 - tonic))) & np.uint16(0xFFF)
    out[:, 2] = _SCALE_LOOKUP[relative]

    out[:, 3:5] = _RHYTHM_LOOKUP[bars]

    a, b, c = notes[:, 0:12:3], notes[:, 1:12:3], notes[:, 2:12:3]
    turn = ((b > a).view(np.int8) - (a > b).view(np.int8)
            + (c > b).view(np.int8) - (b > c).view(np.int8))
    arps = _ARP_OF_TURN[turn + 2]
    arps[count != 12] = -1
    out[:, 5:9] = arps

    # The reference gives up on every attribute below 3 notes, rhythm included.
    out[count < 3] = -1
    return out.astype(np.int64)


# --- names, labels and normalised values (the dMelodies schema's, see engine.schema) ---
def attr_index(name: str) -> int:
    """Column of an attribute name; clear error for an unknown name."""
    return SCHEMA.knob_index(name)


def label_of(name: str, index: int) -> str:
    """Label of an attribute index; "invalid" for -1."""
    return SCHEMA.label_of(name, index)


def index_of_label(name: str, label: str) -> int:
    return SCHEMA.index_of_label(name, label)


def value_of_index(name: str, index: int) -> float:
    """Normalised value c = index / (n - 1); -1 -> nan."""
    return SCHEMA.value_of_index(name, index)


def index_of_value(name: str, value: float) -> int:
    """Nearest index for a knob position in [0, 1] (categorical knobs snap; ties go up)."""
    return SCHEMA.index_of_value(name, value)


def resolve_target(name: str, value) -> int:
    """Target index for a value given as a number in [0, 1] (a knob position) or a label."""
    return SCHEMA.resolve_target(name, value)


def normalise(indices) -> np.ndarray:
    """Attribute indices (N, 9) -> c in [0, 1], nan where invalid."""
    return SCHEMA.normalise(indices)


# --- the inverse of parse: the dMelodies rule that builds a melody from its factors ---
def melodies_of(factors) -> np.ndarray:
    """Tokens (N, 16) of the dMelodies melodies with the given attribute indices (N, 9)."""
    f = np.asarray(factors)
    if f.dtype == bool or not (np.issubdtype(f.dtype, np.integer) or f.size == 0):
        raise TypeError(f"factors must be integers, got dtype {f.dtype}")
    f = f.astype(np.int64, copy=False)
    if f.ndim != 2 or f.shape[1] != len(COUNTS):
        raise ValueError(f"factors must have shape (N, {len(COUNTS)}), got {f.shape}")
    if f.size and ((f < 0) | (f >= COUNTS)).any():
        raise ValueError("factor indices out of range: column k must lie in 0..n_k-1 with n = "
                         f"{COUNTS.tolist()}")
    n = f.shape[0]
    root = 12 * (f[:, 1] + 4 + 1) + f[:, 0] - PITCH_OFFSET          # as a token
    arp = f[:, 5] * 8 + f[:, 6] * 4 + f[:, 7] * 2 + f[:, 8]
    pitches = root[:, None] + _OFFSETS[f[:, 2], arp]                 # (N, 12) tokens in time order
    onset = np.concatenate([_RHYTHM_MASKS[f[:, 3]], _RHYTHM_MASKS[f[:, 4]]], axis=1)
    tokens = np.zeros((n, SEQ_LEN), dtype=np.int64)
    # Row-major boolean assignment: each row has 12 onsets, filled with its 12 pitches in order.
    tokens[onset] = pitches.ravel()
    return tokens


TITLES = ("tonic", "octave", "scale", "rhythm 1", "rhythm 2", "arp 1", "arp 2", "arp 3", "arp 4")

SCHEMA = register(Schema(
    "dmelodies", steps_per_bar=SLOTS_PER_BAR, bars=2, step_beats=0.5, step_name="eighth-note",
    lowest_pitch=LOWEST_PITCH, highest_pitch=HIGHEST_PITCH, pitch_offset=PITCH_OFFSET,
    knobs=[Knob(n, t, labels) for n, t, labels in zip(NAMES, TITLES, LABELS)],
    parse=parse, melodies_of=melodies_of, knob_word="attribute", name_knobs=("tonic", "scale")))
assert SCHEMA.vocab == VOCAB_SIZE and SCHEMA.steps == SEQ_LEN
