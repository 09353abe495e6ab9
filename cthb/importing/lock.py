"""The data directory's lock: one writer at a time, whatever database it builds.

The lock file lives inside data/ (`data/.cthb.lock`), so every process that writes that folder
takes the same lock, whichever CTHB_DB it uses: two app or CLI processes with their own
databases over one data/ (the multi-process deployment) serialise their imports. It is an
flock: released by the kernel when a process dies, so a killed import never blocks anyone.

Writers (import, restore, recovery) need the lock: if the file cannot be created or opened,
they refuse at once (NotWritable names the path and the permission). Readers (the app, a
rebuild) take it shared when they can; a folder nobody may write (a read-only deployment) has no
writer to wait for, so they read without it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from cthb.writable import NotWritable

LOCK_FILE = ".cthb.lock"


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_FILE


def _open(path: Path, writer: bool) -> int | None:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if writer:
            raise NotWritable("the lock file", path, exc) from exc
    try:  # flock needs no write access: a reader may share a lock file it cannot write
        return os.open(path, os.O_RDONLY)
    except OSError:
        return None


@contextlib.contextmanager
def data_lock(data_dir: Path, *, exclusive: bool, blocking: bool = True) -> Iterator[bool]:
    """Hold the data directory's lock; yields whether it was acquired (always True when
    blocking). Exclusive means a writer: it raises NotWritable if the lock cannot be taken."""
    fd = _open(lock_path(data_dir), writer=exclusive)
    if fd is None:
        yield True  # nobody can write this folder, so nobody can change it under us
        return
    try:
        flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if blocking else
                                                                    fcntl.LOCK_NB)
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock
