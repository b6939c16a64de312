"""The worker's queue: requests in arrival order, knob moves coalesced (newest wins) between barriers, a bounded
queue that drops and answers with an error when full; the worker thread's loop, which looks ahead while idle.
"""
from __future__ import annotations

import gc
import time

from engine.clip import ClipError
from engine.session import EditError

from bridge.server.checks import RequestError

MAX_COALESCED_SENDERS = 64     # distinct senders answered for one coalesced knob move
QUEUE_LIMIT = 256
# Look ahead only after this long without requests: during a knob sweep or a flood the next request
# is usually already on its way, and a chunk started now would delay it.
LOOKAHEAD_PAUSE = 0.005


class Senders(tuple):
    """The senders of one coalesced knob move, latest last: each gets the answer of the move that won."""


class _Knob:
    """One pending knob move; newer values of the same attribute overwrite it until the worker takes it.
    The senders of the moves it replaced are kept (up to MAX_COALESCED_SENDERS), so each gets an answer."""
    __slots__ = ("name", "value", "sender", "midi", "count", "replaced")

    def __init__(self, name, value, sender, midi):
        self.name, self.value, self.sender, self.midi, self.count = name, value, sender, midi, 1
        self.replaced: dict = {}

    def replace(self, value, sender, midi):
        before = self.sender
        self.value, self.sender, self.midi = value, sender, midi
        self.replaced.pop(sender, None)
        self.inherit(before)
        self.count += 1

    def inherit(self, senders):
        """The senders of a move of the same knob given up for this one while it was being worked out."""
        for s in (senders if isinstance(senders, Senders) else (senders,)):
            if s != self.sender and len(self.replaced) < MAX_COALESCED_SENDERS:
                self.replaced[s] = None

    def senders(self):
        """Who gets the answer: the latest sender, or all of them (a Senders) when others were replaced."""
        return Senders((*self.replaced, self.sender)) if self.replaced else self.sender


class Work:
    """The queue and the coalesced knobs (shared, under `_cv`), and the worker thread's loop."""

    def idle(self) -> bool:
        """True when nothing is queued or running (tests and benchmarks wait for it)."""
        with self._cv:
            return not (self._queue or self._busy)

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

    def superseded(self, name: str) -> bool:
        """True when a newer move of knob `name` waits with only knob moves before it: the move of it being
        worked out may be given up for that one (newest wins; not across a clip load or another request)."""
        newer = self._open_knobs.get(name)
        if newer is None:
            return False
        with self._cv:
            for kind, _, payload, _ in self._queue:
                if payload is newer:
                    return True
                if kind != "knob":
                    return False
        return False

    def hand_over(self, name: str, sender):
        """A knob move given up while it was being worked out, for a newer move of the same knob that came
        meanwhile (do_knob's interrupt): its senders hear the newer one's answer, as a coalesced move's do."""
        with self._cv:
            newer = self._open_knobs.get(name) or next(
                p for kind, _, p, _ in reversed(self._queue) if kind == "knob" and p.name == name)
            newer.inherit(sender)
            self.stats["coalesced"] += 1

    def knob_pending(self, name: str) -> bool:
        with self._cv:
            return name in self._open_knobs

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
                self._compact_state()
                ahead = self._look_ahead()
                with self._cv:        # (an answer of the lookahead process that came meanwhile: ahead again)
                    self._ahead = ahead or bool(self._ahead_answers)
                    finished = not self._ahead and self._ahead_job is None and not self._ahead_building
                if finished and self.freeze_gc:
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

    def _request_waits(self) -> bool:
        """Asked by the lookahead between its pieces of work: True (and counted) when a request is queued."""
        if not self._queue:
            return False
        self.stats["lookahead_yielded"] += 1
        return True

    def midi_knob(self, name: str, value: float):
        self.submit_knob(name, value, None, midi=True)
