"""The folk model's verified edit on real clips it never saw (training/heldout/): what leaves the editor
reaches the target, keeps every other knob, and keeps most of the melody; the search is deterministic
and gives way to an interrupt."""
import time

import numpy as np
import pytest

from engine.models import MODELS_DIR
from engine.search import VerifiedMemo, notes_kept
from engine.session import Editor, Interrupted
from training.evaluate_folk import turns_of
from training.heldout import load_heldout

pytestmark = pytest.mark.skipif(not (MODELS_DIR / "folk.safetensors").exists(), reason="no shipped folk model")


@pytest.fixture(scope="module")
def editor():
    return Editor.load("folk", "cpu")


@pytest.fixture(scope="module")
def turns(editor):
    """One-bin turns of every learned knob on 12 held-out clips (corpus and producer), seeded."""
    h = load_heldout()
    pick = np.random.default_rng(3).choice(len(h.tokens), 12, replace=False)
    tok = h.tokens[pick]
    g = editor.schema
    fac = g.parse(tok)
    x, a0, targets = [], [], []
    for k in range(g.num_knobs):
        if g.is_rule(k):
            continue
        rows, t = turns_of(fac, k, int(g.counts[k]))
        keep = np.abs(t - fac[rows, k]) == 1
        for r, v in zip(rows[keep], t[keep]):
            row = np.full(g.num_knobs, -1)
            row[k] = v
            x.append(tok[r]), a0.append(fac[r]), targets.append(row)
    return np.array(x), np.array(a0), np.array(targets)


def test_answers_reach_the_target_and_keep_every_other_knob(editor, turns):
    x, a0, targets = turns
    b = editor.edit_batch(x, targets, a0=a0)
    answered = editor.answered(b)
    assert answered.mean() >= 0.8, f"only {answered.mean():.0%} of {len(x)} one-bin turns answered"
    got = editor.schema.parse(b["tokens"][answered])              # parsed again, not the editor's word
    want = np.where(targets >= 0, targets, a0)[answered]
    assert (got == want).all()
    kept = notes_kept(b["tokens"][answered], x[answered])
    assert np.median(kept) >= 0.6
    outcome = editor.edit_many(x[0], [{int(np.flatnonzero(targets[0] >= 0)[0]): int(targets[0].max())}])[0]
    assert (outcome.tokens is not None) or outcome.reason     # a refusal says why


def test_patching_keeps_more_of_the_melody_than_plain_decoding(turns):
    x, a0, targets = turns
    x, a0, targets = x[::3], a0[::3], targets[::3]
    patched, plain = Editor.load("folk", "cpu"), Editor.load("folk", "cpu")
    plain.patch = False
    bp, bd = patched.edit_batch(x, targets, a0=a0), plain.edit_batch(x, targets, a0=a0)
    kp, kd = notes_kept(bp["tokens"], x), notes_kept(bd["tokens"], x)
    # turns answered with most of the melody still there (a refusal keeps the clip but is no edit)
    good_p, good_d = patched.answered(bp) & (kp >= 0.6), plain.answered(bd) & (kd >= 0.6)
    assert good_p.mean() > good_d.mean() + 0.2


def test_the_search_is_deterministic_and_gives_way_to_an_interrupt(turns):
    x, a0, targets = turns
    x, a0, targets = x[:6], a0[:6], targets[:6]
    one, two = Editor.load("folk", "cpu"), Editor.load("folk", "cpu")
    asked = []
    b1 = one.edit_batch(x, targets, a0=a0)
    b2 = two.edit_batch(x, targets, a0=a0, interrupt=lambda: asked.append(1) and False)
    assert (b1["tokens"] == b2["tokens"]).all() and (b1["score"] == b2["score"]).all()
    assert len(asked) > 3                      # asked between stages and local-search rounds
    calls = []
    with pytest.raises(Interrupted):
        Editor.load("folk", "cpu").edit_batch(x, targets, a0=a0, interrupt=lambda: calls.append(1) or len(calls) > 2)


