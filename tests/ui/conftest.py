"""Panel tests: offscreen Qt, against a real engine process (`sentgen serve --port 0`: it binds any free
port and says which on its "listening" line)."""
from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"          # before any QApplication exists

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bridge.engine_process import READY
from ui.oscclient import decode, encode

ROOT = Path(__file__).resolve().parents[2]
ENGINE_START_S = float(os.environ.get("SENTGEN_TEST_ENGINE_START_S", "60"))


def model_path(tmp_root: Path) -> Path:
    """The shipped s2 model when it is there, else a small untrained s2 VAE (the panel needs any engine)."""
    shipped = ROOT / "models" / "s2.safetensors"
    if shipped.exists() and shipped.with_suffix(".json").exists():
        try:
            from engine.session import Editor
            Editor.load(shipped, "cpu")
            return shipped
        except Exception as e:          # e.g. a traversal bundle being retrained in another format
            import warnings
            warnings.warn(f"the shipped s2 model does not load ({e}); the panel tests use an untrained one")
    path = tmp_root / "models" / "s2.safetensors"
    if not path.exists():
        import torch

        from engine.models import MusicVAE, VAEConfig, save_model
        torch.manual_seed(0)
        save_model(MusicVAE(VAEConfig(hidden=64)).eval(), path)
    return path


def engine_command(port: int, state_dir, model: Path, midi=("--midi", "none")) -> list[str]:
    # SENTGEN_TEST_ENGINE: another engine command to test against (the port and state dir are appended;
    # given port 0 it must bind any free port and print the READY line with it, as `sentgen serve` does)
    custom = os.environ.get("SENTGEN_TEST_ENGINE")
    if custom:
        return custom.split() + [str(port), str(state_dir)]
    return [sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), *midi,
            "--state-dir", str(state_dir), "--model", str(model)]


class Osc:
    """A plain blocking OSC client for checking the engine's side in tests."""

    def __init__(self, port: int, register: bool = False):
        self.addr = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.registered = register
        if register:
            self.send("/sentgen/hello", self.sock.getsockname()[1])
            self.wait_for("/sentgen/attrs")

    def drain(self):
        self.sock.settimeout(0)
        while True:
            try:
                self.sock.recvfrom(65536)
            except (BlockingIOError, socket.timeout, ConnectionRefusedError):
                return

    def send(self, address, *args):
        self.sock.sendto(encode(address, *args), self.addr)

    def wait_for(self, address, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                data, _ = self.sock.recvfrom(65536)
            except (socket.timeout, ConnectionRefusedError):
                continue
            for a, params in decode(data):
                if a == address:
                    return params
        raise TimeoutError(f"no {address} from the engine within {timeout} s")

    def ask(self, address, reply, *args, timeout=5.0):
        self.drain()
        self.send(address, *args)
        return self.wait_for(reply, timeout)

    def close(self):
        if self.registered:
            self.send("/sentgen/bye", self.sock.getsockname()[1])
        self.sock.close()


class Engine:
    """`sentgen serve` in a process. The first start asks for any free port (--port 0: a port picked here
    and closed again could be taken by another process before the engine binds it) and reads the port
    the engine bound from its READY line; a restart asks for that same port again (the panel under test
    talks to it)."""

    def __init__(self, state_dir: Path, log: Path, model: Path):
        self.port, self.state_dir, self.log, self.model = 0, state_dir, log, model
        self.midi = ("--midi", "none")
        self.proc = None
        self._log_from = 0

    def spawn(self):
        """Start the process without waiting (a test can keep the Qt event loop running meanwhile)."""
        env = dict(os.environ, PYTHONPATH=str(ROOT), SENTGEN_NO_PANEL="1")
        self._log_from = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(engine_command(self.port, self.state_dir, self.model, self.midi),
                                         cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def _listening_port(self) -> int:
        """The port on this start's READY line in the log, 0 while there is none yet."""
        with open(self.log, "rb") as f:
            f.seek(self._log_from)
            for line in f.read().decode(errors="replace").splitlines():
                if line.startswith(READY):
                    return int(line[len(READY):].split()[0].rsplit(":", 1)[1])
        return 0

    def ready(self, wait: float = 0.05) -> bool:
        """True once the engine listens and answers /sentgen/ping; RuntimeError when the process died."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"the engine exited with {self.proc.returncode}:\n"
                               + self.log.read_text(errors="replace")[-3000:])
        if not self.port:
            self.port = self._listening_port()
            if not self.port:
                time.sleep(wait)
                return False
        osc = Osc(self.port)
        try:
            osc.send("/sentgen/ping")
            osc.wait_for("/sentgen/pong", wait)
            return True
        except TimeoutError:
            return False
        finally:
            osc.close()

    def start(self):
        self.spawn()
        end = time.monotonic() + ENGINE_START_S
        while time.monotonic() < end:
            if self.ready(0.25):
                return self
        raise RuntimeError(f"the engine did not answer /sentgen/ping within {ENGINE_START_S} s:\n"
                           + self.log.read_text(errors="replace")[-3000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


@pytest.fixture(scope="session")
def model(tmp_path_factory) -> Path:
    return model_path(tmp_path_factory.mktemp("model"))


def dmelody(row: int) -> list:
    """A dMelodies melody (every attribute valid) as the protocol's flat notes."""
    import numpy as np

    from engine.clip import flat_from_notes, tokens_to_notes
    from training.dmelodies import factors_of, melodies_of
    return flat_from_notes(tokens_to_notes(melodies_of(factors_of(np.array([row])))[0]))


def with_clip(e: Engine, row: int = 123_456) -> Engine:
    """A new session has no clip yet: load one (loading never depends on the model)."""
    c = Osc(e.port, register=True)
    try:
        c.ask("/sentgen/clip/set", "/sentgen/attrs", *dmelody(row), timeout=30)
    finally:
        c.close()
    return e


@pytest.fixture(scope="module")
def engine(tmp_path_factory, model):
    d = tmp_path_factory.mktemp("engine")
    e = with_clip(Engine(d / "state", d / "engine.log", model).start())
    yield e
    e.stop()


@pytest.fixture
def fresh_engine(tmp_path, model):
    e = with_clip(Engine(tmp_path / "state", tmp_path / "engine.log", model).start())
    yield e
    e.stop()


@pytest.fixture
def osc(engine):
    c = Osc(engine.port, register=True)
    yield c
    c.close()


@pytest.fixture
def silent_port():
    """A UDP port where nothing answers: bound here and kept open for the test (a port closed again
    could be bound by another process meanwhile, e.g. another test run's engine, which would answer)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


# what a panel hears before it shows the whole state: the engine answers hello with pong, clip, attrs
# and original (separate datagrams), and the model list once the panel asks for it
STATE_SIGNALS = ("pong", "clip", "attrs", "original", "models")


@pytest.fixture
def make_panel(qtbot):
    from ui.oscclient import EngineClient
    from ui.panel import PanelWindow

    made = []

    def make(port: int, host: str = "127.0.0.1", wait_state: bool = True):
        client = EngineClient(host, port)
        win = PanelWindow(client)
        heard = set()
        for name in STATE_SIGNALS:        # connected after the panel's own slots, so these run after them
            getattr(client, name).connect(lambda *_, name=name: heard.add(name))
        qtbot.addWidget(win)
        win.show()
        client.start()
        made.append(win)
        if wait_state:
            qtbot.waitUntil(lambda: heard == set(STATE_SIGNALS), timeout=10000)
        return win

    yield make
    for w in made:
        w.client.close()
