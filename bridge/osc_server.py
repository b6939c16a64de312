"""The engine's OSC server: one network thread, one worker thread, one session.

- The network thread reads datagrams from a plain UDP socket, unpacks them
  strictly (bridge.osc_wire), checks each message's arguments against the
  route table `ROUTES` (address -> handler, like python-osc's dispatcher, all
  in one place) and hands the work over; it never waits on inference.
  /sentgen/ping is answered right there.
- The worker thread applies requests in arrival order.  Knob moves
  (/sentgen/attr/set, MIDI CCs) are coalesced: while a move of an attribute
  waits, a newer value replaces it (newest wins); any other request is a
  barrier, so knob values sent after it are applied after it.  The pending
  knobs are at most one per attribute between barriers, other requests wait in
  a bounded queue; when it is full the request is dropped, logged and
  answered with an error.
- State changes go to every registered client (/sentgen/hello reply_port:
  host of the sender + that port); a request from a socket that never said
  hello is also answered at its source address, and its reads and errors go
  there only (no amplification towards the registered clients).  A
  registration is removed only by its own socket or its own address, and the
  table refuses new ones when full instead of evicting old ones.
- With a token (always when listening beyond loopback), requests that change
  state or write files are refused unless their socket sent /sentgen/auth.
- Every change is recorded in the state file before any surface hears of it
  (a journal line: tens of microseconds); when it cannot be written, every
  surface is told (`/sentgen/error /sentgen/state ...`).

docs/protocol.md documents every message.
"""
from __future__ import annotations

import collections
import hmac
import ipaddress
import gc
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from engine.clip import ClipError, flat_from_notes, write_midi
from engine.models import MODELS_DIR, SHIPPED, load_model
from engine.session import LOOKAHEAD_CHUNK, EditError, Editor, Session, parse_targets, valid_bpm

from bridge import protocol
from bridge.osc_wire import IMPULSE, MalformedPacket, encode, unpack
from bridge.state import StateFile

PROTOCOL_VERSION = protocol.VERSION
log = logging.getLogger("sentgen.engine")

MAX_CLIENTS = 32               # registrations in all; a full table refuses new ones (never evicts)
MAX_CLIENTS_PER_HOST = 16      # registrations from one host
MAX_HELLO_SOURCES = 8          # sockets remembered per registration besides the one that made it
MAX_AUTHORIZED = 256           # sockets that sent the token (the oldest is forgotten beyond this)
MAX_COALESCED_SENDERS = 64     # distinct senders answered for one coalesced knob move
QUEUE_LIMIT = 256
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class RequestError(ValueError):
    """A request the engine refuses; the message goes back as /sentgen/error."""


# --- argument checks (run on the network thread) --------------------------------------------
def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _count(args, lo, hi=None, what=""):
    hi = lo if hi is None else hi
    if not lo <= len(args) <= hi:
        want = f"{lo}" if lo == hi else f"{lo} to {hi}"
        raise RequestError(f"expects {want} argument(s){': ' + what if what else ''}; got {len(args)}")


def _type_name(v) -> str:
    if v is IMPULSE:
        return "impulse"
    names = {bool: "bool", type(None): "nil", int: "int", float: "float", str: "string", bytes: "blob"}
    return names.get(type(v), type(v).__name__)


def check_none(args):
    _count(args, 0)
    return None


def check_hello(args):
    _count(args, 1, what="reply_port:int")
    port = args[0]
    if not _is_int(port) or not 1 <= port <= 65535:
        raise RequestError(f"reply_port must be an int in 1..65535, got {port!r}")
    return port


def _check_value(name, value, schema):
    if not (_is_number(value) or isinstance(value, str)):
        raise RequestError(f"{name} value must be a number in [0, 1] or a label, got {_type_name(value)}")
    try:
        return schema.resolve_target(name, value)
    except (KeyError, ValueError, TypeError) as e:
        raise RequestError(str(e).strip('"')) from None


def check_attr(args, schema):
    """A knob of the current model's schema and its value (number in [0, 1] or label)."""
    _count(args, 2, what="name:str value")
    name, value = args
    if not isinstance(name, str):
        raise RequestError(f"{schema.knob_word} name must be a string, got {_type_name(name)}")
    try:
        schema.knob_index(name)
    except KeyError as e:
        raise RequestError(str(e).strip('"')) from None
    _check_value(name, value, schema)
    return name, value


def check_attrs(args, schema):
    if not args or len(args) % 2:
        raise RequestError(f"expects name value pairs; got {len(args)} argument(s)")
    pairs = [check_attr(args[i:i + 2], schema) for i in range(0, len(args), 2)]
    try:
        parse_targets(pairs, schema)
    except EditError as e:
        raise RequestError(str(e)) from None
    return pairs


def check_clip(args):
    if len(args) % 5:
        raise RequestError(f"a clip travels as 5 values per note (pitch start_time duration velocity mute); "
                           f"got {len(args)} values")
    return list(args)


def check_seed(args):
    _count(args, 0, 1, "[seed:int]")
    if args and (not _is_int(args[0]) or args[0] < 0):
        raise RequestError(f"seed must be a non-negative int, got {args[0]!r}")
    return args[0] if args else None