def test_a_time_budget_answers_with_what_it_has_and_says_why_it_refuses(turns):
    x, a0, targets = turns
    editor = Editor.load("folk", "cpu")
    full = editor.edit_batch(x, targets, a0=a0)
    gone = editor.edit_batch(x, targets, a0=a0, deadline=time.perf_counter() - 1)    # out of time before it starts
    assert not editor.answered(gone).any()
    outcome = editor._outcome(gone, 0, {int(np.flatnonzero(targets[0] >= 0)[0]): int(targets[0].max())})
    assert outcome.tokens is None and "time budget" in outcome.reason and outcome.out_of_time
    assert not editor._outcome(full, 0, {int(np.flatnonzero(targets[0] >= 0)[0]): int(targets[0].max())}).out_of_time
    roomy = Editor.load("folk", "cpu").edit_batch(x, targets, a0=a0, deadline=time.perf_counter() + 600)
    assert (roomy["tokens"] == full["tokens"]).all() and (roomy["score"] == full["score"]).all()


def test_the_jump_search_answers_a_turn_the_step_by_step_searches_refuse(editor):
    # held-out clip 280 (a Monteverdi madrigal voice, 7 notes) down to 5 or fewer: one change at a time the
    # search passes through clips that move another knob, and refuses; from the cut starts it finds the edit
    tok = load_heldout().tokens[280]
    g = editor.schema
    a0 = g.parse(tok[None])[0]
    assert a0[0] == 1 and (tok >= 2).sum() == 7
    targets = np.full((1, g.num_knobs), -1)
    targets[0, 0] = 0
    jump = editor.JUMP
    try:
        editor.JUMP = (0,) + jump[1:]
        assert not editor.answered(editor.edit_batch(tok[None], targets, a0=a0[None]))[0]
    finally:
        editor.JUMP = jump
    b = editor.edit_batch(tok[None], targets, a0=a0[None])
    assert editor.answered(b)[0]
    got = g.parse(b["tokens"])[0]                                 # parsed again, not the editor's word
    assert got[0] == 0 and (np.delete(got, 0) == np.delete(a0, 0)).all()
    assert (b["tokens"][0] >= 2).sum() <= 5


def clip_280_to_five_notes(g):
    """Held-out clip 280 (7 notes) and its density turn to "<=5 notes", which runs every stage of the search:
    tokens, knob bins (1, K), targets (1, K)."""
    tok = load_heldout().tokens[280]
    targets = np.full((1, g.num_knobs), -1)
    targets[0, 0] = 0
    return tok, g.parse(tok[None]), targets


def test_a_turn_gets_the_same_answer_whatever_came_before_it_or_shares_its_batch(editor):
    """The second stage's jittered codes are drawn per row from its clip and targets (Editor._jitter), so a turn
    that gets there (clip 280's, every stage) is answered the same alone, after other edits, and in a batch."""
    tok, a0, targets = clip_280_to_five_notes(editor.schema)
    alone = editor.edit_batch(tok[None], targets, a0=a0)
    other = load_heldout().tokens[7]
    up = np.full((1, editor.schema.num_knobs), -1)
    up[0, 2] = editor.schema.parse(other[None])[0, 2] + 1
    editor.edit_batch(other[None], up)                             # another edit before it
    batch = editor.edit_batch(np.stack([other, tok]), np.concatenate([up, targets]))
    again = editor.edit_batch(tok[None], targets, a0=a0)
    assert alone["score"][0] == 0
    assert (batch["tokens"][1] == alone["tokens"][0]).all() and (again["tokens"][0] == alone["tokens"][0]).all()
    noise = editor._jitter(np.stack([tok, other]), np.concatenate([targets, up]))
    assert (noise[:, 0] == editor._jitter(tok[None], targets)[:, 0]).all() and (noise[:, 0] != noise[:, 1]).any()


def test_the_search_parses_each_candidate_once_and_finds_what_parsing_every_repeat_finds(editor, monkeypatch):
    """The beam entries, rounds and stages of one edit meet the same clips again and again (VerifiedMemo): each
    is parsed once.  The turn of the test above runs every stage."""
    tok, a0, targets = clip_280_to_five_notes(editor.schema)
    g = editor.schema
    parsed, measure = [], g.measure
    monkeypatch.setattr(g, "measure", lambda t: parsed.append(np.array(t)) or measure(t))

    def edit():
        parsed.clear()
        b = editor.edit_batch(tok[None], targets, a0=a0)
        return b, np.concatenate(parsed)

    b, once = edit()
    assert len(np.unique(once, axis=0)) == len(once)
    monkeypatch.setattr(VerifiedMemo, "LIMIT", 0)              # nothing remembered: every repeat parsed again
    again, every = edit()
    assert len(every) > len(once)
    assert b["score"][0] == again["score"][0] == 0 and b["kept"][0] == again["kept"][0]


