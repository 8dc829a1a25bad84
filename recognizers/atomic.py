"""Writing files whole or not at all: a crash or a full disk never leaves half a file."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# read once, at import: os.umask can only be read by setting it, for the whole process, and
# the app's worker threads create files too
_UMASK = _read_umask()


def _replace_via_temp(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file whole or not at all: `write` fills a temporary file beside `path`, which is
    synced, given the usual mode and renamed over `path`; on any error it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write via a temporary file and rename, so a crash or full disk never leaves half a file."""
    _replace_via_temp(Path(path), lambda fh: fh.write(data))


def atomic_copy(source: str | os.PathLike, path: str | os.PathLike) -> None:
    """Copy a file whole or not at all: through a synced temporary file and a rename, with the
    folder synced after, so a crash or a full disk leaves either no copy or all of it."""
    path = Path(path)

    def copy(out: BinaryIO) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)

    _replace_via_temp(path, copy)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text through a temporary file and a rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def append_line(path: str | os.PathLike, line: str) -> None:
    """Append one text line to a line-per-record file, whole or not at all.

    The line goes out in one ``write`` and is synced before this returns. When the file
    does not end with a newline (a torn line left by a crash), a newline goes first, so the
    new record never joins the damaged one. When the write fails (a full disk, say), the
    file is cut back to its old length, so no half line is left behind; the error is raised.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = line.rstrip("\n").encode("utf-8") + b"\n"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
    try:
        size = os.fstat(fd).st_size
        if size:
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":
                data = b"\n" + data
        try:
            done = 0
            while done < len(data):  # one write in practice; a short write continues
                n = os.write(fd, data[done:])
                if n <= 0:
                    raise OSError("the write made no progress")
                done += n
            os.fsync(fd)
        except BaseException:
            try:
                os.ftruncate(fd, size)
                os.fsync(fd)
            except OSError:
                pass
            raise
    finally:
        os.close(fd)
