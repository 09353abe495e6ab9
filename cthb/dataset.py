"""The whole dataset as downloads and tables for the Data & sources page: pure functions of
data/ (and the built database), no Streamlit.

XLSX cells are always written as text or numbers, never as formulas: a cell text such as
`=HYPERLINK(...)` stays inert text in the workbook (xlsxwriter's strings_to_formulas=False),
so a downloaded file cannot run anything when a user opens it. The fact tables cannot hold
such text (the validator refuses it); the changelog can (an import file's name, or a row
written before names were defused), so its cells are defused in both downloads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd

from cthb import schema, store
from cthb.coverage import coverage_frame
from cthb.facts import Facts
from cthb.i18n import t
from cthb.importer import CHANGELOG, CHANGELOG_COLUMNS, versions
from cthb.indicators import indicator_frame
from cthb.safe_text import spreadsheet_safe_text

# Sheet names in Excel are limited to 31 characters; every table name fits.
MAX_SHEET_NAME = 31


ZIP_FOLDER = "cthb-data"


def csv_zip(data_dir: Path, data_version: str | None = None, lang: str = "en") -> bytes:
    """The whole dataset as one zip: every fact table and the changelog as the CSV files of
    data/ (byte for byte), their Frictionless `datapackage.json` (columns, types, allowed
    values, keys, status words, licence; cthb.export.datapackage) and the data README."""
    from cthb.export.datapackage import changelog_bytes, data_package

    version = data_version or store.data_version(data_dir)
    extras = [name for name in ("README.md",) if (data_dir / name).exists()]
    descriptor = data_package(data_dir, version, lang, extra_files=extras)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for resource in descriptor["resources"]:
            path = data_dir / resource["path"]
            # The changelog names imported files: spreadsheet-safe like every file we write.
            body = (changelog_bytes(data_dir) if resource["path"] == CHANGELOG
                    else path.read_bytes())
            zf.writestr(f"{ZIP_FOLDER}/{resource['path']}", body)
        zf.writestr(f"{ZIP_FOLDER}/datapackage.json",
                    json.dumps(descriptor, ensure_ascii=False, indent=1))
        for extra in extras:
            zf.writestr(f"{ZIP_FOLDER}/{extra}", (data_dir / extra).read_bytes())
    return buf.getvalue()


def read_tables_as_text(data_dir: Path) -> dict[str, list[list[str]]]:
    """Each fact table (and the changelog) as a header row plus rows of cell text, every cell
    defused for spreadsheets."""
    out: dict[str, list[list[str]]] = {}
    for name in [*(table.name for table in schema.TABLES), CHANGELOG.removesuffix(".csv")]:
        path = data_dir / f"{name}.csv"
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as fh:
                out[name] = [[spreadsheet_safe_text(c) for c in row] for row in csv.reader(fh)]
    return out


def downloads_key(data_dir: Path) -> str:
    """What the data downloads depend on: every fact table, the changelog and the README.
    (The data version alone would miss the changelog: an import undone by a restore leaves
    the tables, and so the version, as they were, with two more changelog rows.)"""
    digest = hashlib.sha256()
    names = [t.filename for t in schema.TABLES] + [CHANGELOG, "README.md"]
    for name in names:
        path = data_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def xlsx_bytes(sheets: dict[str, list[list[str]]], data_dir: Path | None = None,
               data_version: str | None = None, lang: str = "en") -> bytes:
    """One sheet per table; every cell is a plain string (formula-looking text stays text).
    With `data_dir`, an "About" sheet first holds the same metadata as the zip's
    datapackage.json (licence, columns, allowed values, status words)."""
    import xlsxwriter  # lazy: only the download needs it

    from cthb.export.datapackage import data_package
    from cthb.export.tables import DEFAULT_LABELS, write_about_sheet

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    bold = wb.add_format({"bold": True})
    if data_dir is not None:
        version = data_version or store.data_version(data_dir)
        write_about_sheet(wb, data_package(data_dir, version, lang),
                          [(t("scale.data_version", lang), version)], (),
                          labels=DEFAULT_LABELS)
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name[:MAX_SHEET_NAME])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ws.write_string(r, c, value, bold if r == 0 else None)
        if rows:
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(rows) - 1, 0), max(len(rows[0]) - 1, 0))
    wb.close()
    return buf.getvalue()


def database_bytes(db_path: Path) -> bytes:
    """The built DuckDB file. It is replaced, never rewritten in place, so reading it while an
    import runs gives one complete version."""
    with open(db_path, "rb") as fh:
        return fh.read()


def coverage_table(facts: Facts, on: date, lang: str) -> pd.DataFrame:
    """Per indicator: States known exactly / by an observation / unknown, and the date range
    of the evidence that decides the known ones."""
    df = coverage_frame(facts, on)
    latest, earliest = [], []
    for ind in df["indicator"]:
        dates = indicator_frame(facts, ind, on, lang)["evidence_date"].dropna().astype(str)
        dates = dates[dates != ""]
        earliest.append(dates.min() if len(dates) else None)
        latest.append(dates.max() if len(dates) else None)
    df.insert(1, "label", [t(f"indicator_short.{i}", lang) for i in df["indicator"]])
    df["earliest_evidence"] = earliest
    df["latest_evidence"] = latest
    return df


def sources_frame(facts: Facts) -> pd.DataFrame:
    cols = [c.name for c in schema.SOURCES.columns]
    rows = [{c: s.get(c) for c in cols} for s in facts.sources.values()]
    df = pd.DataFrame(rows, columns=cols)
    # Empty cells are shown empty: pandas turns a missing value into NaN, which prints "nan".
    for c in cols:
        df[c] = df[c].map(lambda v: "" if v is None or pd.isna(v) else str(v))
    return df.sort_values("source_id").reset_index(drop=True)


def changelog_frame(data_dir: Path) -> pd.DataFrame:
    """The changelog, newest first."""
    entries = versions(data_dir)
    return pd.DataFrame(list(reversed(entries)), columns=list(CHANGELOG_COLUMNS))


def facts_by_kind(facts: Facts) -> pd.DataFrame:
    """How many stored facts of each indicator rest on each kind of source (a copy counts as
    a copy): one row per indicator, one column per source kind, plus the total."""
    def kind(source_id: str | None) -> str:
        src = facts.source(source_id)
        return str(src["kind"]) if src else "?"

    counted: list[tuple[str, str]] = []
    for (_, treaty), rows in facts.actions.items():
        counted += [(treaty, kind(r["source_id"])) for r in rows]
    for (_, treaty), rows in facts.observations.items():
        counted += [(treaty, kind(r["source_id"])) for r in rows]
    for (_, kind_of_structure), rows in facts.structures.items():
        counted += [(kind_of_structure, kind(r["source_id"])) for r in rows]
    for rows in facts.monitoring.values():
        counted += [("GRETA", kind(r["source_id"])) for r in rows]
    for (_, organisation), rows in facts.memberships.items():
        counted += [(f"member_{organisation}", kind(r["source_id"])) for r in rows]
    counted += [("SURVEY", kind(r["source_id"])) for r in facts.survey_responses]
    df = pd.DataFrame(counted, columns=["indicator", "kind"])
    table = (df.groupby(["indicator", "kind"]).size().unstack(fill_value=0)
             .reindex(columns=list(schema.SOURCE_KINDS), fill_value=0))
    order = [*schema.TREATIES, *schema.STRUCTURE_KINDS, "GRETA", "SURVEY",
             *(f"member_{o}" for o in schema.ORGANISATIONS)]
    table = table.reindex([i for i in order if i in table.index])
    table["total"] = table.sum(axis=1)
    return table.reset_index()
