"""Music VAEs for 2-bar melodies: one definition, four regularisers, two architectures.

- arch "fast": token embedding -> MLP encoder; MLP decoder that emits all 16
  token distributions in one forward pass (non-autoregressive).
- arch "reference": the hierarchical GRU of Pati & Lerch (bidirectional GRU
  encoder, bar GRU -> tick GRU decoder), kept for fidelity.

The token grid and the knobs are the model's schema's (engine.schema; the JSON's
"schema", dmelodies when absent).  Latent dims 0..K-1 are tied to the K knobs
(the schema's order); the regulariser decides how (beta: not at all).
Weights are safetensors plus a JSON config; loading never unpickles.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from engine.device import pick_device
from engine.files import atomic_write, atomic_write_text  # noqa: F401 (atomic_write_text: imported from here by others)
from engine.schema import DEFAULT_SCHEMA, get_schema

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
REGULARISERS = ("beta", "ar", "i", "s2")
SHIPPED = REGULARISERS + ("folk",)   # the models in models/: dMelodies' four (named by regulariser) and folk's
DEFAULT_MODEL = "s2"
PRIOR_ROWS = 2048            # posterior means kept per model for Random (models/NAME.prior.safetensors)
PRIOR_FALLBACK_ROWS = 1024   # computed at load when that file is missing or belongs to other weights
log = logging.getLogger("sentgen.models")


@dataclass
class VAEConfig:
    regulariser: str = "s2"      # beta | ar | i | s2
    arch: str = "fast"           # fast | reference
    latent: int = 32
    embed: int = 16
    hidden: int = 512            # fast: MLP width
    beta: float = 0.2
    gamma: float = 10.0
    delta: float = 10.0          # AR-VAE tanh sharpness
    capacity: float = 50.0       # KL capacity C, subtracted after beta
    schema: str = DEFAULT_SCHEMA  # the model family (engine.schema): token grid and knobs
    extra: dict = field(default_factory=dict)   # training figures etc., not used by the model

    def __post_init__(self):
        if self.regulariser not in REGULARISERS:
            raise ValueError(f"unknown regulariser {self.regulariser!r}; expected one of {REGULARISERS}")
        if self.arch not in ("fast", "reference"):
            raise ValueError(f"unknown arch {self.arch!r}; expected fast or reference")
        try:
            get_schema(self.schema)
        except KeyError as e:
            raise ValueError(str(e).strip('"')) from None


class FastCoder(nn.Module):
    """MLP encoder and non-autoregressive MLP decoder."""

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        h, d = cfg.hidden, cfg.latent
        g = get_schema(cfg.schema)
        self.steps, self.vocab = g.steps, g.vocab
        self.embed = nn.Embedding(g.vocab, cfg.embed)
        self.enc = nn.Sequential(nn.Linear(g.steps * cfg.embed, h), nn.SELU(),
                                 nn.Linear(h, h), nn.SELU())
        self.mean = nn.Linear(h, d)
        self.log_sigma = nn.Linear(h, d)
        self.dec = nn.Sequential(nn.Linear(d, h), nn.SELU(), nn.Linear(h, h), nn.SELU(),
                                 nn.Linear(h, g.steps * g.vocab))

    def encode(self, tokens):
        x = self.enc(self.embed(tokens).flatten(1))
        return self.mean(x), self.log_sigma(x)

    def encode_mean(self, tokens):
        """The posterior mean alone (what the engine uses; skips log_sigma)."""
        return self.mean(self.enc(self.embed(tokens).flatten(1)))

    def decode(self, z, targets=None):
        return self.dec(z).view(-1, self.steps, self.vocab)


class ReferenceCoder(nn.Module):
    """Hierarchical GRU VAE of the reference (289k parameters at latent 32)."""

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        d = cfg.latent
        g = get_schema(cfg.schema)
        self.bars, self.steps_per_bar, self.vocab = g.bars, g.steps_per_bar, g.vocab
        self.embed = nn.Embedding(g.vocab, 10)
        self.enc_rnn = nn.GRU(10, 64, num_layers=2, bidirectional=True, batch_first=True)
        self.mean = nn.Sequential(nn.Linear(256, 128), nn.SELU(), nn.Linear(128, d))
        self.log_sigma = nn.Sequential(nn.Linear(256, 128), nn.SELU(), nn.Linear(128, d))
        self.z_to_bar = nn.Sequential(nn.Linear(d, 64 * g.bars), nn.SELU())
        self.bar_rnn = nn.GRU(1, 64, num_layers=2, batch_first=True)
        self.tick_embed = nn.Embedding(g.vocab + 1, 10)    # + start symbol
        self.tick_rnn = nn.GRU(10 + 64, 64, num_layers=2, batch_first=True)
        self.out = nn.Linear(64, g.vocab)

    def encode(self, tokens):
        _, h = self.enc_rnn(self.embed(tokens))            # h: (4, N, 64)
        x = h.transpose(0, 1).reshape(tokens.shape[0], -1)
        return self.mean(x), self.log_sigma(x)

    def encode_mean(self, tokens):
        return self.encode(tokens)[0]

    def decode(self, z, targets=None):
        """Autoregressive; teacher forcing when targets are given."""
        n = z.shape[0]
        h0 = self.z_to_bar(z).view(n, self.bars, 64).transpose(0, 1).contiguous()
        bars, _ = self.bar_rnn(torch.zeros(n, self.bars, 1, device=z.device), h0)
        logits, prev = [], torch.full((n,), self.vocab, dtype=torch.long, device=z.device)
        for b in range(self.bars):
            feat, h = bars[:, b], None
            for t in range(self.steps_per_bar):
                step = torch.cat([self.tick_embed(prev), feat], dim=1)[:, None]
                o, h = self.tick_rnn(step, h)
                lg = self.out(o[:, 0])
                logits.append(lg)
                i = b * self.steps_per_bar + t
                prev = targets[:, i] if targets is not None else lg.argmax(-1)
        return torch.stack(logits, dim=1)


class MusicVAE(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.config = cfg
        self.schema = get_schema(cfg.schema)
        self.coder = FastCoder(cfg) if cfg.arch == "fast" else ReferenceCoder(cfg)
        if cfg.regulariser == "i":
            # I-VAE: one linear classifier per attribute from its single latent dim
            self.classifiers = nn.ModuleList(nn.Linear(1, int(n)) for k, n in enumerate(self.schema.counts)
                                             if not self.schema.is_rule(k))
        self.device = torch.device("cpu")

    # --- torch side (training) -------------------------------------------------
    def forward(self, tokens, teacher_forcing=False):
        mu, log_sigma = self.coder.encode(tokens)
        log_sigma = log_sigma.clamp(-8.0, 4.0)    # keeps exp() finite when KL is still unweighted
        z = mu + torch.randn_like(mu) * log_sigma.exp()
        logits = self.coder.decode(z, tokens if teacher_forcing else None)
        return logits, mu, log_sigma, z

    def to(self, *args, **kwargs):
        out = super().to(*args, **kwargs)
        self.device = next(self.parameters()).device
        return out

    # --- numpy side (engine) ---------------------------------------------------
    @torch.inference_mode()
    def encode(self, tokens) -> np.ndarray:
        """Posterior means (N, latent) of melodies (N, steps)."""
        tok = torch.as_tensor(self.schema.check_tokens(tokens), dtype=torch.long, device=self.device)
        return self.coder.encode_mean(tok).float().cpu().numpy()

    @torch.inference_mode()
    def decode(self, z) -> np.ndarray:
        """Argmax tokens (N, steps) of latent codes (N, latent)."""
        zt = torch.as_tensor(np.asarray(z, dtype=np.float32), device=self.device)
        if zt.ndim == 1:
            zt = zt[None]
        if zt.ndim != 2 or zt.shape[1] != self.config.latent:
            raise ValueError(f"z must have shape (N, {self.config.latent}), got {tuple(zt.shape)}")
        return self.coder.decode(zt).argmax(-1).cpu().numpy()

    @torch.inference_mode()
    def decode_probs(self, z: torch.Tensor) -> torch.Tensor:
        return self.coder.decode(z).softmax(-1)


# --- losses --------------------------------------------------------------------
def kl_divergence(mu, log_sigma):
    """Sum over dims of KL(q || N(0,1)), batch mean."""
    return (0.5 * (mu.pow(2) + (2 * log_sigma).exp() - 1) - log_sigma).sum(1).mean()


def ar_loss(z, attrs, delta=10.0):
    """AR-VAE: sum over attributes of mean |tanh(delta*(z_i - z_j)) - sign(a_i - a_j)|."""
    k = attrs.shape[1]
    dz = z[:, None, :k] - z[None, :, :k]
    da = attrs[:, None, :] - attrs[None, :, :]
    return (torch.tanh(delta * dz) - torch.sign(da)).abs().mean(dim=(0, 1)).sum()


def s2_loss(z, attrs, known=None):
    """S2-VAE: sum over attributes of BCE(sigmoid(z_k), a_k); known (N, K) masks undefined values."""
    bce = F.binary_cross_entropy_with_logits(z[:, :attrs.shape[1]], attrs, reduction="none")
    if known is None:
        return bce.mean(0).sum()
    return ((bce * known).sum(0) / known.sum(0).clamp(min=1)).sum()


def i_loss(classifiers, z, labels):
    """I-VAE: sum over attributes of the cross-entropy of a linear classifier on z_k alone (-1: undefined, skipped)."""
    return sum(F.cross_entropy(clf(z[:, k:k + 1]), labels[:, k], ignore_index=-1) for k, clf in enumerate(classifiers))


def attribute_loss(model: MusicVAE, z, labels):
    """The regulariser's attribute term (0 for beta-VAE) on the schema's learned knobs (latent dims 0..L-1,
    the learned knobs in schema order; rule knobs are exact transformations and tie no dim);
    labels are int indices (N, knobs), -1 where a knob is undefined (left out of the term)."""
    cfg, g = model.config, model.schema
    learned = [k for k in range(g.num_knobs) if not g.is_rule(k)]
    if len(learned) < g.num_knobs:
        labels = labels[:, learned]
    counts = torch.as_tensor(g.counts[learned] - 1, dtype=torch.float32, device=z.device)
    known = labels >= 0
    attrs = labels.clamp(min=0).float() / counts
    mask = None if bool(known.all()) else known.float()
    if cfg.regulariser == "ar":
        return cfg.gamma * ar_loss(z, attrs, cfg.delta)
    if cfg.regulariser == "s2":
        return cfg.gamma * s2_loss(z, attrs, mask)
    if cfg.regulariser == "i":
        return cfg.gamma * i_loss(model.classifiers, z, labels)
    return z.new_zeros(())


def beta_schedule(step: int, warmup: int, ramp: int, beta: float) -> float:
    """0 during warm-up, then exp(t ln(1+beta)/ramp) - 1, reaching beta after `ramp` steps."""
    t = step - warmup
    if t <= 0:
        return 0.0
    return math.exp(min(t, ramp) * math.log1p(beta) / ramp) - 1


def vae_loss(model: MusicVAE, tokens, labels, beta_t: float, teacher_forcing=False):
    """Total loss and its parts (reconstruction, KL, attribute term)."""
    logits, mu, log_sigma, z = model(tokens, teacher_forcing)
    recon = F.cross_entropy(logits.reshape(-1, model.schema.vocab), tokens.reshape(-1), reduction="sum") / tokens.shape[0]
    kl = kl_divergence(mu, log_sigma)
    kl_term = torch.clamp(beta_t * kl - model.config.capacity, min=0.0)
    attr = attribute_loss(model, z, labels)
    return recon + kl_term + attr, {"recon": recon.item(), "kl": kl.item(), "attr": attr.item()}


# --- files -----------------------------------------------------------------------
def save_model(model: MusicVAE, path) -> Path:
    """Write NAME.safetensors and NAME.json atomically; returns the weights path."""
    path = Path(path).with_suffix(".safetensors")
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    atomic_write(path, save(state, metadata={"format": "sentgen-vae", "version": "1"}))
    atomic_write_text(path.with_suffix(".json"), json.dumps(asdict(model.config), indent=2))
    return path


def resolve_model_path(name_or_path) -> Path:
    p = Path(str(name_or_path))
    if str(name_or_path) in SHIPPED or (not p.suffix and not p.exists() and (MODELS_DIR / f"{p.name}.safetensors").exists()):
        p = MODELS_DIR / f"{p.name}.safetensors"
    elif p.suffix == ".json":
        p = p.with_suffix(".safetensors")
    elif not p.suffix:
        p = p.with_suffix(".safetensors")
    return p


def load_model(name_or_path=DEFAULT_MODEL, device=None) -> MusicVAE:
    """A shipped model by name (beta, ar, i, s2, folk) or a .safetensors path; eval mode.

    The model comes with its schema (`model.schema`, named by the JSON's "schema", dmelodies when absent)."""
    path = resolve_model_path(name_or_path)
    cfg_path = path.with_suffix(".json")
    if not path.exists():
        raise FileNotFoundError(f"no model weights at {path} (shipped models: {', '.join(SHIPPED)})")
    try:
        raw = json.loads(cfg_path.read_text())
        cfg = VAEConfig(**raw)
    except FileNotFoundError:
        raise FileNotFoundError(f"model config {cfg_path} is missing (it must sit beside {path.name})") from None
    except (json.JSONDecodeError, TypeError, ValueError) as e:
        raise ValueError(f"model config {cfg_path} is not a sentgen VAE config: {e}") from None
    try:
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise ValueError(f"cannot read model weights {path}: {e}") from None
    model = MusicVAE(cfg)
    try:
        model.load_state_dict(state)
    except RuntimeError as e:
        first = str(e).splitlines()[0]
        raise ValueError(f"weights in {path} do not match a {cfg.arch} {cfg.regulariser} VAE: {first}") from None
    model.name = path.stem
    model.path = path
    return model.to(pick_device(device)).eval()


# --- where the model's codes live (Random samples there) ----------------------------------
def prior_path(model_path) -> Path:
    """models/NAME.prior.safetensors beside models/NAME.safetensors."""
    p = Path(model_path)
    return p.with_name(p.stem + ".prior.safetensors")


def weights_digest(path) -> str:
    """sha256 of a weights file: ties a prior bank to the weights it was encoded with."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_prior(codes: np.ndarray, model_path, source: str) -> Path:
    """Write the prior bank (posterior means (K, D)) of the model at model_path, atomically."""
    path = prior_path(model_path)
    codes = np.ascontiguousarray(codes, dtype=np.float32)
    return atomic_write(path, save({"codes": torch.from_numpy(codes)},
                                   metadata={"format": "sentgen-prior", "version": "1",
                                             "weights_sha256": weights_digest(model_path),
                                             "rows": str(len(codes)), "source": source}))


def read_prior(model_path, latent: int) -> np.ndarray:
    """The prior bank saved for the weights at model_path; ValueError when it is unreadable, malformed
    or was computed for other weights, FileNotFoundError when there is none."""
    path = prior_path(model_path)
    if not path.exists():
        raise FileNotFoundError(f"no prior bank at {path}")
    try:
        from safetensors import safe_open
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            codes = f.get_tensor("codes").float().numpy()
    except (SafetensorError, OSError, KeyError, ValueError, RuntimeError) as e:
        raise ValueError(f"cannot read prior bank {path}: {e}") from None
    if meta.get("format") != "sentgen-prior":
        raise ValueError(f"{path} is not a sentgen prior bank")
    if codes.ndim != 2 or codes.shape[1] != latent or not len(codes) or not np.isfinite(codes).all():
        raise ValueError(f"prior bank {path} holds codes of shape {tuple(codes.shape)}, not finite (K, {latent})")
    if meta.get("weights_sha256") != weights_digest(model_path):
        raise ValueError(f"prior bank {path} was computed for other weights than {Path(model_path).name}")
    return codes


def sample_melodies(n: int, seed: int = 0, schema=None) -> np.ndarray:
    """n melodies (N, steps) of the schema (default dMelodies) with seeded random knob values, built by its
    exact inverse; NotImplementedError for a family without one."""
    g = get_schema(schema)
    rng = np.random.default_rng(seed)
    return g.melodies_of(np.stack([rng.integers(0, c, n) for c in g.counts], axis=1))


def model_prior(model, codec=None) -> np.ndarray:
    """Posterior means (K, D) of dMelodies melodies under `model` (codec: its encoder, default the model).

    From NAME.prior.safetensors (written by `sentgen train prior`) when it belongs to these weights;
    otherwise computed now from PRIOR_FALLBACK_ROWS generated melodies (a few ms), and logged."""
    codec = model if codec is None else codec
    path = getattr(model, "path", None)
    if path is not None:
        try:
            return read_prior(path, model.config.latent)
        except FileNotFoundError:
            log.info("no prior bank for %s: encoding %d generated melodies instead", path.name, PRIOR_FALLBACK_ROWS)
        except ValueError as e:
            log.warning("%s; encoding %d generated melodies instead", e, PRIOR_FALLBACK_ROWS)
    schema = getattr(model, "schema", None) or get_schema()
    if not schema.has_inverse:      # no rule builds this family's melodies: the VAE's own prior, N(0, I)
        return np.random.default_rng(0).standard_normal((PRIOR_FALLBACK_ROWS, model.config.latent)).astype(np.float32)
    return np.asarray(codec.encode(sample_melodies(PRIOR_FALLBACK_ROWS, schema=schema)), np.float32)
