"""Tables to CSV, XLSX and zip bytes that load as data and still carry their context.

CSV: plain RFC 4180 (UTF-8 without a byte-order mark, CRLF line ends, one header row, no comment
lines), so `pandas.read_csv(path)` with its defaults gives back the table's rows and columns,
and Excel shows the header and the data, nothing else.

The context (title, as-of date, filters, data version, when it was made, the sources with their
kind and URL, what each status word means, the licence) lives beside the data, never inside it:
- ZIP: the CSV, its Frictionless `datapackage.json` (cthb.export.datapackage) and a README.md;
- XLSX: a "data" sheet with the table (header in bold, frozen) and an "About" sheet with the
  same metadata as the datapackage.json.

Spreadsheet formula injection: a text cell that starts with = + - @ (or a tab or carriage
return) would run as a formula when a spreadsheet opens the file. In CSV such a cell gets a
leading apostrophe (the OWASP advice); the data in data/ never starts so (the validator rejects
it), so the cells of the app's tables come back from pandas unchanged. In XLSX every string is
written as a string, never parsed as a formula (xlsxwriter `strings_to_formulas: False`).
"""

from __future__ import annotations

import csv
import io
import json
import numbers
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from cthb.export import datapackage
from cthb.facts import Facts
from cthb.i18n import status_label, t
from cthb.sources import SourceRef, kind_label, source_refs

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class TableMeta:
    """What a table file says about itself."""

    title: str
    as_of: date | None
    filters: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[SourceRef, ...] = ()
    data_version: str = ""
    generated_at: datetime | None = None  # None: the moment of writing
    labels: Mapping[str, str] = field(default_factory=dict)  # translated field names
    lang: str = "en"  # language of the descriptions (status words, columns, source kinds)


# The field names in the metadata block; a page passes translated ones through `labels`.
DEFAULT_LABELS = {"as_of": "As of", "filters": "Filters", "generated": "Generated",
                  "data_version": "Data version", "source": "Source", "sources": "Sources",
                  "title": "Title", "none": "none", "id": "Id", "publisher": "Publisher",
                  "url": "URL", "locator": "Locator", "kind": "Kind"}


def table_labels(lang: str) -> dict[str, str]:
    """The metadata field names of CSV/XLSX files in the export's language."""
    from cthb.i18n import t

    labels = {"as_of": t("app.as_of", lang), "source": t("app.source", lang),
              "sources": t("app.sources", lang), "_lang": lang}
    for key in ("filters", "generated", "data_version", "title", "none", "id", "publisher",
                "url", "locator", "kind"):
        labels[key] = t(f"meeting.meta_{key}", lang)
    return labels


def table_meta(facts: Facts, title: str, as_of: date | None, source_ids: Iterable[str | None],
               filters: Mapping[str, str] | None = None,
               labels: Mapping[str, str] | None = None, lang: str = "en") -> TableMeta:
    return TableMeta(title=title, as_of=as_of, filters=dict(filters or {}),
                     sources=source_refs(facts, source_ids), data_version=facts.data_version,
                     labels=dict(labels or {}), lang=lang)


def escape_cell(value: object) -> object:
    """Defuse a text cell a spreadsheet would run as a formula (numbers are left alone)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _label(meta: TableMeta, key: str) -> str:
    return meta.labels.get(key) or DEFAULT_LABELS[key]


def _generated(meta: TableMeta) -> str:
    moment = meta.generated_at or datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _filters_text(meta: TableMeta) -> str:
    if not meta.filters:
        return _label(meta, "none")
    return "; ".join(f"{k} = {v}" for k, v in meta.filters.items())


def to_csv_bytes(df: pd.DataFrame, _meta: TableMeta | None = None) -> bytes:
    """The table alone, as RFC 4180 CSV (see the module docstring). `_meta` keeps the XLSX
    writer's signature; the metadata is not written
    into the file: it goes into the zip's datapackage.json or the XLSX's About sheet."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([escape_cell(str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        writer.writerow(["" if _is_missing(v) else escape_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def package(df: pd.DataFrame, meta: TableMeta, csv_name: str = "table.csv",
            csv_bytes: bytes | None = None) -> dict[str, Any]:
    """The table's Frictionless descriptor (datapackage.json) for a CSV named `csv_name`."""
    return datapackage.table_package(
        df, csv_name=csv_name, title=meta.title, as_of=meta.as_of, filters=meta.filters,
        data_version=meta.data_version, generated_at=meta.generated_at, sources=meta.sources,
        lang=meta.lang, csv_bytes=csv_bytes)


