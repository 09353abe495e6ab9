"""Checking, before anything is changed, that a writer may write where it must, and saying
plainly what is missing when it may not: the path and the permission it needs.

An import or restore writes data/ (staging folder, journal, lock file, history) and the folder
of the database (the rebuilt file is swapped in there). Finding out half-way through leaves a
journal behind that every later command would trip over, so writers check first.
"""

from __future__ import annotations

import errno
import os
import pwd
import tempfile
from pathlib import Path

_PERMISSION = (errno.EACCES, errno.EPERM, errno.EROFS)


class NotWritable(Exception):
    """A folder or file cannot be written; the message names it and what to grant."""

    def __init__(self, what: str, path: Path, reason: OSError | str) -> None:
        self.path = path
        strerror = reason if isinstance(reason, str) else (reason.strerror or str(reason))
        message = f"cannot write {what} {path} ({strerror})"
        if isinstance(reason, str) or reason.errno in _PERMISSION:
            folder = path if path.is_dir() else path.parent
            message += (f": the user running cthb ({current_user()}) needs write permission "
                        f"on {folder}")
        super().__init__(message)


def current_user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid {os.geteuid()}"


def check_folder(folder: Path, what: str) -> None:
    """Raise NotWritable unless a file can be created and removed in `folder` (created if
    missing). A real probe: os.access answers for the real user and ignores read-only mounts."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".cthb-write-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise NotWritable(what, folder, exc) from exc
