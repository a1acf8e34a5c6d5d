"""Writing files so that a crash never leaves a half-written one: a temporary file, fsync, rename."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """A file handle whose contents replace ``path`` only when the block ends without an error: written
    beside it, flushed to disk, given the usual permissions (umask), then renamed over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (the old file, if any, stays until the rename)."""
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def check_output(path: str | Path, force: bool = False, what: str = "output file") -> Path:
    """``path`` as a place a new regular file may be written: refuse a link, a directory, a device or a
    FIFO, a parent that is not a directory, and an existing file unless ``force``."""
    path = Path(path)
    if path.is_symlink():
        raise OutputError(f"{what} {path} is a symbolic link; give the real path (arithseq does not write through links)")
    if path.exists():
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise OutputError(f"{what} {path} is a directory; give a file name")
        if not stat.S_ISREG(mode):
            raise OutputError(f"{what} {path} is not a regular file (a device, FIFO or socket); give a file name")
        if not force:
            raise OutputError(f"{what} {path} already exists; pass --force to replace it")
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot write {path}: {parent} is a file, not a directory")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputError(f"cannot write {path}: directory {parent} is not writable")
            break
    return path


def check_space(path: str | Path, size: int, what: str = "output file") -> None:
    """Refuse to start writing about ``size`` bytes to ``path`` when its disk has less free space: a
    write that fills the disk fails only after minutes, and leaves the disk full meanwhile."""
    folder = next(p for p in Path(path).absolute().parents if p.exists())  # the folders to be made lie on it too
    free = shutil.disk_usage(folder).free
    if size > free:
        raise OutputError(
            f"{what} {path}: about {human_size(size)} to write, but only {human_size(free)} free on that disk"
        )


def human_size(size: float) -> str:
    """``1.2 GB``: bytes in decimal units, like ``df -H``."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if size < 1000 or unit == "PB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def atomic_text(path: str | Path, text: str) -> None:
    atomic_bytes(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
