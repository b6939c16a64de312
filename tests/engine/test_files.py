"""engine.files.atomic_write, the one atomic writer: no links followed, nothing left behind on failure."""
import errno
import os

import pytest

from engine import files
from engine.clip import Note, read_midi, write_midi
from engine.models import atomic_write_text


def test_a_link_planted_at_the_old_predictable_temp_name_is_not_written_through(tmp_path):
    """The writers used to write `.NAME.tmp<pid>` (then rename it): a link planted there was followed."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (f".clip.mid.tmp{os.getpid()}", f".session.json.tmp{os.getpid()}"):
        os.symlink(victim, tmp_path / name)
    write_midi(tmp_path / "clip.mid", [Note(60, 0, 1)])
    atomic_write_text(tmp_path / "session.json", "{}")
    assert victim.read_text() == "precious"
    assert read_midi(tmp_path / "clip.mid")[0][0].pitch == 60
    assert (tmp_path / "session.json").read_text() == "{}"


def test_the_temp_name_is_created_exclusively_without_following_links(tmp_path, monkeypatch):
    """Even a link planted at the very temp name the writer picks is neither followed nor replaced."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    names = iter(["aaaa", "bbbb"])
    monkeypatch.setattr(files.secrets, "token_hex", lambda n: next(names))
    os.symlink(victim, tmp_path / ".out.txt.aaaa.tmp")
    files.atomic_write(tmp_path / "out.txt", b"new")
    assert victim.read_text() == "precious" and (tmp_path / "out.txt").read_bytes() == b"new"
    assert os.path.islink(tmp_path / ".out.txt.aaaa.tmp")            # left as it was, not written through
    assert not (tmp_path / ".out.txt.bbbb.tmp").exists()


def test_a_link_at_the_target_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / "out.txt")
    files.atomic_write(tmp_path / "out.txt", "new")
    assert victim.read_text() == "precious"
    assert not os.path.islink(tmp_path / "out.txt") and (tmp_path / "out.txt").read_text() == "new"


@pytest.mark.parametrize("fails", ["write", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch, fails):
    path = tmp_path / "keep.json"
    files.atomic_write(path, "old")
    real = getattr(os, fails)

    def full(*args, **kw):
        if fails == "write" and len(args[1]) > 3:
            real(args[0], bytes(args[1][:3]))                # a short write, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, fails, full)
    with pytest.raises(OSError, match="No space left"):
        files.atomic_write(path, "new content")
    monkeypatch.undo()
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["keep.json"]
