"""Melody-keeping pieces of a verified edit, for families with many results per target (folk).

A real melody has no exact inverse: many clips share its knobs, and the decoder does not
reproduce every clip.  So an edit should change as little of the user's clip as it can:

- `patched`: a decode applied onto the clip only where it differs from the decode of the clip's
  own code (what the move changed, not what the decoder gets wrong), whole or inside windows;
- `notes_kept`: the share of the clip's (onset step, pitch) notes a result still has (the
  editor ranks candidates by it after the violations);
- proposals for the editor's local search, as integer keys: (step, token) changes encoded
  `step * vocab + token`: those the model's decodes make (`decode_changes`), and the clip's small
  neighbourhood (`neighbour_changes`: one note a little higher or lower, merged into the one before,
  silenced; a new onset on a held or silent step repeating or stepping from the note before it);
  and pitch moves, encoded from `steps * vocab` on (`pitch_changes`: every note of one pitch that
  occurs more than once moved together, which is how a range or a mode changes without a plateau
  in between); and segment moves after those (`segment_changes`: every note of a bar, half bar, beat,
  or of the clip up to or from a beat, moved together: a contour or range changes while the intervals
  inside the stretch stay).  `apply_changes` makes the candidates;
- `jump_starts`: clips a few big moves away (notes cut, a note or a register moved far), where a
  second search starts for the edits that one small change at a time does not reach.
- `VerifiedMemo`: what one edit already verified, so that no candidate is parsed twice.

All vectorised over clips (N, steps); no Python loop per note.
"""
from __future__ import annotations

import itertools

import numpy as np

PITCH_STEPS = np.array([-7, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 7])     # a note moved by these semitones
SEGMENT_STEPS = np.array([-12, -7, -5, -3, -2, -1, 1, 2, 3, 5, 7, 12])  # a stretch of the clip moved by these
ONSET_STEPS = np.array([0, -2, -1, 1, 2])     # a new onset: the previous note's pitch plus these
REST, HOLD = 0, 1


def patched(decoded, recon, clip, masks=None):
    """Decodes (M, N, steps) applied onto the clips (N, steps): the decode where it differs from the clip's
    own reconstruction, the clip elsewhere.  masks (W, steps): also only inside each window; returns
    (M * W, N, steps), decode-major."""
    changed = decoded != recon
    if masks is None:
        return np.where(changed, decoded, clip)
    out = np.where(changed[:, None] & masks[None, :, None, :], decoded[:, None], clip)
    return out.reshape(-1, *decoded.shape[1:])


_WINDOWS: dict = {}


