"""Exports that load as data (issue #16): every CSV the app and the CLI write is plain RFC 4180
that `pandas.read_csv` reads with its defaults into the table shown on screen, and every zip's
datapackage.json passes Frictionless validation (columns, types, keys, foreign keys, hashes);
the XLSX About sheet says the same as the datapackage.json."""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from frictionless import Package

from cthb import cli, dataset, schema, views
from cthb.charts.catalog import ChartParams, load_all
from cthb.charts.gaps import GAP_QUESTIONS
from cthb.charts.survey import survey_frame
from cthb.export import tables
from cthb.export.cli import CLI_CHARTS
from cthb.facts import Facts
from tests.conftest import REAL_DATA

REPORT = date(2007, 11, 13)
LATER = date(2024, 6, 30)


def cell(value: object) -> object:
    """A cell as a reader compares it: empty is empty, a number is a number whatever its type
    ("3" on screen, 3 back from pandas), anything else its text."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    text = str(value)
    try:
        return float(text)
    except ValueError:
        return text


def assert_reads_back(df: pd.DataFrame, data: bytes) -> None:
    assert not data.startswith(b"\xef\xbb\xbf"), "a byte-order mark"
    assert not data.lstrip().startswith(b"#"), "comment lines"
    back = pd.read_csv(io.BytesIO(data))  # pandas defaults: what an analyst types
    assert list(back.columns) == [str(c) for c in df.columns]
    assert len(back) == len(df)
    for col in df.columns:
        shown = [cell(v) for v in df[col]]
        read = [cell(v) for v in back[str(col)]]
        assert read == shown, col


def catalogue_tables(facts: Facts) -> list[tuple[str, pd.DataFrame]]:
    out = []
    for chart_id, spec in load_all().items():
        extra: tuple[tuple[str, str], ...] = ()
        if "extra" in spec.uses and chart_id.startswith("state_"):
            extra = (("iso3", "KAZ"),)
        for on, lang, compare in ((REPORT, "en", None), (LATER, "ru", REPORT)):
            params = ChartParams(as_of=on, lang=lang, extra=extra,
                                 indicator="COE197" if "indicator" in spec.uses else None,
                                 compare_to=compare if chart_id in ("map", "tiles") else None)
            out.append((f"{chart_id}/{on}/{lang}", spec.build(facts, params).data))
    return out


def test_every_chart_table_reads_back_with_pandas_defaults(facts: Facts) -> None:
    checked = 0
    for name, df in catalogue_tables(facts):
        assert len(df.columns), name
        assert_reads_back(df, tables.to_csv_bytes(df))
        checked += 1
    assert checked >= 2 * len(CLI_CHARTS)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_page_tables_read_back_with_pandas_defaults(facts: Facts, lang: str) -> None:
    shown = [views.gap_table(facts, q.id, on, lang, None, None)
             for q in GAP_QUESTIONS for on in (REPORT, LATER)]
    shown += [views.changes_table(facts, REPORT, LATER, lang, None, None),
              survey_frame(facts, REPORT, lang, None, None)]
    for df in shown:  # an empty list too: its header alone reads back
        assert_reads_back(df, tables.to_csv_bytes(df))
    assert sum(len(df) for df in shown) > 300


def _extract(zip_bytes: bytes, target: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        zf.extractall(target)
    return target


def test_table_zip_is_a_valid_data_package(facts: Facts, tmp_path: Path) -> None:
    df = views.gap_table(facts, "not_party_UNTOC", REPORT, "ru", None, None)
    meta = tables.table_meta(facts, "Кто не участвует в UNTOC?", REPORT, list(df["source_id"]),
                             {"Регион": "все"}, lang="ru")
    folder = _extract(tables.to_zip_bytes(df, meta, "untoc-gaps"), tmp_path)
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    fields = descriptor["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == list(df.columns)
    assert "Участник" in descriptor["cthb"]["status_words"]["party"]
    assert_reads_back(df, (folder / "untoc-gaps.csv").read_bytes())


def test_a_changed_csv_fails_validation(facts: Facts, tmp_path: Path) -> None:
    """The check can fail: the descriptor's hash and types catch a tampered file."""
    df = views.gap_table(facts, "not_party_UNTOC", REPORT, "en", None, None)
    meta = tables.table_meta(facts, "UNTOC gaps", REPORT, list(df["source_id"]))
    folder = _extract(tables.to_zip_bytes(df, meta, "gaps"), tmp_path)
    path = folder / "gaps.csv"
    path.write_bytes(path.read_bytes().replace(b"Kazakhstan", b"Kazakhstan!"))
    assert not Package(str(folder / "datapackage.json")).validate().valid


