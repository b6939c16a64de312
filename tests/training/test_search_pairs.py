"""training/search_pairs.py: traversal pairs made by the verified search are one window and its exact edit."""
import numpy as np
import pytest

from engine.models import MODELS_DIR, load_model
from engine.search import notes_kept
from training.heldout import load_heldout
from training.search_pairs import search_pairs, turns_for

pytestmark = pytest.mark.skipif(not (MODELS_DIR / "folk.safetensors").exists(), reason="no shipped folk model")


def test_turns_exist_and_differ_from_the_window():
    g = load_model("folk", "cpu").schema
    tok = load_heldout().tokens
    fac = g.parse(tok)
    for k in range(6):
        rows, t = turns_for(fac, k, g.counts, 50, seed=1)
        assert len(rows) == len(set(rows.tolist())) == 50
        assert ((t >= 0) & (t < g.counts[k]) & (t != fac[rows, k])).all()
        assert (np.abs(t - fac[rows, k]) <= 2).all()


def test_pairs_are_the_searchs_exact_edits_of_their_windows():
    model = load_model("folk", "cpu")
    g = model.schema
    tok = load_heldout().tokens[:60].astype(np.int64)
    fac = g.parse(tok)
    k = g.names.index("density")
    made = search_pairs(model, tok, fac, [k], per_knob=8, seed=0, workers=1, chunk=4, progress=None)
    src, dst = made[k]
    assert 0 < len(src) <= 8 and src.shape == dst.shape
    a, b = g.parse(src), g.parse(dst)
    assert (a[:, k] != b[:, k]).all() and (np.abs(a[:, k] - b[:, k]) <= 2).all()   # the turn was made...
    assert (np.delete(a, k, 1) == np.delete(b, k, 1)).all()                        # ...and nothing else changed
    assert np.median(notes_kept(dst, src)) >= 0.6                                  # a small edit of the window
    assert all(any((s == t).all() for t in tok) for s in src)                      # sources are the windows
