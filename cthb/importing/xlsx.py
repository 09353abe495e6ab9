"""XLSX workbooks, bounded before anything is parsed.

A workbook is a zip of XML parts, and a few kilobytes of zip can expand to gigabytes of XML, or
declare a sheet reaching row 1 048 576 and column XFD. So, in this order:

1. From the zip's directory alone: how many parts, their total uncompressed size, how many
   sheets. (zipfile stops a part at its declared size, so a part cannot lie about it.)
2. Every part is read once: no DTD (no XML entity tricks; spreadsheet files never have one),
   and a corrupt part fails here, as one line.
3. openpyxl (read-only) reads the sheets cell by cell, ignoring the sheet's declared dimension;
   the reader stops at the first row beyond MAX_IMPORT_ROWS, the first row wider than
   MAX_COLUMNS and the first cell longer than MAX_CELL_CHARS.

Anything openpyxl raises on a malformed part becomes a one-line problem naming the file (and
sheet): hostile input must never end in a traceback.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from cthb.importing.errors import file_problem, one_line
from cthb.importing.rows import (
    IMPORTABLE,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_IMPORT_ROWS,
    ImportRow,
    cell_problem,
    rows_from_cells,
    rows_problem,
    width_problem,
)
from cthb.validate import Problem

# One sheet per importable table, and room for a few other sheets (notes, an instructions
# page) that are refused by name with a clear message.
MAX_SHEETS = 20
MAX_PARTS = 200  # a workbook of 20 sheets has well under 100 parts
# Uncompressed XML of all parts together. 50 000 rows of a wide table as inline strings take
# about 25 MB; what openpyxl builds from 32 MB stays well under the 300 MB memory target.
MAX_UNCOMPRESSED = 32 * 2**20
DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def read_xlsx(raw: bytes, name: str, table: str | None) -> tuple[list[ImportRow], list[Problem]]:
    problem = check_archive(raw, name)
    if problem is not None:
        return [], [problem]
    import openpyxl  # lazy: only XLSX imports need it

    try:
        # data_only=False: a formula cell comes back as its "=..." text, which validation
        # rejects as formula injection instead of trusting a cached result.
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:
        return [], [file_problem(name, f"not a readable XLSX workbook ({one_line(exc)})")]
    try:
        return _read_sheets(wb, name, table)
    finally:
        wb.close()


def check_archive(raw: bytes, name: str) -> Problem | None:
    """Steps 1 and 2: the zip's own bounds, then every part read once (no DTD, no bad CRC)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError) as exc:  # NotImplementedError: an unknown compression method
        return file_problem(name, f"not a readable XLSX workbook ({type(exc).__name__})")
    with archive:
        parts = archive.infolist()
        sheets = [p for p in parts if p.filename.startswith("xl/worksheets/")
                  and p.filename.endswith(".xml")]
        if len(sheets) > MAX_SHEETS:
            return file_problem(name, f"the workbook has {len(sheets)} sheets; the limit is "
                                      f"{MAX_SHEETS} sheets")
        if len(parts) > MAX_PARTS:
            return file_problem(name, f"the workbook has {len(parts)} parts; the limit is "
                                      f"{MAX_PARTS}")
        total = sum(p.file_size for p in parts)
        if total > MAX_UNCOMPRESSED:
            return file_problem(name, f"the workbook is {total} bytes uncompressed; the limit "
                                      f"is {MAX_UNCOMPRESSED} bytes")
        for part in parts:
            try:
                content = archive.read(part)
            except Exception as exc:
                return file_problem(name, f"not a readable XLSX workbook ({part.filename!r}: "
                                          f"{one_line(exc)})")
            if part.filename.endswith((".xml", ".rels")) and any(
                    m in content for m in DTD_MARKERS):
                return file_problem(name, f"{part.filename!r} contains a DTD (<!DOCTYPE> or "
                                          "<!ENTITY>), which spreadsheet files never need; "
                                          "save the workbook again from a spreadsheet program")
    return None


def _read_sheets(wb: Any, name: str, table: str | None) -> tuple[list[ImportRow],
                                                                 list[Problem]]:
    rows: list[ImportRow] = []
    problems: list[Problem] = []
    sheets = list(wb.worksheets)
    if len(sheets) > MAX_SHEETS:
        return [], [file_problem(name, f"the workbook has {len(sheets)} sheets; the limit is "
                                       f"{MAX_SHEETS} sheets")]
    if table is not None and len(sheets) == 1 and sheets[0].title not in IMPORTABLE:
        named = {sheets[0].title: table}
    else:
        named = {s.title: s.title for s in sheets}
    for ws in sheets:
        tname = named[ws.title]
        where = f"{name}[{ws.title}]"
        if tname not in IMPORTABLE:
            problems.append(file_problem(where, "sheet name is not an importable table ("
                                         + ", ".join(IMPORTABLE) + ")"))
            continue
        try:
            read = _sheet_cells(ws, where, MAX_IMPORT_ROWS - len(rows))
        except Exception as exc:
            return [], [file_problem(where, f"the sheet cannot be read ({one_line(exc)})")]
        if isinstance(read, Problem):
            return [], [read]
        header, cells = read
        if header is None:
            continue  # an empty sheet imports nothing
        sheet_rows, sheet_problems = rows_from_cells(cells, header, tname, where)
        rows += sheet_rows
        problems += sheet_problems
    if not rows and not problems:
        problems.append(file_problem(name, "the workbook holds no rows to import"))
    return rows, problems


def _sheet_cells(ws: Any, where: str, room: int
                 ) -> Problem | tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """The header and the non-empty rows of a sheet, or the first limit it breaks."""
    # The declared dimension (e.g. A1:XFD1048576) is only a claim: read the cells there are.
    ws.reset_dimensions()
    header: list[str] | None = None
    cells: list[tuple[int, list[str]]] = []
    # Row numbers come from the file: openpyxl fills a gap up to a far-away row with empty rows
    # one by one, so stop at the first row number beyond what could be imported.
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if number > MAX_IMPORT_ROWS + 1:
            return rows_problem(where)
        texts = [_cell_text(v) for v in values]
        while texts and texts[-1] == "":
            texts.pop()
        if len(texts) > MAX_COLUMNS:
            return width_problem(where, number, len(texts))
        for col, text in enumerate(texts, start=1):
            if len(text) > MAX_CELL_CHARS:
                return cell_problem(where, number, str(col), len(text))
        if header is None:
            if texts:
                header = [t.strip() for t in texts]
            continue
        if not any(t.strip() for t in texts):
            continue
        texts += [""] * (len(header) - len(texts))
        cells.append((number, texts))
        if len(cells) > room:
            return rows_problem(where)
    return header, cells


def _cell_text(value: object) -> str:
    """Spreadsheet cell -> the text the CSV files would hold."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, ArrayFormula):
        # A formula stays a formula: its "=..." text, which validation refuses, never its
        # Python repr (which would pass as harmless text).
        text = value.text or ""
        return text if text.startswith("=") else "=" + text
    if isinstance(value, DataTableFormula):
        return "=TABLE()"
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
