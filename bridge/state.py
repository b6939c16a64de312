"""The engine's session file: restored at start, written after every change.

The file is exactly `Session.to_dict()` as JSON (readable by
`Session.read_state` + `Session.restore`).  Writing a 256-step history with
json.dumps costs about a millisecond, too much for every knob move, so each
history snapshot's JSON text is cached (snapshots never change once made)
and only the new ones are encoded; the file is written atomically (temporary
file + rename), so a kill -9 at any moment leaves either the old or the new
state, never a broken one.  The engine writes from a `Writer` thread: the
rename alone can take a millisecond on some file systems, and the worker
should not wait for it; when changes come faster than the disk, only the
newest state is written.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

from engine.models import atomic_write_text
from engine.session import Session

log = logging.getLogger("sentgen.engine")
_COMPACT = (",", ":")


class StateFile:
    def __init__(self, path):
        self.path = Path(path)
        self._cache: dict[int, tuple[dict, str]] = {}

    def encode(self, data: dict) -> str:
        """JSON of a Session.to_dict() (not changed; the history's snapshot texts are cached)."""
        d = dict(data)
        history = d.pop("history")
        cache, parts = {}, []
        for snap in history:
            hit = self._cache.get(id(snap))
            if hit is None or hit[0] is not snap:
                hit = (snap, json.dumps(snap, separators=_COMPACT))
            cache[id(snap)] = hit
            parts.append(hit[1])
        self._cache = cache
        head = json.dumps(d, separators=_COMPACT)
        return head[:-1] + ("," if d else "") + '"history":[' + ",".join(parts) + "]}"

    def save(self, session: Session):
        self.write(self.encode(session.to_dict()))

    def write(self, text: str):
        atomic_write_text(self.path, text)

    def read(self) -> dict | None:
        """The saved state, or None (a missing file is normal; a corrupt one is logged and set aside)."""
        if not self.path.exists():
            return None
        data = Session.read_state(self.path)
        if not isinstance(data, dict):
            self._set_aside("not readable as JSON")
            return None
        return data

    def restore(self, session: Session, data: dict) -> bool:
        """Take over a saved state; a state that does not validate is logged, set aside and ignored."""
        try:
            session.restore(data)
            return True
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            self._set_aside(f"not a valid session ({type(e).__name__}: {e})")
            return False

    def _set_aside(self, why: str):
        aside = self.path.with_name(f"{self.path.stem}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}.json")
        try:
            os.replace(self.path, aside)
            log.warning("saved session %s is %s; kept as %s, starting with an empty session", self.path, why, aside)
        except OSError:
            log.warning("saved session %s is %s; ignored", self.path, why)


class Writer:
    """A thread that writes the newest submitted state to a StateFile (older pending ones are skipped)."""

    def __init__(self, state_file: StateFile):
        self.state_file = state_file
        self._cv = threading.Condition()
        self._pending: dict | None = None
        self._writing = False
        self._running = True
        self.written = 0
        self._thread = threading.Thread(target=self._loop, name="sentgen-state", daemon=True)
        self._thread.start()

    def submit(self, data: dict):
        with self._cv:
            self._pending = data
            self._cv.notify()

    @property
    def busy(self) -> bool:
        with self._cv:
            return self._pending is not None or self._writing

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything submitted is on disk."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._pending is not None or self._writing:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(left)
        return True

    def close(self, timeout: float = 5.0):
        self.flush(timeout)
        with self._cv:
            self._running = False
            self._cv.notify_all()
        self._thread.join(timeout)

    def _loop(self):
        while True:
            with self._cv:
                while self._running and self._pending is None:
                    self._cv.wait()
                if self._pending is None:
                    return
                data, self._pending, self._writing = self._pending, None, True
            try:
                self.state_file.write(self.state_file.encode(data))
                self.written += 1
            except OSError as e:
                log.warning("cannot write the session file %s: %s", self.state_file.path, e)
            finally:
                with self._cv:
                    self._writing = False
                    self._cv.notify_all()
