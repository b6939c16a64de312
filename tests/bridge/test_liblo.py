"""liblo's oscsend / oscdump as an independent client of the engine."""
import queue
import shutil
import socket
import subprocess
import threading
import time

import pytest

from bridge.osc_client import build
from tests.bridge.conftest import melody_flat, wait_idle

pytestmark = pytest.mark.skipif(not (shutil.which("oscsend") and shutil.which("oscdump")),
                                reason="liblo-tools (oscsend, oscdump) not installed")


def oscsend(port, address, types="", *values):
    subprocess.run(["oscsend", "127.0.0.1", str(port), address, types, *map(str, values)],
                   check=True, timeout=10, capture_output=True)


def start_oscdump(lines: queue.Queue, timeout: float = 10.0):
    """(process, port) of an oscdump that is listening and is the one that receives on that port.

    oscdump cannot bind port 0 and say which port it got, so a free port is picked here and closed again;
    another process can take it before oscdump binds it (oscdump then exits), or the probe shows that
    another listener has it: then try another port. The probe is sent until oscdump prints it, which is
    also how we know it listens (instead of sleeping a while)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen(["oscdump", "-L", str(port)], stdout=subprocess.PIPE, text=True)
        threading.Thread(target=lambda p=proc: [lines.put(line) for line in p.stdout], daemon=True).start()
        probe = f"/probe/{port}"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            tries = time.monotonic() + 2.0
            while proc.poll() is None and time.monotonic() < tries:
                s.sendto(build(probe), ("127.0.0.1", port))
                try:
                    if lines.get(timeout=0.05).split(" ", 2)[1].strip() == probe:
                        return proc, port            # (later probe lines: read_until skips them)
                except (queue.Empty, IndexError):
                    pass
        proc.kill()
        proc.wait(5)
    raise AssertionError("oscdump did not start listening")


@pytest.fixture
def dump():
    """(port, read_until): oscdump listening on port; read_until(address) -> that message's line."""
    lines: queue.Queue = queue.Queue()
    proc, port = start_oscdump(lines)
    seen = []

    def read_until(address, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            seen.append(line)
            parts = line.split(" ", 2)              # timetag, address, types and values
            if len(parts) > 1 and parts[1].strip() == address:
                return " ".join(parts[1:])
        raise AssertionError(f"oscdump never showed {address}; last lines {seen[-5:]}")
    read_until.seen = seen                          # every line read so far
    yield port, read_until
    proc.terminate()
    proc.wait(5)


def test_oscsend_oscdump_round_trip(engine, dump):
    port, read_until = dump
    oscsend(engine.port, "/sentgen/hello", "i", port)
    assert '"oracle"' in read_until("/sentgen/pong")
    read_until("/sentgen/original")
    flat = melody_flat()
    oscsend(engine.port, "/sentgen/clip/set", "iffii" * (len(flat) // 5), *flat)
    clip = read_until("/sentgen/clip")
    assert clip.split()[1] == "iffii" * 12 and " 60 0" in clip
    read_until("/sentgen/edit")
    oscsend(engine.port, "/sentgen/attr/set", "ss", "scale", "minor")
    assert '"scale" 1 "minor" 0.5' in read_until("/sentgen/attrs")
    assert read_until("/sentgen/edit").split()[1:3] == ["iss", "1"]
    oscsend(engine.port, "/sentgen/attr/set", "sf", "tonic", 0.5)       # number: snaps to F# (index 6 of 12)
    assert '"tonic" 6 "F#"' in read_until("/sentgen/attrs")
    oscsend(engine.port, "/sentgen/undo")
    assert '"tonic" 0 "C"' in read_until("/sentgen/attrs")
    # oscsend sends each request from a new socket that never said hello: its error and its read are
    # answered to that socket only, not to the registered oscdump; state changes still reach oscdump
    before = len(read_until.seen)
    oscsend(engine.port, "/sentgen/attr/set", "sf", "tonic", "nan")
    oscsend(engine.port, "/sentgen/model/list")
    oscsend(engine.port, "/sentgen/redo")
    assert '"tonic" 6 "F#"' in read_until("/sentgen/attrs")
    assert not [line for line in read_until.seen[before:] if "/sentgen/error" in line or "/sentgen/models" in line]
    # a bye from another socket than the one that registered (or the registered address) is refused
    errors = engine.stats["errors"]
    oscsend(engine.port, "/sentgen/bye", "i", port)
    deadline = time.monotonic() + 5                  # bye is handled by the network thread, not the worker
    while engine.stats["errors"] == errors and time.monotonic() < deadline:
        time.sleep(0.01)
    assert engine.destinations(None) == [("127.0.0.1", port)]


def test_oscsend_symbol_names_the_export(engine, client):
    # liblo's oscsend writes S (symbol) for "S mysong"; python-osc skipped it and the engine exported
    # sentgen-<time>.mid instead.  oscsend's socket never said hello, so its answers go to that socket
    # alone: the test looks at the file and the engine's counters
    client.request("/sentgen/clip/set", *melody_flat(), until="/sentgen/edit")
    oscsend(engine.port, "/sentgen/export/midi", "S", "mysong")
    path = engine.state_dir / "export" / "mysong.mid"
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert path.exists() and not list(path.parent.glob("sentgen-*.mid"))
    client.request("/sentgen/attr/set", "tonic", "D", until="/sentgen/edit")
    errors = engine.stats["errors"]
    oscsend(engine.port, "/sentgen/undo", "S", "x")            # an argument undo does not take: refused
    deadline = time.monotonic() + 10
    while engine.stats["errors"] == errors and time.monotonic() < deadline:
        time.sleep(0.01)
    wait_idle(engine)
    assert engine.stats["errors"] == errors + 1
    assert (len(engine.session.history), engine.session.position) == (2, 1)
