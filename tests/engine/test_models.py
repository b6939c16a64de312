"""The VAE definition, its loss terms, training on a tiny subset, and weight files."""
import json

import numpy as np
import pytest
import torch

from engine.attributes import COUNTS, NUM_ATTRS
from engine.models import (MusicVAE, VAEConfig, ar_loss, beta_schedule, i_loss, kl_divergence, load_model,
                           s2_loss, save_model)


def test_kl_is_zero_for_the_prior_and_positive_elsewhere():
    mu, ls = torch.zeros(4, 32), torch.zeros(4, 32)
    assert kl_divergence(mu, ls).item() == pytest.approx(0.0)
    # one dim with mean 1: KL = 0.5 per sample
    mu[:, 0] = 1.0
    assert kl_divergence(mu, ls).item() == pytest.approx(0.5)


def test_ar_term_is_zero_for_perfectly_ordered_codes_and_large_when_reversed():
    attrs = torch.linspace(0, 1, 8)[:, None].repeat(1, NUM_ATTRS)
    z = torch.zeros(8, 32)
    z[:, :NUM_ATTRS] = attrs * 10          # same order, well separated
    assert ar_loss(z, attrs, delta=10).item() < 1e-3
    z[:, :NUM_ATTRS] = -attrs * 10         # reversed order: |(-1) - 1| on every off-diagonal pair
    assert ar_loss(z, attrs, delta=10).item() == pytest.approx(NUM_ATTRS * 2 * 56 / 64, rel=1e-3)


def test_s2_term_is_smallest_when_sigmoid_matches_the_attribute():
    attrs = torch.tensor([[0.25] * NUM_ATTRS])
    z_match = torch.zeros(1, 32)
    z_match[:, :NUM_ATTRS] = np.log(0.25 / 0.75)
    z_off = torch.zeros(1, 32)
    assert s2_loss(z_match, attrs) < s2_loss(z_off, attrs)
    entropy = -(0.25 * np.log(0.25) + 0.75 * np.log(0.75)) * NUM_ATTRS
    assert s2_loss(z_match, attrs).item() == pytest.approx(entropy, rel=1e-4)


def test_i_term_falls_for_a_classifier_that_reads_its_dim():
    classifiers = torch.nn.ModuleList(torch.nn.Linear(1, int(n)) for n in COUNTS)
    labels = torch.zeros(6, NUM_ATTRS, dtype=torch.long)
    labels[:3] = 1
    z = torch.zeros(6, 32)
    z[:3, :NUM_ATTRS] = 1.0
    before = i_loss(classifiers, z, labels).item()
    for clf in classifiers:            # weights that separate z=0 (class 0) from z=1 (class 1)
        with torch.no_grad():
            clf.weight.zero_()
            clf.bias.fill_(-10.0)
            clf.weight[1] = 20.0
            clf.bias[0] = 10.0
            clf.bias[1] = 0.0
    assert i_loss(classifiers, z, labels).item() < 0.01 < before


def test_beta_schedule_warms_up_then_reaches_beta():
    assert beta_schedule(5, 10, 100, 0.2) == 0.0
    assert 0 < beta_schedule(60, 10, 100, 0.2) < 0.2
    assert beta_schedule(110, 10, 100, 0.2) == pytest.approx(0.2)
    assert beta_schedule(10_000, 10, 100, 1.0) == pytest.approx(1.0)


@pytest.mark.parametrize("arch", ["fast", "reference"])
def test_save_load_round_trip_gives_identical_outputs(tmp_path, arch):
    torch.manual_seed(0)
    model = MusicVAE(VAEConfig(regulariser="i", arch=arch)).eval()
    path = save_model(model, tmp_path / "m")
    again = load_model(path)
    tokens = np.random.default_rng(0).integers(0, 52, (5, 16))
    np.testing.assert_array_equal(model.encode(tokens), again.encode(tokens))
    z = np.random.default_rng(1).standard_normal((5, 32)).astype(np.float32)
    np.testing.assert_array_equal(model.decode(z), again.decode(z))
    assert not list(tmp_path.glob("*.tmp*"))


def test_bad_weight_files_give_errors_naming_the_file(tmp_path):
    path = save_model(MusicVAE(VAEConfig()), tmp_path / "m")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])                   # truncated
    with pytest.raises(ValueError, match="m.safetensors"):
        load_model(path)
    path.write_bytes(b"\x00garbage" * 50)                       # corrupt
    with pytest.raises(ValueError, match="m.safetensors"):
        load_model(path)
    save_model(MusicVAE(VAEConfig(hidden=64)), tmp_path / "small")
    (tmp_path / "small.json").write_text((tmp_path / "m.json").read_text())   # foreign: config says 512
    with pytest.raises(ValueError, match="small.safetensors"):
        load_model(tmp_path / "small.safetensors")
    (tmp_path / "m.json").write_text(json.dumps({"regulariser": "zz"}))
    with pytest.raises(ValueError, match="m.json"):
        load_model(path)
    with pytest.raises(FileNotFoundError, match="nothing.safetensors"):
        load_model(tmp_path / "nothing.safetensors")


def test_decode_checks_its_input():
    model = MusicVAE(VAEConfig()).eval()
    with pytest.raises(ValueError, match="shape"):
        model.decode(np.zeros((2, 31)))
    with pytest.raises(ValueError, match="0..51"):
        model.encode(np.full((1, 16), 60))


def test_tiny_training_run_learns_and_resumes(tmp_path):
    from training.train_vae import train_vae
    kw = dict(limit=4096, batch=256, out=tmp_path / "tiny", run_dir=tmp_path / "run", progress=False,
              eval_rows=1000, threads=2)
    first = train_vae("s2", epochs=1, **kw)
    resumed = train_vae("s2", epochs=3, **kw)       # continues from the epoch-1 checkpoint
    hist = resumed["history"]
    assert [h["epoch"] for h in hist] == [1, 2, 3]
    assert hist[0]["loss"] == pytest.approx(first["history"][0]["loss"])
    assert hist[-1]["recon"] < hist[0]["recon"]
    model = load_model(tmp_path / "tiny")
    assert model.config.extra["training"]["epochs"] == 3


def test_reference_architecture_trains_a_few_steps(tmp_path):
    from training.train_vae import train_vae
    fig = train_vae("s2", arch="reference", epochs=2, limit=768, batch=256, out=tmp_path / "ref",
                    run_dir=tmp_path / "run", progress=False, eval_rows=256, threads=2)
    assert fig["parameters"] < 300_000
    assert fig["history"][-1]["recon"] < fig["history"][0]["recon"]
    assert load_model(tmp_path / "ref").config.arch == "reference"
