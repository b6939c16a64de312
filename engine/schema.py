"""The schema of a model family: its token grid and its knobs, in one small plain object.

Like mido's message specs, a `Schema` says everything the rest of the code
needs to know about a family and used to read from module constants:

- the token grid: steps per bar, bars, beats per step, the rest and hold
  tokens, the pitch range and the pitch offset (token t >= 2 is MIDI pitch
  t + offset), hence the vocabulary;
- the knobs in order: name, human title, labels (their count), and kind:
  "learned" (moved by the VAE and its traversal nets) or "rule" (an exact
  transformation of the clip, `apply_rule`);
- the vectorised parser: tokens (N, steps) -> knob indices (N, knobs), -1
  where a knob is undefined;
- where one exists, the exact inverse (`melodies_of`: dMelodies' rules);
- clip conversion (notes <-> tokens, with pitch folding).

A model's JSON names its schema ("schema": "dmelodies"; absent means
dmelodies); `engine.models.load_model` gives the model with its schema
(`model.schema`), and the Editor, Session, clip conversion, kernels,
traversal, evaluation, training, the engine and the surfaces read that.

The families: "dmelodies" (engine/attributes.py) and "folk" (engine/folk.py);
`register` adds another (the tests add a toy one).
"""
from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

KINDS = ("learned", "rule")
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLATS = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}


@dataclass(frozen=True)
class Knob:
    name: str
    title: str
    labels: tuple
    kind: str = "learned"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"knob {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if len(self.labels) < 2:
            raise ValueError(f"knob {self.name!r} needs at least 2 labels")

    @property
    def count(self) -> int:
        return len(self.labels)


