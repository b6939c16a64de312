"""Session.lookahead: one-knob edits worked out ahead are the edits set_attrs would make."""
import time

import numpy as np
import pytest

import engine.session
from engine.attributes import COUNTS, NUM_ATTRS, parse
from engine.clip import flat_from_notes, tokens_to_notes
from engine.models import MODELS_DIR
from engine.session import LOOKAHEAD_QUICK, NEAR_BINS, Editor, Session
from training.dmelodies import generate


@pytest.fixture(scope="module")
def editor():
    return Editor.load("s2", "cpu")


def dataset_clip(row):
    return flat_from_notes(tokens_to_notes(generate(np.array([row]))[0][0]))


def looked_ahead(editor, row) -> Session:
    """A session on dataset melody `row` with every one-knob edit worked out."""
    s = Session(editor)
    s.set_clip(dataset_clip(row))
    while s.lookahead():
        pass
    return s


def test_lookahead_works_in_chunks_last_knob_first(editor):
    s = Session(editor)
    s.set_clip(dataset_clip(4242))
    s.last_knob = 2                                        # scale was turned last
    assert s.lookahead() is True
    first = list(s.ready_edits())
    assert len(first) == LOOKAHEAD_QUICK[0] and [k for k, _ in first[:2]] == [2, 2]   # the first pass's chunk
    while s.lookahead():
        pass
    a = s.attrs()
    assert set(s.ready_edits()) == {(k, v) for k in range(NUM_ATTRS) for v in range(COUNTS[k]) if v != a[k]}
    assert s.lookahead() is False


def test_lookahead_works_out_the_turns_a_knob_gives_first(editor):
    """Turns of at most NEAR_BINS bins, of every knob (the last turned first), come before any farther turn: a
    knob turned a second after loading finds its next values ready sooner than the far ones."""
    s = Session(editor)
    s.set_clip(dataset_clip(4242))
    s.last_knob = 0
    while s.lookahead():
        pass
    a = s.attrs()
    order = list(s.ready_edits())
    near = [abs(v - a[k]) <= NEAR_BINS for k, v in order]
    assert near.index(False) == sum(near), "every near turn before the first far one"
    assert {k for k, _ in order[:sum(1 for k, v in order if k == 0 and abs(v - a[0]) <= NEAR_BINS)]} == {0}
    assert len({k for (k, _), n in zip(order, near) if n}) == NUM_ATTRS


def test_looked_ahead_edits_equal_edits_made_on_demand(editor):
    s = looked_ahead(editor, 777)
    table = s.ready_edits()
    tokens = s.current().as_arrays()[0]
    for (k, v), ahead in list(table.items())[::5]:
        now = editor.edit(tokens, {k: v})
        assert ahead.exact and now.exact, (k, v)
        np.testing.assert_array_equal(ahead.tokens, now.tokens)  # the exact result of a parsed clip is unique
        assert parse(ahead.tokens)[0][k] == v


def test_set_attrs_takes_the_ready_edit_and_undo_still_works(editor):
    s = looked_ahead(editor, 31337)
    before = s.notes()
    k = 0
    v = (int(s.attrs()[k]) + 3) % 12
    ready = s.ready_edits()[(k, v)]
    assert s.set_attrs({"tonic": v / 11}) is ready and s.attrs()[k] == v
    notes, rows = s.notes(), s.attr_rows()             # what the session shows after the edit
    assert s.undo() and s.notes() == before
    assert s.preview(ready) == (notes, rows), "preview shows what apply makes"
    assert s.ready_edits(), "the table of a clip survives an undo back to it"


