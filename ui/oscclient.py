"""The panel's side of the engine protocol (docs/panel.md, /sentgen/* over OSC/UDP).

`EngineClient` owns one UDP socket, bound to an ephemeral port by default: it
sends every request from it and registers that port with `/sentgen/hello`, so
replies and broadcasts come back to the same socket.  Reading is driven by a
QSocketNotifier (the GUI thread never blocks); keep-alive is a QTimer:

- while connected: `/sentgen/ping` when nothing was heard for PING_S seconds;
  a ping unanswered for PING_LOST_S seconds sends `/sentgen/hello` again, so a
  registration lost to an engine restart quicker than the timeout comes back
  (a periodic hello would make the engine resend its state to every client);
- no datagram for TIMEOUT_S seconds: disconnected; `/sentgen/hello` every
  RETRY_S seconds until the engine answers again, then the state flows again.

With a token (`sentgen panel --token`, or SENTGEN_TOKEN), every hello is
preceded by `/sentgen/auth <token>` from the same socket: an engine with a
token (always one listening beyond loopback) refuses requests that change
state from a socket that did not send it.

Knob moves are coalesced: `set_attr` stores the newest value per attribute
and at most one edit is in flight; the next one leaves when the engine has
answered (state or error) or after EDIT_TIMEOUT_S, so a fast knob sweep sends
a handful of edits with the last position always last.
"""
from __future__ import annotations

import socket
import time

from PyQt6.QtCore import QObject, QSocketNotifier, QTimer, pyqtSignal

from bridge import protocol
from bridge.osc_wire import MalformedPacket, build, decode_knobs, unpack

PING_S = 1.0
PING_LOST_S = 1.0
TIMEOUT_S = 3.0
RETRY_S = 1.0
EDIT_TIMEOUT_S = 5.0
MIN_EDIT_GAP_S = 0.03
DEFAULT_PORT = 9000


class EndpointError(ValueError):
    """An engine address that cannot be used; the message says why."""