class Schema:
    """One model family's token grid and knobs (see the module's docstring)."""

    def __init__(self, name: str, *, steps_per_bar: int, bars: int, step_beats: float, step_name: str,
                 lowest_pitch: int, highest_pitch: int, pitch_offset: int, knobs, parse: Callable,
                 melodies_of: Callable | None = None, apply_rule: Callable | None = None,
                 notes_to_tokens: Callable | None = None, tokens_to_notes: Callable | None = None,
                 knob_word: str = "knob", undefined: str = "invalid", rest: int = 0, hold: int = 1,
                 name_knobs: tuple = (), measure: Callable | None = None, distance: Callable | None = None):
        self.name = name
        self.steps_per_bar, self.bars, self.steps = steps_per_bar, bars, steps_per_bar * bars
        self.step_beats, self.step_name = float(step_beats), step_name
        self.clip_beats = self.steps * self.step_beats
        self.rest, self.hold = rest, hold
        self.lowest_pitch, self.highest_pitch, self.pitch_offset = lowest_pitch, highest_pitch, pitch_offset
        self.vocab = highest_pitch - pitch_offset + 1
        if lowest_pitch - pitch_offset < 2:
            raise ValueError(f"schema {name}: the lowest pitch's token must be >= 2 (0 rest, 1 hold)")
        self.knobs = tuple(knobs)
        self.names = tuple(k.name for k in self.knobs)
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"schema {name}: knob names must be unique")
        self.titles = tuple(k.title for k in self.knobs)
        self.labels = tuple(tuple(k.labels) for k in self.knobs)
        self.counts = np.array([k.count for k in self.knobs])
        self.num_knobs = len(self.knobs)
        self.rule_knobs = tuple(i for i, k in enumerate(self.knobs) if k.kind == "rule")
        self.knob_word, self.undefined = knob_word, undefined
        # the knobs whose labels name a clip (the panel's drag-and-drop file name); the first two by default
        self.name_knobs = tuple(name_knobs) or self.names[:2]
        if not set(self.name_knobs) <= set(self.names):
            raise ValueError(f"schema {name}: name_knobs {self.name_knobs} are not all knobs")
        self._parse, self._melodies_of, self._apply_rule = parse, melodies_of, apply_rule
        self._to_tokens, self._to_notes = notes_to_tokens, tokens_to_notes
        # optional: tokens -> (values, bins) in one pass, and how far values are from wanted bins
        # (engine.folk.bin_distance); the editor's local search steers by them where a family has them
        self.measure, self.distance = measure, distance
        if self.rule_knobs and apply_rule is None:
            raise ValueError(f"schema {name} has rule knobs but no apply_rule")

    def __repr__(self):
        return f"Schema({self.name!r}: {self.steps} steps, {self.num_knobs} knobs {', '.join(self.names)})"

    # --- tokens ------------------------------------------------------------------------
    def check_tokens(self, tokens) -> np.ndarray:
        """Return tokens as an (N, steps) integer array (dtype kept), or raise a clear error."""
        arr = np.asarray(tokens)
        if arr.size == 0 and arr.dtype.kind == "f":        # [] or np.empty((0, steps)): no dtype to judge
            arr = arr.astype(np.int64)
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool):
            raise TypeError(f"tokens must be an integer array, got dtype {arr.dtype}")
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.steps:
            raise ValueError(f"tokens must have shape (N, {self.steps}), got {np.shape(tokens)}")
        if arr.size and arr.dtype != bool:
            # one pass: in the unsigned view of a signed array, negatives become huge
            u = arr.view(arr.dtype.str.replace("i", "u")) if arr.dtype.kind == "i" else arr
            if u.max() >= self.vocab:
                raise ValueError(f"tokens must lie in 0..{self.vocab - 1}, got {arr.min()}..{arr.max()}")
        return arr

    def parse(self, tokens) -> np.ndarray:
        """Knob indices of each clip: int64 (N, knobs), -1 where undefined."""
        return self._parse(tokens)

    @property
    def has_inverse(self) -> bool:
        return self._melodies_of is not None

    def melodies_of(self, factors) -> np.ndarray:
        """The exact inverse of parse (tokens (N, steps) of knob indices (N, knobs)), where one exists."""
        if self._melodies_of is None:
            raise NotImplementedError(f"schema {self.name} has no exact inverse of its parser")
        return self._melodies_of(factors)

    def apply_rule(self, tokens, k: int, target):
        """(tokens, ok, why) with rule knob k set to index `target` per row (see engine.folk.apply_rule)."""
        if k not in self.rule_knobs:
            raise KeyError(f"{self.names[k]!r} is not a rule knob of {self.name}")
        return self._apply_rule(tokens, self.names[k], target)

    def is_rule(self, k: int) -> bool:
        return k in self.rule_knobs

    # --- clips ---------------------------------------------------------------------------
    def fold_pitch(self, pitch: int) -> int:
        while pitch < self.lowest_pitch:
            pitch += 12
        while pitch > self.highest_pitch:
            pitch -= 12
        return pitch

    def notes_to_tokens(self, notes):
        """Conversion (tokens, velocities, mutes, changes) of any clip on this grid."""
        if self._to_tokens is not None:
            return self._to_tokens(notes)
        from engine.clip import notes_to_tokens
        return notes_to_tokens(notes, self)

    def tokens_to_notes(self, tokens, velocities=None, mutes=None):
        if self._to_notes is not None:
            return self._to_notes(tokens, velocities, mutes)
        from engine.clip import tokens_to_notes
        return tokens_to_notes(tokens, velocities, mutes, self)

    # --- names, labels and normalised values -----------------------------------------------
    def knob_index(self, name: str) -> int:
        """Column of a knob name; clear error for an unknown name."""
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"unknown {self.knob_word} {name!r}; expected one of {', '.join(self.names)}") from None

    def check_index(self, name: str, index) -> int:
        """A knob index as int (-1 allowed for undefined); TypeError/ValueError otherwise."""
        k = self.knob_index(name)
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"{name} index must be an integer, got {index!r}")
        index = int(index)
        if not -1 <= index < self.counts[k]:
            raise ValueError(f"{name} index {index} out of range 0..{self.counts[k] - 1} (or -1 for {self.undefined})")
        return index

    def label_of(self, name: str, index: int) -> str:
        index = self.check_index(name, index)
        return self.undefined if index < 0 else self.labels[self.knob_index(name)][index]

    def index_of_label(self, name: str, label: str) -> int:
        labels = self.labels[self.knob_index(name)]
        if not isinstance(label, str):
            raise TypeError(f"{name} label must be a string, got {label!r}")
        if label in labels:
            return labels.index(label)
        if labels == PITCH_CLASSES:     # forgiving about case and flats ("db" -> "C#")
            fixed = label[:1].upper() + label[1:].lower() if label else label
            fixed = _FLATS.get(fixed, fixed)
            if fixed in labels:
                return labels.index(fixed)
        elif label.lower() in labels:
            return labels.index(label.lower())
        raise ValueError(f"unknown label {label!r} for {name}; expected one of "
                         f"{', '.join(labels) if len(labels) <= 12 else str(len(labels)) + ' patterns like ' + labels[0]}")

    def value_of_index(self, name: str, index: int) -> float:
        """Normalised value c = index / (n - 1); -1 -> nan."""
        k = self.knob_index(name)
        index = self.check_index(name, index)
        return float("nan") if index < 0 else index / int(self.counts[k] - 1)

    def index_of_value(self, name: str, value: float) -> int:
        """Nearest index for a knob position in [0, 1] (categorical knobs snap; ties go up)."""
        k = self.knob_index(name)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} value must be a number in [0, 1], got {value!r}")
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"{name} value must be a finite number, got {value!r}")
        if v < 0.0 or v > 1.0:
            raise ValueError(f"{name} value must lie in [0, 1], got {v}")
        return int(math.floor(v * (self.counts[k] - 1) + 0.5))

    def resolve_target(self, name: str, value) -> int:
        """Target index for a value given as a number in [0, 1] (a knob position) or a label."""
        self.knob_index(name)
        if isinstance(value, str):
            return self.index_of_label(name, value)
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} value must be a number in [0, 1] or a label, got {value!r}")
        if isinstance(value, (int, float, np.integer, np.floating)):
            return self.index_of_value(name, value)
        raise TypeError(f"{name} value must be a number in [0, 1] or a label, got {value!r}")

    def normalise(self, indices) -> np.ndarray:
        """Knob indices (N, knobs) -> c in [0, 1], nan where undefined."""
        idx = np.asarray(indices)
        return np.where(idx < 0, np.nan, idx / (self.counts - 1))

    def describe(self) -> list[dict]:
        """The knobs as plain data (what /sentgen/knobs carries)."""
        return [{"name": k.name, "title": k.title, "kind": k.kind, "count": k.count, "labels": list(k.labels)}
                for k in self.knobs]


