"""Every CSV and XLSX the project writes is safe to open in a spreadsheet: no cell starts like
a formula, even when the text comes from outside (an import file's name)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cthb import dataset, importer, store
from cthb.cli import main as cli_main

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_NAMES = ["=cmd|' calc'!A0.csv", "+1+1.csv", "-2+3.csv", "@SUM(1).csv"]


def _unsafe_cells(rows: list[list[str]]) -> list[str]:
    return [c for row in rows for c in row if c.startswith(FORMULA_START)]


@pytest.fixture
def env(real_data_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "db" / "cthb.duckdb"
    store.build(real_data_copy, db)
    return real_data_copy, db


def _import_under(name: str, env: tuple[Path, Path], tmp_path: Path, n: int) -> None:
    data, db = env
    f = tmp_path / name
    f.write_text("engagement_id,kind,title,start_date,source_id\n"
                 f"safe-{n},visit,Safety test,2024-03,sr2007-s52\n")
    importer.import_file(f, data, db, table="engagements")


def test_import_file_names_never_become_formulas(env: tuple[Path, Path], tmp_path: Path) -> None:
    data, _ = env
    for n, name in enumerate(HOSTILE_NAMES):
        _import_under(name, env, tmp_path, n)
    with open(data / importer.CHANGELOG, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + len(HOSTILE_NAMES)
    assert _unsafe_cells(rows) == []
    # The name is still recognisable (only defused).
    assert [r[3] for r in rows[1:]] == ["'" + n for n in HOSTILE_NAMES]


def test_data_downloads_defuse_an_old_changelog(env: tuple[Path, Path]) -> None:
    """A changelog written before names were defused is defused in the zip and workbook."""
    data, _ = env
    header = ",".join(importer.CHANGELOG_COLUMNS)
    (data / importer.CHANGELOG).write_text(
        header + "\nv1,2024-01-01T00:00:00+00:00,import,=HYPERLINK(\"x\"),abc,1,0,0,"
                 "engagements: +1 ~0 -0\n", encoding="utf-8")
    with zipfile.ZipFile(io.BytesIO(dataset.csv_zip(data))) as zf:
        text = zf.read(f"cthb-data/{importer.CHANGELOG}").decode("utf-8")
    assert _unsafe_cells(list(csv.reader(io.StringIO(text)))) == []
    wb = openpyxl.load_workbook(io.BytesIO(dataset.xlsx_bytes(dataset.read_tables_as_text(data))))
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert not [c for c in cells if c.startswith(FORMULA_START)]


def test_cli_csv_output_is_defused(env: tuple[Path, Path], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    data, db = env
    monkeypatch.setenv("CTHB_DATA_DIR", str(data))
    monkeypatch.setenv("CTHB_DB", str(db))
    for n, name in enumerate(HOSTILE_NAMES):
        _import_under(name, env, tmp_path, n)
    capsys.readouterr()
    assert cli_main(["status", "--treaty", "UNTOC"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 58 and _unsafe_cells(rows) == []
