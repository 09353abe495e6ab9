"""Imports of new and corrected facts into data/, all-or-nothing, with a changelog and undo.

Format (also produced by the profile page's "suggest a correction"): a UTF-8 CSV file whose
header is one importable table's columns (cthb.schema) plus an optional column `change` =
`add` (default) or `replace` (replaces the existing row with the same key); or an XLSX
workbook with one sheet per table, each named exactly like the table.

Validation comes first and reports every problem at once. The import rows are merged into the
current files as text (unchanged rows keep their exact bytes, new rows are appended, replaced
rows are rewritten in place), and the *merged* dataset goes through cthb.validate; problems on
merged lines that came from the import are reported with the import file's row numbers.

Applying: several files change (the tables, changelog.csv, history/), so single-file atomic
renames are not enough. The protocol, with its one commit point:

1. Stage: write every new file, and a copy of every file it replaces, into
   `data/.staging-<version>/` (fsync each file and the directory). A kill here leaves only a
   staging directory, which `recover()` deletes: the old data/ and database stand.
2. Commit: write `data/.journal.json` naming the staging directory and its files (temp file,
   fsync, os.replace, fsync data/). Once this rename has happened the import is decided.
3. Roll forward (idempotent, so it can be repeated after a kill): move the staged history
   into `data/history/<version>/`, os.replace each staged file over its data/ file, fsync
   data/, rebuild the database (cthb.store.build writes a new file and os.replace's it), then
   delete the journal and the staging directory.

`recover()` runs before every CLI command and before the app checks its database
(store.ensure_current): a journal is rolled forward, a staging directory without a journal is
deleted. An import holds an exclusive lock (flock on `<db>.lock`, next to the database so that
data/ itself gets no lock file) from validation to the end; a reader that wants to rebuild the
database takes the lock shared and, while an import runs, keeps serving the current database
instead of building one from half-renamed files. The lock is tied to the database path: one
data/ directory should have one database.

Each applied import or restore appends a row to `data/changelog.csv` (outside the fact tables,
so it does not change the data version) and keeps the previous version of each changed table
under `data/history/<version>/`; `python -m cthb restore <version>` brings those back.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import secrets
import shutil
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cthb import schema, store
from cthb.validate import (
    Problem,
    check_keys,
    check_references,
    check_semantics,
    format_problems,
    parse_rows,
)

IMPORTABLE = (
    "sources",
    "treaty_actions",
    "status_observations",
    "structures",
    "monitoring",
    "survey_responses",
    "engagements",
    "memberships",
    "field_operations",
)
CHANGE_COLUMN = "change"
CHANGES = ("add", "replace")
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
CHANGELOG = "changelog.csv"
CHANGELOG_COLUMNS = ("version", "applied_at", "action", "file", "sha256", "added", "changed",
                     "removed", "summary")
HISTORY = "history"
JOURNAL = ".journal.json"
STAGING_PREFIX = ".staging-"
# Test hook: pause (sleep) at this step so a test can SIGKILL the process there.
PAUSE_ENV = "CTHB_TEST_PAUSE_AT"
# ("renamed-N": after the N-th staged file was renamed into data/.)
STEPS = ("validated", "staging", "staged", "committed", "history", "renamed-1", "renamed-2",
         "applied", "built")


class ImportFailed(Exception):
    """The import was refused; nothing was changed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n" + format_problems(problems))


# --- CSV text that keeps every untouched byte ----------------------------------------------


@dataclass(frozen=True)
class Record:
    raw: str  # the record's exact text, including its line end
    values: dict[str, str]
    line: int  # last physical line of the record (what csv.reader's line_num reports)


@dataclass(frozen=True)
class CsvText:
    bom: bool
    header_raw: str
    columns: tuple[str, ...]
    records: tuple[Record, ...]

    def render(self, records: list[Record] | tuple[Record, ...] | None = None) -> str:
        recs = self.records if records is None else records
        parts = [self.header_raw if self.header_raw.endswith("\n") else self.header_raw + "\n"]
        for rec in recs:
            parts.append(rec.raw if rec.raw.endswith("\n") else rec.raw + "\n")
        return ("\ufeff" if self.bom else "") + "".join(parts)


