"""Fuzz: any bytes given to `cthb import` as CSV or XLSX end in an applied-or-refused answer,
never an exception, within a memory and time ceiling per case; every problem is one line that
names the file."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cthb.importer import ImportFailed, import_file
from tests import hostile_files as hostile
from tests.conftest import copy_real_data

MEMORY_CEILING = 64 * 2**20  # Python heap per case (tracemalloc peak)
# Per case: catches hangs (a bomb runs for minutes), not speed; benchmarks/ measure speed. Generous
# because CI machines may be loaded several times over.
TIME_CEILING = timedelta(seconds=60)
SETTINGS = settings(max_examples=120, deadline=TIME_CEILING,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("fuzz") / "data"
    copy_real_data(target)
    yield target


def check(data: Path, name: str, content: bytes) -> None:
    """Dry-run import of `content`: either a plan or ImportFailed with one-line problems."""
    folder = data.parent / "files"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        import_file(path, data, data.parent / "cthb.duckdb", dry_run=True)
    except ImportFailed as exc:
        assert exc.problems
        for p in exc.problems:
            text = str(p)
            assert "\n" not in text, text
            assert text.startswith((name, "data/")), text
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < MEMORY_CEILING, f"{peak / 2**20:.0f} MB for {len(content)} bytes"
    assert time.perf_counter() - started < TIME_CEILING.total_seconds()


# --- CSV ---------------------------------------------------------------------------------------

HEADER = b"engagement_id,kind,title,start_date,source_id,change\n"
cell_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
csv_cells = st.lists(st.one_of(cell_text, st.sampled_from(
    ["visit", "2024-03", "sr2007-s52", "add", "replace", '"', '""', "\r", "\x00", "=1+1",
     "٢٠٢٤-٠٣", "9999", "0001-01-01"])), max_size=8)


@SETTINGS
@given(st.binary(max_size=3000))
def test_csv_raw_bytes(data: Path, content: bytes) -> None:
    check(data, "fuzz.csv", content)


@SETTINGS
@given(st.lists(csv_cells, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))
def test_csv_rows_under_a_real_header(data: Path, rows: list[list[str]], end: str) -> None:
    body = end.join(",".join(cells) for cells in rows)
    check(data, "fuzz.csv", HEADER + body.encode("utf-8", errors="surrogatepass"))


# --- XLSX --------------------------------------------------------------------------------------

BASE = hostile.small_workbook()
MEMBERS = [i.filename for i in zipfile.ZipFile(io.BytesIO(BASE)).infolist()]


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.binary(min_size=1, max_size=8)),
                min_size=1, max_size=6))
def test_xlsx_with_corrupted_bytes(data: Path, edits: list[tuple[int, bytes]]) -> None:
    content = bytearray(BASE)
    for at, new in edits:
        content[at:at + len(new)] = new
    check(data, "fuzz.xlsx", bytes(content))


@SETTINGS
@given(st.integers(4, len(BASE) - 1))
def test_xlsx_cut_short(data: Path, size: int) -> None:
    check(data, "fuzz.xlsx", BASE[:size])


refs = st.one_of(st.from_regex(r"[A-Z]{1,3}[0-9]{1,7}", fullmatch=True),
                 st.sampled_from(["", "A0", "XFD1048576", "3A", "-1", "A1048577", "ZZZZ1"]))
cell_types = st.sampled_from(["", "s", "n", "b", "e", "str", "inlineStr", "d", "x"])
values = st.one_of(st.text(max_size=12), st.integers(-10**12, 10**12).map(str),
                   st.sampled_from(["1e308", "nan", "2024-03-01T00:00:00", "TRUE", "#REF!"]))


@st.composite
def sheet_cells(draw: st.DrawFn) -> str:
    ref, kind, value = draw(refs), draw(cell_types), draw(values)
    text = value.replace("&", "&amp;").replace("<", "&lt;")
    attrs = (f' r="{ref}"' if ref else "") + (f' t="{kind}"' if kind else "")
    if kind == "inlineStr":
        return f"<c{attrs}><is><t>{text}</t></is></c>"
    if draw(st.booleans()):  # a formula, sometimes an array formula
        f_attrs = ' t="array" ref="A1:B2"' if draw(st.booleans()) else ""
        return f"<c{attrs}><f{f_attrs}>{text}</f><v>{text}</v></c>"
    return f"<c{attrs}><v>{text}</v></c>"


@st.composite
def sheet_rows(draw: st.DrawFn) -> str:
    r = draw(st.one_of(st.none(), st.integers(-2, 1_100_000), st.just(3)))
    cells = "".join(draw(st.lists(sheet_cells(), max_size=6)))
    return f'<row r="{r}">{cells}</row>' if r is not None else f"<row>{cells}</row>"


@SETTINGS
@given(st.lists(sheet_rows(), max_size=8),
       st.sampled_from(["", "A1:E2", "A1:XFD1048576", "A1", "Z9:A1", "bogus"]),
       st.lists(st.text(max_size=10), max_size=4))
def test_xlsx_generated_sheets(data: Path, rows: list[str], dimension: str,
                               strings: list[str]) -> None:
    sst = "".join(f"<si><t>{s.replace('&', '&amp;').replace('<', '&lt;')}</t></si>"
                  for s in strings)
    check(data, "fuzz.xlsx", hostile.small_workbook(rows, dimension=dimension,
                                                    shared_strings=sst))


@SETTINGS
@given(st.sampled_from(MEMBERS), st.binary(max_size=400))
def test_xlsx_member_replaced_by_junk(data: Path, member: str, junk: bytes) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BASE)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, junk if info.filename == member else src.read(info))
    check(data, "fuzz.xlsx", out.getvalue())
