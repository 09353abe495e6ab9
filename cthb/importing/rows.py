"""The import format: which tables can be imported, the `change` column, the size limits, and
turning the cells of a CSV file or a sheet into checked import rows."""

from __future__ import annotations

from dataclasses import dataclass

from cthb import schema
from cthb.importing.csvtext import key_of
from cthb.importing.errors import file_problem
from cthb.validate import Problem

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

# Limits, checked before or while reading, never after: a file beyond them is refused with the
# limit it broke, in bounded time and memory (benchmarks/bench_reliability.py measures it).
MAX_IMPORT_BYTES = 5 * 1024 * 1024  # the file itself, however it is read (also pipes)
MAX_IMPORT_ROWS = 50_000  # data rows per file (all sheets together)
# The widest table has 11 columns (+ `change`); room for a few empty or stray ones.
MAX_COLUMNS = 64
# The longest cell in data/ is under 900 characters (a source's note).
MAX_CELL_CHARS = 10_000


@dataclass(frozen=True)
class ImportRow:
    table: str
    where: str  # file name (and sheet) shown in problems
    line: int  # row number in the import file / sheet (the header is row 1)
    change: str
    values: dict[str, str]


def recognise(header: list[str], name: str, given: str | None) -> tuple[str | None, Problem]:
    """The table a CSV file's header belongs to (or the one given with --table)."""
    cols = [h for h in header if h != CHANGE_COLUMN]
    if given is not None:
        if given not in IMPORTABLE:
            return None, file_problem(name, f"table {given!r} cannot be imported; importable: "
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
    return None, Problem(name, 1, None, ",".join(header)[:200],
                         "the header is not the columns of an importable table ("
                         + ", ".join(IMPORTABLE) + "); give the table with --table NAME")


def rows_from_cells(cells: list[tuple[int, list[str]]], header: list[str], tname: str,
                    where: str) -> tuple[list[ImportRow], list[Problem]]:
    """Checked import rows from (row number, cells) pairs under `header`."""
    table = schema.TABLES_BY_NAME[tname]
    problems: list[Problem] = []
    header = [h.strip() for h in header]
    for c in header:
        if c != CHANGE_COLUMN and c not in table.column_names:
            problems.append(Problem(where, 1, c[:100], None, "unknown column; expected columns: "
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
            problems.append(Problem(where, line, CHANGE_COLUMN, change[:100],
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


def width_problem(where: str, line: int, width: int) -> Problem:
    return Problem(where, line, None, None,
                   f"row has {width} columns; the limit is {MAX_COLUMNS} columns")


def cell_problem(where: str, line: int, column: str, length: int) -> Problem:
    return Problem(where, line, column, None,
                   f"a cell of {length} characters; the limit is {MAX_CELL_CHARS} characters")


def rows_problem(where: str) -> Problem:
    return file_problem(where, f"more than {MAX_IMPORT_ROWS} rows; the limit is "
                               f"{MAX_IMPORT_ROWS}")
