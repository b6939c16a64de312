"""A small blocking OSC client of the engine (tests, the latency bench, scripts).

Messages are built and replies decoded with the one OSC codec, bridge.osc_wire
(`build`: types given, or inferred: int -> i, float -> f, str -> s ...; the
strict decoder `unpack`, so every reply a test reads is well formed).
tests/bridge/test_wire.py checks the encoder against python-osc's builder.
"""
from __future__ import annotations

import socket
import time

from bridge.osc_wire import BUNDLE_PREFIX, build, unpack

__all__ = ["Client", "build"]


class Client:
    def __init__(self, host: str = "127.0.0.1", port: int = 9000, timeout: float = 5.0):
        self.engine = (host, port)
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.timeout = timeout
        self.backlog: list[tuple[str, list]] = []

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, address: str, *args, types: str | None = None):
        self.sock.sendto(build(address, *args, types=types), self.engine)

    def send_raw(self, data: bytes):
        self.sock.sendto(data, self.engine)

    def _recv_datagram(self, timeout: float) -> bytes | None:
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(65536)
        except (socket.timeout, BlockingIOError):
            return None

    def recv(self, timeout: float | None = None) -> tuple[str, list] | None:
        """The next message (from the backlog first), or None after timeout seconds."""
        if self.backlog:
            return self.backlog.pop(0)
        data = self._recv_datagram(self.timeout if timeout is None else timeout)
        return None if data is None else self._first(data)

    def _first(self, data: bytes) -> tuple[str, list]:
        """The datagram's first message; the others (a bundle's) go to the backlog."""
        msgs = unpack(data)
        self.backlog.extend(msgs[1:])
        return msgs[0]

    def wait_for(self, *addresses: str, timeout: float | None = None) -> tuple[str, list]:
        """Read until one of addresses arrives; returns it; raises TimeoutError with what came instead.

        Plain messages with other addresses are skipped without decoding them (a 16-note clip takes
        python-osc about 0.1 ms), so the time this returns is close to when the wanted reply arrived."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        seen = []
        wanted = {a.encode() for a in addresses}
        while True:
            if self.backlog:
                msg = self.backlog.pop(0)
            else:
                left = deadline - time.monotonic()
                data = self._recv_datagram(left) if left > 0 else None
                if data is None:
                    raise TimeoutError(f"no {' or '.join(addresses)} within the timeout; got {seen}")
                address = data[:data.find(b"\0")]
                if not data.startswith(BUNDLE_PREFIX) and address not in wanted:
                    seen.append(address.decode("utf-8", "replace"))
                    continue
                msg = self._first(data)
            if msg[0] in addresses:
                return msg
            seen.append(msg[0])

    def drain(self, quiet: float = 0.05) -> list[tuple[str, list]]:
        """Everything that arrives until quiet seconds pass without a message."""
        out = []
        while (m := self.recv(quiet)) is not None:
            out.append(m)
        return out

    def request(self, address: str, *args, until: str = "/sentgen/attrs", types: str | None = None,
                timeout: float | None = None) -> dict[str, list]:
        """Send and collect replies up to `until` (or an error); returns {address: args} of what came."""
        self.send(address, *args, types=types)
        got = {}
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            left = deadline - time.monotonic()
            msg = self.recv(left) if left > 0 else None
            if msg is None:
                raise TimeoutError(f"{address}: no {until} within the timeout; got {list(got)}")
            got[msg[0]] = msg[1]
            if msg[0] in (until, "/sentgen/error"):
                return got
