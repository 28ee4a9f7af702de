"""Private files: the database, the key file and exports are readable by their owner only.

Cost data and credentials have no business being world-readable on a shared host. New files
are created 0600; an existing database or key file that others can read is tightened once at
start, with a warning, because the operator may not know it is exposed.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

__all__ = ["PRIVATE_MODE", "create_exclusive", "durable_replace", "fsync_dir", "make_private",
           "open_private", "tighten", "write_private_bytes"]

log = logging.getLogger(__name__)

PRIVATE_MODE = 0o600


def tighten(path: Path) -> bool:
    """chmod 0600 a regular file that group or others can read; warn, since the operator may
    not know it was exposed. Returns True when the mode was changed."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode) or not info.st_mode & 0o077:
        return False
    os.chmod(path, PRIVATE_MODE)
    log.warning("%s was readable by other users (mode %o); changed to 0600",
                path, info.st_mode & 0o777)
    return True


def make_private(path: Path) -> bool:
    """Create `path` empty with 0600 if absent (SQLite then gives its -wal and -shm the same
    mode); tighten it and its -wal/-shm/-journal when others can read them. Returns True when
    a mode was changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    changed = False
    for suffix in ("", "-wal", "-shm", "-journal"):
        changed = tighten(path.with_name(path.name + suffix)) or changed
    return changed


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in `directory` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def durable_replace(path: Path, data: bytes, *,
                    before_replace: Callable[[], None] | None = None) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file, never a mix:
    a 0600 temporary file in the same directory, written and fsynced, renamed over `path`,
    then the directory fsynced."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{path.name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(directory)


def create_exclusive(path: Path, data: bytes) -> bool:
    """Create `path` holding `data` (0600, fsynced) only if it does not exist yet; False when
    another process got there first. The file appears complete or not at all (hard link of a
    finished temporary file), so a concurrent reader never sees it half written."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{path.name}.{os.getpid()}.new"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(directory)
    return True


@contextmanager
def open_private(path: Path) -> Iterator[IO[str]]:
    """Open `path` for writing text (UTF-8, truncated) as a 0600 file, also when it existed."""
    fd = _open_private_fd(path)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        yield handle


def _open_private_fd(path: Path) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.fchmod(fd, PRIVATE_MODE)
    return fd


def write_private_bytes(path: Path, data: bytes) -> None:
    """`Path.write_bytes`, but the file is readable by its owner only."""
    with os.fdopen(_open_private_fd(path), "wb") as handle:
        handle.write(data)
