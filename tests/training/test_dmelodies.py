"""The generated dMelodies: row order, round trip with the parser, splits and the cache."""
import numpy as np
import pytest

import training.dmelodies as dm
from engine.attributes import COUNTS, SEQ_LEN, parse


@pytest.fixture(scope="module")
def everything():
    return dm.generate()


def test_all_rows_round_trip_exactly(everything):
    tokens, factors = everything
    assert tokens.shape == (1_354_752, SEQ_LEN) and factors.shape == (1_354_752, 9)
    assert tokens.dtype == np.int64 and factors.dtype == np.int64
    assert np.array_equal(parse(tokens), factors)


def test_row_order_and_facts(everything):
    tokens, factors = everything
    assert dm.NUM_ROWS == 1_354_752
    # Cartesian product in column order: arp_chord4 fastest, tonic slowest
    assert factors[0].tolist() == [0] * 9
    assert factors[1].tolist() == [0] * 8 + [1]
    assert factors[16].tolist() == [0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert factors[-1].tolist() == (COUNTS - 1).tolist()
    assert np.array_equal(factors[::97], np.array(np.unravel_index(np.arange(0, dm.NUM_ROWS, 97), COUNTS)).T)
    # pitches span MIDI 60..109, every value occurs; exactly 12 onsets, 6 per bar
    pitches = np.unique(tokens[tokens >= 2]) + 58
    assert pitches.tolist() == list(range(60, 110))
    assert ((tokens[:, :8] >= 2).sum(1) == 6).all() and ((tokens[:, 8:] >= 2).sum(1) == 6).all()
    assert not (tokens == 1).any()
    # each factor value occurs equally often
    for k, n in enumerate(COUNTS):
        assert (np.bincount(factors[:, k], minlength=n) == dm.NUM_ROWS // n).all()


def test_hand_checked_rows():
    # row 0: C4 E4 G4 F4 A4 C5 r r | G4 B4 D5 C4 E4 G4 r r (token = pitch - 58)
    tokens, factors = dm.generate([0])
    assert tokens[0].tolist() == [2, 6, 9, 7, 11, 14, 0, 0, 9, 13, 16, 2, 6, 9, 0, 0]
    # D# blues, octave 4, rhythms 27 (00111111) / 1 (11111010), all down: computed by hand
    row = ((((((((3 * 3 + 0) * 3 + 2) * 28 + 27) * 28 + 1) * 2 + 1) * 2 + 1) * 2 + 1) * 2 + 1)
    assert row == 375_903
    tokens, factors = dm.generate([row])
    assert factors[0].tolist() == [3, 0, 2, 27, 1, 1, 1, 1, 1]
    pitches = [None, None, 69, 66, 63, 75, 72, 68, 77, 73, 69, 69, 66, None, 63, None]
    assert tokens[0].tolist() == [0 if p is None else p - 58 for p in pitches]
    # B6 blues, rhythms 27/27 (00111111), all up: reaches the highest pitch, 109 = B6 + 14
    tokens, factors = dm.generate([dm.NUM_ROWS - 16])
    assert factors[0].tolist() == [11, 2, 2, 27, 27, 0, 0, 0, 0]
    assert tokens[0].tolist() == [0, 0] + [x - 58 for x in (95, 98, 101, 100, 104, 107)] + \
        [0, 0] + [x - 58 for x in (101, 105, 109, 95, 98, 101)]


def test_generate_subsets_match_all(everything):
    tokens, factors = everything
    idx = np.array([5, 0, 1_354_751, 777_777, 5])
    t, f = dm.generate(idx)
    assert np.array_equal(t, tokens[idx]) and np.array_equal(f, factors[idx])
    t, f = dm.generate(np.array([], dtype=np.int64))
    assert t.shape == (0, SEQ_LEN) and f.shape == (0, 9)
    assert np.array_equal(dm.melodies_of(factors[idx].astype(np.int8)), tokens[idx])


@pytest.mark.parametrize("bad,exc,msg", [
    ([-1], ValueError, r"0\.\.1354751"), ([1_354_752], ValueError, r"0\.\.1354751"),
    ([[1, 2]], ValueError, "1-D"), ([0.5], TypeError, "integers"), ([True], TypeError, "integers"),
])
def test_bad_row_indices(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        dm.generate(bad)


@pytest.mark.parametrize("bad,exc,msg", [
    ([[0] * 8], ValueError, r"shape \(N, 9\)"), ([[12, 0, 0, 0, 0, 0, 0, 0, 0]], ValueError, "out of range"),
    ([[0, 0, 0, 0, 0, 0, 0, 0, -1]], ValueError, "out of range"), ([[0.0] * 9], TypeError, "integers"),
])
def test_bad_factors(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        dm.melodies_of(bad)


# --- splits -----------------------------------------------------------------------------------
def test_split_sizes_disjoint_and_seeded():
    splits = {seed: dm.split_indices(seed) for seed in (0, 1, 2)}
    for seed, (train, val, cand) in splits.items():
        assert (len(train), len(val), len(cand)) == (948_326, 67_738, 338_688)
        assert np.array_equal(np.sort(np.concatenate([train, val, cand])), np.arange(dm.NUM_ROWS))
        again = dm.split_indices(seed)
        assert all(np.array_equal(a, b) for a, b in zip(again, (train, val, cand)))
    assert not np.array_equal(splits[0][0], splits[1][0])
    assert not np.array_equal(splits[1][2], splits[2][2])
    # every factor value is represented in every training split
    for seed in (0, 1, 2):
        f = dm.factors_of(splits[seed][0][:200_000])
        assert all(len(np.unique(f[:, k])) == n for k, n in enumerate(COUNTS))


# --- cache ------------------------------------------------------------------------------------
@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(dm.platformdirs, "user_cache_dir", lambda appname: str(tmp_path / appname))
    calls = []
    real = dm.generate

    def counting_generate(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(dm, "generate", counting_generate)
    return tmp_path / "sentgen", calls


def _check_loaded(tokens, factors):
    assert tokens.dtype == np.int8 and factors.dtype == np.int8
    assert tokens.shape == (dm.NUM_ROWS, SEQ_LEN) and factors.shape == (dm.NUM_ROWS, 9)
    assert tokens[0].tolist() == [2, 6, 9, 7, 11, 14, 0, 0, 9, 13, 16, 2, 6, 9, 0, 0]
    assert factors[-1].tolist() == (COUNTS - 1).tolist()


def test_cache_built_reused_and_rebuilt(cache_dir):
    folder, calls = cache_dir
    path = dm.cache_path()
    assert path.parent == folder
    assert not path.exists()
    _check_loaded(*dm.load())                       # missing -> built
    assert path.exists() and len(calls) == 1
    assert [p.name for p in folder.iterdir()] == [path.name]   # no temp file left behind
    _check_loaded(*dm.load())                       # fresh -> reused
    assert len(calls) == 1

    path.write_bytes(np.random.default_rng(0).bytes(5000))   # garbage
    _check_loaded(*dm.load())
    assert len(calls) == 2
    good = path.read_bytes()
    path.write_bytes(good[:len(good) // 2])         # truncated
    _check_loaded(*dm.load())
    assert len(calls) == 3
    corrupt = bytearray(good)
    corrupt[len(corrupt) // 3] ^= 0xFF              # one flipped byte inside the tokens: bad CRC
    path.write_bytes(bytes(corrupt))
    _check_loaded(*dm.load())
    assert len(calls) == 4
    assert path.read_bytes() == good
    assert [p.name for p in folder.iterdir()] == [path.name]


def test_cache_stale_fingerprint_or_shape_rebuilt(cache_dir, tmp_path):
    folder, calls = cache_dir
    path = dm.cache_path()
    folder.mkdir(parents=True)
    t = np.zeros((dm.NUM_ROWS, SEQ_LEN), np.int8)
    f = np.zeros((dm.NUM_ROWS, 9), np.int8)
    np.savez(path, tokens=t, factors=f, fingerprint="0123456789abcdef")      # other rules
    _check_loaded(*dm.load())
    assert len(calls) == 1
    np.savez(path, tokens=t[:10], factors=f[:10], fingerprint=dm._fingerprint())  # wrong shape
    _check_loaded(*dm.load())
    assert len(calls) == 2
    np.savez(path, tokens=t, fingerprint=dm._fingerprint())                  # missing key
    _check_loaded(*dm.load())
    assert len(calls) == 3
    # an explicit path works too
    other = tmp_path / "elsewhere" / "d.npz"
    _check_loaded(*dm.load(other))
    assert other.exists() and len(calls) == 4
