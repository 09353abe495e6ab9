"""Hostile import files, written by hand (no openpyxl): workbooks that expand to gigabytes,
declare a million rows, hide a row at the sheet's far end, and malformed sheets. Used by the
import tests and by benchmarks/bench_reliability.py."""

from __future__ import annotations

import csv
import io
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}"
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>")
SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
              'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets>{sheets}</sheets></workbook>")
WORKBOOK_SHEET = '<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{rels}"
    '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
WORKBOOK_REL = ('<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              "{dimension}<sheetData>")
SHEET_TAIL = "</sheetData></worksheet>"
SST = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>')

ENGAGEMENT_HEADER = ("engagement_id", "kind", "title", "start_date", "source_id")
ENGAGEMENT_ROW = ("hostile-1", "visit", "A visit", "2024-03", "sr2007-s52")


def cell(value: str) -> str:
    text = value.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def row(values: Iterable[str], r: int | None = None) -> str:
    attr = f' r="{r}"' if r is not None else ""
    return f"<row{attr}>{''.join(cell(v) for v in values)}</row>"


def workbook(sheets: dict[str, Iterable[bytes | str]], *, dimension: str = "",
             shared_strings: str = "", compresslevel: int = 9) -> bytes:
    """An XLSX file whose sheets' <sheetData> content comes from the given chunks (streamed,
    so a sheet may expand to gigabytes without being held in memory)."""
    buf = io.BytesIO()
    names = list(sheets)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(
            sheets="".join(SHEET_TYPE.format(n=n) for n in range(1, len(names) + 1))))
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(sheets="".join(
            WORKBOOK_SHEET.format(name=name, n=n) for n, name in enumerate(names, start=1))))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(rels="".join(
            WORKBOOK_REL.format(n=n) for n in range(1, len(names) + 1))))
        zf.writestr("xl/sharedStrings.xml", SST.format(items=shared_strings))
        for n, name in enumerate(names, start=1):
            dim = f'<dimension ref="{dimension}"/>' if dimension else ""
            with zf.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as fh:
                fh.write(SHEET_HEAD.format(dimension=dim).encode())
                for chunk in sheets[name]:
                    fh.write(chunk.encode() if isinstance(chunk, str) else chunk)
                fh.write(SHEET_TAIL.encode())
    return buf.getvalue()


def small_workbook(extra_rows: Iterable[str] = (), *, dimension: str = "",
                   shared_strings: str = "") -> bytes:
    """A valid engagements sheet (header and one row) plus whatever rows are given."""
    return workbook({"engagements": [row(ENGAGEMENT_HEADER, 1), row(ENGAGEMENT_ROW, 2),
                                     *extra_rows]},
                    dimension=dimension, shared_strings=shared_strings)


def expansion_bomb(megabytes_out: int = 1024) -> bytes:
    """About 1 MB per GB of sheet XML: rows of 16 384 numbers, which a reader that keeps the
    cells turns into gigabytes of Python objects (one int and one str per cell)."""
    one_row = ("<row>" + "<c><v>1234567</v></c>" * 16_384 + "</row>").encode()
    rows = max(1, megabytes_out * 2**20 // len(one_row))

    def chunks() -> Iterable[bytes]:
        yield row(ENGAGEMENT_HEADER).encode()
        for _ in range(rows):
            yield one_row

    return workbook({"engagements": chunks()})


def dimension_bomb() -> bytes:
    """A few kilobytes that declare the largest sheet Excel allows (A1:XFD1048576)."""
    return small_workbook(dimension="A1:XFD1048576")


def far_row_bomb() -> bytes:
    """A valid sheet plus one cell in the last row and the last column of the sheet."""
    return small_workbook(['<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is>'
                           "</c></row>"])


def wide_row_bomb() -> bytes:
    """One data row with a value in column XFD (16 384 columns)."""
    return small_workbook(['<row r="3"><c r="A3" t="inlineStr"><is><t>w</t></is></c>'
                           '<c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'])


def many_sheets(count: int = 500) -> bytes:
    return workbook({f"s{n}": [row(ENGAGEMENT_HEADER, 1)] for n in range(count)})


def long_cell(chars: int = 2_000_000) -> bytes:
    return small_workbook([row(["long", "visit", "x" * chars, "2024-03", "sr2007-s52"], 3)])


def entity_bomb() -> bytes:
    """Billion laughs in the shared strings (a DTD has no business in a workbook)."""
    sst = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i + 1} "{("&lol%s;" % (str(i) if i else "")) * 10}">'
                     for i in range(9))
           + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           "<si><t>&lol9;</t></si></sst>")
    buf = io.BytesIO(small_workbook())
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = sst.encode() if info.filename == "xl/sharedStrings.xml" else src.read(info)
            dst.writestr(info.filename, data)
    return out.getvalue()