def check_token(args):
    _count(args, 1, what="token:str")
    if not isinstance(args[0], str):
        raise RequestError(f"token must be a string, got {_type_name(args[0])}")
    return args[0]


def check_name(args):
    _count(args, 1, what="name:str")
    if not isinstance(args[0], str):
        raise RequestError(f"name must be a string, got {_type_name(args[0])}")
    return args[0]


def check_optional_name(args):
    _count(args, 0, 1, "[name:str]")
    if args and not isinstance(args[0], str):
        raise RequestError(f"name must be a string, got {_type_name(args[0])}")
    return args[0] if args else None


def check_bpm(args):
    _count(args, 0, 1, "[bpm:float]")
    if args:
        try:
            return valid_bpm(args[0])
        except ValueError as e:
            raise RequestError(str(e)) from None
    return None


def check_learn(args, schema):
    name = check_name(args)
    try:
        schema.knob_index(name)
    except KeyError as e:
        raise RequestError(str(e).strip('"')) from None
    return name


@dataclass(frozen=True)
class Route:
    check: Callable          # args -> payload, raises RequestError (network thread)
    run: str                 # Engine method name: "net_*" on the network thread, "do_*" on the worker
    doc: str
    knobs: bool = False      # check(args, schema): names knobs of the current model's schema


# The checks of the requests' arguments (network thread); everything else about a request (its handler,
# whether it is open, whether it names knobs) is its line in the protocol table, bridge/protocol.py.
CHECKS: dict[str, Callable] = {
    "/sentgen/hello": check_hello, "/sentgen/bye": check_hello, "/sentgen/hello/check": check_hello,
    "/sentgen/ping": check_none, "/sentgen/stats": check_none, "/sentgen/clip/set": check_clip,
    "/sentgen/clip/get": check_none, "/sentgen/original/get": check_none, "/sentgen/attr/set": check_attr,
    "/sentgen/attrs/set": check_attrs, "/sentgen/attrs/get": check_none, "/sentgen/knobs/get": check_none,
    "/sentgen/random": check_seed, "/sentgen/undo": check_none, "/sentgen/redo": check_none,
    "/sentgen/model/list": check_none, "/sentgen/model/load": check_name, "/sentgen/export/midi": check_optional_name,
    "/sentgen/midi/learn": check_learn, "/sentgen/play": check_bpm, "/sentgen/stop": check_none,
    "/sentgen/auth": check_token,
}

# The routing, from the protocol table (docs/protocol.md explains each line).
ROUTES: dict[str, Route] = {m.address: Route(CHECKS[m.address], m.handler, m.doc, m.knobs) for m in protocol.REQUESTS}

# Requests that change nothing and write nothing: open to every sender.  Every other route needs the
# engine's token when it has one (see Engine.token).
OPEN_ROUTES = frozenset(m.address for m in protocol.REQUESTS if m.open)


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False                 # a host name: it may resolve to anything


def needs_token(host: str, token: str | None) -> str | None:
    """Why an engine listening on host cannot start with this token, or None."""
    if token is None and not is_loopback(host):
        return (f"listening on {host} (beyond loopback) needs a token: start with --token T or set "
                f"SENTGEN_TOKEN, and give the surfaces the same token (docs/protocol.md)")
    if token is not None and not token:
        return "the token is empty"
    return None


class Senders(tuple):
    """The senders of one coalesced knob move, latest last: each gets the answer of the move that won."""


def load_editor(path, device=None) -> Editor:
    """Editor.load, but a traversal bundle that cannot be read only costs the traversal proposals:
    the model still edits (direct proposals, refinement), and the log says why."""
    try:
        return Editor.load(path, device)
    except ValueError as e:
        if "traversal" not in str(e):
            raise
        log.warning("%s; editing without the traversal nets", e)
        return Editor(load_model(path, device), None)


class _Knob:
    """One pending knob move; newer values of the same attribute overwrite it until the worker takes it.
    The senders of the moves it replaced are kept (up to MAX_COALESCED_SENDERS), so each gets an answer."""
    __slots__ = ("name", "value", "sender", "midi", "count", "replaced")

    def __init__(self, name, value, sender, midi):
        self.name, self.value, self.sender, self.midi, self.count = name, value, sender, midi, 1
        self.replaced: dict = {}

    def replace(self, value, sender, midi):
        if sender != self.sender and len(self.replaced) < MAX_COALESCED_SENDERS:
            self.replaced[self.sender] = None
        self.replaced.pop(sender, None)
        self.value, self.sender, self.midi = value, sender, midi
        self.count += 1

    def senders(self):
        """Who gets the answer: the latest sender, or all of them (a Senders) when others were replaced."""
        return Senders((*self.replaced, self.sender)) if self.replaced else self.sender


class _Registration:
    """A registered client (host, reply_port): the socket that made it, which alone (or the address
    itself) may remove it, and the sockets that said hello for it (their requests count as registered)."""
    __slots__ = ("owner", "sources")

    def __init__(self, owner):
        self.owner, self.sources = owner, {owner: None}


