"""NumPy forward passes of the fast VAE and the traversal nets, for edits on the CPU.

A knob turn decodes a handful of codes; at that size PyTorch spends most of
its time in per-op dispatch (about 200 us to decode three codes on one thread),
while the same matmuls through NumPy's BLAS take about 130 us and the small
traversal net drops from about 180 us to about 15 us.  These classes copy the
weights once (a snapshot: build them again after training) and give the
same numbers as the torch modules up to float32 rounding; tests check both agree.
"""
from __future__ import annotations

import numpy as np


_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


def _selu(x: np.ndarray) -> np.ndarray:
    neg = np.minimum(x, 0.0)
    np.expm1(neg, out=neg)
    neg *= _SELU_ALPHA
    np.maximum(x, 0.0, out=x)
    x += neg
    x *= _SELU_SCALE
    return x


def _linear(layer):
    """(W^T as a contiguous float32 (in, out) array, bias) of an nn.Linear."""
    return (np.ascontiguousarray(layer.weight.detach().cpu().numpy().T, dtype=np.float32),
            layer.bias.detach().cpu().numpy().astype(np.float32))


class NumpyVAE:
    """encode / decode of a fast-arch MusicVAE with the engine's numpy signature."""

    def __init__(self, model):
        coder = model.coder
        self.config = model.config
        self.schema = model.schema
        self.embed = coder.embed.weight.detach().cpu().numpy().astype(np.float32)
        self.enc = [_linear(coder.enc[0]), _linear(coder.enc[2])]
        self.mean = _linear(coder.mean)
        self.dec = [_linear(coder.dec[0]), _linear(coder.dec[2])]
        self.out = _linear(coder.dec[4])

    def encode(self, tokens) -> np.ndarray:
        """Posterior means (N, D) of melodies (N, steps)."""
        tok = self.schema.check_tokens(tokens)
        x = self.embed[tok].reshape(len(tok), -1)
        for w, b in self.enc:
            x = _selu(x @ w + b)
        w, b = self.mean
        return x @ w + b

    def decode(self, z) -> np.ndarray:
        """Argmax tokens (N, steps) of latent codes (N, D)."""
        x = np.asarray(z, dtype=np.float32)
        if x.ndim == 1:
            x = x[None]
        if x.ndim != 2 or x.shape[1] != self.config.latent:
            raise ValueError(f"z must have shape (N, {self.config.latent}), got {x.shape}")
        for w, b in self.dec:
            x = _selu(x @ w + b)
        w, b = self.out
        return (x @ w + b).reshape(len(x), self.schema.steps, self.schema.vocab).argmax(-1)


class NumpyTraversal:
    """T_k of one residual TraversalNet with categorical values (what training produces)."""

    def __init__(self, net):
        if not (net.residual and net.classes):
            raise ValueError("only residual nets with embedded values have a numpy forward")
        self.classes = net.classes
        self.z_branch = _linear(net.z_branch[0])
        self.c = np.maximum(net.c_branch[0].weight.detach().cpu().numpy(), 0).astype(np.float32)
        self.c_star = np.maximum(net.c_star_branch[0].weight.detach().cpu().numpy(), 0).astype(np.float32)
        w1, self.b1 = _linear(net.head[0])
        hidden = self.z_branch[0].shape[1]
        self.w1_z, self.w1_c = w1[:hidden], w1[hidden:]        # the head's input is [z branch, c* - c]
        self.head_out = _linear(net.head[2])

    def __call__(self, z_norm, c, c_star) -> np.ndarray:
        """z_norm (N, D) in [-1, 1]; c and c_star (N,) normalised values -> new z_norm (N, D)."""
        top = self.classes - 1
        i = np.clip(np.rint(np.asarray(c, np.float32) * top), 0, top).astype(np.int64)
        j = np.clip(np.rint(np.asarray(c_star, np.float32) * top), 0, top).astype(np.int64)
        w, b = self.z_branch
        h = np.maximum(z_norm @ w + b, 0)
        h = np.maximum(h @ self.w1_z + (self.c_star[j] - self.c[i]) @ self.w1_c + self.b1, 0)
        w, b = self.head_out
        return np.clip(z_norm + 2 * np.tanh(h @ w + b), -1.0, 1.0)
