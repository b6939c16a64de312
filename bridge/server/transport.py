"""The engine's UDP socket: start and stop, the network thread's loop, dispatch of each message through the
routing (bridge/server/checks.py ROUTES, from the protocol table), and sending.
"""
from __future__ import annotations

import socket
import threading
import time

from bridge.osc_wire import MalformedPacket, unpack
from bridge.protocol import reply
from bridge.server.checks import ROUTES, RequestError
from bridge.server.clients import needs_token


class Transport:
    """One UDP socket, the network thread ("sentgen-net") and the worker thread ("sentgen-worker")."""

    def start(self) -> tuple[str, int]:
        refused = needs_token(self.host, self.token)
        if refused:
            raise ValueError(refused)
        fam = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(fam, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        except OSError:
            pass
        if hasattr(socket, "SIO_UDP_CONNRESET"):        # Windows: no ConnectionReset on UDP after ICMP
            sock.ioctl(socket.SIO_UDP_CONNRESET, False)
        sock.bind((self.host, self.port))
        sock.settimeout(0.5)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._running = True
        for target, name in ((self._net_loop, "sentgen-net"), (self._work_loop, "sentgen-worker")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        return self.host, self.port

    def stop(self, timeout: float = 2.0):
        self._running = False
        with self._cv:
            self._cv.notify_all()
        if self._sock is not None:                  # wake the network thread from recvfrom
            try:
                wake = socket.socket(self._sock.family, socket.SOCK_DGRAM)
                wake.sendto(b"", self._sock.getsockname()[:2])
                wake.close()
            except OSError:
                pass
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def send(self, dests, *packets: bytes):
        sock = self._sock
        if sock is None:
            return
        for addr in dests:
            for p in packets:
                try:
                    sock.sendto(p, addr)
                except OSError as e:
                    self._log_limited("send", f"cannot send to {addr}: {e}")

    def error(self, address: str, message: str, sender, dests=None):
        """/sentgen/error to where the request's answer goes (answer_to), or to dests."""
        self.stats["errors"] += 1
        self.send(self.answer_to(sender) if dests is None else dests,
                  reply("/sentgen/error", (address, message)))

    def _net_loop(self):
        sock = self._sock
        while self._running:
            try:
                data, sender = sock.recvfrom(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, ConnectionRefusedError):
                continue
            except OSError:
                if self._running:
                    self._log_limited("receive_failed", "network thread: receive failed", exc_info=True)
                    time.sleep(0.01)
                continue
            if not self._running:
                break
            sender = sender[:2]
            self.stats["packets"] += 1
            try:
                messages = unpack(data)
            except MalformedPacket as e:
                self._log_limited("malformed", f"dropped a malformed packet from {sender}: {e}")
                if e.address is not None:
                    self.error(e.address, f"malformed packet: {e}", sender)
                continue
            for address, args in messages:
                try:
                    self.dispatch(address, args, sender)
                except Exception as e:             # a bug must not take the network thread down
                    self._log_limited("net_failed", f"network thread: {address[:80]} failed", exc_info=True)
                    self.error(address, f"internal error: {type(e).__name__}: {e}", sender)

    def dispatch(self, address: str, args: list, sender, midi: bool = False):
        route = ROUTES.get(address)
        if route is None:
            self.error(address, f"unknown address {address}; see docs/protocol.md", sender)
            return
        try:
            payload = route.check(args, self.session.schema) if route.knobs else route.check(args)
        except RequestError as e:
            self.error(address, str(e), sender)
            return
        if not midi and not self.authorized(address, sender):
            self._log_limited("unauthorized", f"refused {address} from {sender}: no token")
            # to the sender only (and a hello's reply port, where Max's [udpreceive] listens)
            dests = self.own_addresses(sender)
            if address == "/sentgen/hello" and (sender[0], payload) not in dests:
                dests.append((sender[0], payload))
            self.error(address, "refused: this engine needs its token (it listens beyond loopback, or was "
                                "started with --token); send /sentgen/auth <token> from this socket first "
                                "(docs/protocol.md)", sender, dests)
            return
        if route.run == "knob":
            if midi or not self._answer_ready(address, payload, sender):
                self.submit_knob(payload[0], payload[1], sender, midi=midi)
        elif route.run.startswith("net_"):
            try:
                getattr(self, route.run)(payload, sender)
            except RequestError as e:
                self.error(address, str(e), sender)
        else:
            self._enqueue((route.run, address, payload, sender))