def test_a_previewed_step_is_the_one_applied_and_again_after_an_undo(editor):
    s = looked_ahead(editor, 4242)
    k = 2
    v = (int(s.attrs()[k]) + 1) % 3
    ready = s.ready_edits()[(k, v)]
    notes, rows = s.preview(ready)                     # what the engine builds a reply from
    step = s.step_of(ready)
    s.apply({k: v}, ready)
    assert s.current() is step and s.notes() == notes and s.attr_rows() == rows
    s.undo()
    s.apply({k: v}, ready)
    assert s.current() is step and len(s.history) == 2, "the same step again, not a copy"
    s.undo()
    on_demand = editor.edit(s.current().as_arrays()[0], {k: v})
    s.apply({k: v}, on_demand)                         # not previewed: a step of its own, not kept
    assert s.current() is not step and s.current().tokens == step.tokens
    assert id(on_demand) not in s._derived_of(s.history[0])["steps"]


def test_a_model_switch_drops_the_table(editor):
    s = Session(editor)
    s.set_clip(dataset_clip(99))
    s.lookahead()
    assert s.ready_edits()
    s.switch_model(Editor(editor.model, editor.bundle))
    assert s.ready_edits() == {}
    assert s.lookahead() is True and len(s.ready_edits()) == LOOKAHEAD_QUICK[0]


def test_an_interrupted_step_adds_nothing_and_is_done_again_later(editor):
    from engine.clip import Note
    s = Session(editor)
    s.set_clip([Note(60, 0, 1), Note(64, 1, 0.5), Note(67, 2, 1), Note(72, 3.5, 0.5), Note(62, 6, 2)])
    assert (s.attrs() < 0).any(), "a clip that does not parse: its edits go through refinement rounds"
    asked = []

    def interrupt():                       # says "a request came" the first time it is asked only
        asked.append(1)
        return len(asked) == 1
    while not asked:
        before = len(s.ready_edits())
        assert s.lookahead(interrupt=interrupt)
    assert len(s.ready_edits()) == before, "the interrupted step added nothing"
    s.lookahead(interrupt=interrupt)
    assert len(s.ready_edits()) == before + 1, "one edit per step for such a clip, and it was done again"


def test_only_the_latest_steps_keep_their_tables(editor):
    from engine.session import LOOKAHEAD_CLIPS
    s = Session(editor)
    for row in range(LOOKAHEAD_CLIPS + 3):
        s.set_clip(dataset_clip(1000 + row))
        s.lookahead()
    kept = [d for d in s._derived.values() if "ahead" in d]
    assert len(kept) == LOOKAHEAD_CLIPS and s.ready_edits(), "the current clip's table is among them"


def test_model_switches_on_one_clip_do_not_drop_its_own_table(editor):
    from engine.session import LOOKAHEAD_CLIPS
    s = Session(editor)
    s.set_clip(dataset_clip(5))
    for _ in range(LOOKAHEAD_CLIPS + 1):
        s.switch_model(Editor(editor.model, editor.bundle))
        s.lookahead()
    assert len(s.ready_edits()) == LOOKAHEAD_QUICK[0], "the table made for the current model is still there"


def test_a_table_in_use_outlives_the_tables_made_since(editor):
    """Knob turn, undo, knob turn...: each result gets a table, the clip the user returns to keeps its own."""
    from engine.session import LOOKAHEAD_CLIPS
    s = looked_ahead(editor, 2024)
    home = s.current()
    for i in range(LOOKAHEAD_CLIPS + 2):
        tonic = (int(s.attrs()[0]) + 1 + i % 11) % 12
        assert s.set_attrs({"tonic": tonic / 11}) is not None
        s.lookahead()                              # the result's own table
        s.undo()
        assert s.current() is home and len(s.ready_edits()) == 73


