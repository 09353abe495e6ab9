"""Correction files: a delegation's proposed fix, in the format the importer reads.

The web app never writes to the data. It writes an XLSX workbook that the data maintainers
review and import with `python -m cthb import FILE`:
- one sheet per data table, named exactly like the table (`sources`, `structures`, ...);
- the header is exactly that table's columns (cthb.schema), then a last column `change`;
- `change` is `add` (a new row) or `replace` (replaces the row with the same key).

Every row is checked with cthb.validate.parse_rows before the file is written, so a file that
leaves here passes the importer's validation of values (formula-like text is refused, never
written: openpyxl would store "=..." as a live formula).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cthb import schema
from cthb.validate import Problem, parse_rows

CHANGE_COLUMN = "change"
CHANGES = ("add", "replace")
# The tables a delegation may correct from the profile page (plus `sources`, always written).
CORRECTABLE = ("treaty_actions", "status_observations", "structures", "survey_responses",
               "memberships")


@dataclass(frozen=True)
class ProposedSource:
    title: str
    publisher: str
    url: str = ""
    published: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    note: str = ""
    # A delegation usually cites its own State's act or page: "official" (see schema).
    kind: str = "official"


@dataclass
class Correction:
    """Rows to add or replace, by table; `rows[table]` holds (row, change) pairs."""

    rows: dict[str, list[tuple[dict[str, str], str]]] = field(default_factory=dict)

    def add_row(self, table: str, row: dict[str, str], change: str) -> None:
        if change not in CHANGES:
            raise ValueError(f"change must be one of {CHANGES}, not {change!r}")
        self.rows.setdefault(table, []).append((row, change))


class CorrectionError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def as_text(value: object) -> str:
    """A stored value as the CSV files write it (dates ISO, booleans true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def source_id_for(iso3: str, source: ProposedSource, on: date) -> str:
    """A stable, valid code for the proposed source: the same proposal gets the same id."""
    digest = hashlib.sha1(f"{source.title}|{source.publisher}|{source.url}".encode()).hexdigest()
    return f"corr-{iso3.lower()}-{on:%Y%m%d}-{digest[:6]}"


def key_of(table: str, row: Mapping[str, object]) -> tuple[str, ...]:
    return tuple(as_text(row.get(c)) for c in schema.TABLES_BY_NAME[table].key)


def build_correction(table: str, original: dict[str, object] | None,
                     proposed: dict[str, str], source: ProposedSource, iso3: str,
                     on: date, accessed: date | None = None) -> Correction:
    """The correction replacing `original` (a stored row, or None for a missing fact) by
    `proposed` (column -> text, without `source_id`), citing `source`.

    The change is `replace` when the new row has the same key as the original (e.g. a treaty
    action's date), and `add` otherwise (e.g. a structure row: its key includes the source, so
    a new source is a new observation that sits beside the old one, as data/README.md wants).
    """
    if table not in CORRECTABLE:
        raise ValueError(f"{table!r} cannot be corrected from a profile")
    sid = source_id_for(iso3, source, on)
    src_row = {"source_id": sid, "kind": source.kind, "title": source.title.strip(),
               "publisher": source.publisher.strip(), "published": source.published.strip(),
               "url": source.url.strip(), "locator": "",
               "accessed": (accessed or on).isoformat(), "note": source.note.strip()}
    cols = schema.TABLES_BY_NAME[table].column_names
    row = {c: (proposed.get(c, "") or "").strip() for c in cols}
    row["source_id"] = sid
    change = "add"
    if original is not None and key_of(table, original) == key_of(table, row):
        change = "replace"
    corr = Correction()
    corr.add_row("sources", src_row, "add")
    corr.add_row(table, row, change)
    problems = validate_correction(corr)
    if problems:
        raise CorrectionError(problems)
    return corr


def sheet_csv(table: str, rows: list[tuple[dict[str, str], str]]) -> str:
    """A sheet's rows as the CSV text of the data file (without the `change` column)."""
    cols = schema.TABLES_BY_NAME[table].column_names
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row, _ in rows:
        writer.writerow([row.get(c, "") for c in cols])
    return buf.getvalue()


def validate_correction(corr: Correction) -> list[Problem]:
    """Every value checked like a data file's (types, required, formula-like text)."""
    problems: list[Problem] = []
    for table, rows in corr.rows.items():
        _, found = parse_rows(schema.TABLES_BY_NAME[table], sheet_csv(table, rows),
                              f"{table} (correction)")
        problems += found
    return problems


def workbook_bytes(corr: Correction) -> bytes:
    """The XLSX file: one sheet per table, header = the table's columns + `change`."""
    from openpyxl import Workbook

    problems = validate_correction(corr)
    if problems:
        raise CorrectionError(problems)
    wb = Workbook()
    wb.remove(wb.active)
    # Referenced tables first, as the importer reads them (sources before the facts).
    for table in (t.name for t in schema.TABLES if t.name in corr.rows):
        ws = wb.create_sheet(table)
        cols = list(schema.TABLES_BY_NAME[table].column_names)
        ws.append([*cols, CHANGE_COLUMN])
        for row, change in corr.rows[table]:
            # Everything as text: a date cell would come back as a datetime, "2008" as an int.
            ws.append([row.get(c, "") for c in cols] + [change])
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                cell.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_workbook(data: bytes) -> dict[str, list[dict[str, str]]]:
    """The sheets back as rows of text (for tests and for checking a file before sending)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    out: dict[str, list[dict[str, str]]] = {}
    for ws in wb.worksheets:
        values = list(ws.iter_rows(values_only=True))
        header = [str(h) for h in values[0]]
        out[ws.title] = [{h: "" if v is None else str(v) for h, v in zip(header, r, strict=True)}
                         for r in values[1:]]
    return out
