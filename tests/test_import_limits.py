"""Imports are bounded before anything is parsed: workbook bombs, huge declared sheets, far-away
cells, endless devices and pipes are refused quickly, in little memory, with one clear line;
malformed sheets end in a one-line problem, never a traceback."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from cthb import importer, paths
from cthb.importer import ImportFailed, import_file
from tests import hostile_files as hostile

MEMORY_TARGET_MB = 300  # the ceiling for the worst bomb
TIME_CEILING_S = 60  # a guard against hangs, not a speed target (benchmarks/ has those)


def _env(data: Path, db: Path) -> dict[str, str]:
    return {**os.environ, "CTHB_DATA_DIR": str(data), "CTHB_DB": str(db),
            "PYTHONPATH": str(paths.PROJECT_ROOT)}


def dry_run(path: Path, data: Path, db: Path) -> hostile.Measured:
    return hostile.measure(["cthb", "import", str(path), "--dry-run"],
                           _env(data, db), paths.PROJECT_ROOT, timeout=TIME_CEILING_S)


BOMBS: dict[str, tuple[Callable[[], bytes], str]] = {
    # name: (file maker, words the one-line refusal must contain)
    "expansion": (lambda: hostile.expansion_bomb(400), "uncompressed"),
    "far row": (hostile.far_row_bomb, "rows"),
    "wide row": (hostile.wide_row_bomb, "columns"),
    "many sheets": (hostile.many_sheets, "sheets"),
    "long cell": (hostile.long_cell, "characters"),
    "entity": (hostile.entity_bomb, "DTD"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_bomb_is_refused_quickly_in_little_memory(name: str, real_data_copy: Path,
                                                  tmp_path: Path) -> None:
    make, words = BOMBS[name]
    path = tmp_path / f"{name.replace(' ', '-')}.xlsx"
    path.write_bytes(make())
    assert path.stat().st_size <= importer.MAX_IMPORT_BYTES
    run = dry_run(path, real_data_copy, tmp_path / "cthb.duckdb")
    assert run.returncode == 1, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert lines[0] == f"error: {path.name} was not imported; nothing was changed. " \
                       "1 problem(s):", run.stderr
    assert lines[1].startswith(f"- {path.name}"), lines[1]
    message = lines[1].split(": ", 1)[1]  # what is wrong, after the file's name
    assert words in message, lines[1]
    assert "limit" in message or words == "DTD", lines[1]
    assert len(lines) == 2
    assert 0 < run.peak_mb < MEMORY_TARGET_MB, f"{run.peak_mb:.0f} MB"


def test_declared_dimension_is_not_believed(real_data_copy: Path, tmp_path: Path) -> None:
    """A sheet that declares A1:XFD1048576 but holds two rows imports as two rows."""
    path = tmp_path / "dimension.xlsx"
    path.write_bytes(hostile.dimension_bomb())
    run = dry_run(path, real_data_copy, tmp_path / "cthb.duckdb")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.splitlines()[0] == "engagements.csv: 1 added, 0 changed, 0 removed"
    assert 0 < run.peak_mb < MEMORY_TARGET_MB, f"{run.peak_mb:.0f} MB"


def test_endless_device_is_cut_at_the_byte_limit(real_data_copy: Path, tmp_path: Path) -> None:
    run = dry_run(Path("/dev/zero"), real_data_copy, tmp_path / "cthb.duckdb")
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.stderr.splitlines()[1] == (
        f"- zero: the file is larger than the limit of {importer.MAX_IMPORT_BYTES} bytes")
    assert 0 < run.peak_mb < MEMORY_TARGET_MB


def test_pipe_is_cut_at_the_byte_limit(real_data_copy: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "upload.csv"
    os.mkfifo(fifo)
    written: list[int] = []

    def feed() -> None:
        try:
            with open(fifo, "wb") as fh:
                chunk = b"engagement_id,kind,title,start_date,source_id\n" * 1000
                for _ in range(200):  # ~9 MB, more than the limit
                    fh.write(chunk)
                    written.append(len(chunk))
        except BrokenPipeError:
            pass  # the reader stopped at its limit, as it should

    writer = threading.Thread(target=feed)
    writer.start()
    run = dry_run(fifo, real_data_copy, tmp_path / "cthb.duckdb")
    writer.join(timeout=TIME_CEILING_S)
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.stderr.splitlines()[1] == (
        f"- upload.csv: the file is larger than the limit of {importer.MAX_IMPORT_BYTES} bytes")


def test_too_many_csv_rows_stops_early(real_data_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    body = "".join(f"r{i},visit,t,2024-03,sr2007-s52\n"
                   for i in range(importer.MAX_IMPORT_ROWS + 5))
    path.write_text("engagement_id,kind,title,start_date,source_id\n" + body)
    with pytest.raises(ImportFailed) as info:
        import_file(path, real_data_copy, tmp_path / "cthb.duckdb", dry_run=True)
    assert [str(p) for p in info.value.problems] == [
        f"rows.csv: more than {importer.MAX_IMPORT_ROWS} rows; the limit is "
        f"{importer.MAX_IMPORT_ROWS}"]


@pytest.mark.parametrize("name", list(hostile.MALFORMED_ROWS))
def test_malformed_sheet_is_one_line_never_a_traceback(name: str, tmp_path: Path) -> None:
    path = tmp_path / "malformed.xlsx"
    path.write_bytes(hostile.small_workbook([hostile.MALFORMED_ROWS[name]]))
    _imp, problems = importer.read_import(path)  # must not raise
    assert problems, name
    for p in problems:
        text = str(p)
        assert "\n" not in text and text.startswith("malformed.xlsx"), text
        assert "Traceback" not in text


def test_array_formula_is_refused_like_any_formula(real_data_copy: Path,
                                                   tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "engagements"
    ws.append([*list(hostile.ENGAGEMENT_HEADER), "place"])
    ws.append([*list(hostile.ENGAGEMENT_ROW), None])
    ws["F2"] = ArrayFormula("F2:F2", '=HYPERLINK("http://evil.example","x")')
    path = tmp_path / "array.xlsx"
    wb.save(path)
    with pytest.raises(ImportFailed) as info:
        import_file(path, real_data_copy, tmp_path / "cthb.duckdb", dry_run=True)
    assert [str(p) for p in info.value.problems] == [
        "array.xlsx[engagements]:2: column place: '=HYPERLINK(\"http://evil.example\",\"x\")': "
        "text may not start with = + - @ (spreadsheet formula injection)"]
