"""The one way this project writes a file atomically (session state, MIDI bindings, exports, models, caches).

`atomic_write(path, data)` writes `data` to a new temporary file in the same folder, then renames it over
`path`: a reader sees the old file or the new one, never half of one.  The temporary name is
unpredictable (`.NAME.<random>.tmp`) and created exclusively without following links
(O_CREAT | O_EXCL | O_NOFOLLOW), so a link planted in the folder is never written through; the rename
replaces a link at `path` itself, never its target.  When anything fails (a full disk, a file too
large) the temporary file is removed and the error raised: `path` is then as it was.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def write_all(fd: int, data: bytes):
    """os.write until every byte is written (a short write, e.g. on a nearly full disk, raises on the next)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def atomic_write(path, data: bytes | str) -> Path:
    """Replace `path` with `data` (str is written as UTF-8) atomically; the folder is created when missing."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(16):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            fd = os.open(tmp, _FLAGS, 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"cannot create a temporary file beside {path}")
    try:
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def atomic_write_text(path, text: str) -> Path:
    """atomic_write of a text (UTF-8)."""
    return atomic_write(path, text)
