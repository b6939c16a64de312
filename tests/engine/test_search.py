"""engine/search.py (the melody-keeping pieces of a verified edit) and folk's bin distance."""
import numpy as np
import pytest

from engine import folk
from engine.search import (CUT_MOST, INTERVAL_KINDS, apply_changes, decode_changes, interval_base, interval_changes,
                           VerifiedMemo, jump_starts, neighbour_changes, notes_kept, patch_windows, patched, unique_changes)
from training.heldout import load_heldout

V = folk.VOCAB_SIZE


def clip_of(pitches_at: dict) -> np.ndarray:
    """A folk clip: {step: midi pitch}, each note held until the next onset."""
    tok = np.zeros(32, np.int64)
    on = sorted(pitches_at)
    for i, s in enumerate(on):
        end = on[i + 1] if i + 1 < len(on) else 32
        tok[s] = pitches_at[s] - folk.PITCH_OFFSET
        tok[s + 1:end] = 1
    return tok


def test_patched_takes_the_decode_only_where_the_move_changed_it():
    clip = clip_of({0: 60, 4: 62, 8: 64, 12: 65})
    recon = clip.copy()
    recon[12] = 60 - folk.PITCH_OFFSET         # the decoder gets note 4 wrong
    dec = recon.copy()
    dec[8] = 67 - folk.PITCH_OFFSET            # the move raises note 3
    out = patched(dec[None, None], recon[None], clip[None])[0, 0]
    assert out[8] == 67 - folk.PITCH_OFFSET    # the change is applied
    assert out[12] == clip[12]                 # the decoder's mistake is not
    assert (np.delete(out, 8) == np.delete(clip, 8)).all()


def test_patch_windows_apply_a_change_inside_each_window_only():
    masks = patch_windows(32, 16)
    assert masks[:, :].any(0).all() and len(masks) == len(np.unique(masks, axis=0))
    clip = clip_of({0: 60, 16: 60})
    dec = clip.copy()
    dec[2], dec[18] = 64 - folk.PITCH_OFFSET, 67 - folk.PITCH_OFFSET
    out = patched(dec[None, None], clip[None], clip[None], masks)[:, 0]
    assert len(out) == len(masks)
    first_bar = masks[:, :16].all(1) & ~masks[:, 16:].any(1)
    assert (out[first_bar][:, 2] == dec[2]).all() and (out[first_bar][:, 18] == clip[18]).all()


def test_notes_kept_counts_onset_and_pitch():
    clip = clip_of({0: 60, 4: 62, 8: 64, 12: 65})
    same = clip.copy()
    assert notes_kept(same[None], clip[None])[0] == 1.0
    moved = clip.copy()
    moved[4] += 1                              # one pitch changed
    moved[20] = 70 - folk.PITCH_OFFSET         # a note added: the original's notes are all still there but one
    assert notes_kept(moved[None], clip[None])[0] == 0.75
    assert notes_kept(np.zeros((1, 32), np.int64), np.zeros((1, 32), np.int64))[0] == 1.0


def test_neighbour_changes_are_real_changes_of_the_clip():
    clip = clip_of({0: 60, 4: 62, 8: 64, 12: 65})
    keys = neighbour_changes(clip[None], V)[0]
    keys = keys[keys >= 0]
    pos, tok = keys // V, keys % V
    assert ((tok >= 0) & (tok < V)).all()
    assert not (tok == clip[pos]).any()                        # every change changes the clip
    changes = set(zip(pos.tolist(), tok.tolist()))
    assert (4, 62 + 1 - folk.PITCH_OFFSET) in changes          # a note one semitone up
    assert (4, 1) in changes and (4, 0) in changes             # merged into the note before, silenced
    assert (0, 1) not in changes                                # nothing before the first note to merge into
    assert (2, 60 - folk.PITCH_OFFSET) in changes              # a new onset repeating the note before


def notes_of(tok) -> list[tuple[int, int]]:
    return [(int(s), int(t) + folk.PITCH_OFFSET) for s, t in enumerate(tok) if t >= 2]


def intervals(tok) -> list[int]:
    p = [q for _, q in notes_of(tok)]
    return [b - a for a, b in zip(p, p[1:])]


