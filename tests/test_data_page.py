"""The Data & sources page runs, shows coverage, sources and the changelog, and its downloads
are complete files (zip of every CSV, an XLSX that openpyxl opens, the DuckDB file)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from cthb import dataset, importer, schema, store
from cthb.facts import Facts
from cthb.i18n import t

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def imported(real_data_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of data/ with one applied import, so the changelog has an entry."""
    db = tmp_path / "db" / "cthb.duckdb"
    store.build(real_data_copy, db)
    f = tmp_path / "new-source.csv"
    f.write_text("source_id,kind,title,publisher,published,url,locator,accessed,note\n"
                 "page-test-src,official,Page test report,Tester,2024,https://example.org/r,,,\n")
    importer.import_file(f, real_data_copy, db)
    return real_data_copy, db


def run_page(data: Path, db: Path, monkeypatch: pytest.MonkeyPatch,
             **params: str) -> AppTest:
    monkeypatch.setenv("CTHB_DATA_DIR", str(data))
    monkeypatch.setenv("CTHB_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/data.py")
    return at.run()


def _column_codes(lang: str) -> dict[str, str]:
    """Header in `lang` -> the column's code (several codes may share a header: the first)."""
    from cthb.i18n import catalogue

    out: dict[str, str] = {}
    for key in catalogue("en"):
        if key.startswith("meeting.column_"):
            out.setdefault(t(key, lang), key.removeprefix("meeting.column_"))
    # Headers shared by several codes in the catalogue: the data page's own columns.
    out[t("meeting.column_states", lang)] = "states"
    out[t("meeting.column_unknown", lang)] = "unknown"
    out[t("meeting.column_indicator", lang)] = "indicator"
    out[t("meeting.column_kind_label", lang)] = "kind_label"
    return out


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_page_runs(imported: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                   lang: str) -> None:
    data, db = imported
    at = run_page(data, db, monkeypatch, lang=lang, as_of="2007-11-13")
    assert not at.exception
    frames = [e.value for e in at.dataframe]
    # coverage, the statuses resting on old evidence, facts by source kind, sources, changelog
    assert len(frames) == 5
    # Every table speaks the page's language: its headers come from the catalogue.
    frames = [df.rename(columns=_column_codes(lang)) for df in frames]
    coverage, stale, kinds, sources, log = frames
    assert len(coverage) == 10 and set(coverage["states"]) == {56}
    assert (coverage["known_exactly"] + coverage["known_by_observation"]
            + coverage["unknown"] == coverage["states"]).all()
    # On 2007-11-13 every stale status rests on evidence more than five years old.
    assert len(stale) and (stale["age_years"] > 5).all()
    short = {t(f"indicator_short.{k}", lang) for k in ("NCM", "NAP", "NR", "NRM")}
    assert set(stale["indicator"]) <= short
    # Every stored fact is counted under exactly one source kind.
    assert (kinds[list(schema.SOURCE_KINDS)].sum(axis=1) == kinds["total"]).all()
    assert kinds.loc[kinds["indicator"].isin(["UNTOC", "Palermo Protocol", "CETS 197",
                                              "КТОП", "Палермский протокол"]),
                     ["media", "ngo_research", "foreign_government"]].sum().sum() == 0
    assert "page-test-src" in set(sources["source_id"])
    assert sources.loc[sources["source_id"] == "page-test-src", "kind_label"].item() == (
        "Official" if lang == "en" else "Официальный")
    assert list(log["file"]) == ["new-source.csv"]
    headers = [h.value for h in at.header]
    assert len(headers) == 6
    if lang == "ru":
        assert headers[0] == "Полнота данных"


