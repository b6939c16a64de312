"""The engine's session state: restored at start, recorded after every change.

Two files in the state folder:
- `session.json`: `Session.to_dict()` as JSON plus `"journal": <generation>`,
  written atomically (temporary file + rename);
- `session.journal`: one JSON line per change since that file was written,
  each tagged with its generation.

The engine's worker records each change itself, before it replies (a knob
turn answered from ready replies: right after them), so nothing is left to
do after a reply.  Rewriting the whole file on every knob turn cost about
0.3 ms (mostly creating and renaming the file); a change is instead one
appended line (tens of microseconds): how many history steps to drop from the front
and keep, the new steps, and the other fields that changed.  Every
COMPACT_EVERY lines, and when the engine stops, the full file is rewritten
under a new generation and the journal truncated; lines of an older
generation are ignored, so a crash between the two steps loses nothing.
A kill -9 can cut only the last line short, and replay stops there: the
state is then the one before that change.  The history's snapshot texts are
cached (snapshots never change once made), so a full write encodes only
the new ones.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import time
from pathlib import Path

from engine.models import atomic_write_text
from engine.session import Session

log = logging.getLogger("sentgen.engine")
_COMPACT = (",", ":")
COMPACT_EVERY = 256


class StateFile:
    def __init__(self, path):
        self.path = Path(path)
        self.journal_path = self.path.with_suffix(".journal")
        self._cache: dict[int, tuple[dict, str]] = {}
        self._last: dict | None = None          # the state the files hold now (None: write in full next)
        self._generation = ""
        self._lines = 0
        self._fd: int | None = None

    # --- writing -----------------------------------------------------------------------
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
        """The whole state, now, and the journal closed (the engine's last word when it stops)."""
        self.write_full(session.to_dict())
        self.close()
        self._last = None

    def record(self, data: dict):
        """A new state (Session.to_dict()): one journal line, or the full file when it is due."""
        delta = None if self._last is None or self._lines >= COMPACT_EVERY else _delta(self._last, data)
        if delta is None:
            self.write_full(data)
            return
        if not delta:
            return                                   # nothing changed (an edit that found the clip already there)
        line = json.dumps({"journal": self._generation, **delta}, separators=_COMPACT) + "\n"
        os.write(self._fd, line.encode("utf-8"))
        self._lines += 1
        self._last = data

    def write_full(self, data: dict):
        generation = secrets.token_hex(6)
        self._last = None                        # until both steps are done
        atomic_write_text(self.path, self.encode({**data, "journal": generation}))
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        self.close()
        self._fd, self._generation, self._lines, self._last = fd, generation, 0, data

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # --- reading -----------------------------------------------------------------------
    def read(self) -> dict | None:
        """The saved state with its journal replayed, or None (a missing file is normal; a corrupt
        one is logged and set aside)."""
        if not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if not isinstance(data, dict):
            self._set_aside("not readable as JSON")
            return None
        generation = data.pop("journal", None)
        if generation and self.journal_path.exists():
            self._replay(data, generation)
        return data

    def _replay(self, data: dict, generation: str):
        try:
            lines = self.journal_path.read_bytes().split(b"\n")
        except OSError as e:
            log.warning("cannot read the session journal %s: %s", self.journal_path, e)
            return
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if rec.get("journal") != generation:
                    continue                     # written before the last full file: already in it
                history = data.get("history", [])
                history = history[rec["drop"]:][:rec["keep"]] + list(rec["add"])
                data.update({k: v for k, v in rec.items() if k not in ("journal", "drop", "keep", "add")})
                data["history"] = history
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                log.warning("session journal %s: line %d is unreadable (%s); the changes before it are kept",
                            self.journal_path, n, e)
                return

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


def _delta(old: dict, new: dict) -> dict | None:
    """What turns state `old` into `new` (both Session.to_dict()): {} when nothing changed, None when a
    full write is simpler.

    Snapshots are shared between the two by identity: the new history is some steps of the old one
    (after dropping `drop` from the front, `keep` of them) followed by new steps."""
    was, now = old["history"], new["history"]
    if now:
        drop = next((i for i, snap in enumerate(was) if snap is now[0]), None)
        if drop is None:
            return None
    else:
        drop = len(was)
    keep = 0
    while keep < len(now) and drop + keep < len(was) and now[keep] is was[drop + keep]:
        keep += 1
    changed = {k: v for k, v in new.items() if k != "history" and old.get(k) != v}
    if drop == 0 and keep == len(was) == len(now) and not changed:
        return {}
    return {"drop": drop, "keep": keep, "add": now[keep:], **changed}
