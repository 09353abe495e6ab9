"""Reading an import file: at most MAX_IMPORT_BYTES, however the file is given (a regular
file, a pipe, a device), then CSV or XLSX into checked import rows."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cthb.importing import xlsx
from cthb.importing.errors import file_problem
from cthb.importing.rows import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportRow,
    cell_problem,
    recognise,
    rows_from_cells,
    rows_problem,
    width_problem,
)
from cthb.validate import Problem


@dataclass(frozen=True)
class ImportFile:
    name: str
    sha256: str
    rows: tuple[ImportRow, ...]


def read_bytes(path: Path, max_bytes: int) -> tuple[bytes | None, Problem | None]:
    """The file's bytes, never more than `max_bytes` + 1 read: the size a pipe or a device
    reports (0) says nothing, so the limit holds on what is read, not on what stat says."""
    name = path.name
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                return None, file_problem(name, f"file is {info.st_size} bytes; the limit is "
                                                f"{max_bytes}")
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        return None, file_problem(name, f"cannot read the file: {exc.strerror or exc}")
    if len(raw) > max_bytes:
        return None, file_problem(name, f"the file is larger than the limit of {max_bytes} "
                                        "bytes")
    return raw, None


def read_import(path: Path, table: str | None = None,
                max_bytes: int = MAX_IMPORT_BYTES) -> tuple[ImportFile | None, list[Problem]]:
    """The rows of an import file (None if it is unreadable) and the problems found so far.
    Never raises on a malformed file: every problem is one line naming the file."""
    name = path.name
    raw, problem = read_bytes(path, max_bytes)
    if raw is None:
        return None, [problem] if problem else []
    if not raw.strip():
        return None, [file_problem(name, "file is empty")]
    digest = hashlib.sha256(raw).hexdigest()
    if raw.startswith(b"PK\x03\x04"):
        rows, problems = xlsx.read_xlsx(raw, name, table)
    elif path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return None, [file_problem(name, "not an XLSX workbook (the file is not a zip "
                                         "archive); save it as .xlsx or as a UTF-8 .csv")]
    else:
        rows, problems = read_csv(raw, name, table)
    if problems and not rows:
        return None, problems
    if len(rows) > MAX_IMPORT_ROWS:
        return None, [rows_problem(name)]
    # Row problems (a duplicate, a bad `change`) do not stop the other rows being checked.
    return ImportFile(name, digest, tuple(rows)), problems


def decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
            len(raw) > 1 and (raw[0] == 0 or raw[1] == 0) and raw.count(b"\x00") * 3 > len(raw)):
        return None, [file_problem(name, "file is UTF-16 text; save it as UTF-8 CSV")]
    if b"\x00" in raw:
        return None, [file_problem(name, "file contains NUL bytes: it is not a CSV text file "
                                         "(binary data?)")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [file_problem(name, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                                         f"offset {exc.start}); save the file as UTF-8", line)]


def _too_big(record: list[str], name: str, line: int) -> Problem | None:
    """A row beyond the column or cell limit (the reader stops there)."""
    if len(record) > MAX_COLUMNS:
        return width_problem(name, line, len(record))
    for i, cell in enumerate(record):
        if len(cell) > MAX_CELL_CHARS:
            return cell_problem(name, line, str(i + 1), len(cell))
    return None


def read_csv(raw: bytes, name: str, table: str | None) -> tuple[list[ImportRow], list[Problem]]:
    text, problems = decode(raw, name)
    if text is None:
        return [], problems
    reader = csv.reader(io.StringIO(text, newline=""))
    cells: list[tuple[int, list[str]]] = []
    try:
        header = [h.strip() for h in next(reader)]
        if (big := _too_big(header, name, 1)) is not None:
            return [], [big]
        for record in reader:
            if not any(c.strip() for c in record):
                continue
            if (big := _too_big(record, name, reader.line_num)) is not None:
                return [], [big]
            cells.append((reader.line_num, record))
            if len(cells) > MAX_IMPORT_ROWS:  # stop reading: the rest cannot be imported
                return [], [rows_problem(name)]
    except StopIteration:
        return [], [file_problem(name, "file is empty")]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            return [], [file_problem(name, f"a cell is longer than the limit of "
                                           f"{MAX_CELL_CHARS} characters", reader.line_num)]
        return [], [file_problem(name, f"malformed CSV: {exc}", reader.line_num)]
    tname, problem = recognise(header, name, table)
    if tname is None:
        return [], [problem]
    return rows_from_cells(cells, header, tname, name)