def readme_text(descriptor: Mapping[str, Any]) -> str:
    """A short human-readable README.md for a zip, from its datapackage.json."""
    lang = str(descriptor.get("cthb", {}).get("language", "en"))
    lines = [f"# {descriptor.get('title', '')}", "", str(descriptor.get("description", "")), ""]
    lines += [t("scale.readme_files", lang), ""]
    for res in descriptor.get("resources", []):
        lines.append(f"- `{res['path']}`: {res.get('description') or res.get('title', '')}")
    lines += ["- `datapackage.json`: " + t("scale.readme_descriptor", lang), ""]
    words = descriptor.get("cthb", {}).get("status_words", {})
    if words:
        lines += [f"## {t('scale.status_words', lang)}", ""]
        lines += [f"- `{w}`: {d}" for w, d in words.items()] + [""]
    sources = descriptor.get("sources") or []
    if sources:
        lines += [f"## {t('app.sources', lang)}", ""]
        lines += [f"- {s['title']}" + (f" <{s['path']}>" if s.get("path") else "")
                  for s in sources] + [""]
    for lic in descriptor.get("licenses", []):
        lines += [f"{t('scale.licence', lang)}: {t('scale.licence_title', lang)} ({lic['path']})"]
    lines += ["", str(descriptor.get("cthb", {}).get("notes", ""))]
    return "\n".join(lines).strip() + "\n"


def to_zip_bytes(df: pd.DataFrame, meta: TableMeta, name: str = "table") -> bytes:
    """`<name>.csv`, its `datapackage.json` and a README.md, in one zip."""
    csv_bytes = to_csv_bytes(df, meta)
    descriptor = package(df, meta, f"{name}.csv", csv_bytes)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{name}.csv", csv_bytes)
        zf.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=1))
        zf.writestr("README.md", readme_text(descriptor))
    return buf.getvalue()


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value  # NaN is the one value unequal to itself


def to_xlsx_bytes(df: pd.DataFrame, meta: TableMeta) -> bytes:
    buf = io.BytesIO()
    # strings_to_formulas False: "=HYPERLINK(...)" stays text; strings_to_urls False: URLs in
    # data cells stay text too (the about sheet links its sources explicitly).
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False,
                                   "nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True})
    # The sheet is named in the reader's language; the About sheet's columns list names it so.
    sheet = t("scale.sheet_data", meta.lang)
    data = wb.add_worksheet(sheet)
    for c, name in enumerate(df.columns):
        data.write_string(0, c, str(name), bold)
    for r, row in enumerate(df.itertuples(index=False, name=None), start=1):
        for c, value in enumerate(row):
            _write_cell(data, r, c, value)
    data.freeze_panes(1, 0)
    if len(df.columns):
        data.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)
    for c, name in enumerate(df.columns):
        longest = max([len(str(name))] + [len(str(v)) for v in df.iloc[:200, c]])
        data.set_column(c, c, min(max(longest + 2, 8), 60))

    descriptor = package(df, meta, "data")
    write_about_sheet(wb, descriptor, [
        (_label(meta, "as_of"), meta.as_of.isoformat() if meta.as_of else "-"),
        (_label(meta, "filters"), _filters_text(meta)),
        (_label(meta, "generated"), _generated(meta)),
        (_label(meta, "data_version"), meta.data_version or "-")], meta.sources,
        labels={k: _label(meta, k) for k in DEFAULT_LABELS}, table_names={"data": sheet},
        coded_values=False)
    wb.close()
    return buf.getvalue()