def safe_export_name(name: str | None) -> str:
    """A file name that stays inside the export folder: no separators, no leading dots, .mid suffix."""
    if not name:
        name = time.strftime("sentgen-%Y%m%d-%H%M%S")
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^A-Za-z0-9 ._()-]", "_", base).strip(" .")
    if base.lower().endswith(".mid"):
        base = base[:-4].rstrip(" .")
    base = base[:64] or "clip"
    return base + ".mid"


LOG_EVERY = 5.0                # seconds between two log lines of one kind that remote senders can cause
STATE_ADDRESS = "/sentgen/state"     # the address /sentgen/error names when the session cannot be saved
READY_CLIPS = 8                # recent clips whose ready knob replies are kept (undo/redo finds them again)
# Look ahead only after this long without requests: during a knob sweep or a flood the next request
# is usually already on its way, and a chunk started now would delay it.
LOOKAHEAD_PAUSE = 0.005


class Engine:
    """The engine's OSC side: one UDP socket, a network thread and a worker thread.

    Which thread owns which state (the one place that says so):
    - network thread (`_net_loop`, "sentgen-net"): reads the socket, checks each request against the
      protocol table (`ROUTES`; knob names against `session.schema`, read as one attribute), runs the
      `net_*` handlers, and answers ready knob turns (`_answer_ready`) without running a model.
    - worker thread (`_work_loop`, "sentgen-worker"): the only writer of the Session (every `do_*`
      handler, model switches, lookahead while idle), of the state file, of `_state_memo`, and of
      `current_attrs` / `current_notes` (published to the MIDI side before any reply).
    - shared, only under `_cv`: the queue and coalesced knobs (`_queue`, `_open_knobs`, `_busy`),
      registrations and authorised sockets (`_clients`, `_hello_sources`, `_authorized`), and the ready
      replies (`_ready`, built by the worker, looked up by the network thread).
    - MIDI threads (bridge.midi) enqueue knob moves (`midi_knob`) and send learned bindings; `send` may
      be called from any thread (one sendto per packet).
    - `stats` counters are incremented from both threads (a Counter's += is not atomic: figures, not state).
    """

    def __init__(self, session: Session, *, host: str = "127.0.0.1", port: int = 9000,
                 state_dir: Path | None = None, models_dir: Path = MODELS_DIR, device: str | None = None,
                 state_file: StateFile | None = None, queue_limit: int = QUEUE_LIMIT, lookahead: bool = True,
                 token: str | None = None, export_dir: Path | None = None):
        self.session = session
        self.state_file = state_file
        self.host, self.port = host, port
        self.state_dir = Path(state_dir) if state_dir else None
        self.export_dir = Path(export_dir) if export_dir else None     # chosen by the user: taken as it is
        self.unsaved: str | None = None          # why the last change could not be saved (None: all saved)
        self.models_dir = Path(models_dir)
        self.device = device
        self.queue_limit = queue_limit
        self.lookahead = lookahead              # work out one-knob edits while idle (Session.lookahead)
        self.token = token                      # when set: needed for every route not in OPEN_ROUTES
        self._authorized: collections.OrderedDict = collections.OrderedDict()   # sockets that sent it
        # gc.freeze() whenever the lookahead has finished a clip (set by the engine process, not in tests):
        # what is kept by then (history, tables, ready replies) is no longer walked by the collector,
        # whose full collections otherwise grow with it (6-12 ms in one piece, after 300 loaded clips).
        self.freeze_gc = False
        self.midi = None                         # a bridge.midi.MidiBridge once attached
        self._editors: dict[str, Editor] = {session.editor.name: session.editor}
        self._sock: socket.socket | None = None
        self._cv = threading.Condition()
        self._queue: collections.deque = collections.deque()
        self._open_knobs: dict[str, _Knob] = {}
        self._clients: dict[tuple[str, int], _Registration] = {}     # (host, reply_port) -> registration
        self._hello_sources: dict[tuple[str, int], set] = {}         # socket that said hello -> its registrations
        self._running = False
        self._threads: list[threading.Thread] = []
        self.stats = collections.Counter()
        self._busy = False
        self._ahead = True             # work may be left to look ahead on the current clip (a restored one too)
        self._from_midi = False
        self._learn_sender = None
        self._last_log: dict[str, float] = {}
        self._state_memo: tuple | None = None        # (snapshot, original, [clip, attrs, original messages])
        # Replies ready to send for looked-ahead knob turns, per recent clip (see _answer_ready):
        # id(snapshot) -> {"snap", "editor", "original", "answers": {(attr, value): (outcome, messages)}}
        self._ready: collections.OrderedDict = collections.OrderedDict()
        self.current_attrs = tuple(int(r[1]) for r in session.attr_rows())
        self.current_notes = session.notes()

    # --- lifecycle -------------------------------------------------------------------
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

    def idle(self) -> bool:
        """True when nothing is queued or running (tests and benchmarks wait for it)."""
        with self._cv:
            return not (self._queue or self._busy)

    # --- sending ------------------------------------------------------------------------
    def _registered(self, sender) -> bool:
        return sender is None or sender in self._hello_sources or sender in self._clients

    def _dests(self, sender, broadcast: bool) -> list:
        with self._cv:
            if not isinstance(sender, Senders):          # one sender (the common case)
                if self._registered(sender):
                    return list(self._clients)
                return [*self._clients, sender] if broadcast else [sender]
            out = {}
            for s in sender if isinstance(sender, Senders) else (sender,):
                if broadcast or self._registered(s):
                    out.update(dict.fromkeys(self._clients))
                if not self._registered(s):
                    out[s] = None
        return list(out)

    def destinations(self, sender) -> list:
        """Where a state change goes: every registered client, and the sender when it never said hello
        (sender: an address, a Senders, or None for MIDI)."""
        return self._dests(sender, True)

    def answer_to(self, sender) -> list:
        """Where a reply that changes nothing (a read, an error) goes: like a state change for a
        registered sender (or MIDI), to the sender alone when it never said hello."""
        return self._dests(sender, False)

    def own_addresses(self, sender) -> list:
        """The sender and the reply ports it registered: 'to the sender only' (Max's [udpsend] sends
        from a port nobody listens on; its [udpreceive] is the registered port)."""
        with self._cv:
            return [sender, *sorted(k for k in self._hello_sources.get(sender, ()) if k != sender)]

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
                  encode("/sentgen/error", "ss", (address, message)))

    def _log_limited(self, key: str, text: str, every: float = LOG_EVERY, level: int = logging.WARNING,
                     exc_info: bool = False):
        """Log text at most once per `every` seconds per key, with how many times it happened so far.
        Every log line that a remote sender can cause goes through here, so no flood of packets,
        however made, can flood the log (or spend the engine's time writing it)."""
        now = time.monotonic()
        self.stats[key] += 1
        if now - self._last_log.get(key, -every) >= every:
            self._last_log[key] = now
            log.log(level, "%s (%d so far)", text, self.stats[key], exc_info=exc_info)

    # --- state messages -------------------------------------------------------------------
    @staticmethod
    def notes_message(address, notes) -> bytes:
        return encode(address, "iffii" * len(notes), flat_from_notes(notes))

    def clip_message(self, notes=None) -> bytes:
        return self.notes_message("/sentgen/clip", self.session.notes() if notes is None else notes)

    def attrs_message(self, rows=None) -> bytes:
        rows = self.session.attr_rows() if rows is None else rows
        return encode("/sentgen/attrs", "sisf" * len(rows), [v for r in rows for v in r])

    def original_message(self) -> bytes:
        return self.notes_message("/sentgen/original", self.session.original)

    def knobs_message(self) -> bytes:
        """/sentgen/knobs (protocol 2): per knob of the current model, in order, name title kind count
        and its count labels."""
        tags, values = [], []
        for k in self.session.schema.knobs:
            tags.append("sssi" + "s" * k.count)
            values += [k.name, k.title, k.kind, k.count, *k.labels]
        return encode("/sentgen/knobs", "".join(tags), values)

    def state_messages(self, rows=None, notes=None) -> list[bytes]:
        """clip, attrs, original; built once per (snapshot, original) and reused (undo/redo, repeats)."""
        key = (self.session.current() if self.session.has_clip else None, self.session.original)
        if self._state_memo is not None and self._state_memo[0] is key[0] and self._state_memo[1] is key[1]:
            return list(self._state_memo[2])
        msgs = [self.clip_message(notes), self.attrs_message(rows), self.original_message()]
        self._state_memo = (*key, msgs)
        return list(msgs)

    def pong_message(self) -> bytes:
        return encode("/sentgen/pong", "sss", (PROTOCOL_VERSION, self.session.editor.name, self.device_name))

    @property
    def device_name(self) -> str:
        dev = getattr(self.session.editor.model, "device", None)
        return str(dev) if dev is not None else "cpu"

    # --- network thread ---------------------------------------------------------------------
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

    def _enqueue(self, item) -> bool:
        with self._cv:
            if len(self._queue) >= self.queue_limit:
                full = True
            else:
                full = False
                self._queue.append(item)
                self._open_knobs.clear()        # a barrier: later knob moves come after this request
                self._cv.notify()
        if full:
            self._log_limited("dropped", f"request queue full ({self.queue_limit}): dropped {item[1]}")
            self.error(item[1], "engine busy: request dropped (queue full)", item[3])
        return not full

    def submit_knob(self, name: str, value, sender=None, midi: bool = False) -> bool:
        """Queue a knob move, or replace the waiting move of the same attribute (newest wins)."""
        with self._cv:
            slot = self._open_knobs.get(name)
            if slot is not None:
                slot.replace(value, sender, midi)
                self.stats["coalesced"] += 1
                return True
            if len(self._queue) >= self.queue_limit:
                full = True
            else:
                full = False
                slot = _Knob(name, value, sender, midi)
                self._open_knobs[name] = slot
                self._queue.append(("knob", "/sentgen/attr/set", slot, sender))
                self._cv.notify()
        if full:
            self._log_limited("dropped", f"request queue full ({self.queue_limit}): dropped a {name} move")
            self.error("/sentgen/attr/set", "engine busy: knob move dropped (queue full)", sender)
        return not full

    def _answer_ready(self, address: str, payload, sender) -> bool:
        """Answer a knob turn from the network thread when its reply is ready; False: queue it as usual.

        Only when the worker is idle and nothing waits: then the clip cannot change under us, the
        looked-ahead edit is exactly what the worker would compute, and its four reply messages
        were built while idle.  The replies go out now and the step itself is queued ("commit"),
        so every later request sees it.  No model runs here: the network thread only looks up.
        The step is recorded (a journal line) before the replies go out: a kill -9 after a client heard
        of it cannot lose it.  The worker is not running a request (it may be looking ahead, which
        reads the session but never changes what the state file holds)."""
        if not self._ready:
            return False
        try:
            targets = parse_targets([payload], self.session.schema)
        except EditError:
            return False                         # the worker answers with the error
        with self._cv:
            if self._queue or self._busy:
                return False
            ready = self._ready_answer(targets)
            if ready is None:
                return False
            outcome, messages, step = ready
            unsaved = self._save(step)
            self._queue.append(("do_commit", address, (targets, outcome), sender))
            # Replies first, under the lock (no later reply can overtake them), then wake the worker:
            # woken earlier, it would compete for the two cores with the replies' reader.
            self.send(self.destinations(sender), *messages, *unsaved)
            self._cv.notify()
        return True

    def _ready_answer(self, targets: dict) -> tuple | None:
        """(outcome, reply messages, history step) built ahead for this one-knob edit of the current clip, or None.
        The caller holds self._cv (the ready replies are shared by both threads)."""
        if len(targets) != 1 or not self.session.has_clip:
            return None
        entry = self._ready_entry(self.session.current())
        ready = None if entry is None else entry["answers"].get(next(iter(targets.items())))
        if ready is not None:
            self._ready.move_to_end(id(entry["snap"]))    # recently used: the last clip evicted (undo finds it)
            self.stats["ready"] += 1
        return ready

    def do_commit(self, payload, sender):
        """The step of a knob turn answered from ready replies (recorded already): apply and publish it."""
        targets, outcome = payload
        self.session.apply(targets, outcome)
        self._publish(self.session.attr_rows(), self.session.notes())
        self.stats["edits"] += 1

    def _build_ready(self, limit: int = LOOKAHEAD_CHUNK, interrupt=None) -> bool:
        """Build the replies of up to `limit` looked-ahead edits of the current clip, asking `interrupt`
        before each (True: stop there); True when more are left."""
        if not self.session.has_clip:
            return False
        snap, table = self.session.current(), self.session.ready_edits()
        with self._cv:
            entry = self._ready_entry(snap)
            if entry is None:
                entry = {"snap": snap, "editor": self.session.editor, "original": self.session.original, "answers": {}}
                self._ready[id(snap)] = entry
                while len(self._ready) > READY_CLIPS:
                    self._ready.popitem(last=False)
            self._ready.move_to_end(id(snap))
        todo = [(key, o) for key, o in table.items() if key not in entry["answers"] and o.tokens is not None]
        original = self.original_message()
        for key, outcome in todo[:limit]:
            if interrupt is not None and interrupt():
                return True
            notes, rows = self.session.preview(outcome)
            messages = [self.notes_message("/sentgen/clip", notes), self.attrs_message(rows), original,
                        self.edit_message(outcome.exact, outcome.method, outcome.reason, outcome.changed)]
            step = self.session.step_of(outcome)            # the one preview made: apply appends it
            with self._cv:
                entry["answers"][key] = (outcome, messages, step)
        return len(todo) > limit

    def _ready_entry(self, snap) -> dict | None:
        """The ready replies of clip `snap`, if they were built for the session's model and original."""
        entry = self._ready.get(id(snap))
        if (entry is None or entry["snap"] is not snap or entry["editor"] is not self.session.editor
                or entry["original"] is not self.session.original):
            return None
        return entry

    def knob_pending(self, name: str) -> bool:
        with self._cv:
            return name in self._open_knobs

    def net_ping(self, _payload, sender):
        self.send(self.answer_to(sender), self.pong_message())

    def authorized(self, address: str, sender) -> bool:
        """May this sender make this request?  Always without a token; with one, the open routes
        (reads) always, the others only from a socket that sent the token (/sentgen/auth)."""
        if self.token is None or address in OPEN_ROUTES:
            return True
        with self._cv:
            return sender in self._authorized

    def net_auth(self, token, sender):
        """/sentgen/auth <token>: authorise the sending socket (host + port) for every request."""
        if self.token is not None:
            if not hmac.compare_digest(token.encode("utf-8", "surrogateescape"),
                                       self.token.encode("utf-8", "surrogateescape")):
                self._log_limited("bad_token", f"wrong token from {sender}")
                self.error("/sentgen/auth", "wrong token", sender, self.own_addresses(sender))
                return
            with self._cv:
                self._authorized.pop(sender, None)
                self._authorized[sender] = time.time()
                while len(self._authorized) > MAX_AUTHORIZED:
                    self._authorized.popitem(last=False)
        self.send(self.own_addresses(sender), encode("/sentgen/authorized", "i", (int(self.token is not None),)))

    def net_hello(self, port, sender):
        key = (sender[0], port)
        with self._cv:
            reg = self._clients.get(key)
            refused = None
            if reg is None:
                on_host = sum(1 for h, _ in self._clients if h == key[0])
                if len(self._clients) >= MAX_CLIENTS:
                    refused = f"too many clients registered ({MAX_CLIENTS})"
                elif on_host >= MAX_CLIENTS_PER_HOST:
                    refused = f"too many clients registered from {key[0]} ({MAX_CLIENTS_PER_HOST})"
                else:
                    reg = self._clients[key] = _Registration(sender)
            if reg is not None and sender not in reg.sources:
                if len(reg.sources) > MAX_HELLO_SOURCES:         # forget the oldest, never the owner
                    old = next(s for s in reg.sources if s != reg.owner)
                    self._forget_source(old, key, reg)
                reg.sources[sender] = None
            if reg is not None:
                self._hello_sources.setdefault(sender, set()).add(key)
        if refused:
            # the sender and the reply port hear why (not the registered clients); the table is untouched
            self.error("/sentgen/hello", f"{refused}: refused (an old registration is never evicted; a "
                                         f"client leaves with /sentgen/bye)", sender, list(dict.fromkeys([sender, key])))
            return
        self._log_limited("registered", f"client registered: {sender[0]}:{port}", level=logging.INFO)
        self._enqueue(("do_hello", "/sentgen/hello", port, sender))

    def _forget_source(self, source, key, reg):
        """Caller holds self._cv."""
        reg.sources.pop(source, None)
        keys = self._hello_sources.get(source)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._hello_sources[source]

    STATS = ("packets", "edits", "ready", "coalesced", "errors", "looking_ahead")

    def net_stats(self, _payload, sender):
        """What the engine has done since it started, and whether it is still looking ahead (diagnostics;
        the latency bench counts ready answers, and waits for the lookahead to finish before it measures)."""
        with self._cv:                  # a queued or running request makes lookahead work too
            ahead = self.lookahead and (self._ahead or self._busy or bool(self._queue))
        values = [self.stats[k] for k in self.STATS[:-1]] + [int(ahead)]
        self.send([sender], encode("/sentgen/stats", "i" * len(self.STATS), values))

    def net_hello_check(self, port, sender):
        """Keep-alive that survives an engine restart: a restarted engine answers pings but has
        forgotten its clients, so a surface asks whether it is still registered (and says hello if not)."""
        with self._cv:
            known = (sender[0], port) in self._clients
        # to the sender and to its reply port: Max's [udpsend] sends from a port nobody listens on
        self.send(list(dict.fromkeys([sender, (sender[0], port)])), encode("/sentgen/registered", "ii", (port, int(known))))

    def net_bye(self, port, sender):
        """Unregister (host of the sender, port): only from the socket that registered it, or from
        that address itself; another socket's bye is refused (to the sender only)."""
        key = (sender[0], port)
        with self._cv:
            reg = self._clients.get(key)
            if reg is not None and sender in (reg.owner, key):
                del self._clients[key]
                for source in list(reg.sources):
                    self._forget_source(source, key, reg)
        if reg is None:
            raise RequestError(f"no client registered at {sender[0]}:{port}")
        if sender not in (reg.owner, key):
            self.error("/sentgen/bye", f"{key[0]}:{port} was registered by another socket: only that socket, or "
                                       f"{key[0]}:{port} itself, can unregister it", sender, self.own_addresses(sender))
            return
        self._log_limited("unregistered", f"client unregistered: {sender[0]}:{port}", level=logging.INFO)

    def model_names(self) -> list[str]:
        found = {p.name[:-len(".safetensors")] for p in self.models_dir.glob("*.safetensors")
                 if not p.name.endswith(".traversal.safetensors") and p.with_suffix(".json").exists()}
        return [n for n in SHIPPED if n in found] + sorted(found - set(SHIPPED))

    def net_model_list(self, _payload, sender):
        names = self.model_names()
        self.send(self.answer_to(sender), encode("/sentgen/models", "s" * len(names), names))

    def _need_midi(self, address):
        if self.midi is None:
            raise RequestError("MIDI is off in this engine (started with --midi none, "
                               "or no MIDI system was found; see docs/midi.md)")
        return self.midi

    def net_learn(self, name, sender):
        self._need_midi("/sentgen/midi/learn").learn(name)
        self._learn_sender = sender

    def net_play(self, bpm, sender):
        midi = self._need_midi("/sentgen/play")
        midi.play(bpm if bpm is not None else self.session.bpm)

    def net_stop(self, _payload, sender):
        self._need_midi("/sentgen/stop").stop()

    # --- worker thread ------------------------------------------------------------------------
    def _work_loop(self):
        last_job = 0.0                 # when the last request was done
        while True:
            with self._cv:
                while self._running and not self._queue:
                    self._busy = False
                    pause = last_job + LOOKAHEAD_PAUSE - time.monotonic()
                    if self._ahead and pause <= 0:
                        break
                    self._cv.wait(pause if self._ahead else 0.5)
                if not self._running:
                    return
                if not self._queue:      # a pause in the requests: one chunk of lookahead, then check again
                    job = None
                else:
                    kind, address, payload, sender = job = self._queue.popleft()
                    self._busy = True
                    if kind == "knob":
                        if self._open_knobs.get(payload.name) is payload:
                            del self._open_knobs[payload.name]
                        sender = payload.senders()      # the senders of the moves it replaced hear too
                        payload = (payload.name, payload.value, sender, payload.midi)
            if job is None:
                self._ahead = self._look_ahead()
                if not self._ahead and self.freeze_gc:
                    gc.freeze()
                continue
            self._from_midi = kind == "knob" and payload[3]
            try:
                getattr(self, "do_" + kind if kind == "knob" else kind)(payload, sender)
            except (EditError, ClipError, RequestError) as e:
                self.error(address, str(e), sender)
            except Exception as e:
                self._log_limited("worker_failed", f"worker: {address} failed", exc_info=True)
                self.error(address, f"internal error: {type(e).__name__}: {e}", sender)
            self._ahead = True
            last_job = time.monotonic()

    def _look_ahead(self) -> bool:
        """One idle step: encode the current clip, then (lookahead on) work out a chunk of knob edits
        and build their replies.  A request never waits for this step to end: `_request_waits` is
        asked before every small piece of it (a model stage, one reply), and the step gives way."""
        try:
            self.session.prepare()
            if not self.lookahead:
                return False
            if self._request_waits():
                return True
            more = self.session.lookahead(interrupt=self._request_waits)
            return self._build_ready(interrupt=self._request_waits) or more
        except Exception:
            self._log_limited("lookahead_failed", "worker: looking ahead failed", exc_info=True)
            return False

    def _request_waits(self) -> bool:
        """Asked by the lookahead between its pieces of work: True (and counted) when a request is queued."""
        if not self._queue:
            return False
        self.stats["lookahead_yielded"] += 1
        return True

    def _publish(self, rows, notes):
        """Hand the new state to the MIDI side (pick-up, playback) before any surface hears of it."""
        self.current_attrs = tuple(int(r[1]) for r in rows)
        self.current_notes = notes
        if self.midi is not None:
            try:
                self.midi.on_state(self.current_attrs, self.current_notes, from_midi=self._from_midi)
            except Exception:
                self._log_limited("midi_failed", "MIDI bridge failed to take the new state", exc_info=True)

    def _save(self, step=None) -> list[bytes]:
        """Record the session's state (a journal line; nothing when it did not change); with `step`: the
        state once that history step is appended (a ready knob turn, recorded before it is applied).

        Done before any reply to the change is sent (a line written with os.write is the OS's: a kill -9
        after the reply cannot lose it), by the thread that replies, so nothing is left to do after a
        reply that would compete with the next request for the interpreter (a writer thread woken by
        each change did, by about 40 us).  Returns what to send after the replies: nothing, or when the
        state cannot be written (a full disk), an /sentgen/error /sentgen/state saying so (every change
        that is not saved gets one; the state file rewrites everything at the next change, so saving
        resumes by itself when the disk allows)."""
        if self.state_file is None:
            return []
        try:
            self.state_file.record(self.session.to_dict(step))
        except OSError as e:
            self.unsaved = e.strerror or str(e)
            self._log_limited("save", f"cannot write the session file {self.state_file.path}: {e}")
            return [self.unsaved_message()]
        if self.unsaved is not None:
            log.warning("the session is saved again in %s", self.state_file.path)
            self.unsaved = None
        return []

    def unsaved_message(self) -> bytes:
        self.stats["errors"] += 1
        return encode("/sentgen/error", "ss", (STATE_ADDRESS, (
            f"the session could not be saved ({self.unsaved}: {self.state_file.path.parent}): this change and "
            f"any after it are kept in memory only, and will be lost if the engine is killed or crashes; "
            f"saving is retried in full at every change")))

    def reply_state(self, sender, *extra: bytes):
        """After a change: record and publish it, then send the state (and extra messages) to the surfaces."""
        unsaved = self._save()
        rows, notes = self.session.attr_rows(), self.session.notes()
        self._publish(rows, notes)
        self.send(self.destinations(sender), *self.state_messages(rows, notes), *extra, *unsaved)

    @staticmethod
    def edit_message(exact: bool, method: str, reason: str, changed=()) -> bytes:
        """/sentgen/edit exact method reason, then (protocol 2) the names of the knobs it also changed."""
        return encode("/sentgen/edit", "iss" + "s" * len(changed), (int(bool(exact)), method, reason, *changed))

    def do_hello(self, port, sender):
        """Pong and the state to the new registration only (the others have the state already)."""
        unsaved = [self.unsaved_message()] if self.unsaved is not None else []
        self.send([(sender[0], port)], self.pong_message(), *self.state_messages(), self.knobs_message(), *unsaved)

    def do_clip_set(self, flat, sender):
        changes = self.session.set_clip(flat)
        self.reply_state(sender, self.edit_message(True, "load", "; ".join(changes)))

    def do_clip_get(self, _payload, sender):
        self.send(self.answer_to(sender), self.clip_message())

    def do_original_get(self, _payload, sender):
        self.send(self.answer_to(sender), self.original_message())

    def do_attrs_get(self, _payload, sender):
        self.send(self.answer_to(sender), self.attrs_message())

    def _edit(self, pairs, sender):
        outcome = self.session.set_attrs(pairs)   # targets the clip already has: method "unchanged", no model run
        if not outcome.already_there:            # counted before the reply: a client may ask right after
            self.stats["edits"] += 1
        self.reply_state(sender, self.edit_message(outcome.exact, outcome.method, outcome.reason, outcome.changed))

    def do_knob(self, payload, sender):
        """A knob turn the network thread did not answer (the worker was busy, or it came over MIDI):
        when its replies are ready, the same as _answer_ready, with the step recorded before replying."""
        name, value, _sender, _midi = payload
        targets = parse_targets([(name, value)], self.session.schema)
        with self._cv:
            ready = self._ready_answer(targets)
        if ready is None:
            self._edit([(name, value)], sender)
            return
        outcome, messages, step = ready
        unsaved = self._save(step)
        self.do_commit((targets, outcome), sender)
        self.send(self.destinations(sender), *messages, *unsaved)

    def do_attrs_set(self, pairs, sender):
        self._edit(pairs, sender)

    def do_random(self, seed, sender):
        self.session.random(seed)
        self.reply_state(sender)

    def do_undo(self, _payload, sender):
        if not self.session.undo():
            raise RequestError("nothing to undo")
        self.reply_state(sender)

    def do_redo(self, _payload, sender):
        if not self.session.redo():
            raise RequestError("nothing to redo")
        self.reply_state(sender)

    def load_editor(self, name: str) -> Editor:
        if not MODEL_NAME.match(name) or name.endswith(".traversal"):
            raise RequestError(f"bad model name {name!r}; ask /sentgen/model/list for the names")
        if name in self._editors:
            return self._editors[name]
        if name not in self.model_names():
            raise RequestError(f"no model {name!r} in {self.models_dir}; available: "
                               f"{', '.join(self.model_names()) or 'none'}")
        try:
            editor = load_editor(self.models_dir / f"{name}.safetensors", self.device)
        except (OSError, ValueError, RuntimeError) as e:
            raise RequestError(f"cannot load model {name}: {e}") from None
        self._editors[name] = editor
        return editor

    def do_model_load(self, name, sender):
        editor = self.load_editor(name)
        old_knobs = self.session.schema.knobs
        changes = self.session.switch_model(editor)
        if self.midi is not None and self.session.schema.knobs != old_knobs:
            self.midi.on_knobs()
        self._log_limited("model_switched", f"model switched to {editor.name} on {self.device_name}",
                          level=logging.INFO)
        self._state_memo = None                 # the same snapshot reads differently under another schema
        extra = [self.edit_message(True, "load", "; ".join(changes))] if changes else []
        self.reply_state(sender, self.knobs_message(), *extra)

    def do_knobs_get(self, _payload, sender):
        self.send(self.answer_to(sender), self.knobs_message())

    def export_folder(self) -> Path:
        """Where exports go, created when missing: the --export-dir the user chose, taken as it is, else
        <state dir>/export, refused when it leads outside the state folder (a link planted there)."""
        if self.export_dir is not None:
            folder = self.export_dir
        elif self.state_dir is None:
            raise RequestError("this engine has no state folder to export into")
        else:
            folder = self.state_dir / "export"
            real, base = folder.resolve(), self.state_dir.resolve()
            if real != base and base not in real.parents:
                raise RequestError(f"the export folder {folder} leads outside the state folder (to {real}); "
                                   f"remove that link, or choose the folder with --export-dir")
        if folder.exists() and not folder.is_dir():
            raise RequestError(f"cannot export: {folder} is a file, not a folder (move it away, "
                               f"or choose another folder with --export-dir)")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise RequestError(f"cannot create the export folder {folder}: {e.strerror or e}") from None
        return folder.resolve()

    def do_export(self, name, sender):
        if not self.session.has_clip:
            raise RequestError("no clip to export yet")
        folder = self.export_folder()
        path = folder / safe_export_name(name)
        if path.parent != folder:
            raise RequestError(f"export name {name!r} is not a plain file name")
        try:
            write_midi(path, self.session.notes(), bpm=self.session.bpm)
        except OSError as e:
            raise RequestError(f"cannot write {path}: {e.strerror or e}") from None
        self.send(self.answer_to(sender), encode("/sentgen/exported", "s", (str(path),)))

    # --- called by the MIDI bridge (its own threads) -----------------------------------------------
    def midi_knob(self, name: str, value: float):
        self.submit_knob(name, value, None, midi=True)

    def midi_learned(self, name: str, channel: int | None, cc: int):
        self.send(self.destinations(self._learn_sender),
                  encode("/sentgen/midi/learned", "sii", (name, 0 if channel is None else channel + 1, cc)))
