"""The DuckDB store: built from data/ in one go, opened read-only by everyone else.

The database file is a build artefact. A build validates every CSV first, writes a complete new
file next to the old one and swaps it in with os.replace, so a reader sees either the old or the
new database, never half of one, and a failed build leaves the old file untouched. DuckDB lets no
other process open a file that one process holds read-write, which is a second reason never to
write to the file that readers have open.

A build that is killed half-way leaves its temporary file behind (`<db>.<pid>.<random>.tmp`);
the next build in that folder removes the ones whose process is gone. When data/ is invalid
(a bad edit, a half-finished merge), the app keeps serving the last good database
(`ensure_current(..., serve_last_good=True)`, `data_problems` for its banner); the command line
refuses instead, so a maintainer sees the problems.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from cthb import schema
from cthb.dates import PartialDate
from cthb.validate import Tables, ValidationError, read_tables
from cthb.writable import NotWritable

_DUCK_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "partial_date": "VARCHAR",
    "bool": "BOOLEAN",
    "int": "INTEGER",
    "url": "VARCHAR",
    "enum": "VARCHAR",
}


@dataclass(frozen=True)
class BuildResult:
    db_path: Path
    data_version: str
    row_counts: dict[str, int]


def data_version(data_dir: Path) -> str:
    """A fingerprint of the table files: the database is stale when this changes."""
    digest = hashlib.sha256()
    for table in schema.TABLES:
        path = data_dir / table.filename
        digest.update(table.filename.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()[:16]


def ddl(table: schema.Table) -> str:
    cols = [
        f'"{c.name}" {_DUCK_TYPES[c.type]}{" NOT NULL" if c.required else ""}'
        for c in table.columns
    ]
    key = ", ".join(f'"{k}"' for k in table.key)
    return f'CREATE TABLE "{table.name}" ({", ".join(cols)}, PRIMARY KEY ({key}))'


_ARROW_TYPES = {
    "text": pa.string(),
    "code": pa.string(),
    "date": pa.date32(),
    "partial_date": pa.string(),
    "bool": pa.bool_(),
    "int": pa.int32(),
    "url": pa.string(),
    "enum": pa.string(),
}


def _db_value(value: object) -> object:
    return str(value) if isinstance(value, PartialDate) else value


def _arrow_table(table: schema.Table, rows: list[dict[str, object]]) -> pa.Table:
    """The rows as one typed Arrow table: DuckDB inserts it in one statement, about ten times
    faster than a row-by-row executemany (every replica rebuilds after each import)."""
    arrays = [pa.array([_db_value(r[c.name]) for r in rows], type=_ARROW_TYPES[c.type])
              for c in table.columns]
    return pa.Table.from_arrays(arrays, names=list(table.column_names))


def write_database(tables: Tables, version: str, target: Path) -> dict[str, int]:
    """Write validated rows into a new database file at `target` (which must not exist)."""
    counts: dict[str, int] = {}
    con = duckdb.connect(str(target))
    try:
        con.execute("BEGIN")
        for table in schema.TABLES:
            con.execute(ddl(table))
            rows = tables.get(table.name, [])
            if rows:
                con.register("incoming", _arrow_table(table, rows))
                con.execute(f'INSERT INTO "{table.name}" SELECT * FROM incoming')
                con.unregister("incoming")
            counts[table.name] = len(rows)
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [["data_version", version], ["built_at", datetime.now(UTC).isoformat()]],
        )
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts


def build(data_dir: Path, db_path: Path) -> BuildResult:
    """Validate data/, then replace the database file atomically. Bad data: ValidationError."""
    version = data_version(data_dir)
    tables, problems = read_tables(data_dir)
    if problems:
        raise ValidationError(problems)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(db_path)
        # The pid in the name tells a later build whether this file's builder is still alive.
        fd, tmp_name = tempfile.mkstemp(prefix=f"{db_path.name}.{os.getpid()}.", suffix=".tmp",
                                        dir=db_path.parent)
    except OSError as exc:
        raise NotWritable("the database folder", db_path.parent, exc) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # duckdb must create the file itself
    try:
        counts = write_database(tables, version, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, db_path)
        fsync_dir(db_path.parent)
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
    return BuildResult(db_path, version, counts)


# A temporary file without a pid in its name (older builds) is left for this long.
LEFTOVER_AGE_S = 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_leftovers(db_path: Path) -> list[Path]:
    """Delete temporary databases (and their WAL files) that killed builds left next to
    `db_path`: those whose builder process is gone, or, without a pid, older than an hour.
    A build running right now in another process keeps its file."""
    removed = []
    prefix = db_path.name + "."
    for path in db_path.parent.glob(f"{db_path.name}.*.tmp*"):
        if not path.name.endswith((".tmp", ".tmp.wal")):
            continue
        pid = path.name[len(prefix):].split(".", 1)[0]
        try:
            if pid.isdigit():
                stale = not _alive(int(pid))
            else:
                stale = time.time() - path.stat().st_mtime > LEFTOVER_AGE_S
            if stale:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue  # removed meanwhile by another build
    return removed


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable (the directory entry itself must reach the disk)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def built_version(db_path: Path) -> str | None:
    """The data version recorded in an existing database, or None if there is none."""
    if not db_path.exists():
        return None
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return row[0] if row else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: nothing that reads the store can change it."""
    return duckdb.connect(str(db_path), read_only=True)