# --- the registry ---------------------------------------------------------------------
DEFAULT_SCHEMA = "dmelodies"
_MODULES = {"dmelodies": "engine.attributes", "folk": "engine.folk"}
_REGISTERED: dict[str, Schema] = {}


def register(schema: Schema) -> Schema:
    """Make a schema known by its name (models name it in their JSON)."""
    _REGISTERED[schema.name] = schema
    return schema


def get_schema(name: str | Schema | None = None) -> Schema:
    """The schema of that name ("dmelodies" when None); KeyError naming the known ones otherwise."""
    if isinstance(name, Schema):
        return name
    name = DEFAULT_SCHEMA if name is None else name
    if name not in _REGISTERED and name in _MODULES:
        importlib.import_module(_MODULES[name])        # the module registers its SCHEMA
    try:
        return _REGISTERED[name]
    except (KeyError, TypeError):
        known = sorted(set(_MODULES) | set(_REGISTERED))
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(known)}") from None


def schema_of_knobs(names) -> Schema | None:
    """The known schema whose knobs are exactly these names, in order (a surface that only heard
    /sentgen/knobs finds the family's own details), or None."""
    for module in _MODULES.values():
        importlib.import_module(module)
    names = tuple(names)
    return next((s for s in _REGISTERED.values() if s.names == names), None)