def test_page_without_changelog(real_data_copy: Path, real_db: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(real_data_copy, real_db, monkeypatch)
    assert not at.exception
    assert any("No imports yet" in i.value for i in at.info)


def test_csv_zip_has_every_table(imported: tuple[Path, Path]) -> None:
    data, _ = imported
    with zipfile.ZipFile(io.BytesIO(dataset.csv_zip(data))) as zf:
        names = set(zf.namelist())
        assert names == {f"cthb-data/{t.filename}" for t in schema.TABLES} | {
            "cthb-data/changelog.csv", "cthb-data/README.md", "cthb-data/datapackage.json"}
        for t in schema.TABLES:
            assert zf.read(f"cthb-data/{t.filename}") == (data / t.filename).read_bytes()


def test_xlsx_opens_with_one_sheet_per_table(imported: tuple[Path, Path]) -> None:
    data, _ = imported
    wb = openpyxl.load_workbook(io.BytesIO(dataset.xlsx_bytes(dataset.read_tables_as_text(data),
                                                              data)))
    assert wb.sheetnames == ["About"] + [t.name for t in schema.TABLES] + ["changelog"]
    ws = wb["treaty_actions"]
    assert [c.value for c in ws[1]] == list(schema.TREATY_ACTIONS_TABLE.column_names)
    assert ws.max_row == (data / "treaty_actions.csv").read_text().count("\n")


def test_xlsx_never_writes_formulas() -> None:
    """Text that looks like a formula is stored as text: opening the file runs nothing."""
    hostile = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2", "@SUM(A1)",
               "=1+1"]
    raw = dataset.xlsx_bytes({"t": [["col"], *([h] for h in hostile)]})
    ws = openpyxl.load_workbook(io.BytesIO(raw))["t"]
    cells = [ws.cell(row=i + 2, column=1) for i in range(len(hostile))]
    assert [c.value for c in cells] == hostile
    assert {c.data_type for c in cells} == {"s"}
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")


def test_database_download_is_the_built_file(imported: tuple[Path, Path],
                                            tmp_path: Path) -> None:
    """The download opens as a DuckDB database holding the current data: its data version is
    that of data/ (with the import), and it has every table with every row."""
    import duckdb

    data, db = imported
    copy = tmp_path / "downloaded.duckdb"
    copy.write_bytes(dataset.database_bytes(db))
    con = duckdb.connect(str(copy), read_only=True)
    try:
        version = con.execute("SELECT value FROM meta WHERE key='data_version'").fetchone()
        assert version == (store.data_version(data),)
        assert con.execute("SELECT count(*) FROM sources WHERE source_id='page-test-src'"
                           ).fetchone() == (1,)
        for table in schema.TABLES:
            with open(data / table.filename, newline="", encoding="utf-8") as fh:
                rows = sum(1 for _ in csv.DictReader(fh))
            assert con.execute(f'SELECT count(*) FROM "{table.name}"').fetchone() == (rows,)
    finally:
        con.close()


def test_coverage_table(facts: Facts) -> None:
    df = dataset.coverage_table(facts, date(2007, 11, 13), "en")
    assert list(df.columns) == ["indicator", "label", "states", "known_exactly",
                                "known_by_observation", "unknown", "earliest_evidence",
                                "latest_evidence"]
    row = df.set_index("indicator").loc["SURVEY"]
    assert row["latest_evidence"] <= "2007-11-13"


def test_downloads_follow_the_changelog_not_only_the_data_version(
        imported: tuple[Path, Path], tmp_path: Path) -> None:
    """Import then restore: the fact tables (and so the data version) are back as before, but
    the changelog has two more rows; the zip offered for download must show them."""
    data, db = imported
    first_key, first_zip = dataset.downloads_key(data), dataset.csv_zip(data)
    version = store.data_version(data)
    f = tmp_path / "second.csv"
    f.write_text("source_id,kind,title,publisher\nsecond-src,official,Second,Tester\n")
    outcome = importer.import_file(f, data, db)
    assert outcome.version
    importer.restore(outcome.version, data, db)
    assert store.data_version(data) == version
    # The page caches the files under this key: it must change although the version did not.
    assert dataset.downloads_key(data) != first_key
    zip_bytes = dataset.csv_zip(data)
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        log = zf.read("cthb-data/changelog.csv").decode("utf-8")
    assert [line.split(",")[2] for line in log.splitlines()[1:]] == ["import", "import",
                                                                     "restore"]
    assert zip_bytes != first_zip
    xlsx = dataset.xlsx_bytes(dataset.read_tables_as_text(data))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert wb["changelog"].max_row == 4
