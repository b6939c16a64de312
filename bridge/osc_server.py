"""The engine's OSC server: one network thread, one worker thread, one session.

- The network thread reads datagrams from a plain UDP socket, unpacks them
  strictly (bridge.osc_wire), checks each message's arguments against the
  route table `ROUTES` (from the protocol table, bridge/protocol.py) and hands
  the work over; it never waits on inference.  /sentgen/ping is answered right there.
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

`Engine` (this module: the entry, its state and which thread owns it) is made of one part per concern,
in bridge/server/:

| module         | concern                                                                            |
|----------------|------------------------------------------------------------------------------------|
| checks.py      | argument checks of every request, `ROUTES` / `OPEN_ROUTES` from the protocol table |
| transport.py   | the UDP socket, start/stop, the network thread's loop, dispatch, send, error       |
| clients.py     | registrations and authorised sockets: destinations, answer_to, authorized          |
| work.py        | the worker's queue, knob coalescing, the worker thread's loop                      |
| ready.py       | lookahead while idle and ready knob replies answered from the network thread       |
| lookahead_process.py | the engine process's lookahead edits and replies, made in a lower-priority child |
| replies.py     | the reply messages, and a change's path: saved, published, sent                    |
| handlers.py    | the handler of every request (the protocol table names it: net_* / do_*)           |
| stats.py       | counters (/sentgen/stats) and the rate-limited log                                 |
| export.py      | the export folder and file names                                                   |

docs/protocol.md documents every message.
"""
from __future__ import annotations

import collections
import socket
import threading
from pathlib import Path

from engine.models import MODELS_DIR
from engine.session import Editor, Session

from bridge.server.checks import (CHECKS, OPEN_ROUTES, ROUTES, RequestError, Route)
from bridge.server.clients import (MAX_AUTHORIZED, MAX_CLIENTS, MAX_CLIENTS_PER_HOST,
                                   MAX_HELLO_SOURCES, Clients, _Registration, is_loopback, needs_token)
from bridge.server.export import Export, safe_export_name
from bridge.server.handlers import MODEL_NAME, Handlers, load_editor
from bridge.server.ready import READY_CLIPS, Ready
from bridge.server.replies import PROTOCOL_VERSION, STATE_ADDRESS, Replies
from bridge.server.stats import LOG_EVERY, Stats
from bridge.server.transport import Transport
from bridge.server.work import (LOOKAHEAD_PAUSE, MAX_COALESCED_SENDERS, QUEUE_LIMIT, Senders,
                                Work, _Knob)
from bridge.state import StateFile

# What other modules and the tests take from here (the engine's entry), whichever part defines it.
__all__ = ["CHECKS", "LOG_EVERY", "LOOKAHEAD_PAUSE", "MAX_AUTHORIZED", "MAX_CLIENTS", "MAX_CLIENTS_PER_HOST",
           "MAX_COALESCED_SENDERS", "MAX_HELLO_SOURCES", "MODEL_NAME", "OPEN_ROUTES", "PROTOCOL_VERSION",
           "QUEUE_LIMIT", "READY_CLIPS", "ROUTES", "STATE_ADDRESS", "Engine", "RequestError", "Route", "Senders",
           "is_loopback", "load_editor", "needs_token", "safe_export_name"]


class Engine(Transport, Clients, Work, Ready, Replies, Handlers, Stats, Export):
    """The engine's OSC side: one UDP socket, a network thread and a worker thread.

    Which thread owns which state (the one place that says so; the part that holds the code in brackets):
    - network thread (`_net_loop`, "sentgen-net" [transport]): reads the socket, checks each request against
      the protocol table (`ROUTES` [checks]; knob names against `session.schema`, read as one attribute),
      runs the `net_*` handlers [handlers], and answers ready knob turns (`_answer_ready` [ready]) without
      running a model.
    - worker thread (`_work_loop`, "sentgen-worker" [work]): the only writer of the Session (every `do_*`
      handler [handlers], model switches, lookahead while idle [ready]), of the state file and `unsaved`
      (`_save` [replies]), of `_state_memo` [replies], of `_editors` [handlers], and of `current_attrs` /
      `current_notes` (`_publish` [replies]: to the MIDI side before any reply).  Exception: a ready knob
      turn's journal line is written by the network thread, under `_cv`, while the worker is idle
      (`_answer_ready`: nothing is queued or running then).
    - shared, only under `_cv`: the queue and coalesced knobs (`_queue`, `_open_knobs`, `_busy` [work]),
      registrations and authorised sockets (`_clients`, `_hello_sources`, `_authorized` [clients, changed
      by the hello/bye/auth handlers]), and the ready replies (`_ready` [ready]: built by the worker,
      looked up by the network thread).
    - the lookahead process's reader thread ("sentgen-lookahead-reader", engine process only: bridge/server/
      lookahead_process.py) hands its answers over under `_cv` (`_lookahead_answer`, `_lookahead_built` [ready]:
      `_ahead_job`, `_ahead_answers`, `_ahead_building`, `_ahead`, `lookahead_process` when the child has gone);
      the worker takes them into the Session.
    - MIDI threads (bridge.midi) enqueue knob moves (`midi_knob` [work]) and send learned bindings
      (`midi_learned` [handlers]); `send` [transport] may be called from any thread (one sendto per packet).
    - `stats` counters are incremented from both threads (a Counter's += is not atomic: figures, not state)
      [stats]; `_last_log` likewise (a log line more or less).
    - set once before `start` and read only after: host, port, token, folders, device, queue_limit,
      lookahead, freeze_gc, midi.

    Caches keyed by object identity, and their contract (each finds an entry only for the very object it
    was built for, checked with `is`, so a reused id or an equal copy is a miss: slower, never wrong):
    `_state_memo` (snapshot, original) [replies], `_ready` (id(snapshot), with its editor and original)
    [ready], the state file's snapshot texts (bridge/state.py).  The state file's journal finds the steps
    two states share by identity first and by equality after (bridge.state._delta), so an equal copy of
    a step still gives a one-line journal entry.  tests/bridge/test_identity_caches.py holds this.
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
        # The engine process's lookahead process (bridge/server/lookahead_process.py; None: in the worker), the
        # chunk it works on ((number, Session.lookahead_job) or None), its answers not yet taken ((job, outcomes,
        # None) or (job, outcomes, steps and replies)), and the jobs whose replies it still builds (under _cv).
        self.lookahead_process = None
        self._ahead_job: tuple | None = None
        self._ahead_answers: list = []
        self._ahead_building: dict = {}
        self._ahead_sent = 0
        self._from_midi = False
        self._learn_sender = None
        self._last_log: dict[str, float] = {}
        self._state_memo: tuple | None = None        # (snapshot, original, [clip, attrs, original messages])
        # Replies ready to send for looked-ahead knob turns, per recent clip (see _answer_ready):
        # id(snapshot) -> {"snap", "editor", "original", "answers": {(attr, value): (outcome, messages)}}
        self._ready: collections.OrderedDict = collections.OrderedDict()
        self.current_attrs = tuple(int(r[1]) for r in session.attr_rows())
        self.current_notes = session.notes()
