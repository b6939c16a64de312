"""Every request's handler, in one place: the protocol table (bridge/protocol.py) names each request's method
here: "net_*" runs on the network thread, "do_*" on the worker; the "knob" route (/sentgen/attr/set) is answered
from ready replies by the network thread (bridge/server/ready.py) or else by `do_knob` on the worker.
"""
from __future__ import annotations

import hmac
import logging
import re
import time

from engine.clip import write_midi
from engine.models import SHIPPED, load_model
from engine.session import Editor, Interrupted, parse_targets

from bridge.protocol import reply
from bridge.server.checks import RequestError
from bridge.server.clients import MAX_AUTHORIZED, MAX_CLIENTS, MAX_CLIENTS_PER_HOST, MAX_HELLO_SOURCES, _Registration
from bridge.server.export import safe_export_name

log = logging.getLogger("sentgen.engine")
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


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


class Handlers:
    """The handlers of the protocol table's requests (and of MIDI learn's answer)."""

    def net_ping(self, _payload, sender):
        self.send(self.answer_to(sender), self.pong_message())

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
        self.send(self.own_addresses(sender), reply("/sentgen/authorized", (int(self.token is not None),)))

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

    def net_hello_check(self, port, sender):
        """Keep-alive that survives an engine restart: a restarted engine answers pings but has
        forgotten its clients, so a surface asks whether it is still registered (and says hello if not)."""
        with self._cv:
            known = (sender[0], port) in self._clients
        # to the sender and to its reply port: Max's [udpsend] sends from a port nobody listens on
        self.send(list(dict.fromkeys([sender, (sender[0], port)])), reply("/sentgen/registered", (port, int(known))))

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

    def net_stats(self, _payload, sender):
        """What the engine has done since it started, and whether it is still looking ahead (diagnostics;
        the latency bench counts ready answers, and waits for the lookahead to finish before it measures)."""
        with self._cv:                  # a queued or running request makes lookahead work too
            ahead = self.lookahead and (self._ahead or self._busy or bool(self._queue) or self._ahead_job is not None
                                     or bool(self._ahead_building))
        values = [self.stats[k] for k in self.STATS[:-1]] + [int(ahead)]
        self.send([sender], reply("/sentgen/stats", values))

    def model_names(self) -> list[str]:
        found = {p.name[:-len(".safetensors")] for p in self.models_dir.glob("*.safetensors")
                 if not p.name.endswith(".traversal.safetensors") and p.with_suffix(".json").exists()}
        return [n for n in SHIPPED if n in found] + sorted(found - set(SHIPPED))

    def net_model_list(self, _payload, sender):
        names = self.model_names()
        self.send(self.answer_to(sender), reply("/sentgen/models", names))

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

    def _edit(self, pairs, sender, interrupt=None):
        outcome = self.session.set_attrs(pairs, interrupt)   # targets the clip has: method "unchanged", no model
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
            try:        # a newer move of this knob, come meanwhile, wins (as a coalesced one does)
                self._edit([(name, value)], sender, interrupt=lambda: self.superseded(name))
            except Interrupted:
                self.hand_over(name, sender)
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
        self.send(self.answer_to(sender), reply("/sentgen/exported", (str(path),)))

    def midi_learned(self, name: str, channel: int | None, cc: int):
        self.send(self.destinations(self._learn_sender),
                  reply("/sentgen/midi/learned", (name, 0 if channel is None else channel + 1, cc)))
