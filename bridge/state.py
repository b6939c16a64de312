"""The engine's session state: restored at start, recorded after every change.

Two files in the state folder:
- `session.json`: `Session.to_dict()` as JSON plus `"journal": <generation>`,
  written atomically (temporary file + rename);
- `session.journal`: one JSON line per change since that file was written,
  each tagged with its generation.

Each change is recorded before anyone is told of it (the worker before its
reply; a knob turn answered from ready replies by the network thread, before
it sends them), so a reply means the change is in the OS's hands: a kill -9
after it loses nothing, and nothing is left to do after a reply.  Rewriting
the whole file on every knob turn cost about
0.3 ms (mostly creating and renaming the file); a change is instead one
appended line (tens of microseconds): how many history steps to drop from the front
and keep, the new steps, and the other fields that changed; its work grows
with the change, not with the history (see _delta).  Once the journal has
COMPACT_EVERY lines the engine rewrites the full file when idle (compact),
and when it stops; record() does only at COMPACT_LIMIT lines (an engine that
is never idle), so no reply waits for a full rewrite.  The full file gets a new
generation and the journal is truncated; lines of an older
generation are ignored, so a crash between the two steps loses nothing.
A kill -9 can cut only the last line short (a change not yet answered), and
replay stops there: the state is then the one before that change.  The
history's snapshot texts are cached (snapshots never change once made), so a
full write encodes only the new ones.

Reading validates: a session.json that does not validate is set aside whole
(with its journal); the journal is replayed line by line, each line checked
(its steps, drop/keep, position, bpm, original), and replay stops at the
first line that does not validate: every change before it is kept, the log
says which line, and the journal is copied aside whole before anything
rewrites it.  When a write fails (a full disk), the error is raised for the
engine to report, no temporary file is left, and the next change rewrites the
whole file (so nothing is lost once space returns).
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import time
from pathlib import Path

from engine.files import atomic_write, write_all
from engine.session import Session, Snapshot, check_saved_fields

log = logging.getLogger("sentgen.engine")
_COMPACT = (",", ":")
COMPACT_EVERY = 256            # journal lines after which the engine rewrites the full file when idle (compact)
COMPACT_LIMIT = 4 * COMPACT_EVERY    # record() rewrites it itself beyond this (an engine that is never idle)


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
        """JSON of a Session.to_dict() or Session.state() (not changed; the history's snapshot texts are cached)."""
        d = dict(data)
        history = d.pop("history")
        cache, parts = {}, []
        for snap in history:
            hit = self._cache.get(id(snap))
            if hit is None or hit[0] is not snap:
                hit = (snap, json.dumps(_plain(snap), separators=_COMPACT))
            cache[id(snap)] = hit
            parts.append(hit[1])
        self._cache = cache
        head = json.dumps(d, separators=_COMPACT)
        return head[:-1] + ("," if d else "") + '"history":[' + ",".join(parts) + "]}"

    def save(self, session: Session):
        """The whole state, now, and the journal closed (the engine's last word when it stops)."""
        self.write_full(session.state())
        self.close()
        self._last = None

    def record(self, data: dict):
        """A new state (Session.state() or Session.to_dict(), not changed afterwards): one journal line, whose
        work grows with the change, not with the history (see _delta); the full file when there is no
        journal to append to, or it has COMPACT_LIMIT lines (else the engine compacts when idle)."""
        delta = None if self._last is None or self._lines >= COMPACT_LIMIT else _delta(self._last, data)
        if delta is None:
            self.write_full(data)
            return
        if not delta:
            return                                   # nothing changed (an edit that found the clip already there)
        line = json.dumps({"journal": self._generation, **delta}, separators=_COMPACT) + "\n"
        try:
            write_all(self._fd, line.encode("utf-8"))
        except OSError:
            self._last = None                    # the journal may end in a cut line: rewrite it all next time
            raise
        self._lines += 1
        self._last = data

    def compact_due(self) -> bool:
        """True when the journal has COMPACT_EVERY lines: time to `compact` (the engine does when idle, so no
        reply waits for a full rewrite)."""
        return self._last is not None and self._lines >= COMPACT_EVERY

    def compact(self):
        """Rewrite the full file with what the journal holds (under a new generation) and empty the journal;
        raises OSError as write_full (the journal then stays as it was, and nothing is lost)."""
        if self._last is not None:
            self.write_full(self._last)

    def write_full(self, data: dict):
        """session.json under a new generation, then an empty journal (both with engine.files.atomic_write);
        raises OSError when either cannot be written (the next record() tries again in full)."""
        generation = secrets.token_hex(6)
        self._last = None                        # until both steps are done
        self.close()
        atomic_write(self.path, self.encode({**data, "journal": generation}))
        atomic_write(self.journal_path, b"")
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | _NOFOLLOW)
        self._fd, self._generation, self._lines, self._last = fd, generation, 0, data

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # --- reading -----------------------------------------------------------------------
    def read(self) -> dict | None:
        """The saved state with its journal replayed (validated: see the module's doc), or None (a missing
        file is normal; one that cannot be read or does not validate is logged and set aside)."""
        if not self.path.exists():
            try:
                orphan = self.journal_path.read_bytes()
            except OSError:
                orphan = b""
            if orphan.strip():
                aside = self._keep_aside(self.journal_path, orphan, ".journal")
                log.warning("session journal %s without its session file %s: ignored%s", self.journal_path,
                            self.path, f"; kept as {aside}" if aside else "")
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if not isinstance(data, dict):
            self._set_aside("not readable as JSON")
            return None
        generation = data.pop("journal", None)
        try:
            history = [Snapshot.saved(s, data.get("schema")) for s in data["history"]]   # absent: dmelodies
            check_saved_fields(data, len(history))
        except _INVALID as e:
            self._set_aside(f"not a valid session ({_why(e)})")
            return None
        self._replay(data, generation)
        return data

    def _replay(self, data: dict, generation):
        """Apply the journal's lines of this generation to `data`, each validated, up to the first that is not."""
        try:
            text = self.journal_path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as e:
            aside = self._aside_name(".journal")
            try:
                os.replace(self.journal_path, aside)        # not rewritten unread
            except OSError:
                aside = None
            log.warning("cannot read the session journal %s: %s; restoring %s without it%s", self.journal_path, e,
                        self.path, f" (moved aside as {aside})" if aside else "")
            return
        lines = text.split(b"\n")
        applied = other = 0
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise TypeError("not a JSON object")
                if generation is None or rec.get("journal") != generation:
                    other += 1                   # written before the last full file: already in it
                    continue
                history = data["history"]
                drop, keep, add = rec["drop"], rec["keep"], rec["add"]
                if type(drop) is not int or type(keep) is not int or not (
                        0 <= drop <= len(history) and 0 <= keep <= len(history) - drop):
                    raise ValueError(f"drop {drop!r} keep {keep!r} do not fit a history of {len(history)} step(s)")
                if not isinstance(add, list):
                    raise TypeError("add is not a list")
                for step in add:
                    Snapshot.saved(step, rec.get("schema", data.get("schema")))   # a switch to another family
                history = history[drop:drop + keep] + add
                fields = {k: v for k, v in rec.items() if k not in ("journal", "drop", "keep", "add")}
                check_saved_fields({"position": data["position"], **fields}, len(history))
            except _INVALID as e:
                if n == len(lines) and isinstance(e, json.JSONDecodeError):
                    # the last line, without its newline, not JSON: cut short by a kill during its write
                    log.warning("session journal %s: its last line (%d) was cut short (the engine was killed while "
                                "writing it); restored the %d change(s) before it", self.journal_path, n, applied)
                    break
                aside = self._keep_aside(self.journal_path, text, ".journal")
                log.warning("session journal %s: line %d does not validate (%s); restored the %d change(s) before it "
                            "and stopped there; %s", self.journal_path, n, _why(e), applied,
                            f"the journal is kept whole as {aside}" if aside else
                            "the journal could not be copied aside")
                break
            data.update(fields)
            data["history"] = history
            applied += 1
        if other:
            log.warning("session journal %s: %d line(s) not of the generation of %s (%s) skipped (lines written "
                        "before that file was last rewritten are in it already)", self.journal_path, other,
                        self.path, generation)

    def restore(self, session: Session, data: dict) -> bool:
        """Take over a saved state; a state that does not validate is logged, set aside and ignored."""
        try:
            session.restore(data)
            return True
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            self._set_aside(f"not a valid session ({type(e).__name__}: {e})")
            return False

    def _aside_name(self, suffix: str) -> Path:
        return self.path.with_name(f"{self.path.stem}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}{suffix}")

    def _set_aside(self, why: str):
        """Move session.json (and its journal) aside: they are kept whole, and the engine starts empty."""
        aside = self._aside_name(".json")
        try:
            os.replace(self.path, aside)
            log.warning("saved session %s is %s; kept as %s, starting with an empty session", self.path, why, aside)
        except OSError:
            log.warning("saved session %s is %s; ignored, starting with an empty session", self.path, why)
        try:
            os.replace(self.journal_path, self._aside_name(".journal"))
        except FileNotFoundError:
            pass
        except OSError as e:
            log.warning("cannot move the session journal %s aside: %s", self.journal_path, e)

    def _keep_aside(self, path: Path, content: bytes, suffix: str) -> Path | None:
        """A copy of `content` (the file `path` as read) beside the session file, before anything rewrites it."""
        aside = self._aside_name(suffix)
        try:
            return atomic_write(aside, content)
        except OSError as e:
            log.warning("cannot keep %s aside as %s: %s", path, aside, e)
            return None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
