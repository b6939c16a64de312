"""The lookahead process: the engine process's lookahead edits (Editor.edit_many) worked out in a child process at
a lower CPU priority, so that no request ever waits for them.

Why a process: in the engine's own worker thread, the lookahead's model work holds the interpreter (the GIL)
between its numpy calls; when the kernel preempts that thread (another process wants the core), the network
thread cannot even read a request until it runs again: a turn 20 ms after a load waited 5-50 ms on a loaded
2-core machine although every piece of the lookahead was interruptible.  Here the engine only hands over a chunk
(the clip, its attributes and code, the targets) and takes back each edit's outcome, its history step and its
reply messages, made here as the worker would make them (Session.step_of, bridge.server.replies.edit_replies);
the worker only files them (bridge/server/ready.py), instead of about 0.1 ms of Python per reply (73 per
dMelodies clip) while a turn may come.

The child loads the same model file with the same loader (bridge.server.handlers.load_editor), on the same
device and thread count, at a lower priority (LOOKAHEAD_NICE more than the engine's).  The pipe carries one JSON line
per job and per answer (no pickle): {"id", "model", "device", "tokens", "velocities", "mutes", "a0", "z0",
"targets": [[[k, v], ...], ...]} -> {"id", "outcomes": [{"tokens", "exact", "attrs", "reason", "candidates",
"method", "changed"}, ...]} or {"id", "error"}, and later {"id", "built": [[step tokens, velocities, mutes,
[clip, attrs, edit messages as base64]] or null, ...]}: the child answers every waiting job's edits before it
builds any replies, so the outcomes (which a knob turn finds in the session's table) come as early as they can.  The child exits when its stdin closes (the engine stopped, or was killed).
"""
from __future__ import annotations

import base64
import collections
import json
import logging
import os
import select
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from engine.session import EditOutcome, Snapshot, _attr_rows, deadline_in, next_step

from bridge.server.replies import edit_replies

log = logging.getLogger("sentgen.engine")
LOOKAHEAD_NICE = 10            # the child runs this much nicer than the engine, whose threads take a core from it at once
_ROOT = Path(__file__).resolve().parent.parent.parent     # where `bridge` is imported from (for the child)
_EDITORS_KEPT = 2              # models the child keeps loaded (a switch back and forth loads nothing)


def model_file(editor) -> str | None:
    """The file the child loads for this editor (its model's path), or None (a stand-in: look ahead in-process)."""
    path = getattr(getattr(editor, "model", None), "path", None)
    return str(path) if path else None


class LookaheadProcess:
    """The engine's side: start the child, send it jobs; from a reader thread, hand each job's outcomes to
    `on_answer(job_id, outcomes, error)` (outcomes None with an error; job_id None when the child has gone), and
    later its steps and replies to `on_built(job_id, [(Snapshot, [clip, attrs, edit messages]) or None, ...])`."""

    def __init__(self, on_answer, on_built, device: str | None = None, threads: int = 1, nice: int = LOOKAHEAD_NICE):
        self.device = device
        self._on_answer, self._on_built = on_answer, on_built
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")])))
        for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
            env[var] = str(threads)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bridge.server.lookahead_process", str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=str(_ROOT))
        if nice and hasattr(os, "setpriority"):           # (Windows: the child runs at normal priority)
            try:
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, os.getpriority(os.PRIO_PROCESS, 0) + nice)
            except OSError as e:
                log.warning("cannot lower the lookahead process's priority: %s", e)
        self._lock = threading.Lock()
        self._closing = False
        self._reader = threading.Thread(target=self._read, name="sentgen-lookahead-reader", daemon=True)
        self._reader.start()

    def submit(self, job_id: int, model: str, job) -> bool:
        """Send one job (a Session.lookahead_job); False when the child is gone."""
        line = json.dumps({"id": job_id, "model": model, "device": self.device,
                           "tokens": np.asarray(job.tokens).tolist(), "velocities": job.snap.velocities,
                           "mutes": job.snap.mutes, "a0": np.asarray(job.a0).tolist(),
                           "z0": np.asarray(job.z0, np.float32).tolist(),
                           "targets": [sorted(t.items()) for t in job.targets], "budget_s": job.budget_s},
                          separators=(",", ":"))
        try:
            with self._lock:
                self.proc.stdin.write(line.encode() + b"\n")
                self.proc.stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    def _read(self):
        for line in self.proc.stdout:
            try:
                answer = json.loads(line)
                if "built" in answer:
                    self._on_built(answer["id"], [_built(b) for b in answer["built"]])
                else:
                    outcomes = None if "error" in answer else [_outcome(o) for o in answer["outcomes"]]
                    self._on_answer(answer["id"], outcomes, answer.get("error"))
            except Exception as e:        # noqa: BLE001 - a bad answer is one failed job, never the reader's end
                log.warning("lookahead process: bad answer (%s: %s)", type(e).__name__, e)
        code = self.proc.wait()
        if not self._closing:                        # (closed by the engine: nothing to say)
            self._on_answer(None, None, f"the lookahead process exited (code {code})")

    def close(self, timeout: float = 2.0):
        self._closing = True
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout)


