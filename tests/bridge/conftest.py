"""Fixtures for the engine tests: engines on ephemeral ports, an oracle editor, the real model, JACK."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from engine.attributes import COUNTS, parse
from engine.clip import Note, flat_from_notes, tokens_to_notes
from engine.models import MODELS_DIR
from engine.session import EditOutcome, Session

from bridge.osc_client import Client
from bridge.osc_server import Engine
from bridge.state import StateFile
from training.dmelodies import melodies_of

# a dMelodies melody: C major, octave 4, two rhythms, all chords up (every attribute valid)
FACTORS = np.array([0, 0, 0, 3, 5, 0, 0, 0, 0])


def melody(factors=FACTORS) -> np.ndarray:
    return melodies_of(np.asarray(factors)[None])[0]


def melody_flat(factors=FACTORS) -> list:
    return flat_from_notes(tokens_to_notes(melody(factors)))


# Two bars (4/4) of real tunes, as (MIDI pitch, beats) played one after another: the folk model's clips
TUNES = {
    "frere_jacques": [(67, 0.5), (69, 0.5), (67, 0.5), (65, 0.5), (64, 1), (60, 1)] * 2,     # bars 5-6, C major
    "ode_to_joy": [(64, 1), (64, 1), (65, 1), (67, 1), (67, 1), (65, 1), (64, 1), (62, 1)],  # Beethoven, bars 1-2
    "twinkle": [(60, 1), (60, 1), (67, 1), (67, 1), (69, 1), (69, 1), (67, 2)],              # bars 1-2
}


def tune_notes(name: str) -> list:
    """A tune of TUNES as Notes (velocity 100)."""
    notes, t = [], 0.0
    for pitch, beats in TUNES[name]:
        notes.append(Note(pitch, t, float(beats)))
        t += beats
    return notes


def tune_flat(name: str) -> list:
    return flat_from_notes(tune_notes(name))


def osc(address: str, tags: str, *data: bytes) -> bytes:
    """An OSC message assembled by hand: address, type tags, then the argument bytes as given
    (python-osc's builder cannot write the tags S, c or I, nor a malformed message)."""
    def pad(b):
        return b + b"\x00" * (4 - len(b) % 4)
    return pad(address.encode()) + pad(b"," + tags.encode()) + b"".join(data)


class OracleEditor:
    """Stands in for the VAE where a test needs exact, deterministic edits: it rebuilds the
    dMelodies melody with the target factors (optionally slowly, to test coalescing)."""

    def __init__(self, name: str = "oracle", delay: float = 0.0):
        self.name = name
        self.model = SimpleNamespace(device="cpu", name=name)
        self.codec = SimpleNamespace(encode=lambda t: np.zeros((np.atleast_2d(t).shape[0], 32), np.float32))
        self.delay = delay
        self.calls: list[dict] = []

    def edit(self, tokens, targets, budget: int = 1024, a0=None, z0=None, deadline=None,
             interrupt=None) -> EditOutcome:
        """Editor.edit's signature; interrupt is not asked (an oracle edit has no stages)."""
        self.calls.append(dict(targets))
        if self.delay:
            time.sleep(self.delay)
        f = parse(np.asarray(tokens))[0].copy()
        for k, t in targets.items():
            f[k] = t
        if (f < 0).any():
            return EditOutcome(None, False, None, "oracle: the clip has invalid attributes", 1, "oracle")
        out = melody(f)
        return EditOutcome(out, True, parse(out)[0], "", 1, "oracle")

    def random(self, seed=None) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return melody([int(rng.integers(n)) for n in COUNTS])


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    """The shipped s2 model when present (CI), else a tiny untrained VAE saved here."""
    shipped = MODELS_DIR / "s2.safetensors"
    if shipped.exists() and shipped.with_suffix(".json").exists():
        return shipped
    from engine.models import MusicVAE, VAEConfig, save_model
    import torch
    torch.manual_seed(0)
    return save_model(MusicVAE(VAEConfig()), tmp_path_factory.mktemp("models") / "tiny.safetensors")


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory, model_path) -> Path:
    """A models folder with the test model under two names (for /sentgen/model/list and load)."""
    d = tmp_path_factory.mktemp("models_dir")
    for name in ("s2", "other"):
        for ext in (".safetensors", ".json"):
            os.symlink(model_path.with_suffix(ext), d / f"{name}{ext}")
    return d


@pytest.fixture
def make_engine(tmp_path, models_dir):
    """make_engine(editor=None, **Engine kwargs) -> a started in-process Engine on an ephemeral port."""
    engines = []

    def make(editor=None, **kw):
        state_dir = tmp_path / f"state{len(engines)}"
        session = Session(editor or OracleEditor())
        kw.setdefault("models_dir", models_dir)
        kw.setdefault("lookahead", False)       # the oracle counts its calls; lookahead has its own tests
        kw.setdefault("host", "127.0.0.1")
        eng = Engine(session, port=0, state_dir=state_dir,
                     state_file=StateFile(state_dir / "session.json"), device="cpu", **kw)
        eng.start()
        engines.append(eng)
        return eng
    yield make
    for eng in engines:
        if eng.midi is not None:
            eng.midi.close()
        eng.stop()


@pytest.fixture
def engine(make_engine):
    return make_engine()


@pytest.fixture
def client(engine):
    with Client(port=engine.port, timeout=5) as c:
        yield c


def wait_idle(engine, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not engine.idle():
        if time.monotonic() > deadline:
            raise TimeoutError("engine still busy")
        time.sleep(0.002)


def attrs_dict(args) -> dict:
    """{name: (index, label, value)} of a /sentgen/attrs message."""
    return {args[i]: (args[i + 1], args[i + 2], args[i + 3]) for i in range(0, len(args), 4)}


# --- JACK -------------------------------------------------------------------------------------------
def _jack_running(env) -> bool:
    if shutil.which("jack_lsp") is None:
        return False
    try:
        return subprocess.run(["jack_lsp"], env=env, capture_output=True, timeout=10).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@pytest.fixture(scope="session")
def jack_server():
    """A JACK server for real MIDI ports: a private `jackd --no-realtime -d dummy` started here under its own
    name (other test suites on the machine may start and stop the default server), else a running default."""
    os.environ["JACK_NO_START_SERVER"] = "1"
    if shutil.which("jackd") is None:
        if _jack_running(dict(os.environ)):
            yield None
            return
        pytest.skip("jackd is not installed (Debian: apt-get install jackd2); MIDI tests need a JACK server")
    name = f"sentgen-bridge-test-{os.getpid()}"
    env = dict(os.environ, JACK_DEFAULT_SERVER=name)
    proc = subprocess.Popen(["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-p", "256"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not _jack_running(env):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"jackd -n {name} --no-realtime -d dummy did not start")
        time.sleep(0.1)
    old = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = name            # libjack (python-rtmidi) connects to it
    yield proc
    if old is None:
        os.environ.pop("JACK_DEFAULT_SERVER", None)
    else:
        os.environ["JACK_DEFAULT_SERVER"] = old
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