# what a saved state or journal line that does not validate raises (json.JSONDecodeError is a ValueError)
_INVALID = (ValueError, KeyError, TypeError, AttributeError, IndexError)


def _why(e: Exception) -> str:
    return f"field {e} missing" if isinstance(e, KeyError) else f"{type(e).__name__}: {e}"


def _plain(snap) -> dict:
    """A history step as saved: a Snapshot's __dict__ (Session.state()), or the dict itself (Session.to_dict())."""
    return snap.__dict__ if isinstance(snap, Snapshot) else snap


def _delta(old: dict, new: dict) -> dict | None:
    """What turns state `old` into `new` (both Session.state() or Session.to_dict()): {} when nothing changed,
    None when a full write is simpler.

    The new history is some steps of the old one (after dropping `drop` from the front, `keep` of them)
    followed by new steps.  The session makes every new history as a slice of the old one plus new steps,
    so the steps are found by identity at the ends of the shared run: the first new step among the first
    old ones, then the last shared step: a few `is` checks whatever the history's length, and one C-level
    pass that checks the run between them by identity (the Python work grows with the change only).  When
    identity finds no such run (equal copies of the steps, from a
    caller that copies them), the steps are compared by equality, one by one (slower, the same line:
    the replay rebuilds the history by value, so equal is all it needs)."""
    was, now = old["history"], new["history"]
    drop = keep = None
    if now:
        drop = next((i for i, snap in enumerate(was) if snap is now[0]), None)
        if drop is not None:
            keep = min(len(now), len(was) - drop)
            while keep and now[keep - 1] is not was[drop + keep - 1]:
                keep -= 1
            if was[drop:drop + keep] != now[:keep]:      # (a C-level pass, identity first: about 1 us for 256 steps)
                drop = None
        if drop is None:                         # no run of steps in common by identity: by equality
            first = _plain(now[0])
            drop = next((i for i, snap in enumerate(was) if _plain(snap) == first), None)
            if drop is None:
                return None
            keep = 0
            while keep < len(now) and drop + keep < len(was) and _plain(now[keep]) == _plain(was[drop + keep]):
                keep += 1
    else:
        drop, keep = len(was), 0
    changed = {k: v for k, v in new.items() if k != "history" and old.get(k) != v}
    if drop == 0 and keep == len(was) == len(now) and not changed:
        return {}
    return {"drop": drop, "keep": keep, "add": [_plain(s) for s in now[keep:]], **changed}