def write_about_sheet(wb: xlsxwriter.Workbook, descriptor: Mapping[str, Any],
                      head: list[tuple[str, str]], sources: Iterable[SourceRef],
                      labels: Mapping[str, str], table_names: Mapping[str, str] | None = None,
                      coded_values: bool = True) -> None:
    """The "About" sheet: the same metadata as the datapackage.json (title, as-of date,
    filters, data version, licence, sources, columns of each table, status words).

    `table_names` shows a resource under its sheet's name; `coded_values` False means the
    sheets hold status labels in the reader's language (a chart's table), so the status words
    are listed by those labels rather than by the codes of the data files."""
    lang = str(descriptor.get("cthb", {}).get("language", "en"))
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    about = wb.add_worksheet("About")
    about.set_column(0, 0, 22)
    about.set_column(1, 1, 70)
    about.set_column(2, 3, 40)
    about.set_column(4, 4, 28)
    about.write_string(0, 0, str(descriptor.get("title", "")), title_fmt)
    rows = list(head)
    for lic in descriptor.get("licenses", []):
        rows.append((t("scale.licence", lang),
                     f"{t('scale.licence_title', lang)} ({lic['name']}) {lic['path']}"))
    rows.append((t("scale.notes", lang),
                 str(descriptor.get("cthb", {}).get("notes", ""))))
    for r, (key, value) in enumerate(rows, start=2):
        about.write_string(r, 0, key, bold)
        about.write_string(r, 1, value, wrap)
    r = len(rows) + 3
    refs = list(sources)
    if refs:
        about.write_string(r, 0, labels["sources"], title_fmt)
        r += 1
        for c, key in enumerate(("id", "title", "publisher", "url", "kind")):
            about.write_string(r, c, labels[key], bold)
        for s in refs:
            r += 1
            about.write_string(r, 0, s.source_id)
            about.write_string(r, 1, s.title + (f", {s.locator}" if s.locator else ""), wrap)
            about.write_string(r, 2, s.publisher, wrap)
            if s.url.startswith(("http://", "https://")) and len(s.url) < 2000:
                about.write_url(r, 3, s.url, string=s.url)
            else:
                about.write_string(r, 3, s.url)
            about.write_string(r, 4, kind_label(s, lang))
        r += 2
    about.write_string(r, 0, t("scale.columns", lang), title_fmt)
    r += 1
    for c, key in enumerate(("scale.col_table", "scale.col_column", "scale.col_type",
                             "scale.col_meaning")):
        about.write_string(r, c, t(key, lang), bold)
    for res in descriptor.get("resources", []):
        for fld in res["schema"]["fields"]:
            r += 1
            about.write_string(r, 0, (table_names or {}).get(str(res["name"]), str(res["name"])))
            about.write_string(r, 1, str(fld["name"]))
            about.write_string(r, 2, t(f"scale.type_{fld['type']}", lang))
            allowed = fld.get("constraints", {}).get("enum")
            meaning = str(fld.get("description", ""))
            if allowed:
                meaning = (meaning + "; " if meaning else "") + " | ".join(allowed)
            about.write_string(r, 3, meaning, wrap)
    words = descriptor.get("cthb", {}).get("status_words", {})
    if words:
        r += 2
        about.write_string(r, 0, t("scale.status_words", lang), title_fmt)
        for word, definition in words.items():
            r += 1
            about.write_string(r, 0, word if coded_values else status_label(word, lang), bold)
            about.write_string(r, 1, definition, wrap)


def _write_cell(ws: xlsxwriter.worksheet.Worksheet, r: int, c: int, value: object) -> None:
    if _is_missing(value):
        ws.write_blank(r, c, None)
    elif isinstance(value, bool | np.bool_):
        ws.write_boolean(r, c, bool(value))
    elif isinstance(value, numbers.Real):
        ws.write_number(r, c, float(value))
    else:
        # Always a string: never a formula, a URL or a number parsed from text.
        ws.write_string(r, c, str(value))


