"""The numpy forward passes give what the torch modules give (shipped weights and fresh random ones)."""
import numpy as np
import pytest
import torch

from engine.attributes import COUNTS
from engine.kernels import NumpyTraversal, NumpyVAE
from engine.models import MusicVAE, VAEConfig, load_model
from engine.session import Editor
from engine.traversal import TraversalNet
from training.dmelodies import generate


@pytest.fixture(scope="module")
def shipped():
    return load_model("s2", "cpu")


def test_numpy_vae_matches_torch_on_the_shipped_model(shipped):
    tokens, _ = generate(np.random.default_rng(1).choice(1354752, 512, replace=False))
    fast = NumpyVAE(shipped)
    z_np, z_torch = fast.encode(tokens), shipped.encode(tokens)
    np.testing.assert_allclose(z_np, z_torch, rtol=1e-4, atol=1e-4)
    assert z_np.dtype == np.float32 and z_np.shape == (512, 32)
    # decode the same codes both ways, plus codes far from the data where logits are less peaked
    z = np.concatenate([z_torch, np.random.default_rng(2).standard_normal((512, 32)).astype(np.float32) * 3])
    same = (fast.decode(z) == shipped.decode(z)).all(1)
    assert same.mean() > 0.995, "argmax may flip only on near-ties"
    assert (fast.decode(z_torch) == tokens).all(1).mean() > 0.99      # it reconstructs, like the model


def test_numpy_vae_rejects_what_the_model_rejects(shipped):
    fast = NumpyVAE(shipped)
    with pytest.raises(ValueError, match="z must have shape"):
        fast.decode(np.zeros((2, 31)))
    with pytest.raises(ValueError, match="tokens must lie"):
        fast.encode(np.full((1, 16), 99))
    assert fast.decode(np.zeros(32)).shape == (1, 16)


@pytest.mark.parametrize("classes", [2, 12, 28])
def test_numpy_traversal_matches_torch_for_a_random_net(classes):
    torch.manual_seed(classes)
    net = TraversalNet(32, residual=True, classes=classes, width=4).eval()
    for p in net.parameters():                # the head starts at zero: give every layer weights
        torch.nn.init.normal_(p, std=0.3)
    rng = np.random.default_rng(0)
    z = rng.uniform(-1, 1, (64, 32)).astype(np.float32)
    c = rng.integers(0, classes, 64) / (classes - 1)
    c_star = rng.integers(0, classes, 64) / (classes - 1)
    with torch.inference_mode():
        want = net(torch.as_tensor(z), torch.as_tensor(c, dtype=torch.float32),
                   torch.as_tensor(c_star, dtype=torch.float32)).numpy()
    got = NumpyTraversal(net)(z, c, c_star)
    assert np.abs(want).max() > 0 and not np.allclose(want, z)          # the net does move codes
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_numpy_traversal_refuses_nets_it_cannot_run():
    with pytest.raises(ValueError, match="residual"):
        NumpyTraversal(TraversalNet(32, residual=False, classes=3))
    with pytest.raises(ValueError, match="embedded"):
        NumpyTraversal(TraversalNet(32, residual=True, classes=0))


def test_editor_runs_numpy_on_cpu_with_the_shipped_nets():
    ed = Editor.load("s2", "cpu")
    assert isinstance(ed.codec, NumpyVAE) and sorted(ed.traversers) == list(range(len(COUNTS)))
    tokens, factors = generate(np.arange(100, 140))
    targets = np.full(factors.shape, -1)
    targets[:, 0] = (factors[:, 0] + 5) % 12
    z0 = ed.model.encode(tokens)
    fast = ed.traversal_codes(z0, factors, targets)
    ed.traversers.clear()                                  # the torch nets from here on
    np.testing.assert_allclose(fast, ed.traversal_codes(z0, factors, targets), rtol=1e-4, atol=1e-4)


def test_editor_keeps_torch_for_the_reference_architecture():
    model = MusicVAE(VAEConfig(arch="reference")).eval()
    assert Editor(model).codec is model
