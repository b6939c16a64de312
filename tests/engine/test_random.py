"""Random: a valid, varied melody for (almost) every seed on every shipped model (dMelodies' four and folk),
sampled from its prior bank."""
import logging
import shutil

import numpy as np
import pytest

from engine.attributes import parse
from engine.models import MODELS_DIR, SHIPPED, load_model, prior_path, read_prior, save_prior
from engine.session import EditError, Editor

SEEDS = range(200)


@pytest.mark.parametrize("name", SHIPPED)
def test_random_gives_valid_varied_repeatable_melodies_on_every_shipped_model(name):
    assert prior_path(MODELS_DIR / f"{name}.safetensors").exists(), "shipped beside the weights"
    editor = Editor.load(name, "cpu")
    melodies = {}
    for seed in SEEDS:
        try:
            melodies[seed] = editor.random(seed)
        except EditError:
            continue
    assert len(melodies) >= 199, f"{name}: {200 - len(melodies)} of 200 seeds gave no melody"
    attrs = editor.schema.parse(np.stack(list(melodies.values())))
    assert (attrs >= 0).all(), f"every knob of {editor.schema.name} defined"
    assert len({m.tobytes() for m in melodies.values()}) >= 150, "varied"
    for seed in list(melodies)[:20]:
        np.testing.assert_array_equal(editor.random(seed), melodies[seed])   # the same melody for a seed
    # (how long one takes: tests/bridge/test_cli_attrs_bench.py, `sentgen bench random`, as the engine runs it)


def test_every_shipped_family_has_a_shipped_model():
    """folk is shipped beside dMelodies' four: Random, the engine and the surfaces are tested on it."""
    assert {Editor.load(name, "cpu").schema.name for name in SHIPPED} == {"dmelodies", "folk"}


def test_a_missing_or_foreign_prior_bank_is_computed_at_load(tmp_path, caplog):
    for ext in (".safetensors", ".json"):
        shutil.copy(MODELS_DIR / f"s2{ext}", tmp_path / f"m{ext}")
    path = tmp_path / "m.safetensors"
    shipped = read_prior(MODELS_DIR / "s2.safetensors", 32)

    def randoms():
        editor = Editor.load(path, "cpu")
        return editor, [editor.random(seed) for seed in range(50)]

    _, first = randoms()                                   # no bank file: computed from generated melodies
    assert (parse(np.stack(first)) >= 0).all()
    assert [m.tolist() for m in randoms()[1]] == [m.tolist() for m in first]   # deterministic
    shutil.copy(MODELS_DIR / "beta.safetensors", tmp_path / "other.safetensors")
    save_prior(shipped, tmp_path / "other.safetensors", "test").replace(prior_path(path))   # other weights'
    with pytest.raises(ValueError, match="other weights"):
        read_prior(path, 32)
    with caplog.at_level(logging.WARNING, logger="sentgen.models"):
        editor, again = randoms()
    assert "other weights" in caplog.text and not np.array_equal(editor.prior[0], shipped)
    assert [m.tolist() for m in again] == [m.tolist() for m in first]


def test_train_prior_writes_a_bank_for_these_weights(tmp_path):
    from training.train_vae import train_prior
    for ext in (".safetensors", ".json"):
        shutil.copy(MODELS_DIR / f"i{ext}", tmp_path / f"m{ext}")
    written = train_prior(tmp_path / "m.safetensors", rows=256)
    codes = read_prior(tmp_path / "m.safetensors", 32)
    assert written == prior_path(tmp_path / "m.safetensors") and codes.shape == (256, 32)
    model = load_model(tmp_path / "m.safetensors", "cpu")
    assert (parse(model.decode(codes)) >= 0).all(1).mean() > 0.99     # codes of real melodies under this model
    assert not list(tmp_path.glob(".*tmp*"))
