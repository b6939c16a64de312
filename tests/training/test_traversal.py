"""Traversal data (pairs, relevance), a toy traversal net that learns, and verified edits."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from engine.attributes import COUNTS, NUM_ATTRS, parse
from engine.models import MusicVAE, VAEConfig
from engine.session import EditError, Editor, parse_targets
from engine.traversal import TraversalBundle, TraversalNet, attribute_means
from training.dmelodies import generate
from training.train_traversal import train_one, true_lc
from training.traversal_data import make_pairs, mi_matrix, mutual_information, relevant_dims, split_pairs


def table(rows):
    f = np.zeros((len(rows), NUM_ATTRS), dtype=np.int64)
    for i, r in enumerate(rows):
        f[i, :len(r)] = r
    return f


def test_pairs_with_epsilon_zero_differ_only_in_the_attribute_and_never_reuse_rows():
    f = table([[0, 0, 0], [1, 0, 0], [2, 0, 0], [0, 1, 0], [5, 1, 0], [0, 2, 1], [3, 2, 2]])
    pairs = make_pairs(f, 0, 0.0, seed=0)
    # groups by the other attributes: {0,1,2}: one pair, {3,4}: one pair, the rest are alone
    assert len(pairs) == 2
    assert len(np.unique(pairs)) == 4
    for a, b in pairs:
        assert f[a, 0] != f[b, 0]
        assert (np.delete(f[a], 0) == np.delete(f[b], 0)).all()
    assert (make_pairs(f, 0, 0.0, seed=0) == pairs).all()        # deterministic per seed


def test_pairs_with_epsilon_allow_small_differences_elsewhere():
    f = table([[0, 0, 0, 10], [1, 0, 0, 11], [2, 0, 0, 20]])
    assert len(make_pairs(f, 0, 0.0)) == 0                      # rhythm_bar1 differs everywhere
    pairs = make_pairs(f, 0, 1.5 / 27)                          # 10 vs 11 is within 1.5/27
    assert len(pairs) == 1 and set(pairs[0]) == {0, 1}


def test_pair_counts_on_the_dataset_match_the_reference_scale():
    _, f = generate(np.arange(0, 1354752, 4))
    pairs = make_pairs(f, 2, 0.0)
    assert len(pairs) > 0
    assert (f[pairs[:, 0], 2] != f[pairs[:, 1], 2]).all()
    train, test = split_pairs(pairs)
    assert len(train) == int(0.8 * len(pairs)) and len(train) + len(test) == len(pairs)


def test_mutual_information_ranks_the_informative_dims_first():
    rng = np.random.default_rng(0)
    c = rng.integers(0, 5, 20000)
    z = rng.standard_normal((20000, 8))
    z[:, 3] = c + 0.1 * rng.standard_normal(20000)       # fully informative
    z[:, 6] = c + 1.0 * rng.standard_normal(20000)       # partly informative
    mi = mutual_information(z, c)
    assert list(np.argsort(-mi)[:2]) == [3, 6]
    assert mi[3] > 1.0 and mi[0] < 0.05
    f = np.zeros((20000, NUM_ATTRS), dtype=np.int64)
    f[:, 4] = c
    zz = np.zeros((20000, 32))
    zz[:, :8] = z
    assert relevant_dims(mi_matrix(zz, f), 2)[4].tolist() == [3, 6]


def toy_setup(rows=3000):
    torch.manual_seed(0)
    tokens, factors = generate(np.random.default_rng(0).choice(1354752, rows, replace=False))
    model = MusicVAE(VAEConfig(hidden=64)).eval()
    z = model.encode(tokens)
    bundle = TraversalBundle(32, z.min(0), z.max(0), attribute_means(z, factors),
                             np.tile(np.arange(3), (NUM_ATTRS, 1)), np.zeros((NUM_ATTRS, 32)))
    return model, bundle, z, tokens, factors


def test_a_traversal_net_trained_for_seconds_reduces_its_loss():
    model, bundle, z, tokens, factors = toy_setup()
    pairs = make_pairs(factors, 5, 0.0)
    net, fig = train_one(model, bundle, 5, z, tokens, factors, pairs, epochs=4, batch=64, progress=False)
    h = fig["history"]
    assert h[-1]["L_I"] + h[-1]["L_-I"] < h[0]["L_I"] + h[0]["L_-I"]
    lc, valid = true_lc(model, bundle, net, 5, z[:10], np.zeros(10, np.float32), np.ones(10, np.float32))
    assert 0.0 <= lc <= 1.0 and 0.0 <= valid <= 1.0


def test_traversal_bundle_round_trips_through_its_file(tmp_path):
    model, bundle, z, tokens, factors = toy_setup(500)
    bundle.nets[0] = TraversalNet(32).eval()
    path = bundle.save(tmp_path / "x.traversal.safetensors")
    again = TraversalBundle.load(path)
    out1 = bundle.traverse(0, z[:4], np.zeros(4), np.ones(4))
    out2 = again.traverse(0, z[:4], np.zeros(4), np.ones(4))
    np.testing.assert_allclose(out1, out2)
    path.write_bytes(b"nonsense")
    with pytest.raises(ValueError, match="x.traversal.safetensors"):
        TraversalBundle.load(path)


@pytest.fixture(scope="module")
def toy_editor():
    model, bundle, *_ = toy_setup(2000)
    return Editor(model, bundle)


@settings(max_examples=25, deadline=None)
@given(row=st.integers(0, 1354751), attr=st.integers(0, NUM_ATTRS - 1), value=st.integers(0, 27))
def test_verified_edits_never_return_an_invalid_melody(toy_editor, row, attr, value):
    tokens, _ = generate([row])
    target = value % COUNTS[attr]
    out = toy_editor.edit(tokens[0], {attr: target}, budget=32)
    if out.tokens is None:
        assert out.reason                                     # refused, and says why
    else:
        a = parse(out.tokens)[0]
        assert (a >= 0).all() and a[attr] == target
        assert out.exact == (a == np.where(np.arange(NUM_ATTRS) == attr, target, parse(tokens)[0])).all()


@pytest.mark.parametrize("pairs,match", [
    ({"colour": 0.5}, "unknown attribute"),
    ({"scale": float("nan")}, "finite"),
    ({"scale": 1.5}, r"\[0, 1\]"),
    ({"scale": -0.1}, r"\[0, 1\]"),
    ({"tonic": "minor"}, "unknown label"),
    ({"scale": "D#"}, "unknown label"),
    ({"octave": True}, "number"),
    ({}, "no attribute"),
])
def test_bad_targets_give_clear_errors(pairs, match):
    with pytest.raises(EditError, match=match):
        parse_targets(pairs)


def test_targets_accept_numbers_and_labels():
    assert parse_targets({"tonic": "D#", "scale": "minor", "arp_chord2": 1.0}) == {0: 3, 2: 1, 6: 1}
    assert parse_targets([("rhythm_bar1", "11111010")]) == {3: 1}