def parse_endpoint(text: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """'HOST:PORT', 'HOST', ':PORT' or 'PORT' -> (host, port); EndpointError when malformed."""
    text = (text or "").strip()
    if not text:
        return "127.0.0.1", default_port
    host, port = text, default_port
    if text.startswith("["):                       # [::1]:9000
        end = text.find("]")
        if end < 0:
            raise EndpointError(f"bad engine address {text!r}: missing ']'")
        host, rest = text[1:end], text[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise EndpointError(f"bad engine address {text!r}: expected [HOST]:PORT")
            port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    elif text.isdigit():
        host, port = "", text
    try:
        port = int(port)
    except ValueError:
        raise EndpointError(f"bad engine address {text!r}: port {port!r} is not a number") from None
    if not 1 <= port <= 65535:
        raise EndpointError(f"bad engine address {text!r}: port {port} outside 1..65535")
    return host or "127.0.0.1", port


def resolve_endpoint(host: str, port: int) -> tuple:
    """(family, sockaddr) of the engine, or EndpointError with a clear message (unresolvable host)."""
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)
    except socket.gaierror as e:
        raise EndpointError(f"cannot resolve engine host {host!r}: {e.strerror or e}") from None
    # Prefer IPv4 (the engine listens on 127.0.0.1 by default).
    infos.sort(key=lambda i: i[0] != socket.AF_INET)
    family, _, _, _, sockaddr = infos[0]
    return family, sockaddr


def encode(address: str, *args) -> bytes:
    """A request, with the one OSC encoder (bridge.osc_wire.build); a bool travels as an int."""
    return build(address, *(int(a) if isinstance(a, bool) else a for a in args))


def decode(data: bytes) -> list[tuple[str, list]]:
    """[(address, params)] of a datagram (a bundle gives its messages in order); [] when malformed.
    The engine's own strict decoder (bridge.osc_wire), so the panel reads exactly what the engine would."""
    try:
        return unpack(data)
    except MalformedPacket:
        return []


class EngineClient(QObject):
    """An OSC client of the engine living in the Qt event loop."""

    # connection
    connectionChanged = pyqtSignal(bool, str)     # connected, human text
    pong = pyqtSignal(str, str, str)              # protocol version, model, device
    # state
    clip = pyqtSignal(list)                       # flat notes
    attrs = pyqtSignal(list)                      # [(name, index, label, value)] x 9
    original = pyqtSignal(list)                   # flat notes of the user's original
    models = pyqtSignal(list)                     # [name]
    edit = pyqtSignal(bool, str, str)             # exact, method, reason
    changed = pyqtSignal(list)                    # knob names the coming edit also changed (before `edit`)
    knobs = pyqtSignal(list)                      # the model's knobs: [{name, title, kind, count, labels}]
    exported = pyqtSignal(str)                    # path
    learned = pyqtSignal(str, int, int)           # name, channel, cc
    error = pyqtSignal(str, str)                  # address, message
    message = pyqtSignal(str, list)               # every message (tests, debugging)

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT, bind_host: str | None = None,
                 listen_port: int = 0, parent=None, token: str | None = None):
        super().__init__(parent)
        self.host, self.port = host, port
        self.token = token
        family, self.sockaddr = resolve_endpoint(host, port)
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        if bind_host is None:
            bind_host = "::" if family == socket.AF_INET6 else (
                "127.0.0.1" if self.sockaddr[0].startswith("127.") else "0.0.0.0")
        self.sock.bind((bind_host, listen_port))
        self.sock.setblocking(False)
        self.listen_port = self.sock.getsockname()[1]
        self.notifier = QSocketNotifier(self.sock.fileno(), QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self._readable)

        self.connected = False
        self.engine_info = ("", "", "")
        self.last_rx = 0.0
        self.last_hello = 0.0
        self.last_ping = 0.0
        self.closed = False
        self.started = 0.0
        self.reported_absent = False
        # coalesced edits
        self.pending: dict[str, object] = {}
        self.in_flight_since = 0.0
        self.last_edit_sent = 0.0
        self.sent_names: list[str] = []
        self.knob_names: list[str] = []           # the current model's knobs (/sentgen/knobs), in order

        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._tick)
        self.edit_timer = QTimer(self)
        self.edit_timer.setSingleShot(True)
        self.edit_timer.timeout.connect(self._flush_edits)

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    # --- lifecycle ----------------------------------------------------------
    def start(self):
        self.started = time.monotonic()
        self.hello()
        self.timer.start()

    def close(self):
        if self.closed:
            return
        self.closed = True
        self.timer.stop()
        self.edit_timer.stop()
        try:
            self.send("/sentgen/bye", self.listen_port)
        except OSError:
            pass
        self.notifier.setEnabled(False)
        self.sock.close()

    # --- sending ------------------------------------------------------------
    def send(self, address: str, *args):
        if self.closed:
            return
        try:
            self.sock.sendto(encode(address, *args), self.sockaddr)
        except OSError as e:
            # e.g. network unreachable; the connection state says the rest
            self.error.emit(address, f"cannot send to {self.endpoint}: {e.strerror or e}")

    def hello(self):
        self.last_hello = time.monotonic()
        if self.token:                  # authorise this socket first (a restarted engine forgot it too)
            self.send("/sentgen/auth", self.token)
        self.send("/sentgen/hello", self.listen_port)

    def ping(self):
        """Keep-alive: a ping (its pong carries the model and device in use) and a check that the
        engine still knows us (a restarted one answers pings but has forgotten its clients)."""
        self.last_ping = time.monotonic()
        self.send("/sentgen/ping")
        self.send("/sentgen/hello/check", self.listen_port)

    def request_models(self):
        self.send("/sentgen/model/list")

    def load_model(self, name: str):
        self.send("/sentgen/model/load", name)

    def random(self, seed: int | None = None):
        self.send("/sentgen/random", *([] if seed is None else [int(seed)]))

    def undo(self):
        self.send("/sentgen/undo")

    def redo(self):
        self.send("/sentgen/redo")

    def export_midi(self, name: str | None = None):
        self.send("/sentgen/export/midi", *([name] if name else []))

    def midi_learn(self, name: str):
        self.send("/sentgen/midi/learn", name)

    def set_clip(self, flat: list):
        self.send("/sentgen/clip/set", *flat)

    def set_attr(self, name: str, value):
        """Queue an attribute edit; the newest value per attribute wins (see the module doc)."""
        self.pending[name] = value
        self._flush_edits()

    # --- internals ------------------------------------------------------------
    def _flush_edits(self):
        if not self.pending or self.closed:
            return
        now = time.monotonic()
        if self.in_flight_since and now - self.in_flight_since < EDIT_TIMEOUT_S:
            return                                  # answered -> _edit_answered flushes
        gap = now - self.last_edit_sent
        if gap < MIN_EDIT_GAP_S:
            if not self.edit_timer.isActive():
                self.edit_timer.start(int((MIN_EDIT_GAP_S - gap) * 1000) + 1)
            return
        items = [(n, self.pending[n]) for n in self.knob_names if n in self.pending]   # the model's order
        items += [(n, v) for n, v in self.pending.items() if n not in self.knob_names]
        self.pending.clear()
        self.sent_names = [n for n, _ in items]
        if len(items) == 1:
            self.send("/sentgen/attr/set", items[0][0], items[0][1])
        else:
            self.send("/sentgen/attrs/set", *[x for item in items for x in item])
        self.in_flight_since = self.last_edit_sent = now

    def _edit_answered(self):
        if self.in_flight_since:
            self.in_flight_since = 0.0
            if self.pending:
                self._flush_edits()

    def _tick(self):
        now = time.monotonic()
        if self.in_flight_since and now - self.in_flight_since >= EDIT_TIMEOUT_S:
            self.in_flight_since = 0.0
            self._flush_edits()
        if self.connected:
            if now - self.last_rx > TIMEOUT_S:
                self._set_connected(False, f"lost the engine at {self.endpoint} "
                                           f"(no answer for {TIMEOUT_S:.0f} s); retrying")
                self.hello()
            elif self.last_ping > self.last_rx and now - self.last_ping > PING_LOST_S:
                # a ping went unanswered: the engine may be restarting and forget us; register again
                if now - self.last_hello > RETRY_S:
                    self.hello()
            elif now - self.last_rx > PING_S and now - self.last_ping > PING_S:
                self.ping()
        else:
            if not self.reported_absent and now - self.started > TIMEOUT_S and not self.last_rx:
                self.reported_absent = True
                self._set_connected(False, f"no answer from the engine at {self.endpoint} "
                                           f"within {TIMEOUT_S:.0f} s; retrying")
            if now - self.last_hello > RETRY_S:
                self.hello()

    def _set_connected(self, up: bool, text: str):
        self.connected = up
        self.connectionChanged.emit(up, text)

    def _readable(self):
        while not self.closed:
            try:
                data, _addr = self.sock.recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:
                # ICMP port unreachable (some platforms report it): nothing listens
                continue
            except OSError:
                return
            for address, params in decode(data):
                self._dispatch(address, params)

    def _dispatch(self, address: str, params: list):
        self.last_rx = time.monotonic()
        if not self.connected:
            self._set_connected(True, f"connected to {self.endpoint}")
            self.request_models()
        if address == "/sentgen/registered" and len(params) == 2 and not params[1]:
            self.hello()                # the engine restarted and forgot this panel
        self.message.emit(address, params)
        handler = REPLY_HANDLERS.get(address)
        if handler is None:
            return
        try:
            getattr(self, handler)(params)
        except (TypeError, ValueError):
            pass                                      # a malformed reply is ignored

    # --- the replies of the protocol table (bridge/protocol.py REPLY) the panel handles: REPLY_HANDLERS ---
    def _on_pong(self, params):
        info = tuple(str(p) for p in (list(params) + ["", "", ""])[:3])
        self.engine_info = info
        self.pong.emit(*info)

    def _on_clip(self, params):
        self.clip.emit(list(params))

    def _on_attrs(self, params):
        rows = []
        for i in range(0, len(params) - 3, 4):
            name, index, label, value = params[i:i + 4]
            rows.append((str(name), int(index), str(label), float(value)))
        self.attrs.emit(rows)
        self._edit_answered()

    def _on_original(self, params):
        self.original.emit(list(params))

    def _on_models(self, params):
        self.models.emit([str(p) for p in params])

    def _on_edit(self, params):
        exact, method, reason = (list(params) + [0, "", ""])[:3]
        self.changed.emit([str(p) for p in params[3:]])      # protocol 2: the knobs it also changed
        self.edit.emit(bool(int(exact)), str(method), str(reason))

    def _on_knobs(self, params):
        knobs = decode_knobs(params)
        self.knob_names = [k["name"] for k in knobs]
        self.knobs.emit(knobs)

    def _on_exported(self, params):
        self.exported.emit(str(params[0]) if params else "")

    def _on_learned(self, params):
        name, channel, cc = (list(params) + ["", -1, -1])[:3]
        self.learned.emit(str(name), int(channel), int(cc))

    def _on_error(self, params):
        where, text = (list(params) + ["", ""])[:2]
        self.error.emit(str(where), str(text))
        if str(where) in ("/sentgen/attr/set", "/sentgen/attrs/set"):
            self._edit_answered()


# The panel's dispatch: reply address (of the protocol table) -> EngineClient method.  /sentgen/registered is
# handled before (a 0 means the engine restarted: hello again); /sentgen/authorized and /sentgen/stats are not
# the panel's business.
REPLY_HANDLERS = {"/sentgen/pong": "_on_pong", "/sentgen/clip": "_on_clip", "/sentgen/attrs": "_on_attrs",
                  "/sentgen/original": "_on_original", "/sentgen/models": "_on_models", "/sentgen/edit": "_on_edit",
                  "/sentgen/knobs": "_on_knobs", "/sentgen/exported": "_on_exported",
                  "/sentgen/midi/learned": "_on_learned", "/sentgen/error": "_on_error"}
if not set(REPLY_HANDLERS) <= set(protocol.REPLY):
    raise ImportError(f"the panel handles messages the protocol table lacks: {set(REPLY_HANDLERS) - set(protocol.REPLY)}")