MALFORMED_ROWS = {
    # A shared-string index pointing past the (empty) table.
    "shared string out of range": '<row r="3"><c r="A3" t="s"><v>99</v></c></row>',
    # Cell references openpyxl cannot parse.
    "bad cell reference": '<row r="3"><c r="3A" t="inlineStr"><is><t>x</t></is></c></row>',
    "bad row number": '<row r="x"><c t="inlineStr"><is><t>x</t></is></c></row>',
    # A number that is not one, a date that is not one.
    "bad number": '<row r="3"><c r="A3"><v>not-a-number</v></c></row>',
    "bad date": '<row r="3"><c r="A3" t="d"><v>yesterday</v></c></row>',
    # Unclosed XML.
    "broken xml": '<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is>',
}


# --- running a command under a memory limit, measuring its peak memory --------------------


@dataclass(frozen=True)
class Measured:
    returncode: int  # negative: killed by that signal (e.g. -9 at the time ceiling)
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the child's own peak resident memory (VmHWM), 0 if it was killed


# Runs `python -m <module> <args>` and writes the process's VmHWM (peak resident memory of its
# own address space) to a file at exit. getrusage's ru_maxrss would not do: Linux carries the
# parent's peak into a forked child across exec, so a test run by a big pytest worker would
# seem to use the worker's memory.
_PEAK_WRAPPER = """
import atexit, os, runpy, sys
def _report():
    with open("/proc/self/status") as status, open(os.environ["CTHB_PEAK_FILE"], "w") as out:
        out.write(next(l for l in status if l.startswith("VmHWM:")).split()[1])
atexit.register(_report)
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def measure(module_args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60.0,
            memory_limit: int = 2 * 2**30) -> Measured:
    """Run `python -m <module_args>` with an address-space limit (so a runaway reader fails
    instead of eating the machine) and a time ceiling; return its output, wall time and peak
    memory."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", _PEAK_WRAPPER, *module_args],
                                    cwd=cwd, env={**env, "CTHB_PEAK_FILE": str(peak_file)},
                                    stdout=out, stderr=err, preexec_fn=limit)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            seconds = time.perf_counter() - started
        peak_kb = float(peak_file.read_text() or 0) if peak_file.exists() else 0.0
        return Measured(proc.returncode, out_path.read_text(errors="replace"),
                        err_path.read_text(errors="replace"), seconds, peak_kb / 1024)


# --- data whose every text cell carries markup -------------------------------------------------

# Each construct carries a marker; if the construct were rendered, the marker would stand
# alone as the text of its own element (<strong>B1</strong>, <a>L1</a>, ...).
PAYLOAD = (" **B1** _i1_ `c1` <b>H1</b> <img src='http://evil.invalid/img.png'> "
           "[L1](http://evil.invalid/link) ![I1](http://evil.invalid/i.png) "
           "<a href='http://evil.invalid/a'>A1</a> :red[R1] $x^2$ {x} &amp; "
           "www.evil.invalid/w mail@evil.invalid")
MARKERS = ("B1", "i1", "c1", "H1", "L1", "I1", "A1", "R1")
LITERAL = "**B1** _i1_ `c1` <b>H1</b>"  # how the start of the payload must read on a page
# What a renderer that took the payload as markup would produce from it (in figure JSON).
RAW_MARKUP = ("<b>H1</b>", "<img src=", "<a href=")


def hostile_copy(target: Path) -> Path:
    """A copy of data/ with PAYLOAD appended to every text cell of every table (and put into
    every empty one). Only text changes, so the copy is still valid data."""
    from cthb import schema
    from tests.conftest import copy_real_data

    copy_real_data(target)
    for table in schema.TABLES:
        text_columns = [c.name for c in table.columns if c.type == "text"]
        path = target / table.filename
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
            columns = list(rows[0]) if rows else list(table.column_names)
        for row in rows:
            for col in text_columns:
                if col in row:
                    row[col] = (row[col] or "x") + PAYLOAD
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return target
