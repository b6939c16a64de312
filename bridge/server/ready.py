"""Ready replies: while idle the worker looks ahead (Session.lookahead) and builds the four reply messages of
each one-knob edit of the current clip; the network thread answers a knob turn from them without running a
model (the step itself is queued as "do_commit").

Identity contract: the ready replies are kept per clip under id(snapshot) and found again only for that very
snapshot object (`entry["snap"] is snap`), the session's editor and its original (`is`): an id reused by another
object, an equal copy of the snapshot, another model or another original never finds them; the knob turn then
goes to the worker, which computes it (slower, same answer).  tests/bridge/test_identity_caches.py holds this.
"""
from __future__ import annotations

from engine.session import LOOKAHEAD_CHUNK, EditError, parse_targets

from bridge.server.lookahead_process import model_file
from bridge.server.replies import edit_replies

READY_CLIPS = 8                # recent clips whose ready knob replies are kept (undo/redo finds them again)


class Ready:
    """The ready replies (`_ready`: built by the worker, looked up by the network thread, under `_cv`)."""

    def _look_ahead(self) -> bool:
        """One idle step: encode the current clip, then (lookahead on) work out a chunk of knob edits
        and build their replies.  A request never waits for this step to end: `_request_waits` is
        asked before every small piece of it (a model stage, one reply), and the step gives way.
        With a lookahead process (the engine process: bridge/server/lookahead_process.py) the edits
        are worked out there instead, and this step only sends the next chunk and takes the answers.
        True: call again (work left that can be done now)."""
        try:
            self.session.prepare()
            if not self.lookahead:
                return False
            if self._request_waits():
                return True
            helper = self.lookahead_process
            model = model_file(self.session.editor) if helper is not None else None
            if model is None:
                more = self.session.lookahead(interrupt=self._request_waits)
            else:
                more = self._look_ahead_elsewhere(helper, model)
                with self._cv:
                    if self._ahead_building:      # the lookahead process builds those replies
                        return more
            return self._build_ready(interrupt=self._request_waits) or more
        except Exception:
            self._log_limited("lookahead_failed", "worker: looking ahead failed", exc_info=True)
            return False

    def _look_ahead_elsewhere(self, helper, model: str) -> bool:
        """Take the lookahead process's answers into the session, and send it the next chunk when none is
        out; False (its answer wakes the worker)."""
        with self._cv:
            answers, self._ahead_answers = self._ahead_answers, []
            out = self._ahead_job is not None
        for job, outcomes, built in answers:
            if built is None:
                self.session.lookahead_done(job, outcomes)
            else:
                self._file_ready(job, outcomes, built)
        if out:
            return False
        job = self.session.lookahead_job()
        if job is None:
            return False
        with self._cv:
            self._ahead_sent += 1
            self._ahead_job = (self._ahead_sent, job)
        if not helper.submit(self._ahead_sent, model, job):
            self._lookahead_answer(None, None, "the lookahead process does not take jobs")
        return False

    def _file_ready(self, job, outcomes, built):
        """File the steps and replies the lookahead process built for the edits of `job`, when its clip is still
        the current one (under the same model); else `_build_ready` builds them if that clip comes back."""
        s = self.session
        if not s.has_clip or job.snap is not s.current() or job.editor is not s.editor:
            return
        entry, original = self._ready_entry_of(job.snap), self.original_message()
        for key, outcome, built in zip(job.part, outcomes, built):
            if built is not None and key not in entry["answers"]:
                step, (clip, attrs, edit) = built
                step = s.keep_step(outcome, step)
                with self._cv:
                    entry["answers"][key] = (outcome, [clip, attrs, original, edit], step)

    def _lookahead_answer(self, job_id, outcomes, error):
        """From the lookahead process's reader thread: a job's outcomes (or an error), or None when the
        process has gone (the lookahead then runs in the worker, as without one)."""
        with self._cv:
            if job_id is None:
                self.lookahead_process = None
                self._ahead_building.clear()
            if self._ahead_job is None or (job_id is not None and self._ahead_job[0] != job_id):
                return
            job = self._ahead_job[1]
            self._ahead_job = None
            if outcomes is not None:
                self._ahead_answers.append((job, outcomes, None))
                self._ahead_building[job_id] = (job, outcomes)
            if outcomes is not None or job_id is None:
                self._ahead = True
                self._cv.notify()
        if error:
            self._log_limited("lookahead_failed", f"lookahead process: {error}")

    def _lookahead_built(self, job_id, built):
        """From the lookahead process's reader thread: the steps and replies of a job whose outcomes came."""
        with self._cv:
            waiting = self._ahead_building.pop(job_id, None)
            if waiting is not None:
                self._ahead_answers.append((*waiting, built))
                self._ahead = True
                self._cv.notify()

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
        entry = self._ready_entry_of(snap)
        todo = [(key, o) for key, o in table.items() if key not in entry["answers"] and o.tokens is not None]
        original = self.original_message()
        for key, outcome in todo[:limit]:
            if interrupt is not None and interrupt():
                return True
            clip, attrs, edit = edit_replies(*self.session.preview(outcome), outcome)
            messages = [clip, attrs, original, edit]
            step = self.session.step_of(outcome)            # the one preview made: apply appends it
            with self._cv:
                entry["answers"][key] = (outcome, messages, step)
        return len(todo) > limit

    def _ready_entry_of(self, snap) -> dict:
        """The ready replies of the current clip `snap` (made when missing; the most recently used)."""
        with self._cv:
            entry = self._ready_entry(snap)
            if entry is None:
                entry = {"snap": snap, "editor": self.session.editor, "original": self.session.original, "answers": {}}
                self._ready[id(snap)] = entry
                while len(self._ready) > READY_CLIPS:
                    self._ready.popitem(last=False)
            self._ready.move_to_end(id(snap))
        return entry

    def _ready_entry(self, snap) -> dict | None:
        """The ready replies of clip `snap`, if they were built for the session's model and original."""
        entry = self._ready.get(id(snap))
        if (entry is None or entry["snap"] is not snap or entry["editor"] is not self.session.editor
                or entry["original"] is not self.session.original):
            return None
        return entry