def split_csv(text: str) -> CsvText:
    """Records of a CSV text with their exact source text (a quoted cell may span lines)."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    pieces = text.split("\n")
    lines = [p + "\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    consumed: list[str] = []

    def feed() -> Iterator[str]:
        for line in lines:
            consumed.append(line)
            yield line

    reader = csv.reader(feed())
    try:
        header = next(reader)
    except StopIteration:
        return CsvText(bom, "", (), ())
    header_raw = "".join(consumed)
    consumed.clear()
    columns = tuple(h.strip() for h in header)
    records: list[Record] = []
    for cells in reader:
        raw = "".join(consumed)
        consumed.clear()
        if not any(c.strip() for c in cells):
            # Blank lines stay where they are (as part of the next record's text).
            if records:
                last = records[-1]
                records[-1] = Record(last.raw + raw, last.values, last.line)
            else:
                header_raw += raw
            continue
        values = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
        records.append(Record(raw, values, reader.line_num))
    return CsvText(bom, header_raw, columns, tuple(records))


def csv_line(columns: tuple[str, ...], values: dict[str, str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values.get(c, "") for c in columns])
    return out.getvalue()


def key_of(table: schema.Table, values: dict[str, str]) -> tuple[str, ...]:
    return tuple(values.get(c, "").strip() for c in table.key)


# --- reading an import file ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    table: str
    where: str  # file name (and sheet) shown in problems
    line: int  # row number in the import file / sheet (the header is row 1)
    change: str
    values: dict[str, str]


@dataclass(frozen=True)
class ImportFile:
    name: str
    sha256: str
    rows: tuple[ImportRow, ...]


def _file_problem(name: str, message: str, line: int | None = None) -> Problem:
    return Problem(name, line, None, None, message)


def read_import(path: Path, table: str | None = None,
                max_bytes: int = MAX_IMPORT_BYTES) -> tuple[ImportFile | None, list[Problem]]:
    """The rows of an import file (None if it is unreadable) and the problems found so far."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [_file_problem(name, f"cannot read the file: {exc.strerror}")]
    if size > max_bytes:
        return None, [_file_problem(name, f"file is {size} bytes; the limit is {max_bytes}")]
    raw = path.read_bytes()
    if not raw.strip():
        return None, [_file_problem(name, "file is empty")]
    digest = hashlib.sha256(raw).hexdigest()
    if raw.startswith(b"PK\x03\x04"):
        rows, problems = _read_xlsx(raw, name, table)
    elif path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return None, [_file_problem(name, "not an XLSX workbook (the file is not a zip "
                                          "archive); save it as .xlsx or as a UTF-8 .csv")]
    else:
        rows, problems = _read_csv(raw, name, table)
    if problems and not rows:
        return None, problems
    if len(rows) > MAX_IMPORT_ROWS:
        return None, [_file_problem(name, f"{len(rows)} rows; the limit is {MAX_IMPORT_ROWS}")]
    # Row problems (a duplicate, a bad `change`) do not stop the other rows being checked.
    return ImportFile(name, digest, tuple(rows)), problems


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
            len(raw) > 1 and (raw[0] == 0 or raw[1] == 0) and raw.count(b"\x00") * 3 > len(raw)):
        return None, [_file_problem(name, "file is UTF-16 text; save it as UTF-8 CSV")]
    if b"\x00" in raw:
        return None, [_file_problem(name, "file contains NUL bytes: it is not a CSV text file "
                                          "(binary data?)")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [_file_problem(name, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                                          f"offset {exc.start}); save the file as UTF-8", line)]


def _recognise(header: list[str], name: str, given: str | None) -> tuple[str | None, Problem]:
    cols = [h for h in header if h != CHANGE_COLUMN]
    if given is not None:
        if given not in IMPORTABLE:
            return None, _file_problem(name, f"table {given!r} cannot be imported; importable: "
                                             f"{', '.join(IMPORTABLE)}")
        return given, Problem(name, None, None, None, "")
    for tname in IMPORTABLE:
        if set(cols) == set(schema.TABLES_BY_NAME[tname].column_names):
            return tname, Problem(name, None, None, None, "")
    # A file may leave out optional columns (e.g. one written before a column was added).
    fits = [tname for tname in IMPORTABLE
            if {c.name for c in schema.TABLES_BY_NAME[tname].columns if c.required}
            <= set(cols) <= set(schema.TABLES_BY_NAME[tname].column_names)]
    if len(fits) == 1:
        return fits[0], Problem(name, None, None, None, "")
    return None, Problem(name, 1, None, ",".join(header),
                         "the header is not the columns of an importable table ("
                         + ", ".join(IMPORTABLE) + "); give the table with --table NAME")


def _rows_from_cells(cells: list[tuple[int, list[str]]], header: list[str], tname: str,
                     where: str) -> tuple[list[ImportRow], list[Problem]]:
    table = schema.TABLES_BY_NAME[tname]
    problems: list[Problem] = []
    header = [h.strip() for h in header]
    for c in header:
        if c != CHANGE_COLUMN and c not in table.column_names:
            problems.append(Problem(where, 1, c, None, "unknown column; expected columns: "
                                    + ", ".join(table.column_names) + f" (and {CHANGE_COLUMN})"))
    for col in table.columns:
        if col.required and col.name not in header:
            problems.append(Problem(where, 1, col.name, None, "required column is missing"))
    if len(set(header)) != len(header):
        problems.append(Problem(where, 1, None, None, "a column name appears twice"))
    if problems:
        return [], problems
    rows: list[ImportRow] = []
    first_line: dict[tuple[str, ...], int] = {}
    for line, record in cells:
        if not any(c.strip() for c in record):
            continue
        if len(record) != len(header):
            problems.append(Problem(where, line, None, None,
                                    f"row has {len(record)} cells; the header has {len(header)}"))
            continue
        cellmap = {h: v.strip() for h, v in zip(header, record, strict=True)}
        change = cellmap.pop(CHANGE_COLUMN, "") or "add"
        if change not in CHANGES:
            problems.append(Problem(where, line, CHANGE_COLUMN, change,
                                    "must be add or replace (empty means add)"))
            continue
        values = {c: cellmap.get(c, "") for c in table.column_names}
        key = key_of(table, values)
        if all(key) and key in first_line:
            shown = ", ".join(f"{c}={v}" for c, v in zip(table.key, key, strict=True))
            problems.append(Problem(where, line, ",".join(table.key), shown,
                                    f"duplicate of row {first_line[key]} in this file"))
            continue
        first_line.setdefault(key, line)
        rows.append(ImportRow(tname, where, line, change, values))
    return rows, problems


def _read_csv(raw: bytes, name: str, table: str | None) -> tuple[list[ImportRow], list[Problem]]:
    text, problems = _decode(raw, name)
    if text is None:
        return [], problems
    reader = csv.reader(io.StringIO(text, newline=""))
    cells: list[tuple[int, list[str]]] = []
    try:
        header = [h.strip() for h in next(reader)]
        for record in reader:
            cells.append((reader.line_num, record))
    except StopIteration:
        return [], [_file_problem(name, "file is empty")]
    except csv.Error as exc:
        return [], [_file_problem(name, f"malformed CSV: {exc}", reader.line_num)]
    tname, problem = _recognise(header, name, table)
    if tname is None:
        return [], [problem]
    return _rows_from_cells(cells, header, tname, name)


def _cell_text(value: object) -> str:
    """Spreadsheet cell → the text the CSV files would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else \
            value.isoformat()
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(raw: bytes, name: str, table: str | None) -> tuple[list[ImportRow], list[Problem]]:
    import openpyxl  # lazy: only XLSX imports need it

    try:
        # data_only=False: a formula cell comes back as its "=..." text, which validation
        # rejects as formula injection instead of trusting a cached result.
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        return [], [_file_problem(name, f"not a readable XLSX workbook ({type(exc).__name__})")]
    rows: list[ImportRow] = []
    problems: list[Problem] = []
    try:
        sheets = list(wb.worksheets)
        if table is not None and len(sheets) == 1 and sheets[0].title not in IMPORTABLE:
            named = {sheets[0].title: table}
        else:
            named = {s.title: s.title for s in sheets}
        for ws in sheets:
            tname = named[ws.title]
            where = f"{name}[{ws.title}]"
            if tname not in IMPORTABLE:
                problems.append(_file_problem(where, "sheet name is not an importable table ("
                                              + ", ".join(IMPORTABLE) + ")"))
                continue
            values = ws.iter_rows(values_only=True)
            try:
                header = [_cell_text(v).strip() for v in next(values)]
            except StopIteration:
                continue  # an empty sheet imports nothing
            while header and header[-1] == "":
                header.pop()
            cells = []
            for i, row in enumerate(values, start=2):
                texts = [_cell_text(v) for v in row]
                while len(texts) > len(header) and texts[-1] == "":
                    texts.pop()
                texts += [""] * (len(header) - len(texts))
                cells.append((i, texts))
                if len(cells) > MAX_IMPORT_ROWS:
                    break
            sheet_rows, sheet_problems = _rows_from_cells(cells, header, tname, where)
            rows += sheet_rows
            problems += sheet_problems
    finally:
        wb.close()
    if not rows and not problems:
        problems.append(_file_problem(name, "the workbook holds no rows to import"))
    return rows, problems


# --- planning: merge, validate, diff ----------------------------------------------------------


@dataclass
class TableDiff:
    added: list[dict[str, str]] = field(default_factory=list)
    changed: list[tuple[dict[str, str], dict[str, tuple[str, str]]]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Plan:
    """What an import or restore would do. `problems` empty means it can be applied."""

    source: str
    sha256: str
    old_texts: dict[str, str]  # file name -> current text, for every file that changes
    new_texts: dict[str, str]  # file name -> new text
    diff: dict[str, TableDiff]
    problems: list[Problem]

    @property
    def counts(self) -> tuple[int, int, int]:
        return (sum(len(d.added) for d in self.diff.values()),
                sum(len(d.changed) for d in self.diff.values()),
                sum(len(d.removed) for d in self.diff.values()))

    def summary(self) -> str:
        parts = [f"{name}: +{len(d.added)} ~{len(d.changed)} -{len(d.removed)}"
                 for name, d in self.diff.items() if d.added or d.changed or d.removed]
        return "; ".join(parts) or "no change"


def read_data_texts(data_dir: Path) -> dict[str, str]:
    """Current text of every fact table (missing files are simply absent)."""
    texts = {}
    for table in schema.TABLES:
        path = data_dir / table.filename
        if path.exists():
            texts[table.name] = path.read_bytes().decode("utf-8")
    return texts


def validate_texts(texts: dict[str, str]) -> list[Problem]:
    """cthb.validate's checks over in-memory file texts (table name -> CSV text)."""
    parsed = {}
    problems: list[Problem] = []
    for table in schema.TABLES:
        text = texts.get(table.name)
        if text is None:
            problems.append(Problem(table.filename, None, None, None, "file is missing"))
            continue
        rows, row_problems = parse_rows(table, text.lstrip("\ufeff"), table.filename)
        problems += row_problems + check_keys(table, rows, table.filename)
        parsed[table.name] = rows
    problems += check_references(parsed)
    problems += check_semantics(parsed)
    return problems


def diff_texts(table: schema.Table, old: str, new: str) -> TableDiff:
    """Added / changed / removed rows between two versions of a table, matched by key."""
    def index(text: str) -> dict[tuple[str, ...], dict[str, str]]:
        return {key_of(table, r.values): r.values for r in split_csv(text).records}

    before, after = index(old), index(new)
    diff = TableDiff()
    for key, values in after.items():
        if key not in before:
            diff.added.append(values)
        elif values != before[key]:
            cols = dict.fromkeys([*before[key], *values])
            delta = {c: (before[key].get(c, ""), values.get(c, "")) for c in cols
                     if before[key].get(c, "") != values.get(c, "")}
            diff.changed.append((values, delta))
    diff.removed = [values for key, values in before.items() if key not in after]
    return diff


def plan_import(imp: ImportFile, data_dir: Path) -> Plan:
    """Merge the import into the current files and validate the result; writes nothing."""
    current = read_data_texts(data_dir)
    problems: list[Problem] = []
    new_texts: dict[str, str] = {}
    # merged file line -> import row it came from, per table
    origins: dict[str, dict[int, ImportRow]] = {}
    by_table: dict[str, list[ImportRow]] = {}
    for row in imp.rows:
        by_table.setdefault(row.table, []).append(row)
    for tname, rows in by_table.items():
        table = schema.TABLES_BY_NAME[tname]
        old = split_csv(current.get(tname, ",".join(table.column_names) + "\n"))
        columns = old.columns or table.column_names
        existing = {key_of(table, r.values): i for i, r in enumerate(old.records)}
        records = list(old.records)
        came_from: dict[int, ImportRow] = {}  # index in records -> import row
        for row in rows:
            key = key_of(table, row.values)
            shown = ", ".join(f"{c}={v}" for c, v in zip(table.key, key, strict=True))
            at = existing.get(key) if all(key) else None
            if at is not None:
                old_values = {c: old.records[at].values.get(c, "") for c in table.column_names}
                if old_values == row.values:
                    continue  # already there, word for word: nothing to do
                if row.change == "add":
                    differs = [c for c in table.column_names if old_values[c] != row.values[c]]
                    was = ", ".join(f"{c}={old_values[c]!r}" for c in differs)
                    problems.append(Problem(
                        row.where, row.line, ",".join(table.key), shown,
                        f"contradicts an existing fact ({table.filename} line "
                        f"{old.records[at].line}: {was}); mark it `replace` to replace it"))
                    continue
                records[at] = Record(csv_line(columns, row.values), row.values, 0)
                came_from[at] = row
            elif row.change == "replace":
                problems.append(Problem(row.where, row.line, ",".join(table.key), shown,
                                        f"replace: no existing row with this key in "
                                        f"{table.filename}"))
            else:
                came_from[len(records)] = row
                records.append(Record(csv_line(columns, row.values), row.values, 0))
        text = old.render(records)
        if text != current.get(tname):
            new_texts[tname] = text
        # Line numbers in the merged text, as parse_rows will report them.
        merged = split_csv(text)
        origins[tname] = {merged.records[i].line: r for i, r in came_from.items()}

    merged_texts = {**current, **new_texts}
    old_problems = {(p.file, p.line, p.column, p.value, p.message)
                    for p in validate_texts(current)} if new_texts else set()
    for p in validate_texts(merged_texts) if new_texts else []:
        tname = p.file.removesuffix(".csv")
        origin = origins.get(tname, {}).get(p.line) if p.line is not None else None
        if origin is not None:
            problems.append(Problem(origin.where, origin.line, p.column, p.value, p.message))
        elif (p.file, p.line, p.column, p.value, p.message) not in old_problems:
            # An existing row that the import makes invalid (e.g. an observation that a new
            # dated action contradicts): name the data file, it is the import's doing.
            problems.append(Problem(f"data/{p.file}", p.line, p.column, p.value,
                                    p.message + " (after this import)"))
    problems = list(dict.fromkeys(problems))
    diff = {}
    for tname, text in new_texts.items():
        diff[tname] = diff_texts(schema.TABLES_BY_NAME[tname], current.get(tname, ""), text)
    return Plan(
        source=imp.name, sha256=imp.sha256,
        old_texts={schema.TABLES_BY_NAME[t].filename: current.get(t, "") for t in new_texts},
        new_texts={schema.TABLES_BY_NAME[t].filename: text for t, text in new_texts.items()},
        diff=diff, problems=problems)


def format_diff(plan: Plan) -> str:
    """A readable diff: + added, ~ changed (old → new per column), - removed."""
    lines = []
    for tname, d in plan.diff.items():
        table = schema.TABLES_BY_NAME[tname]
        lines.append(f"{table.filename}: {len(d.added)} added, {len(d.changed)} changed, "
                     f"{len(d.removed)} removed")

        def label(values: dict[str, str], table: schema.Table = table) -> str:
            return " ".join(values.get(c, "") for c in table.key)

        for values in d.added:
            rest = ", ".join(f"{c}={v}" for c, v in values.items() if v and c not in table.key)
            lines.append(f"  + {label(values)}: {rest}")
        for values, delta in d.changed:
            for c, (a, b) in delta.items():
                lines.append(f"  ~ {label(values)}: {c}: {a!r} → {b!r}")
        for values in d.removed:
            lines.append(f"  - {label(values)}")
    return "\n".join(lines) if lines else "no change: every row is already in the data"


# --- locking, staging, journal ------------------------------------------------------------


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextlib.contextmanager
def _locked(db_path: Path, exclusive: bool, blocking: bool) -> Iterator[bool]:
    """flock on the lock file; yields whether it was acquired (always True when blocking).
    Released by the kernel if the process dies, so a killed import never blocks anyone."""
    path = lock_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield True  # read-only deployment: nobody can import there either
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


def _pause(step: str) -> None:
    if os.environ.get(PAUSE_ENV) == step:
        print(f"PAUSED {step}", file=sys.stderr, flush=True)
        time.sleep(3600)


def _write_synced(path: Path, content: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())


def _write_atomic(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    _write_synced(tmp, content)
    os.replace(tmp, path)
    store.fsync_dir(path.parent)


def new_version() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def _changelog_text(data_dir: Path, entry: dict[str, str]) -> str:
    path = data_dir / CHANGELOG
    text = path.read_bytes().decode("utf-8") if path.exists() else ""
    if not text:
        text = ",".join(CHANGELOG_COLUMNS) + "\n"
    if not text.endswith("\n"):
        text += "\n"
    return text + csv_line(CHANGELOG_COLUMNS, entry)


def _commit(plan: Plan, data_dir: Path, db_path: Path, action: str, version: str) -> None:
    """Stage, commit (journal), roll forward. Caller holds the exclusive lock."""
    applied_at = datetime.now(UTC).isoformat(timespec="seconds")
    added, changed, removed = plan.counts
    entry = {"version": version, "applied_at": applied_at, "action": action,
             "file": plan.source, "sha256": plan.sha256, "added": str(added),
             "changed": str(changed), "removed": str(removed), "summary": plan.summary()}
    files = {**plan.new_texts, CHANGELOG: _changelog_text(data_dir, entry)}
    staging = data_dir / f"{STAGING_PREFIX}{version}"
    staging.mkdir()
    (staging / HISTORY).mkdir()
    for i, (name, text) in enumerate(files.items()):
        _write_synced(staging / name, text.encode("utf-8"))
        if i == 0:
            _pause("staging")
    for name in plan.new_texts:
        old = data_dir / name
        if old.exists():
            _write_synced(staging / HISTORY / name, old.read_bytes())
    store.fsync_dir(staging / HISTORY)
    store.fsync_dir(staging)
    store.fsync_dir(data_dir)
    _pause("staged")
    journal = {"version": version, "staging": staging.name, "files": sorted(files)}
    _write_atomic(data_dir / JOURNAL, json.dumps(journal, indent=1).encode())  # commit point
    _pause("committed")
    _roll_forward(data_dir, db_path, journal)


def _roll_forward(data_dir: Path, db_path: Path, journal: dict[str, Any]) -> None:
    """Finish a committed change. Every step can be repeated: a rename that happened already
    shows as a missing staged file."""
    version = str(journal["version"])
    staging = data_dir / str(journal["staging"])
    staged_history = staging / HISTORY
    if staged_history.exists():
        (data_dir / HISTORY).mkdir(exist_ok=True)
        os.rename(staged_history, data_dir / HISTORY / version)
        store.fsync_dir(data_dir / HISTORY)
    _pause("history")
    files = [str(f) for f in journal["files"]]
    for i, name in enumerate(files, start=1):
        if (staging / name).exists():
            os.replace(staging / name, data_dir / name)
            _pause(f"renamed-{i}")
    store.fsync_dir(data_dir)
    _pause("applied")
    store.build(data_dir, db_path)
    _pause("built")
    (data_dir / JOURNAL).unlink()
    store.fsync_dir(data_dir)
    shutil.rmtree(staging, ignore_errors=True)


def pending(data_dir: Path) -> bool:
    """Whether an interrupted import left anything behind."""
    return (data_dir / JOURNAL).exists() or any(data_dir.glob(STAGING_PREFIX + "*"))


def _recover_locked(data_dir: Path, db_path: Path) -> str | None:
    journal_path = data_dir / JOURNAL
    outcome = None
    if journal_path.exists():
        journal = json.loads(journal_path.read_bytes())
        _roll_forward(data_dir, db_path, journal)
        outcome = f"completed the interrupted change {journal['version']}"
    for leftover in data_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
        outcome = outcome or f"discarded the uncommitted change {leftover.name}"
    for tmp in data_dir.glob(f".{JOURNAL}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return outcome


def recover(data_dir: Path, db_path: Path) -> bool:
    """Finish or undo an interrupted import. False if an import is running right now (then
    nothing is touched: the running import finishes its own work)."""
    if not pending(data_dir):
        return True
    with _locked(db_path, exclusive=True, blocking=False) as got:
        if not got:
            return False
        outcome = _recover_locked(data_dir, db_path)
        if outcome:
            print(f"cthb: {outcome}", file=sys.stderr)
        return True


@contextlib.contextmanager
def reading(data_dir: Path, db_path: Path) -> Iterator[bool]:
    """For readers about to check or rebuild the database: recover first, then hold the lock
    shared. Yields False while an import runs and a database exists: serve that one as it is,
    rather than building one from files the import is replacing."""
    if not recover(data_dir, db_path) and db_path.exists():
        yield False
        return
    with _locked(db_path, exclusive=False, blocking=not db_path.exists()) as got:
        yield got


# --- import, restore -----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    version: str | None  # None: dry run, refused, or nothing to change


def import_file(path: Path, data_dir: Path, db_path: Path, table: str | None = None,
                dry_run: bool = False) -> Outcome:
    """Validate an import file and, unless dry_run, apply it atomically. Raises ImportFailed
    (with every problem) and changes nothing when the file or the merged data is invalid."""
    imp, problems = read_import(path, table)
    if imp is None:
        raise ImportFailed(problems)
    with _locked(db_path, exclusive=not dry_run, blocking=True):
        if not dry_run:
            _recover_locked(data_dir, db_path)
        plan = plan_import(imp, data_dir)
        plan.problems = _in_order(problems + plan.problems)
        if plan.problems:
            raise ImportFailed(plan.problems)
        _pause("validated")
        if dry_run or not plan.new_texts:
            return Outcome(plan, None)
        version = new_version()
        _commit(plan, data_dir, db_path, "import", version)
        return Outcome(plan, version)


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Import-file problems by sheet and row; problems in data/ files after them."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file.startswith("data/"), p.file, p.line or 0))


def versions(data_dir: Path) -> list[dict[str, str]]:
    """The changelog, oldest first."""
    path = data_dir / CHANGELOG
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def plan_restore(version: str, data_dir: Path) -> Plan:
    folder = data_dir / HISTORY / version
    if "/" in version or version.startswith(".") or not folder.is_dir():
        known = ", ".join(e["version"] for e in versions(data_dir)) or "none"
        raise ImportFailed([_file_problem(f"history/{version}",
                                          f"no such version; known versions: {known}")])
    current = read_data_texts(data_dir)
    restored: dict[str, str] = {}
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        tname = path.stem
        if tname not in schema.TABLES_BY_NAME:
            continue
        raw = path.read_bytes()
        digest.update(raw)
        if raw.decode("utf-8") != current.get(tname):
            restored[tname] = raw.decode("utf-8")
    merged = {**current, **restored}
    problems = validate_texts(merged) if restored else []
    return Plan(
        source=f"history/{version}", sha256=digest.hexdigest(),
        old_texts={schema.TABLES_BY_NAME[t].filename: current.get(t, "") for t in restored},
        new_texts={schema.TABLES_BY_NAME[t].filename: text for t, text in restored.items()},
        diff={t: diff_texts(schema.TABLES_BY_NAME[t], current.get(t, ""), text)
              for t, text in restored.items()},
        problems=problems)


def restore(version: str, data_dir: Path, db_path: Path, dry_run: bool = False) -> Outcome:
    """Bring back the files as they were before change `version`, as one atomic change."""
    with _locked(db_path, exclusive=not dry_run, blocking=True):
        if not dry_run:
            _recover_locked(data_dir, db_path)
        plan = plan_restore(version, data_dir)
        if plan.problems:
            raise ImportFailed(plan.problems)
        if dry_run or not plan.new_texts:
            return Outcome(plan, None)
        new = new_version()
        _commit(plan, data_dir, db_path, "restore", new)
        return Outcome(plan, new)


# --- command line (wired in cthb/cli.py) ------------------------------------------------------


def cli_import(args: argparse.Namespace, data_dir: Path, db_path: Path) -> int:
    path = Path(args.file)
    try:
        outcome = import_file(path, data_dir, db_path, table=args.table, dry_run=args.dry_run)
    except ImportFailed as exc:
        print(f"error: {path.name} was not imported; nothing was changed. "
              f"{len(exc.problems)} problem(s):\n{format_problems(exc.problems)}",
              file=sys.stderr)
        return 1
    print(format_diff(outcome.plan))
    if args.dry_run:
        print("dry run: nothing was changed")
    elif outcome.version:
        print(f"imported {path.name} as version {outcome.version} "
              f"({outcome.plan.summary()}); undo with: python -m cthb restore {outcome.version}")
    return 0


def cli_restore(args: argparse.Namespace, data_dir: Path, db_path: Path) -> int:
    if args.list or not args.version:
        entries = versions(data_dir)
        if not entries:
            print("no imports yet: the changelog is empty")
        for e in entries:
            print(f"{e['version']}  {e['applied_at']}  {e['action']:<7}  {e['file']}  "
                  f"+{e['added']} ~{e['changed']} -{e['removed']}  {e['summary']}")
        return 0
    try:
        outcome = restore(args.version, data_dir, db_path, dry_run=args.dry_run)
    except ImportFailed as exc:
        print(f"error: version {args.version} was not restored; nothing was changed.\n"
              f"{format_problems(exc.problems)}", file=sys.stderr)
        return 1
    print(format_diff(outcome.plan))
    if args.dry_run:
        print("dry run: nothing was changed")
    elif outcome.version:
        print(f"restored the files as they were before {args.version} "
              f"(new version {outcome.version})")
    return 0