def test_a_search_expands_each_beam_entry_once_and_finds_what_expanding_it_again_finds(editor, monkeypatch):
    """A beam keeps meeting the entries it came from; expanding one again gives only candidates the memo has.
    Skipping those changes no result (the same turn as above: every stage) and saves a third of the work here."""
    tok, a0, targets = clip_280_to_five_notes(editor.schema)
    entries, entry = [], Editor._local_entry
    monkeypatch.setattr(Editor, "_local_entry", lambda self, best, rows, *a: entries.append(len(rows)) or
                        entry(self, best, rows, *a))

    def edit():
        entries.clear()
        return editor.edit_batch(tok[None], targets, a0=a0), sum(entries)     # (row, entry) pairs expanded

    b, once = edit()
    monkeypatch.setattr(editor, "skip_expanded", False)
    again, every = edit()
    assert every > 1.5 * once
    assert (b["tokens"] == again["tokens"]).all() and b["score"][0] == again["score"][0] == 0
    assert b["kept"][0] == again["kept"][0]


def test_the_jump_search_on_rows_its_starts_finish_and_rows_they_do_not(editor):
    """A batch where one row's jump start is already the answer and the other needs a search from its starts
    (the searches before it switched off, so both rows get there)."""
    from tests.engine.test_search import clip_of
    g = editor.schema
    easy = clip_of({0: 60, 4: 62, 8: 64, 10: 64, 12: 65, 16: 67, 20: 65, 24: 64, 28: 62})
    x = np.stack([easy, load_heldout().tokens[280]])
    a0 = g.parse(x)
    targets = np.full((2, g.num_knobs), -1)
    targets[0, 2] = a0[0, 2] + 1                                  # range: a note moved further out does it
    targets[1, 0] = 0                                             # density: see the test above
    saved = editor.LOCAL_DEPTH, editor.WIDE, editor.model_proposals
    try:
        editor.LOCAL_DEPTH, editor.WIDE, editor.model_proposals = 0, (0, 0), False
        b = editor.edit_batch(x, targets, a0=a0)
    finally:
        editor.LOCAL_DEPTH, editor.WIDE, editor.model_proposals = saved
    assert editor.answered(b).all()
    assert (g.parse(b["tokens"]) == np.where(targets >= 0, targets, a0)).all()


@pytest.mark.parametrize("clip, turn, by_local", [(111, (2, 1), True), (76, (3, 2), False)])
def test_a_clips_searches_from_its_jump_starts_stop_with_the_first_exact_one(editor, clip, turn, by_local):
    """Held-out contour turns that the jump search answers: clip 111's from a start's local search (no wider
    search then), clip 76's only from a wider search (the wider searches from the other starts stop in the
    round it is exact).  With Editor.stop_siblings the searches from the clip's other starts stop there instead
    of running to their depth; the turn is answered either way."""
    tok = load_heldout().tokens[clip]
    g = editor.schema
    a0 = g.parse(tok[None])
    assert a0[0, 4] == turn[0]
    targets = np.full((1, g.num_knobs), -1)
    targets[0, 4] = turn[1]
    jump, got = editor.JUMP, {}
    try:
        editor.JUMP = jump[:1] + (0,) + jump[2:]                      # the starts' local searches alone
        assert editor.answered(editor.edit_batch(tok[None], targets, a0=a0))[0] == by_local
        editor.JUMP = jump
        for stop in (True, False):
            editor.stop_siblings = stop
            got[stop] = editor.edit_batch(tok[None], targets, a0=a0)
    finally:
        editor.JUMP, editor.stop_siblings = jump, True
    for b in got.values():
        assert editor.answered(b)[0]
        parsed = g.parse(b["tokens"])[0]                          # parsed again, not the editor's word
        assert parsed[4] == turn[1] and (np.delete(parsed, 4) == np.delete(a0[0], 4)).all()
    assert got[True]["candidates"][0] * 2 < got[False]["candidates"][0]
