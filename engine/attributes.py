"""The token table and the nine dMelodies attributes.

Tokens, one per eighth note, 16 per melody: 0 rest, 1 hold, 2..51 onset of
MIDI pitch 58 + token (60..109).  `parse` reads the attributes back from any
token array with the reference rules of dMelodies (see docs/dmelodies.md):
vectorised numpy, -1 where an attribute is invalid.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

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
# onset pattern of one bar (bit 7 = first slot) -> rhythm index or -1
_RHYTHM_LOOKUP = np.full(256, -1, dtype=np.int64)
for _i, _slots in enumerate(RHYTHM_SLOTS):
    _RHYTHM_LOOKUP[sum(1 << (7 - int(s)) for s in _slots)] = _i
_BAR_WEIGHTS = 1 << np.arange(7, -1, -1)
# first scale (major, minor, blues) whose mask contains each 12-bit pitch-class mask
_SCALE_LOOKUP = np.full(4096, -1, dtype=np.int64)
for _m in range(4096):
    for _s, _mask in enumerate(_SCALE_MASKS):
        if _m & ~_mask == 0:
            _SCALE_LOOKUP[_m] = _s
            break


def check_tokens(tokens) -> np.ndarray:
    """Return tokens as an (N, 16) integer array, or raise a clear error."""
    arr = np.asarray(tokens)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.integer)
                                   or arr.dtype == bool):
        raise TypeError(f"tokens must be an integer array, got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != SEQ_LEN:
        raise ValueError(f"tokens must have shape (N, {SEQ_LEN}), got {np.shape(tokens)}")
    if arr.size and (arr.min() < 0 or arr.max() >= VOCAB_SIZE):
        raise ValueError(f"tokens must lie in 0..{VOCAB_SIZE - 1}, "
                         f"got {arr.min()}..{arr.max()}")
    return arr


def parse(tokens) -> np.ndarray:
    """Attributes of each melody: int64 array (N, 9), -1 where invalid."""
    tok = check_tokens(tokens).astype(np.int64)
    n = tok.shape[0]
    out = np.full((n, NUM_ATTRS), -1, dtype=np.int64)
    if n == 0:
        return out
    onset = tok >= 2
    count = onset.sum(axis=1)
    # Notes in time order, packed to the left (stable sort keeps time order).
    order = np.argsort(~onset, axis=1, kind="stable")
    pitches = np.take_along_axis(tok, order, axis=1) + PITCH_OFFSET

    # The reference gives up on every attribute below 3 notes, rhythm included.
    ok = count >= 3
    root = pitches[:, :3].min(axis=1)
    out[:, 0] = root % 12
    octave = root // 12 - 1 - 4
    out[:, 1] = np.where((octave >= 0) & (octave <= 2), octave, -1)

    bits = np.where(onset, 1 << ((tok + PITCH_OFFSET - root[:, None]) % 12), 0)
    mask = np.bitwise_or.reduce(bits, axis=1)
    out[:, 2] = _SCALE_LOOKUP[mask]

    bars = onset.reshape(n, 2, SLOTS_PER_BAR).astype(np.int64) @ _BAR_WEIGHTS
    out[:, 3:5] = _RHYTHM_LOOKUP[bars]

    groups = pitches[:, :12].reshape(n, 4, 3)
    turn = np.sign(np.diff(groups, axis=2)).sum(axis=2)
    arps = np.where(turn > 0, 0, np.where(turn < 0, 1, -1))
    out[:, 5:9] = np.where((count == 12)[:, None], arps, -1)

    out[~ok] = -1
    return out


# --- names, labels and normalised values --------------------------------------
def attr_index(name: str) -> int:
    """Column of an attribute name; clear error for an unknown name."""
    try:
        return NAMES.index(name)
    except ValueError:
        raise KeyError(f"unknown attribute {name!r}; expected one of {', '.join(NAMES)}") from None


def label_of(name: str, index: int) -> str:
    if index < 0:
        return "invalid"
    labels = LABELS[attr_index(name)]
    if index >= len(labels):
        raise ValueError(f"{name} index {index} out of range 0..{len(labels) - 1}")
    return labels[index]


def index_of_label(name: str, label: str) -> int:
    labels = LABELS[attr_index(name)]
    if label in labels:
        return labels.index(label)
    # Be forgiving about case and flats for tonics ("db" -> "C#").
    if name == "tonic":
        flats = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}
        fixed = label[:1].upper() + label[1:].lower() if label else label
        fixed = flats.get(fixed, fixed)
        if fixed in labels:
            return labels.index(fixed)
    elif label.lower() in labels:
        return labels.index(label.lower())
    raise ValueError(f"unknown label {label!r} for {name}; expected one of "
                     f"{', '.join(labels) if len(labels) <= 12 else str(len(labels)) + ' patterns like ' + labels[0]}")


def value_of_index(name: str, index: int) -> float:
    """Normalised value c = index / (n - 1); -1 -> nan."""
    k = attr_index(name)
    if index < 0:
        return float("nan")
    return index / (COUNTS[k] - 1)


def index_of_value(name: str, value: float) -> int:
    """Nearest index for a knob position in [0, 1] (categorical knobs snap)."""
    k = attr_index(name)
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} value must be a finite number, got {value!r}")
    if v < 0.0 or v > 1.0:
        raise ValueError(f"{name} value must lie in [0, 1], got {v}")
    return int(round(v * (COUNTS[k] - 1)))


def resolve_target(name: str, value) -> int:
    """Target index for a value given as a number in [0,1], an int index-free label, or a label."""
    attr_index(name)
    if isinstance(value, str):
        return index_of_label(name, value)
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} value must be a number in [0, 1] or a label, got {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return index_of_value(name, value)
    raise TypeError(f"{name} value must be a number in [0, 1] or a label, got {value!r}")


def normalise(indices) -> np.ndarray:
    """Attribute indices (N, 9) -> c in [0, 1], nan where invalid."""
    idx = np.asarray(indices)
    c = idx / (COUNTS - 1)
    return np.where(idx < 0, np.nan, c)