def test_full_data_zip_is_a_valid_data_package(tmp_path: Path) -> None:
    folder = _extract(dataset.csv_zip(REAL_DATA), tmp_path) / dataset.ZIP_FOLDER
    assert {p.name for p in folder.iterdir()} >= {
        "datapackage.json", "README.md", *(t.filename for t in schema.TABLES)}
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])[:10]
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["path"].startswith("https://")
    by_name = {r["name"]: r for r in descriptor["resources"]}
    structures = {f["name"]: f for f in by_name["structures"]["schema"]["fields"]}
    assert structures["status"]["constraints"]["enum"] == list(schema.RECORDED_STRUCTURE_STATUSES)
    assert by_name["treaty_actions"]["schema"]["primaryKey"] == ["iso3", "treaty", "action"]
    for t in schema.TABLES:
        raw = (folder / t.filename).read_bytes()
        assert raw == (REAL_DATA / t.filename).read_bytes()
        back = pd.read_csv(io.BytesIO(raw))
        assert list(back.columns) == list(t.column_names)


def test_full_data_foreign_keys_are_checked(tmp_path: Path) -> None:
    folder = _extract(dataset.csv_zip(REAL_DATA), tmp_path) / dataset.ZIP_FOLDER
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    actions = folder / "treaty_actions.csv"
    with open(actions, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["source_id"] = "no-such-source"
    with open(actions, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for resource in descriptor["resources"]:  # the hash would catch it first: test the key
        resource.pop("hash", None)
        resource.pop("bytes", None)
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = Package(str(folder / "datapackage.json")).validate()
    assert not report.valid
    assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def test_xlsx_about_sheet_says_what_the_datapackage_says(facts: Facts) -> None:
    df = views.gap_table(facts, "no_NR", LATER, "en", None, None)
    meta = tables.table_meta(facts, "No National Rapporteur", LATER, list(df["source_id"]))
    descriptor = tables.package(df, meta)
    wb = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx_bytes(df, meta)))
    text = [str(c.value) for row in wb["About"].iter_rows() for c in row if c.value]
    joined = "\n".join(text)
    assert descriptor["title"] in joined
    assert descriptor["licenses"][0]["path"] in joined
    assert all(definition in text for definition in descriptor["cthb"]["status_words"].values())
    assert all(f["name"] in text for f in descriptor["resources"][0]["schema"]["fields"])
    assert all(s["id"] in text for s in descriptor["sources"])


def test_full_xlsx_about_sheet_lists_every_column() -> None:
    raw = dataset.xlsx_bytes(dataset.read_tables_as_text(REAL_DATA), REAL_DATA)
    about = openpyxl.load_workbook(io.BytesIO(raw))["About"]
    pairs = {(str(r[0].value), str(r[1].value)) for r in about.iter_rows() if r[1].value}
    for t in schema.TABLES:
        assert all((t.name, c) in pairs for c in t.column_names), t.name


def test_cli_csv_has_a_valid_sidecar_and_zip(real_db: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTHB_DB", str(real_db))
    out = tmp_path / "nrm.csv"
    assert cli.main(["export", "matrix", "--as-of", "2024-06-30", "--lang", "ru",
                     "--out", str(out)]) == 0
    sidecar = tmp_path / "nrm.datapackage.json"
    report = Package(str(sidecar)).validate()
    assert report.valid, report.flatten(["type", "note"])
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(out)["iso3"].nunique() == 57
    zipped = tmp_path / "nrm.zip"
    assert cli.main(["export", "gaps", "--as-of", "2007-11-13", "--out", str(zipped)]) == 0
    folder = _extract(zipped.read_bytes(), tmp_path / "z")
    assert Package(str(folder / "datapackage.json")).validate().valid


def test_cli_table_output_is_rfc4180(real_db: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CTHB_DB", str(real_db))
    assert cli.main(["status", "--treaty", "UNTOC", "--as-of", "2007-11-13"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("iso3,state,status,") and "\r\n" in out
    df = pd.read_csv(io.StringIO(out))
    assert df["status"].value_counts().to_dict() == {"party": 46, "signed": 9, "not signed": 1}