def test_interval_moves_keep_the_intervals_they_say_they_keep():
    clip = clip_of({0: 60, 4: 62, 8: 64, 12: 65, 16: 67})            # intervals 2 2 1 2
    keys = interval_changes(clip[None], V, 16)[0]
    keys = keys[keys >= 0]
    out = apply_changes(clip[None, None], keys[None, None], V, 16)[0, 0]
    base = interval_base(32, V, 16)
    made = {divmod(int(k) - base, INTERVAL_KINDS): tok for k, tok in zip(keys, out)}
    assert intervals(made[8, 0]) == [2, -2, 1, 2]                      # the interval into step 8 flipped...
    assert intervals(made[8, 1]) == [2, -2, 1, 2] and notes_of(made[8, 1])[2] == (8, 64)   # ...or the start moved
    assert notes_of(made[8, 0])[:2] == [(0, 60), (4, 62)]
    for kind in (2, 3, 4, 5):                                          # the note at 8 cut, its gap closed
        assert 8 not in [s for s, _ in notes_of(made[8, kind])] and made[8, kind][8] == 1
        assert intervals(made[8, kind]) in ([2, 1, 2], [2, 2, 2])
    assert notes_of(made[10, 6]) == [(0, 60), (4, 62), (8, 64), (10, 62), (12, 63), (16, 65)]   # a note inserted
    # every move is a real change, of notes that stay notes, on the vocabulary's pitches
    assert all((tok != clip).any() and ((tok >= 0) & (tok < V)).all() for tok in out)
    # a move is worked out from the entry it is applied to: after the clip changed, the same key moves its notes
    moved = clip.copy()
    moved[4] = 59 - folk.PITCH_OFFSET
    again = apply_changes(moved[None, None], np.array([[[base + 8 * INTERVAL_KINDS]]]), V, 16)[0, 0, 0]
    assert intervals(again) == [-1, -5, 1, 2]


def test_interval_moves_made_once_are_the_moves_apply_changes_works_out():
    """The clips interval_changes makes to check its moves are the candidates apply_changes makes from the keys."""
    clips = load_heldout().tokens[:40]
    keys, moved = interval_changes(clips, V, 16, results=True)
    assert moved.shape == (40, 32 * INTERVAL_KINDS, 32) and (keys >= 0).sum() > 1000
    worked_out = apply_changes(clips[:, None], keys[:, None], V, 16)[:, 0]
    taken = apply_changes(clips[:, None], keys[:, None], V, 16, moved[:, None])[:, 0]
    assert (taken == worked_out).all()
    assert (taken[keys < 0] == np.repeat(clips[:, None], keys.shape[1], 1)[keys < 0]).all()


def test_interval_moves_that_would_leave_the_pitch_range_do_not_exist():
    top = V - 1 + folk.PITCH_OFFSET
    clip = clip_of({0: top - 4, 8: top})
    keys = interval_changes(clip[None], V, 16)[0]
    out = apply_changes(clip[None, None], keys[keys >= 0][None, None], V, 16)[0, 0]
    assert len(out) and ((out < V) & (out >= 0)).all()
    base = interval_base(32, V, 16)
    assert base + 8 * INTERVAL_KINDS + 1 not in keys                   # raising the start by 8 would leave the range


def test_jump_starts_cut_notes_and_move_notes_and_registers():
    clip = clip_of({0: 60, 4: 62, 8: 64, 12: 65, 16: 67, 20: 69, 24: 71, 28: 72})
    starts = jump_starts(clip, V)
    assert len(np.unique(starts, axis=0)) == len(starts) and ((starts >= 0) & (starts < V)).all()
    counts = (starts >= 2).sum(1)
    # 1..CUT_MOST notes cut, each merged into the one before or silenced; nothing else changes
    assert set(counts.tolist()) == set(range(8 - CUT_MOST, 9))
    fewer = starts[counts < 8]
    assert ((fewer == clip) | (fewer < 2)).all()
    merged = clip.copy()
    merged[[4, 8]] = 1                                            # notes 2 and 3 held from the first
    silenced = clip.copy()
    silenced[8:12] = 0                                            # note 3 and its holds gone
    for want in (merged, silenced):
        assert (starts == want).all(1).any()
    # one note an octave down; everything from 67 up a tone higher
    down = clip.copy()
    down[28] -= 12
    up = np.where(clip >= 67 - folk.PITCH_OFFSET, clip + 2, clip)
    for want in (down, up):
        assert (starts == want).all(1).any()
    # a note is never pushed off the vocabulary's pitches
    top = clip_of({0: folk.PITCH_OFFSET + V - 1, 8: 60})
    assert ((jump_starts(top, V) < V).all())