def patch_windows(steps: int, steps_per_bar: int) -> np.ndarray:
    """(W, steps) masks: everything, each bar, each half bar, each beat, each two adjacent beats."""
    key = (steps, steps_per_bar)
    if key not in _WINDOWS:
        beat = steps_per_bar // 4
        idx = np.arange(steps)
        rows = [np.ones(steps, bool)]
        for size in (steps_per_bar, steps_per_bar // 2, beat):
            rows += [(idx // size) == i for i in range(steps // size)]
        rows += [((idx // beat) == i) | ((idx // beat) == i + 1) for i in range(steps // beat - 1)]
        _WINDOWS[key] = np.unique(np.array(rows), axis=0)
    return _WINDOWS[key]


def notes_kept(tokens, clip) -> np.ndarray:
    """Share of the clip's (onset step, pitch) notes that `tokens` (..., N, steps) still has (1 for no notes)."""
    on = clip >= 2
    n = on.sum(-1)
    return np.where(n > 0, ((tokens == clip) & on).sum(-1) / np.maximum(n, 1), 1.0)


def decode_changes(pool, clip, recon, vocab: int) -> np.ndarray:
    """Keys (N, Q * steps) of the changes the decodes pool (Q, N, steps) make to the clips, -1 elsewhere:
    steps where a decode differs from both the clip and the clip's own reconstruction."""
    new = (pool != clip[None]) & (pool != recon[None])
    step = np.arange(pool.shape[-1])
    return np.where(new, step * vocab + pool, -1).transpose(1, 0, 2).reshape(len(clip), -1)


def _neighbour_tokens(clip):
    """Per step of clips (..., steps): the token of the onset before it and of the onset after it (-1: none)."""
    steps = clip.shape[-1]
    idx = np.arange(steps)
    onset = clip >= 2
    last = np.maximum.accumulate(np.where(onset, idx, -1), axis=-1)              # last onset at or before
    before = np.concatenate([np.full(last.shape[:-1] + (1,), -1), last[..., :-1]], axis=-1)
    first = np.flip(np.minimum.accumulate(np.flip(np.where(onset, idx, steps), -1), axis=-1), -1)
    after = np.concatenate([first[..., 1:], np.full(first.shape[:-1] + (1,), steps)], axis=-1)
    prev_tok = np.where(before >= 0, np.take_along_axis(clip, np.maximum(before, 0), -1), -1)
    next_tok = np.where(after < steps, np.take_along_axis(clip, np.minimum(after, steps - 1), -1), -1)
    return prev_tok, next_tok


def neighbour_changes(clip, vocab: int) -> np.ndarray:
    """Keys (N, steps * K) of the clip's small changes, -1 where a change does not exist: every onset
    moved by PITCH_STEPS, merged into the note before (hold) or silenced (rest); every other step
    given an onset at the previous note's pitch plus ONSET_STEPS."""
    n, steps = clip.shape
    onset = clip >= 2
    idx = np.arange(steps)
    prev_tok = _neighbour_tokens(clip)[0]            # used where there is no onset: the last onset before
    moved = clip[:, :, None] + PITCH_STEPS
    moved = np.where(onset[:, :, None] & (moved >= 2) & (moved < vocab), moved, -1)
    quiet = np.stack([np.where(onset & (idx > 0), HOLD, -1), np.where(onset, REST, -1)], axis=2)
    new = prev_tok[:, :, None] + ONSET_STEPS
    new = np.where(~onset[:, :, None] & (prev_tok[:, :, None] >= 2) & (new >= 2) & (new < vocab), new, -1)
    toks = np.concatenate([moved, quiet, new], axis=2)                                # (N, steps, K)
    return np.where(toks >= 0, idx[None, :, None] * vocab + toks, -1).reshape(n, -1)


def pitch_changes(clip, vocab: int) -> np.ndarray:
    """Keys (N, steps * len(PITCH_STEPS)) moving all onsets of one pitch by one of PITCH_STEPS, for pitches
    that occur at least twice (-1 elsewhere; each pitch once per step it occurs at: dedupe afterwards)."""
    n, steps = clip.shape
    onset = clip >= 2
    twice = onset & ((clip[:, :, None] == clip[:, None, :]) & onset[:, None, :]).sum(2).__ge__(2)
    moved = clip[:, :, None] + PITCH_STEPS
    ok = twice[:, :, None] & (moved >= 2) & (moved < vocab)
    key = steps * vocab + clip[:, :, None] * len(PITCH_STEPS) + np.arange(len(PITCH_STEPS))
    return np.where(ok, key, -1).reshape(n, -1)


_SEGMENTS: dict = {}


def segments(steps: int, steps_per_bar: int) -> np.ndarray:
    """(G, steps) masks of the stretches `segment_changes` moves: bars, half bars, beats, and every prefix and
    suffix of the clip cut at a beat."""
    key = (steps, steps_per_bar)
    if key not in _SEGMENTS:
        beat = steps_per_bar // 4
        idx = np.arange(steps)
        rows = [(idx // size) == i for size in (steps_per_bar, steps_per_bar // 2, beat) for i in range(steps // size)]
        rows += [idx < b for b in range(beat, steps, beat)] + [idx >= b for b in range(beat, steps, beat)]
        _SEGMENTS[key] = np.unique(np.array(rows), axis=0)
    return _SEGMENTS[key]


def segment_changes(clip, vocab: int, steps_per_bar: int) -> np.ndarray:
    """Keys (N, G * len(SEGMENT_STEPS)) moving every onset of one segment (`segments`) by one of SEGMENT_STEPS,
    -1 where the segment has no onset or a note would leave the vocabulary's pitches."""
    n, steps = clip.shape
    masks = segments(steps, steps_per_bar)
    onset = clip >= 2
    inside = masks[None] & onset[:, None]                                          # (N, G, S)
    lo = np.where(inside, clip[:, None], vocab).min(2)
    hi = np.where(inside, clip[:, None], -1).max(2)
    ok = inside.any(2)[:, :, None] & (lo[:, :, None] + SEGMENT_STEPS >= 2) & (hi[:, :, None] + SEGMENT_STEPS < vocab)
    base = steps * vocab + vocab * len(PITCH_STEPS)
    key = base + np.arange(len(masks))[:, None] * len(SEGMENT_STEPS) + np.arange(len(SEGMENT_STEPS))
    return np.where(ok, key[None], -1).reshape(n, -1)


def apply_changes(beam, keys, vocab: int, steps_per_bar: int = 16, interval_results=None) -> np.ndarray:
    """Candidates (c, B, P, steps): each beam entry (c, B, steps) with each of its changes (c, B, P) applied
    (a key < 0 leaves the entry as it is).  interval_results (c, B, steps * INTERVAL_KINDS, steps): what
    `interval_changes` worked out for these very entries, taken as it is instead of worked out again."""
    c, B, P = keys.shape
    steps = beam.shape[-1]
    cand = np.repeat(beam[:, :, None], P, 2)
    single = (keys >= 0) & (keys < steps * vocab)
    pos, tok = np.where(single, keys // vocab, 0), keys % vocab
    ci, bi, pi = np.ogrid[:c, :B, :P]
    cand[ci, bi, pi, pos] = np.where(single, tok, cand[ci, bi, pi, pos])
    seg_base = steps * vocab + vocab * len(PITCH_STEPS)
    move = (keys >= steps * vocab) & (keys < seg_base)
    if move.any():
        m = np.where(move, keys - steps * vocab, 0)
        pitch, delta = m // len(PITCH_STEPS), PITCH_STEPS[m % len(PITCH_STEPS)]
        hit = move[..., None] & (cand == pitch[..., None])
        cand = np.where(hit, cand + delta[..., None], cand)
    ivl_base = interval_base(steps, vocab, steps_per_bar)
    seg = (keys >= seg_base) & (keys < ivl_base)
    if seg.any():
        m = np.where(seg, keys - seg_base, 0)
        mask, delta = segments(steps, steps_per_bar)[m // len(SEGMENT_STEPS)], SEGMENT_STEPS[m % len(SEGMENT_STEPS)]
        hit = seg[..., None] & mask & (cand >= 2)
        cand = np.where(hit, cand + delta[..., None], cand)
    ivl = keys >= ivl_base
    if ivl.any():     # worked out from each entry (its own neighbours), not from the clip
        ci, bi, pi = np.nonzero(ivl)
        m = keys[ci, bi, pi] - ivl_base
        if interval_results is not None:      # (its keys exist only where the move fits)
            cand[ci, bi, pi] = interval_results[ci, bi, m]
            return cand
        at, kind = m // INTERVAL_KINDS, m % INTERVAL_KINDS
        after, before, new, ok = (v[ci, bi, at, kind] for v in _interval_moves(beam))
        old = cand[ci, bi, pi]
        res = _shifted(old, after, before, at, new)
        good = ok & _stays_notes(old, res, at, vocab)
        cand[ci, bi, pi] = np.where(good[:, None], res, old)
    return cand


def unique_changes(keys, limit: int) -> np.ndarray:
    """Per row, the distinct valid keys (-1 padding), at most `limit`, valid first; (N, <= limit)."""
    key = np.sort(keys, axis=1)
    key[:, 1:][key[:, 1:] == key[:, :-1]] = -1
    key = -np.sort(-key, axis=1)[:, :limit]
    width = int((key >= 0).sum(1).max()) if key.size else 0
    return key[:, :max(width, 1)]


# --- interval moves: change a note and carry the rest of the melody along, so the intervals stay ----
INSERT_STEPS = np.array([-2, -1, 1, 2])    # a new note this far from the one before it
INTERVAL_KINDS = 6 + 2 * len(INSERT_STEPS)   # per step: see `_interval_moves`


def interval_base(steps: int, vocab: int, steps_per_bar: int) -> int:
    """The first key of the interval moves (after the single, pitch and segment changes)."""
    return steps * vocab + vocab * len(PITCH_STEPS) + len(segments(steps, steps_per_bar)) * len(SEGMENT_STEPS)


def _interval_moves(clip):
    """Per step and kind (..., steps, INTERVAL_KINDS): (shift of the notes after the step, shift of the
    notes before it, the step's new token (-1: unchanged), whether the move exists).  The kinds, for an
    onset with the interval a into it and b out of it:
    0, 1: a flipped: the note and all after it move by -2a, or all before it by +2a (interval sizes stay:
          range and contour change, the leaps do not);
    2..5: the note cut (held from the one before) and the gap closed so that b stays (after moved by -a, or
          before by +a) or a stays (after by -b, or before by +b): one interval fewer, the rest as they were;
    then per d in INSERT_STEPS, on a step without an onset: a new note d from the one before it, with all
    after it moved by d (or all before by -d): one interval more, the rest as they were."""
    prev_tok, next_tok = _neighbour_tokens(clip)
    onset = clip >= 2
    has_a, has_b = onset & (prev_tok >= 2), onset & (next_tok >= 2)
    a = np.where(has_a, clip - prev_tok, 0)
    b = np.where(has_b, next_tok - clip, 0)
    zero, keep, hold = np.zeros_like(clip), np.full_like(clip, -1), np.ones_like(clip)
    flip = has_a & (a != 0)
    cut = has_a & has_b
    moves = [(-2 * a, zero, keep, flip), (zero, 2 * a, keep, flip),
             (-a, zero, hold, cut), (zero, a, hold, cut), (-b, zero, hold, cut), (zero, b, hold, cut)]
    free = ~onset & (prev_tok >= 2)
    for d in INSERT_STEPS:
        ins = free & (prev_tok + d >= 2)
        moves += [(np.full_like(clip, d), zero, prev_tok + d, ins), (zero, np.full_like(clip, -d), prev_tok, free)]
    return tuple(np.stack(v, -1) for v in zip(*moves))


def _shifted(clip, after, before, at, new):
    """clip (..., steps) with the onsets after step `at` moved by `after` (the flips also move the onset at
    `at`), those before it by `before`, and the token at `at` set to `new` where it is >= 0; after, before,
    at, new (...)."""
    idx = np.arange(clip.shape[-1])
    on = clip >= 2
    at_ = at[..., None]
    moved = np.where(on & (idx > at_), clip + after[..., None], clip)
    moved = np.where(on & (idx == at_) & (new[..., None] < 0), moved + after[..., None], moved)
    moved = np.where(on & (idx < at_), moved + before[..., None], moved)
    return np.where((idx == at_) & (new[..., None] >= 0), new[..., None], moved)


def _stays_notes(old, res, at, vocab: int) -> np.ndarray:
    """Whether every note of old (..., steps) is still a note in res, on the vocabulary's pitches (the step
    `at` (...) may become a hold)."""
    idx = np.arange(old.shape[-1])
    return ((res >= 0) & (res < vocab) & ((res >= 2) | (old < 2) | ((idx == at[..., None]) & (res == 1)))).all(-1)


def interval_changes(clip, vocab: int, steps_per_bar: int, results: bool = False):
    """Keys (N, steps * INTERVAL_KINDS) of the interval moves (`_interval_moves`), -1 where one does not
    exist or a note would leave the vocabulary's pitches.  The shifts are worked out again from each
    candidate in `apply_changes`, so a move stays a move of the same note after other changes.
    results: also the moved clips (N, steps * INTERVAL_KINDS, steps) as small integers, for `apply_changes` to take
    when it applies these keys to these clips (they are made here anyway, to check that the notes fit)."""
    n, steps = clip.shape
    clip = np.asarray(clip, np.int16)         # (N, S, K, S) values below: int16 moves a quarter of the memory
    after, before, new, ok = _interval_moves(clip)                                # (N, S, K)
    at = np.broadcast_to(np.arange(steps)[None, :, None], ok.shape)
    res = _shifted(np.broadcast_to(clip[:, None, None], ok.shape + (steps,)), after, before, at, new)
    fits = ok & _stays_notes(np.broadcast_to(clip[:, None, None], res.shape), res, at, vocab)
    key = interval_base(steps, vocab, steps_per_bar) + np.arange(steps)[:, None] * INTERVAL_KINDS + np.arange(INTERVAL_KINDS)
    keys = np.where(fits, key[None], -1).reshape(n, -1)
    small = np.int8 if vocab <= 127 else np.int16          # (a move that does not fit has no key: never read)
    return (keys, res.reshape(n, steps * INTERVAL_KINDS, steps).astype(small)) if results else keys



# --- jump starts: bigger moves for the edits a step-by-step search does not reach ---------------------------
CUT_MOST = 4               # notes cut at once
CUT_LIMIT = 2048           # cut sets per clip (sampled, seeded, beyond this)
JUMP_STEPS = np.arange(-12, 13)[np.arange(-12, 13) != 0]      # one note moved by these semitones
REGISTER_STEPS = np.arange(-7, 8)[np.arange(-7, 8) != 0]      # every note above (or below) a pitch moved by these


def jump_starts(clip, vocab: int, seed: int = 0) -> np.ndarray:
    """(M, steps) distinct clips a few big moves away from one clip (steps,), for a search to start from:
    1..CUT_MOST of its notes cut (each merged into the one before, or silenced with its holds; at most
    CUT_LIMIT sets, sampled with `seed`), one note moved by JUMP_STEPS, and every note at or above (or at or
    below) one of its pitches moved by REGISTER_STEPS.  A density change of several notes, or a range change,
    needs a move like these and then small repairs; one small change at a time it passes through clips that
    are further from the targets than the clip itself, which a beam search drops."""
    steps = len(clip)
    idx = np.arange(steps)
    on = np.flatnonzero(clip >= 2)
    n = len(on)
    if not n:
        return clip[None].copy()
    rng = np.random.default_rng(seed)
    ends = np.r_[on[1:], steps]
    span = (idx >= on[:, None]) & (idx < ends[:, None])                     # (n, steps): a note and its holds
    at = idx == on[:, None]                                                 # (n, steps): its onset
    sets = []
    for d in range(1, min(CUT_MOST, n) + 1):
        combos = np.array(list(itertools.combinations(range(n), d)))     # (C, d)
        ways = np.array(list(itertools.product((0, 1), repeat=d)))         # (2^d, d): 1 = merged, 0 = silenced
        pick = np.arange(len(combos) * len(ways))
        if len(pick) > CUT_LIMIT:
            pick = np.sort(rng.choice(len(pick), CUT_LIMIT, replace=False))
        c, w = combos[pick // len(ways)], ways[pick % len(ways)]
        merged, silenced = np.zeros((len(c), n), bool), np.zeros((len(c), n), bool)
        rows = np.arange(len(c))[:, None]
        merged[rows, c], silenced[rows, c] = w == 1, w == 0
        sets.append((merged, silenced))
    merged, silenced = (np.concatenate(v) for v in zip(*sets))
    rest = (silenced.astype(np.int32) @ span.astype(np.int32)) > 0
    hold = (merged.astype(np.int32) @ at.astype(np.int32)) > 0
    cut = np.where(rest, REST, np.where(hold, HOLD, clip))
    one = np.repeat(clip[None], n * len(JUMP_STEPS), 0)
    one[np.arange(len(one)), np.repeat(on, len(JUMP_STEPS))] += np.tile(JUMP_STEPS, n)
    pitches = np.unique(clip[on])
    sides = np.concatenate([clip[None] >= pitches[:, None], clip[None] <= pitches[:, None]]) & (clip >= 2)   # (2P, steps)
    reg = clip + sides[:, None] * REGISTER_STEPS[None, :, None]
    moved = np.concatenate([one, reg.reshape(-1, steps)])
    moved = moved[((moved >= 2) & (moved < vocab) | (clip < 2)).all(1)]     # every note still on the vocabulary
    return np.unique(np.concatenate([cut, moved]), axis=0)


# --- what one edit already verified: a beam search meets the same clip again and again ---------------------
class VerifiedMemo:
    """Per edit, the candidates the local searches have verified, per row: their nearness to the targets and
    knob bins, so that a candidate met again is not parsed again.  The beam entries of one round reach the same
    clips by different changes, each round can undo the last, and the wider and jump searches start over from
    clips the first search saw: on hard first turns about two in three candidates are repeats.

    A candidate's key is exact: its tokens (< 64: 6 bits each) and its row (the rows of one edit have different
    targets) packed into 4 integers, as 32 bytes.  A repeat cannot beat the row's best, so skipping it changes no
    result but the choice among equally good ones (the jump search's starts share their row's memo).  At most
    LIMIT candidates are remembered (about 130 bytes each); past that, lookups go on but nothing is added."""

    LIMIT = 1 << 19

    def __init__(self, steps: int, vocab: int, knobs: int):
        if steps > 32 or vocab > 64:
            raise ValueError("the memo's 4 packed words hold at most 32 steps of 6-bit tokens")
        self.pack = np.zeros((steps, 4), np.int64)
        for s in range(steps):                       # 10 tokens a word; the last word: 2 tokens, then the row
            self.pack[s, s // 10] = 64 ** (s % 10)
        self.row_unit = 64 ** max(steps - 30, 0)
        self.where: dict[bytes, int] = {}             # key -> index into the arrays below
        self.near, self.bins = np.empty(1024), np.empty((1024, knobs), np.int8)

    def keys(self, flat, memo_rows) -> list[bytes]:
        """The keys of candidates flat (M, steps) of the given memo rows (M,)."""
        return self.key_array(flat, memo_rows).tolist()

    def key_array(self, flat, memo_rows) -> np.ndarray:
        """`keys` as an array (M,) of 32-byte strings (its items are bytes to a dict)."""
        k = flat @ self.pack
        k[:, 3] += np.asarray(memo_rows, np.int64) * self.row_unit
        return k.view("S32").ravel()                 # fixed width: dropping trailing zero bytes keeps keys distinct

    def find(self, keys) -> np.ndarray:
        """Index into `near` and `bins` per key (a sized iterable), -1 where not stored."""
        return np.fromiter(map(self.where.get, keys, itertools.repeat(-1)), np.int64, len(keys))

    def add(self, keys, near, bins):
        """Store the values (M, ...) of new candidates with distinct keys (M), as far as LIMIT allows."""
        size = len(self.where)
        m = min(len(keys), self.LIMIT - size)
        if m <= 0:
            return
        if size + m > len(self.near):                 # grow by doubling: each value is copied O(1) times
            cap = max(size + m, 2 * len(self.near))
            self.near = np.concatenate([self.near[:size], np.empty(cap - size)])
            self.bins = np.concatenate([self.bins[:size], np.empty((cap - size, self.bins.shape[1]), np.int8)])
        self.where.update(zip(keys[:m], range(size, size + m)))
        self.near[size:size + m], self.bins[size:size + m] = near[:m], bins[:m]
