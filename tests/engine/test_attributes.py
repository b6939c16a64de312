"""The attribute parser R_k and the label/value conversions (rules: docs/dmelodies spec)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.attributes import (COUNTS, HOLD, LABELS, NAMES, NUM_ATTRS, REST, RHYTHM_LABELS, SEQ_LEN,
                               VOCAB_SIZE, attr_index, check_tokens, index_of_label, index_of_value,
                               label_of, normalise, parse, resolve_target, value_of_index)

# --- hand-computed rows (from the spec's rules, not from the generator) --------------------------
# Row 0: C4 major, rhythms 0/0 (11111100), all up: C4 E4 G4 F4 A4 C5 r r | G4 B4 D5 C4 E4 G4 r r
ROW0_PITCHES = [60, 64, 67, 65, 69, 72, None, None, 67, 71, 74, 60, 64, 67, None, None]
# D# (root 63) blues, octave 4, rhythm bar1 27 (00111111), bar2 1 (11111010), all four chords down.
# blues offsets 0 2 3 5 6 9 10 12 14; I=(0,3,6) IV=(5,9,12) V=(6,10,14) I=(0,3,6), each reversed.
DSHARP_BLUES_DOWN = ([None, None, 69, 66, 63, 75, 72, 68, 77, 73, 69, 69, 66, None, 63, None],
                     [3, 0, 2, 27, 1, 1, 1, 1, 1])
# A (root 93) harmonic minor, octave 6, rhythm 0 (11111100) / 27 (00111111), arps up down up down.
# minor offsets 0 2 3 5 7 8 11 12 14; I=(0,3,7) IV=(5,8,12) V=(7,11,14).
A_MINOR_MIXED = ([93, 96, 100, 105, 101, 98, None, None, None, None, 100, 104, 107, 100, 96, 93],
                 [9, 2, 1, 0, 27, 0, 1, 0, 1])


def toks(pitches):
    """Tokens of a list of MIDI pitches (None = rest, "h" = hold)."""
    return np.array([REST if p is None else HOLD if p == "h" else p - 58 for p in pitches], dtype=np.int64)


def test_row0_tokens_and_attributes():
    t = toks(ROW0_PITCHES)
    assert t.tolist() == [2, 6, 9, 7, 11, 14, 0, 0, 9, 13, 16, 2, 6, 9, 0, 0]
    assert parse(t).tolist() == [[0, 0, 0, 0, 0, 0, 0, 0, 0]]


@pytest.mark.parametrize("pitches,factors", [DSHARP_BLUES_DOWN, A_MINOR_MIXED])
def test_hand_computed_rows(pitches, factors):
    assert parse(toks(pitches)).tolist() == [factors]


def test_rhythm_labels_from_spec():
    assert RHYTHM_LABELS[0] == "11111100"
    assert RHYTHM_LABELS[1] == "11111010"
    assert RHYTHM_LABELS[27] == "00111111"
    assert len(RHYTHM_LABELS) == 28 and sorted(RHYTHM_LABELS, reverse=True) == list(RHYTHM_LABELS)


# --- a slow, literal reading of the spec, to compare the vectorised parser with -----------------
SCALES12 = [{0, 2, 4, 5, 7, 9, 11}, {0, 2, 3, 5, 7, 8, 11}, {0, 2, 3, 5, 6, 9, 10}]


def reference_parse(row):
    row = [int(t) for t in row]
    notes = [t + 58 for t in row if t >= 2]
    if len(notes) < 3:
        return [-1] * 9
    root = min(notes[:3])
    octave = root // 12 - 1 - 4
    pcs = {(p - root) % 12 for p in notes}
    scale = next((i for i, s in enumerate(SCALES12) if pcs <= s), -1)
    rhythms = []
    for b in range(2):
        pattern = "".join("1" if t >= 2 else "0" for t in row[8 * b:8 * b + 8])
        rhythms.append(RHYTHM_LABELS.index(pattern) if pattern in RHYTHM_LABELS else -1)
    arps = [-1] * 4
    if len(notes) == 12:
        for g in range(4):
            a, b, c = notes[3 * g:3 * g + 3]
            turn = np.sign(b - a) + np.sign(c - b)
            arps[g] = 0 if turn > 0 else 1 if turn < 0 else -1
    return [root % 12, octave if 0 <= octave <= 2 else -1, scale, *rhythms, *arps]


def test_reference_agrees_on_hand_rows():
    for pitches, factors in (DSHARP_BLUES_DOWN, A_MINOR_MIXED):
        assert reference_parse(toks(pitches)) == factors


# --- edge cases -------------------------------------------------------------------------------
@pytest.mark.parametrize("pitches", [[], [60], [60, 64], [60, "h", "h", 64, "h"]])
def test_fewer_than_three_notes_all_invalid(pitches):
    t = toks(pitches + [None] * (SEQ_LEN - len(pitches)))
    assert parse(t).tolist() == [[-1] * 9]


def test_three_notes_are_enough_for_tonic_octave_scale():
    t = toks([64, 67, 72] + [None] * 13)          # E G C over root E: {0, 3, 8} -> harmonic minor
    assert parse(t).tolist() == [[4, 0, 1, -1, -1, -1, -1, -1, -1]]


def test_root_is_lowest_of_first_three_notes_only():
    t = toks([67, 64, 72, 60] + [None] * 12)      # 60 comes 4th: root stays 64 (E)
    out = parse(t)[0]
    assert out[0] == 4
    assert out[2] == 1           # over E: {0, 3, 8} -> minor (over C it would be C major)


def test_octave_out_of_range():
    t = toks([96, 100, 103] + [None] * 13)        # C7: octave number 7 -> index 3 -> invalid
    out = parse(t)[0]
    assert out[0] == 0 and out[1] == -1 and out[2] == 0
    assert parse(toks([95, 100, 103] + [None] * 13))[0][1] == 2   # B6 is still octave 6
    assert parse(toks([109, 108, 107] + [None] * 13))[0][:2].tolist() == [11, -1]


def test_onset_turned_into_hold_changes_root_rhythm_and_arps():
    t = toks(ROW0_PITCHES)
    t[0] = HOLD                                   # C4 becomes a hold: notes now start E4 G4 F4
    out = parse(t)[0]
    assert out[0] == 4 and out[1] == 0            # root E4
    assert out[2] == -1                           # F - E = 1 semitone: no scale
    assert out[3] == -1 and out[4] == 0           # bar 1 has 5 onsets; bar 2 untouched
    assert out[5:].tolist() == [-1] * 4           # 11 notes


def test_rest_and_hold_count_as_no_onset_in_rhythm():
    t = toks(ROW0_PITCHES)
    t[6] = HOLD
    assert parse(t)[0].tolist() == [0] * 9


@pytest.mark.parametrize("change", ["drop", "add"])
def test_eleven_or_thirteen_notes_invalidate_arps(change):
    t = toks(ROW0_PITCHES)
    if change == "drop":
        t[9] = REST                               # 11 notes, bar 2 has 5 onsets
    else:
        t[14] = 64 - 58                           # 13 notes, bar 2 has 7 onsets
    out = parse(t)[0]
    assert out[:4].tolist() == [0, 0, 0, 0]
    assert out[4] == -1
    assert out[5:].tolist() == [-1] * 4


@pytest.mark.parametrize("group,expected", [((65, 65, 65), -1), ((65, 69, 65), -1), ((69, 65, 69), -1),
                                            ((65, 65, 69), 0), ((69, 65, 65), 1), ((72, 69, 65), 1)])
def test_arp_sign_rule_per_chord(group, expected):
    p = list(ROW0_PITCHES)
    p[3:6] = group                                # chord 2
    out = parse(toks(p))[0]
    assert out[6] == expected
    assert out[[5, 7, 8]].tolist() == [0, 0, 0]   # the other chords are unaffected


@pytest.mark.parametrize("offsets,scale", [
    ([0, 4, 7, 11], 0),            # major only
    ([0, 2, 5, 7, 12], 0),         # in major and minor (and blues): first match wins -> major
    ([0, 3, 7, 8, 11], 1),         # harmonic minor only
    ([0, 2, 3, 5], 1),             # minor and blues -> minor
    ([0, 3, 6, 10], 2),            # blues only
    ([0, 1, 2], -1),               # no scale
    ([0, 4, 8], -1),               # augmented: no scale
])
def test_scale_rule(offsets, scale):
    pitches = [62 + o for o in offsets]
    t = toks(pitches + [None] * (SEQ_LEN - len(pitches)))
    assert parse(t)[0][2] == scale


def test_every_scale_of_every_tonic_is_recognised():
    from engine.attributes import SCALE_OFFSETS
    for s, offsets in enumerate(SCALE_OFFSETS):
        for tonic in range(12):
            pitches = [60 + tonic + int(o) for o in offsets] + [None] * 7
            out = parse(toks(pitches))[0]
            assert out[0] == tonic and out[2] == s


def test_single_row_and_batch_shapes():
    t = toks(ROW0_PITCHES)
    assert parse(t).shape == (1, NUM_ATTRS)
    assert parse(t.tolist()).tolist() == parse(t[None]).tolist()
    assert parse(np.zeros((0, SEQ_LEN), dtype=np.int64)).shape == (0, NUM_ATTRS)
    for dtype in (np.int8, np.uint8, np.int16, np.int32, np.uint64):
        out = parse(t.astype(dtype))
        assert out.dtype == np.int64 and out.tolist() == [[0] * 9]


# --- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize("bad,exc,msg", [
    (np.zeros((2, 16), dtype=np.float64), TypeError, "integer array.*float64"),
    (np.zeros((2, 15), dtype=np.int64), ValueError, r"shape \(N, 16\).*\(2, 15\)"),
    (np.zeros((2, 2, 16), dtype=np.int64), ValueError, r"shape \(N, 16\).*\(2, 2, 16\)"),
    (np.full((1, 16), 52), ValueError, r"0\.\.51.*52"),
    (np.full((1, 16), -1), ValueError, r"0\.\.51.*-1"),
    (np.array([[0] * 15 + [200]], dtype=np.uint8), ValueError, r"0\.\.51"),
    (np.array([[-128] + [0] * 15], dtype=np.int8), ValueError, r"0\.\.51.*-128"),
    ([], ValueError, r"shape \(N, 16\)"),
    (np.array(["a"] * 16), TypeError, "integer array"),
    ([None] * 16, TypeError, "integer array"),
])
def test_bad_tokens(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        parse(bad)
    with pytest.raises(exc, match=msg):
        check_tokens(bad)


# --- properties -------------------------------------------------------------------------------
token_rows = hnp.arrays(np.int64, st.tuples(st.integers(0, 40), st.just(SEQ_LEN)),
                        elements=st.one_of(st.integers(0, 1), st.integers(0, VOCAB_SIZE - 1)))


@settings(max_examples=150, deadline=None)
@given(token_rows)
def test_parse_properties(tokens):
    out = parse(tokens)
    assert out.shape == (len(tokens), NUM_ATTRS) and out.dtype == np.int64
    assert ((out >= -1) & (out < COUNTS)).all()
    count = (tokens >= 2).sum(axis=1)
    assert (out[count < 3] == -1).all()
    assert (out[count != 12, 5:] == -1).all()
    assert (out[count >= 3, 0] >= 0).all()            # a tonic always exists from 3 notes on
    for b in range(2):
        six = (tokens[:, 8 * b:8 * b + 8] >= 2).sum(axis=1) == 6
        assert ((out[:, 3 + b] >= 0) == six).all()
    for i, row in enumerate(tokens):
        assert out[i].tolist() == reference_parse(row)
        assert parse(row).tolist() == [out[i].tolist()]


factor_rows = st.tuples(*[st.integers(0, int(n) - 1) for n in COUNTS])


@settings(max_examples=100, deadline=None)
@given(st.lists(factor_rows, min_size=1, max_size=20))
def test_generate_then_parse_is_identity(rows):
    from training.dmelodies import melodies_of
    f = np.array(rows, dtype=np.int64)
    tokens = melodies_of(f)
    assert parse(tokens).tolist() == f.tolist()
    assert [reference_parse(r) for r in tokens] == f.tolist()


# --- names, labels, values --------------------------------------------------------------------
def test_index_label_value_round_trip_for_every_attribute():
    for k, name in enumerate(NAMES):
        assert attr_index(name) == k
        n = int(COUNTS[k])
        assert len(LABELS[k]) == n
        for i in range(n):
            label = label_of(name, i)
            assert index_of_label(name, label) == i
            v = value_of_index(name, i)
            assert 0.0 <= v <= 1.0 and math.isclose(v, i / (n - 1))
            assert index_of_value(name, v) == i
            assert resolve_target(name, v) == i
            assert resolve_target(name, label) == i
        assert label_of(name, -1) == "invalid"
        assert math.isnan(value_of_index(name, -1))


def test_label_forgiveness():
    assert index_of_label("tonic", "eb") == 3
    assert index_of_label("tonic", "Bb") == 10
    assert index_of_label("tonic", "c#") == 1
    assert index_of_label("scale", "Blues") == 2
    assert index_of_label("arp_chord3", "DOWN") == 1


def test_knob_snapping():
    assert index_of_value("tonic", 0.0) == 0 and index_of_value("tonic", 1.0) == 11
    assert index_of_value("tonic", 0.04) == 0 and index_of_value("tonic", 0.05) == 1
    assert index_of_value("arp_chord1", 0.49) == 0 and index_of_value("arp_chord1", 0.5) == 1
    assert index_of_value("scale", 0.25) == 1 and index_of_value("scale", 0.75) == 2   # ties go up
    assert index_of_value("octave", np.float32(1.0)) == 2
    assert index_of_value("octave", 1) == 2


def test_normalise():
    idx = np.array([[11, 2, 1, 27, 0, 1, 0, -1, 1]])
    c = normalise(idx)
    assert c[0, :7].tolist() == [1.0, 1.0, 0.5, 1.0, 0.0, 1.0, 0.0]
    assert math.isnan(c[0, 7]) and c[0, 8] == 1.0


def test_unknown_attribute_name():
    for fn, arg in ((label_of, 0), (index_of_label, "C"), (value_of_index, 0), (index_of_value, 0.5),
                    (resolve_target, 0.5)):
        with pytest.raises(KeyError, match="unknown attribute 'tempo'; expected one of tonic, octave"):
            fn("tempo", arg)
    with pytest.raises(KeyError, match="unknown attribute"):
        label_of("tempo", -1)
    with pytest.raises(KeyError, match="unknown attribute"):
        attr_index("Tonic")


@pytest.mark.parametrize("name,label,msg", [
    ("tonic", "H", "unknown label 'H' for tonic; expected one of C, C#"),
    ("scale", "dorian", "unknown label 'dorian' for scale; expected one of major, minor, blues"),
    ("rhythm_bar1", "11111111", "unknown label '11111111' for rhythm_bar1; expected one of 28 patterns"),
    ("octave", "7", "unknown label '7' for octave"),
    ("tonic", "", "unknown label '' for tonic"),
])
def test_unknown_label(name, label, msg):
    with pytest.raises(ValueError, match=msg):
        index_of_label(name, label)
    with pytest.raises(ValueError, match=msg):
        resolve_target(name, label)


@pytest.mark.parametrize("value,msg", [(float("nan"), "finite"), (float("inf"), "finite"),
                                       (-0.01, r"\[0, 1\]"), (1.5, r"\[0, 1\]"), (np.float64(-3), r"\[0, 1\]")])
def test_bad_values(value, msg):
    with pytest.raises(ValueError, match=msg):
        index_of_value("tonic", value)
    with pytest.raises(ValueError, match=msg):
        resolve_target("tonic", value)


@pytest.mark.parametrize("value", [True, False, np.bool_(True), None, [0.5], "0.5x"])
def test_booleans_and_non_numbers_rejected(value):
    exc = ValueError if isinstance(value, str) else TypeError
    with pytest.raises(exc, match="tonic"):
        resolve_target("tonic", value)
    if not isinstance(value, str):
        with pytest.raises(TypeError, match="number"):
            index_of_value("tonic", value)


@pytest.mark.parametrize("index,exc,msg", [(12, ValueError, r"tonic index 12 out of range 0\.\.11"),
                                           (-2, ValueError, "out of range"),
                                           (True, TypeError, "integer"), (1.0, TypeError, "integer")])
def test_bad_indices(index, exc, msg):
    with pytest.raises(exc, match=msg):
        label_of("tonic", index)
    with pytest.raises(exc, match=msg):
        value_of_index("tonic", index)


def test_label_type_checked():
    with pytest.raises(TypeError, match="label must be a string"):
        index_of_label("tonic", 3)