def test_decode_changes_and_unique_changes():
    clip = clip_of({0: 60, 8: 64})
    recon = clip.copy()
    pool = np.stack([clip, clip])[:, None].copy()
    pool[0, 0, 4] = 62 - folk.PITCH_OFFSET
    pool[1, 0, 4] = 62 - folk.PITCH_OFFSET                     # the same change twice
    pool[1, 0, 9] = 0
    keys = unique_changes(decode_changes(pool, clip[None], recon[None], V), 10)[0]
    assert sorted(keys[keys >= 0].tolist()) == sorted([4 * V + 62 - folk.PITCH_OFFSET, 9 * V + 0])


def test_bin_distance_is_zero_in_the_own_bins_and_grows_away_from_them():
    rng = np.random.default_rng(0)
    tok = rng.integers(0, V, (2000, 32))
    measured = folk.measure(tok)
    bins = measured[1]
    assert (folk.bin_distance(measured, bins)[bins >= 0] == 0).all()
    k = folk.knob_index("density")
    ok = (bins[:, k] >= 0) & (bins[:, k] <= 5)
    one, two = bins.copy(), bins.copy()
    one[:, k] += 1
    two[:, k] += 2
    d1 = folk.bin_distance(measured, one)[ok, k]
    d2 = folk.bin_distance(measured, two)[ok, k]
    assert (d1 > 0).all() and (d2 > d1).all()
    m = folk.knob_index("mode")
    flipped = bins.copy()
    flipped[:, m] = 1 - np.maximum(bins[:, m], 0)
    assert (folk.bin_distance(measured, flipped)[bins[:, m] >= 0, m] > 0).all()
    nothing = np.full_like(bins, -1)
    assert (folk.bin_distance(measured, nothing) == 0).all()


@pytest.mark.parametrize("seed", [0, 1])
def test_bin_distance_matches_the_parser_on_real_looking_clips(seed):
    """Distance 0 exactly where the parser says the bin is the wanted one (mode and key: the key is)."""
    rng = np.random.default_rng(seed)
    tok = np.where(rng.random((3000, 32)) < 0.35, rng.integers(24, 40, (3000, 32)), 1)
    tok[:, 0] = np.maximum(tok[:, 0], 2)
    measured = folk.measure(tok)
    bins = measured[1]
    wanted = np.roll(bins, 7, axis=0)           # other clips' bins
    d = folk.bin_distance(measured, wanted)
    defined = (bins >= 0) & (wanted >= 0)
    same = bins == wanted
    m, k = folk.knob_index("mode"), folk.knob_index("key")
    same[:, m] = same[:, k] = same[:, m] & same[:, k]           # mode and key are measured as one key
    assert ((d == 0) == same)[defined].all()


def test_verified_memo_keys_are_exact_per_clip_and_row_and_remember_up_to_the_limit(monkeypatch):
    rng = np.random.default_rng(0)
    memo = VerifiedMemo(32, V, folk.NUM_KNOBS)
    clips = rng.integers(0, V, (500, 32))
    clips[1] = clips[0]
    clips[2] = clips[0]
    clips[2, 31] += 1                                   # one token apart, in the last (row-sharing) word
    rows = np.zeros(500, np.int64)
    rows[3] = 1
    clips[3] = clips[0]                                 # the same clip in another row (other targets)
    keys = memo.keys(clips, rows)
    assert keys[0] == keys[1] and len(set(keys)) == 499
    assert (memo.find(keys) == -1).all()
    fresh = sorted(set(range(500)) - {1})
    memo.add([keys[i] for i in fresh], np.arange(499.0), folk.parse(clips[fresh]))
    at = memo.find(keys)
    assert (at >= 0).all() and at[1] == at[0]
    assert (memo.bins[at] == folk.parse(clips)).all() and memo.near[at[4]] == fresh.index(4)
    monkeypatch.setattr(VerifiedMemo, "LIMIT", 600)
    more = rng.integers(0, V, (200, 32))
    memo.add(memo.keys(more, np.zeros(200, np.int64)), np.zeros(200), folk.parse(more))
    assert len(memo.where) == 600 and (memo.find(memo.keys(more, np.zeros(200, np.int64))) >= 0).sum() == 101