def test_an_interruptible_edit_asks_between_small_pieces_and_gives_the_same_result(editor):
    """With `interrupt`, edit_batch asks before every stage and every INTERRUPTIBLE_CODES codes of its
    refinement rounds (a request waits for no more model work than that), and the result is the same."""
    from engine.clip import Note, notes_to_tokens
    from engine.session import INTERRUPTIBLE_CODES
    tokens = notes_to_tokens([Note(60, 0, 1), Note(64, 1, 0.5), Note(67, 2, 1), Note(72, 3.5, 0.5), Note(62, 6, 2)]).tokens
    targets = [{0: 4}, {1: 2}]                             # both go through every refinement round
    log = []
    asked = Editor(editor.model, editor.bundle)
    decode = asked.codec.decode
    asked.codec = type("Codec", (), {"encode": editor.codec.encode,
                                     "decode": lambda self, z: (log.append(len(z)), decode(z))[1]})()
    got = asked.edit_many(tokens, targets, interrupt=lambda: log.append("ask") or False)
    want = Editor(editor.model, editor.bundle).edit_many(tokens, targets)
    assert [(o.tokens is None or o.tokens.tolist(), o.method, o.candidates, o.reason) for o in got] == \
           [(o.tokens is None or o.tokens.tolist(), o.method, o.candidates, o.reason) for o in want]
    assert sum(n for n in log if n != "ask") > 1000, "the refinement rounds ran"
    between, run = [], 0
    for item in log + ["ask"]:
        if item == "ask":
            between.append(run)
            run = 0
        else:
            run += item
    assert log[0] == "ask" and max(between) <= INTERRUPTIBLE_CODES, between


def test_a_first_pass_that_runs_out_of_time_leaves_every_turn_to_the_second(editor, monkeypatch):
    monkeypatch.setattr(engine.session, "LOOKAHEAD_QUICK", (LOOKAHEAD_QUICK[0], -1.0))    # out of time at once
    s = Session(editor)
    s.set_clip(dataset_clip(777))
    calls = 0
    while s.lookahead():
        calls += 1
        if not s.ready_edits():
            continue
        assert not s._derived_of(s.current())["ahead"]["todo"], "answers only once the first pass is through"
    a = s.attrs()
    turns = [(k, v) for k in range(NUM_ATTRS) for v in range(COUNTS[k]) if v != a[k]]
    assert set(s.ready_edits()) == set(turns) and calls >= len(turns) // LOOKAHEAD_QUICK[0]
    assert not any(o.out_of_time for o in s.ready_edits().values())
    on_demand = looked_ahead(editor, 777).ready_edits()
    assert all((o.tokens is None) == (on_demand[key].tokens is None) and
               (o.tokens is None or (o.tokens == on_demand[key].tokens).all()) for key, o in s.ready_edits().items())


@pytest.mark.skipif(not (MODELS_DIR / "folk.safetensors").exists(), reason="no shipped folk model")
def test_a_hard_turn_waits_for_the_second_pass_and_the_easy_ones_are_ready_first(monkeypatch):
    """Folk, held-out clip 280 (7 notes) down to at most 5: only the jump search finds it (test_folk_edit).  Made
    to take longer than the first pass's budget (a pause before the jump search; one turn a step, so that no
    other turn shares its stages), it is left to the second pass; the turns after it are ready first; then the
    second pass answers it."""
    from training.heldout import load_heldout
    monkeypatch.setattr(engine.session, "LOOKAHEAD_QUICK", (1, 2.0))
    jump = Editor._jump_search

    def slow_jump(self, *args, **kwargs):
        time.sleep(2.1)
        return jump(self, *args, **kwargs)

    monkeypatch.setattr(Editor, "_jump_search", slow_jump)
    s = Session(Editor.load("folk", "cpu"))
    s.set_clip(flat_from_notes(s.schema.tokens_to_notes(load_heldout().tokens[280])))
    s.last_knob = 0
    assert s.attrs()[0] == 1
    assert s.lookahead()                                   # density 0 first (1 bin, the last knob): out of time
    ahead = s._derived_of(s.current())["ahead"]
    assert ahead["again"] == [(0, 0)] and not s.ready_edits()
    assert s.lookahead() and s.lookahead()                 # density 2 and 3: within the budget
    assert set(s.ready_edits()) == {(0, 2), (0, 3)}
    while (0, 0) not in s.ready_edits() and s.lookahead():
        pass
    assert not ahead["todo"] and s.ready_edits()[(0, 0)].exact