def _outcome(d: dict) -> EditOutcome:
    tokens = None if d["tokens"] is None else np.asarray(d["tokens"], np.int64)
    attrs = None if d["attrs"] is None else np.asarray(d["attrs"], np.int64)
    return EditOutcome(tokens, bool(d["exact"]), attrs, str(d["reason"]), int(d["candidates"]), str(d["method"]),
                       tuple(d["changed"]), bool(d["out_of_time"]))


def _built(b) -> tuple | None:
    """(step Snapshot, [clip, attrs, edit messages]) of one outcome, or None (a refused edit)."""
    if b is None:
        return None
    tokens, velocities, mutes, replies = b
    return Snapshot(tokens, velocities, mutes), [base64.b64decode(m) for m in replies]


def _encoded(o: EditOutcome) -> dict:
    return {"tokens": None if o.tokens is None else np.asarray(o.tokens).tolist(), "exact": bool(o.exact),
            "attrs": None if o.attrs is None else np.asarray(o.attrs).tolist(), "reason": o.reason,
            "candidates": int(o.candidates), "method": o.method, "changed": list(o.changed), "out_of_time": o.out_of_time}


def _building(o: EditOutcome, clip: Snapshot, schema) -> list | None:
    """An outcome's step (tokens, velocities, mutes) and reply messages (base64), made as the worker makes them
    (Session.step_of, preview; bridge.server.replies.edit_replies); None when it has no result."""
    if o.tokens is None:
        return None
    step = next_step(clip, o)
    notes = schema.tokens_to_notes(*step.as_arrays())
    return [step.tokens, step.velocities, step.mutes,
            [base64.b64encode(m).decode("ascii") for m in edit_replies(notes, _attr_rows(schema, o.attrs), o)]]


class _Input:
    """stdin's lines, and whether one is waiting (so that replies are built only while no job waits)."""

    def __init__(self, fd: int):
        self.fd, self.buf, self.eof = fd, b"", False

    def waiting(self) -> bool:
        if b"\n" in self.buf or self.eof or os.name == "nt":        # (Windows: select() takes no pipes)
            return True
        return bool(select.select([self.fd], [], [], 0)[0])

    def line(self) -> bytes | None:
        while b"\n" not in self.buf and not self.eof:
            chunk = os.read(self.fd, 1 << 16)
            self.eof = not chunk
            self.buf += chunk
        if b"\n" not in self.buf:
            return None
        line, self.buf = self.buf.split(b"\n", 1)
        return line


def main(argv=None) -> int:
    """The child: answer jobs from stdin until it closes."""
    threads = int((argv or sys.argv[1:2])[0])
    import torch
    torch.set_num_threads(threads)
    from bridge.server.handlers import load_editor
    editors: dict = {}
    out = sys.stdout.buffer

    def send(answer):
        out.write(json.dumps(answer, separators=(",", ":")).encode() + b"\n")
        out.flush()
    stdin = _Input(sys.stdin.fileno())
    builds: collections.deque = collections.deque()
    while True:
        if builds and not stdin.waiting():            # the edits of every waiting job first, then the replies
            job_id, outcomes, clip, schema = builds.popleft()
            send({"id": job_id, "built": [_building(o, clip, schema) for o in outcomes]})
            continue
        line = stdin.line()
        if line is None:
            break
        if not line.strip():
            continue
        job_id = None
        try:
            job = json.loads(line)
            job_id = job["id"]
            key = (job["model"], job["device"])
            editor = editors.pop(key, None) or load_editor(Path(job["model"]), job["device"])
            editors[key] = editor                         # the most recently used last
            while len(editors) > _EDITORS_KEPT:
                editors.pop(next(iter(editors)))
            outcomes = editor.edit_many(np.asarray(job["tokens"], np.int64),
                                        [{int(k): int(v) for k, v in t} for t in job["targets"]],
                                        a0=np.asarray(job["a0"], np.int64), z0=np.asarray(job["z0"], np.float32),
                                        deadline=deadline_in(job.get("budget_s")))
            answer = {"id": job_id, "outcomes": [_encoded(o) for o in outcomes]}
            builds.append((job_id, outcomes, Snapshot(job["tokens"], job["velocities"], job["mutes"]), editor.schema))
        except Exception as e:            # noqa: BLE001 - one failed job is answered, the child goes on
            answer = {"id": job_id, "error": f"{type(e).__name__}: {e}"}
        send(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
