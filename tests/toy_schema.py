"""A toy model family for the tests: 4 steps (2 bars of 2 half-note steps), MIDI 60..71, 2 knobs.

It proves that nothing downstream is hard-coded to dMelodies: the engine, the panel and the MIDI
map take it as they take any schema.  Knobs: "notes" (learned: how many onsets, 1..4) and
"register" (rule: low when the first note is below 66, high otherwise; moved by an exact
transposition of 6 semitones).  Importing this module registers the schema "toy";
`toy_model(path)` saves a tiny untrained VAE built on it.
"""
from __future__ import annotations

import numpy as np

from engine.schema import Knob, Schema, register

OFFSET, LOW, HIGH = 58, 60, 71


def parse(tokens) -> np.ndarray:
    tok = SCHEMA.check_tokens(tokens).astype(np.int64)
    onset = tok >= 2
    n = onset.sum(1)
    out = np.full((len(tok), 2), -1, np.int64)
    out[n > 0, 0] = n[n > 0] - 1
    first = np.where(onset.any(1), tok[np.arange(len(tok)), onset.argmax(1)] + OFFSET, 0)
    out[n > 0, 1] = (first[n > 0] >= 66).astype(np.int64)
    return out


def apply_rule(tokens, name, target):
    tok = SCHEMA.check_tokens(tokens).astype(np.int64)
    target = np.broadcast_to(np.asarray(target, np.int64), (len(tok),))
    cur = parse(tok)[:, 1]
    shift = 6 * (target - cur)
    onset = tok >= 2
    moved = np.where(onset, tok + shift[:, None], tok)
    fits = ~(onset & ((moved < LOW - OFFSET) | (moved > HIGH - OFFSET))).any(1)
    ok = (cur >= 0) & fits
    why = ["" if o else "the clip has no notes" if c < 0 else "the result would leave MIDI 60..71"
           for o, c in zip(ok.tolist(), cur.tolist())]
    return np.where(ok[:, None], moved, tok), ok, why


SCHEMA = register(Schema(
    "toy", steps_per_bar=2, bars=2, step_beats=2.0, step_name="half-note",
    lowest_pitch=LOW, highest_pitch=HIGH, pitch_offset=OFFSET,
    knobs=[Knob("notes", "Notes", ("1", "2", "3", "4")),
           Knob("register", "Register", ("low", "high"), "rule")],
    parse=parse, apply_rule=apply_rule))


def toy_model(path):
    """A tiny untrained VAE on the toy grid, saved at path (.safetensors + .json naming "toy")."""
    import torch

    from engine.models import MusicVAE, VAEConfig, save_model
    torch.manual_seed(0)
    return save_model(MusicVAE(VAEConfig(regulariser="beta", latent=4, embed=4, hidden=16, schema="toy")).eval(), path)
