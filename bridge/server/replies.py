"""The engine's reply messages, encoded with the types of the protocol table (bridge/protocol.py REPLY), and the
path of a change: recorded in the state file, published to the MIDI side, then sent to the surfaces.

Identity contract: `state_messages` keeps the last (snapshot, original, messages) and reuses the messages only
for those very objects (`is`); an equal copy rebuilds them (same bytes).
"""
from __future__ import annotations

import logging

from engine.clip import flat_from_notes

from bridge import protocol
from bridge.protocol import reply

PROTOCOL_VERSION = protocol.VERSION
log = logging.getLogger("sentgen.engine")
STATE_ADDRESS = "/sentgen/state"     # the address /sentgen/error names when the session cannot be saved


def attrs_reply(rows) -> bytes:
    """/sentgen/attrs: per knob name, index, label, normalised value (Session.attr_rows)."""
    return reply("/sentgen/attrs", [v for r in rows for v in r])


def edit_reply(exact: bool, method: str, reason: str, changed=()) -> bytes:
    """/sentgen/edit exact method reason, then (protocol 2) the names of the knobs it also changed."""
    return reply("/sentgen/edit", (int(bool(exact)), method, reason, *changed))


def edit_replies(notes, rows, outcome) -> tuple[bytes, bytes, bytes]:
    """The clip, attrs and edit messages of an edit's reply (the original's goes between attrs and edit), from
    the notes and attribute rows of its step: the ready replies' (built by the worker, or by the lookahead
    process)."""
    return (reply("/sentgen/clip", flat_from_notes(notes)), attrs_reply(rows),
            edit_reply(outcome.exact, outcome.method, outcome.reason, outcome.changed))


class Replies:
    """Reply messages, and the change path (_save, _publish, reply_state)."""

    @staticmethod
    def notes_message(address, notes) -> bytes:
        return reply(address, flat_from_notes(notes))

    def clip_message(self, notes=None) -> bytes:
        return self.notes_message("/sentgen/clip", self.session.notes() if notes is None else notes)

    def attrs_message(self, rows=None) -> bytes:
        return attrs_reply(self.session.attr_rows() if rows is None else rows)

    def original_message(self) -> bytes:
        return self.notes_message("/sentgen/original", self.session.original)

    def knobs_message(self) -> bytes:
        """/sentgen/knobs (protocol 2): per knob of the current model, in order, name title kind count
        and its count labels."""
        tags, values = [], []
        for k in self.session.schema.knobs:
            tags.append("sssi" + "s" * k.count)
            values += [k.name, k.title, k.kind, k.count, *k.labels]
        return reply("/sentgen/knobs", values, "".join(tags))

    def state_messages(self, rows=None, notes=None) -> list[bytes]:
        """clip, attrs, original; built once per (snapshot, original) and reused (undo/redo, repeats)."""
        key = (self.session.current() if self.session.has_clip else None, self.session.original)
        if self._state_memo is not None and self._state_memo[0] is key[0] and self._state_memo[1] is key[1]:
            return list(self._state_memo[2])
        msgs = [self.clip_message(notes), self.attrs_message(rows), self.original_message()]
        self._state_memo = (*key, msgs)
        return list(msgs)

    def pong_message(self) -> bytes:
        return reply("/sentgen/pong", (PROTOCOL_VERSION, self.session.editor.name, self.device_name))

    @property
    def device_name(self) -> str:
        dev = getattr(self.session.editor.model, "device", None)
        return str(dev) if dev is not None else "cpu"

    edit_message = staticmethod(edit_reply)

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
            self.state_file.record(self.session.state(step))
        except OSError as e:
            self.unsaved = e.strerror or str(e)
            self._log_limited("save", f"cannot write the session file {self.state_file.path}: {e}")
            return [self.unsaved_message()]
        if self.unsaved is not None:
            log.warning("the session is saved again in %s", self.state_file.path)
            self.unsaved = None
        return []

    def _compact_state(self):
        """While idle (the worker, before looking ahead): rewrite the state file in full when its journal is
        long (StateFile.compact_due), so that no reply waits for a full rewrite (1-5 ms).  Under `_cv`: a
        ready knob turn's journal line (the network thread) waits for it meanwhile."""
        state_file = self.state_file
        if state_file is None or not state_file.compact_due():
            return
        with self._cv:
            try:
                state_file.compact()
            except OSError as e:          # the journal holds every change still; the next change retries in full
                self._log_limited("save", f"cannot rewrite the session file {state_file.path}: {e}")

    def unsaved_message(self) -> bytes:
        self.stats["errors"] += 1
        return reply("/sentgen/error", (STATE_ADDRESS, (
            f"the session could not be saved ({self.unsaved}: {self.state_file.path.parent}): this change and "
            f"any after it are kept in memory only, and will be lost if the engine is killed or crashes; "
            f"saving is retried in full at every change")))

    def reply_state(self, sender, *extra: bytes):
        """After a change: record and publish it, then send the state (and extra messages) to the surfaces."""
        unsaved = self._save()
        rows, notes = self.session.attr_rows(), self.session.notes()
        self._publish(rows, notes)
        self.send(self.destinations(sender), *self.state_messages(rows, notes), *extra, *unsaved)
