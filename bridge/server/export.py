"""Where /sentgen/export/midi writes (its handler, do_export, is in bridge/server/handlers.py)."""
from __future__ import annotations

import re
import time
from pathlib import Path

from bridge.server.checks import RequestError


def safe_export_name(name: str | None) -> str:
    """A file name that stays inside the export folder: no separators, no leading dots, .mid suffix."""
    if not name:
        name = time.strftime("sentgen-%Y%m%d-%H%M%S")
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^A-Za-z0-9 ._()-]", "_", base).strip(" .")
    if base.lower().endswith(".mid"):
        base = base[:-4].rstrip(" .")
    base = base[:64] or "clip"
    return base + ".mid"


class Export:
    """The export folder."""

    def export_folder(self) -> Path:
        """Where exports go, created when missing: the --export-dir the user chose, taken as it is, else
        <state dir>/export, refused when it leads outside the state folder (a link planted there)."""
        if self.export_dir is not None:
            folder = self.export_dir
        elif self.state_dir is None:
            raise RequestError("this engine has no state folder to export into")
        else:
            folder = self.state_dir / "export"
            real, base = folder.resolve(), self.state_dir.resolve()
            if real != base and base not in real.parents:
                raise RequestError(f"the export folder {folder} leads outside the state folder (to {real}); "
                                   f"remove that link, or choose the folder with --export-dir")
        if folder.exists() and not folder.is_dir():
            raise RequestError(f"cannot export: {folder} is a file, not a folder (move it away, "
                               f"or choose another folder with --export-dir)")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise RequestError(f"cannot create the export folder {folder}: {e.strerror or e}") from None
        return folder.resolve()