# --- tables in the reader's language -------------------------------------------------------
# The frames behind charts and lists name their columns and codes for programs (`iso3`,
# `before_status`, "not signed"). What a page shows and what its download buttons give are
# for readers: headers and coded values in the page's language, from the catalogue.

STATUS_COLUMNS = ("status", "before_status", "structure_status", "observed_status")
BOOL_COLUMNS = ("exact", "stale", "is_gap", "is_unknown", "in_group", "changed")
TIMELINE_KINDS = ("signature", "binding", "observation", "in_force", "structure", "established")


def _value(column: str, value: object, lang: str) -> object:
    from cthb.i18n import catalogue, indicator_label, region_label, status_label, t

    if value is None or (isinstance(value, float) and value != value) or value == "":
        return value
    text = str(value)
    known = catalogue("en")
    if column in STATUS_COLUMNS and f"status.{text}" in known:
        return status_label(text, lang)
    if column in ("indicator", "treaty") and f"indicator_short.{text}" in known:
        return t(f"indicator_short.{text}", lang)
    if column == "indicator" and text.startswith("member_"):  # facts by kind: memberships
        return t(f"profile.{text.removeprefix('member_').lower()}", lang)
    if column == "region" and f"region.{text}" in known:
        return region_label(text, lang)
    if column == "change" and f"meeting.change_kind_{text.replace(' ', '_')}" in known:
        return t(f"meeting.change_kind_{text.replace(' ', '_')}", lang)
    if column in ("kind", "original_kind"):
        for key in (f"source_kind.{text}", f"survey.kind_{text}",
                    f"meeting.timeline_kind_{text}"):
            if key in known:
                return t(key, lang)
    if column in BOOL_COLUMNS and isinstance(value, bool | int):
        return t(f"profile.bool_{'true' if value else 'false'}", lang)
    band = f"data.age_{text.replace(' ', '').replace('<', 'lt').replace('+', 'plus')}"
    if column == "band" and band in known:  # the evidence-age chart's own labels
        return t(band, lang)
    if column == "action" and f"meeting.log_action_{text}" in known:  # the changelog's
        return t(f"meeting.log_action_{text}", lang)
    if column == "label" and f"indicator.{text}" in known:
        return indicator_label(text, lang)
    return value


def changelog_summary(summary: str, lang: str) -> str:
    """A changelog summary with each table named in `lang` ("Источники: +7 ~0 -0; ...").
    Parts not of the form "<table>: ..." are kept as written."""
    from cthb.i18n import catalogue, t

    known = catalogue("en")
    parts = []
    for part in summary.split("; "):
        table, sep, counts = part.partition(": ")
        key = f"tables.{table}"
        parts.append(f"{t(key, lang)}{sep}{counts}" if sep and key in known else part)
    return "; ".join(parts)


def localise_frame(df: pd.DataFrame, lang: str, facts: Facts | None = None) -> pd.DataFrame:
    """A copy of `df` for readers: coded values in `lang` (statuses, indicators, regions, kinds,
    yes/no), State names in `lang` (with `facts`), and every column named in `lang` (a column
    with no catalogue entry keeps its name, so a test can find it)."""
    from cthb.i18n import catalogue, t

    out = df.copy()
    for column in out.columns:
        name = str(column)
        if name == "state" and facts is not None and "iso3" in out.columns:
            out[column] = [facts.state_name(str(i), lang) for i in out["iso3"]]
        elif name == "summary":  # a changelog entry: "sources: +7 ~0 -0; structures: +1 ~0 -0"
            out[column] = [changelog_summary(str(v), lang) for v in out[column]]
        elif name in (*STATUS_COLUMNS, *BOOL_COLUMNS, "indicator", "treaty", "region", "change",
                      "kind", "original_kind", "band", "label", "action"):
            out[column] = pd.Series([_value(name, v, lang) for v in out[column]],
                                    index=out.index, dtype=object)
    known = catalogue("en")
    out.columns = [t(f"meeting.column_{c}", lang) if f"meeting.column_{c}" in known else c
                   for c in map(str, out.columns)]
    return out
