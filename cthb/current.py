"""The database kept current with data/: every reader (the app, the CLI, exports) asks here
for the database file before opening it.

A cheap check of file sizes and times decides whether data/ changed since the last build; if
so, an interrupted import is recovered first (cthb.importing), then the database is rebuilt
(cthb.store.build, atomic). When data/ is invalid, the app may keep serving the last good
database (`serve_last_good=True`; `data_problems` gives its banner the reason); the command line
refuses instead, so a maintainer sees the problems. This module sits above both the store and
the importer, which is why neither imports the other's reader side.
"""

from __future__ import annotations

import threading
from pathlib import Path

from cthb import schema, store
from cthb.importing.commit import reading
from cthb.validate import Problem, ValidationError


def _stat_signature(data_dir: Path, db_path: Path) -> tuple[object, ...]:
    """Cheap fingerprint (sizes and mtimes) of the table files and the database file."""
    sig: list[object] = []
    for path in [*(data_dir / t.filename for t in schema.TABLES), db_path]:
        try:
            info = path.stat()
            sig.append((info.st_ino, info.st_size, info.st_mtime_ns))
        except FileNotFoundError:
            sig.append(None)
    return tuple(sig)


# (data_dir, db_path) -> stat signature last seen consistent. Every app rerun asks whether the
# database is current; hashing data/ and opening the file each time would cost ~25 ms.
_verified: dict[tuple[Path, Path], tuple[object, ...]] = {}
# (data_dir, db_path) -> the problems of an invalid data/ whose last good database is served.
_invalid: dict[tuple[Path, Path], list[Problem]] = {}
# One check-and-rebuild at a time in a process: sessions and the warm-up thread noticing the
# same change build the new database once, not once each.
_rebuilding = threading.Lock()


def ensure_current(data_dir: Path, db_path: Path, serve_last_good: bool = False) -> Path:
    """Rebuild the database if data/ changed since it was built (or it does not exist yet).

    Invalid data/ raises ValidationError, unless `serve_last_good` and a database built from
    an earlier, valid data/ exists: then that one is served and `data_problems` says why.
    """
    key = (data_dir, db_path)
    signature = _stat_signature(data_dir, db_path)
    if _verified.get(key) == signature:
        if key in _invalid and not serve_last_good:
            raise ValidationError(_invalid[key])
        return db_path
    with _rebuilding:
        return _ensure_current_locked(data_dir, db_path, key, serve_last_good)


def _ensure_current_locked(data_dir: Path, db_path: Path, key: tuple[Path, Path],
                           serve_last_good: bool) -> Path:
    if _verified.get(key) == _stat_signature(data_dir, db_path):
        return db_path  # another thread rebuilt it while this one waited
    # Recovers an interrupted import first; while an import runs, serve the current database.
    with reading(data_dir, db_path) as settled:
        if not settled:
            return db_path
        try:
            if store.built_version(db_path) != store.data_version(data_dir):
                store.build(data_dir, db_path)
            _invalid.pop(key, None)
        except ValidationError as exc:
            if not serve_last_good or store.built_version(db_path) is None:
                raise
            _invalid[key] = exc.problems
        _verified[key] = _stat_signature(data_dir, db_path)
    return db_path


def data_problems(data_dir: Path, db_path: Path) -> list[Problem]:
    """Why the database served for data_dir is the last good one rather than a build of
    data/ as it is now (empty when data/ is valid). Set by ensure_current."""
    return list(_invalid.get((data_dir, db_path), []))
