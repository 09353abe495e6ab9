"""CSV files are plain data; their as-of date, filters and sources travel in the zip's
datapackage.json and the XLSX's About sheet; no file runs formulas."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pandas as pd

from cthb.charts.gaps import gap_list
from cthb.export.tables import (
    TableMeta,
    table_meta,
    to_csv_bytes,
    to_xlsx_bytes,
    to_zip_bytes,
)
from cthb.facts import Facts
from cthb.sources import source_refs

REPORT = date(2007, 11, 13)
EVIL = '=HYPERLINK("http://example.com/x","click")'


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"state": ["Albania", EVIL, "+1 trick", "@SUM(A1)", "-2+3", "plain"],
                         "count": [1, 2, 3, -4, 5, 6], "note": [None, "a,b", "x", "y", "z", "w"]})


def _meta(facts: Facts) -> TableMeta:
    return table_meta(facts, "Who is not party to UNTOC?", REPORT, ["sr2007-fn8", "sr2007-fn8"],
                      {"Region": "Central Asia"})


def read_csv_table(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False)


def test_csv_is_plain_data_and_the_zip_carries_the_context(facts: Facts) -> None:
    data = to_csv_bytes(_frame(), _meta(facts))
    assert not data.startswith(b"\xef\xbb\xbf")  # no byte-order mark
    text = data.decode("utf-8")
    assert text.splitlines()[0] == "state,count,note"
    assert "#" not in text and "2007-11-13" not in text
    back = pd.read_csv(io.BytesIO(data))  # pandas defaults
    assert list(back.columns) == ["state", "count", "note"]
    assert len(back) == 6
    with zipfile.ZipFile(io.BytesIO(to_zip_bytes(_frame(), _meta(facts), "gaps"))) as zf:
        assert sorted(zf.namelist()) == ["README.md", "datapackage.json", "gaps.csv"]
        assert zf.read("gaps.csv") == data
        package = json.loads(zf.read("datapackage.json"))
        readme = zf.read("README.md").decode("utf-8")
    assert package["title"] == "Who is not party to UNTOC?"
    assert package["cthb"]["as_of"] == "2007-11-13"
    assert package["cthb"]["filters"] == {"Region": "Central Asia"}
    assert package["version"] == facts.data_version
    assert [s["id"] for s in package["sources"]] == ["sr2007-fn8"]  # each source once
    assert facts.sources["sr2007-fn8"]["title"] in package["sources"][0]["title"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert "party" in package["cthb"]["status_words"]
    assert "Who is not party to UNTOC?" in readme and "sr2007-fn8" in readme


def test_csv_defuses_formulas(facts: Facts) -> None:
    back = read_csv_table(to_csv_bytes(_frame(), _meta(facts)))
    states = list(back["state"])
    assert states[1] == "'" + EVIL
    assert states[2] == "'+1 trick" and states[3] == "'@SUM(A1)" and states[4] == "'-2+3"
    assert states[0] == "Albania"
    assert list(back["count"]) == [1, 2, 3, -4, 5, 6]  # numbers are left alone


def test_xlsx_has_data_and_about_sheets(facts: Facts) -> None:
    meta = TableMeta(title="T", as_of=REPORT, filters={"Group": "EU members"},
                     sources=source_refs(facts, ["sr2007-fn8", "un-untoc-status", None]),
                     data_version=facts.data_version,
                     generated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(_frame(), meta)))
    assert wb.sheetnames == ["data", "About"]
    data = wb["data"]
    assert [c.value for c in data[1]] == ["state", "count", "note"]
    evil = data.cell(row=3, column=1)
    assert evil.value == EVIL and evil.data_type == "s"  # text, not a formula
    assert all(c.data_type != "f" for row in data.iter_rows() for c in row)
    assert data.cell(row=5, column=2).value == -4
    about = {row[0].value: row[1].value for row in wb["About"].iter_rows() if row[0].value}
    assert about["As of"] == "2007-11-13"
    assert about["Filters"] == "Group = EU members"
    assert about["Generated"] == "2026-01-02T03:04:05Z"
    assert about["Data version"] == facts.data_version
    assert "sr2007-fn8" in about
    assert facts.sources["sr2007-fn8"]["title"] in about["sr2007-fn8"]


def test_gap_list_download_round_trip(facts: Facts) -> None:
    table = gap_list(facts, "not_party_UNTOC", REPORT)
    meta = table_meta(facts, "UNTOC gaps", REPORT, list(table["source_id"]))
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(table, meta)))
    assert wb["data"].max_row == len(table) + 1 == 11
    ids = {row[0].value for row in wb["About"].iter_rows()}
    assert set(table["source_id"]) <= ids
    with zipfile.ZipFile(io.BytesIO(to_zip_bytes(table, meta, "gaps"))) as zf:
        package = json.loads(zf.read("datapackage.json"))
    titles = {s["id"]: s["title"] for s in package["sources"]}
    for sid in set(table["source_id"]):
        # Each source with its kind, as on screen: "untc-xviii-12 [Depositary]: <title>".
        src = facts.sources[sid]
        kind = "Copy of a depositary record" if src["kind"] == "copy" else src["kind"].title()
        assert titles[sid].startswith(f"{sid} [{kind}]: {src['title']}")
    kinds = {row[4].value for row in wb["About"].iter_rows() if row[0].value in ids}
    assert "Depositary" in kinds or "Copy of a depositary record" in kinds


def test_changelog_summary_names_tables_in_the_readers_language() -> None:
    from cthb.export.tables import changelog_summary

    summary = "sources: +7 ~0 -0; treaty_actions: +2 ~0 -0"
    assert changelog_summary(summary, "en") == "sources: +7 ~0 -0; treaty actions: +2 ~0 -0"
    assert changelog_summary(summary, "ru") == (
        "источники: +7 ~0 -0; договорные действия: +2 ~0 -0")
    # Not a table: kept as written.
    assert changelog_summary("restored 2026-01-01", "ru") == "restored 2026-01-01"
    from cthb import schema
    from cthb.i18n import catalogue

    assert all(f"tables.{t.name}" in catalogue("ru") for t in schema.TABLES)
