"""Frictionless Data Package descriptors (datapackage.json) for every table the app and the
CLI write: the machine-readable sidecar that says what a plain CSV holds.

A CSV export is data only (RFC 4180: UTF-8 without a byte-order mark, one header row, no
comment lines), so `pandas.read_csv(path)` reads it as it is. Everything about it goes here:
title, as-of date, filters, data version, when it was made, the columns with their types and
meanings, the status words and what they mean, the sources (kind, title, publisher, URL) and the
licence. The XLSX "About" sheet shows the same descriptor (cthb.export.tables), so both files of
a download say the same.

Standard: Data Package v1 (https://specs.frictionlessdata.io/data-package/), tabular data
resources with Table Schemas; checked in the tests with the `frictionless` package. Project
properties that the standard has no field for sit under the one custom key "cthb".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from cthb import schema
from cthb.i18n import status_label, t
from cthb.sources import SourceRef, kind_label, source_text

# The licence of the compiled dataset (the facts are public acts and documents, each cited;
# the compilation, its coding and its wording are the project's). One place to change it
# (its title in each language: scale.licence_title).
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
# Every word a status column can hold, with its definition's i18n key.
STATUS_WORDS = ("party", "signed", "not signed", "not party", "non-member", "unknown", "yes",
                "partial", "planned", "expired", "no", "responded", "not responded")
_DEFINITION_KEYS = {"not party": "scale.def_not_party", "responded": "scale.def_responded",
                    "not responded": "scale.def_not_responded"}
_TYPES = {"text": "string", "code": "string", "date": "date", "partial_date": "string",
          "bool": "boolean", "int": "integer", "url": "string", "enum": "string"}
PARTIAL_DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"


def status_words(lang: str = "en") -> dict[str, str]:
    """Each status word (as written in the data) -> "<label>: <definition>" in `lang`."""
    out = {}
    for word in STATUS_WORDS:
        key = _DEFINITION_KEYS.get(word, f"data.def_{word}")
        out[word] = f"{status_label(word, lang)}: {t(key, lang)}"
    return out


def slug(text: str) -> str:
    """A Data Package name: lower case letters, digits, '-', '_' and '.'."""
    name = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.")
    return name[:100] or "table"


def _sources(refs: Iterable[SourceRef], lang: str) -> list[dict[str, str]]:
    out = []
    for ref in refs:
        entry = {"title": source_text(ref, lang, with_url=False), "id": ref.source_id,
                 "kind": kind_label(ref, lang)}
        if ref.url.startswith(("http://", "https://")):
            entry["path"] = ref.url
        out.append(entry)
    return out


def _field_type(series: pd.Series) -> str:
    """The Table Schema type of a DataFrame column as `to_csv_bytes` writes it."""
    values = series.dropna()
    if pd.api.types.is_bool_dtype(series) or (
            len(values) and all(isinstance(v, bool) for v in values)):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    if len(values) and all(isinstance(v, date) and not isinstance(v, datetime) for v in values):
        return "date"
    return "string"


def frame_schema(df: pd.DataFrame,
                 descriptions: Mapping[str, str] | None = None) -> dict[str, Any]:
    fields = []
    for name in df.columns:
        field: dict[str, Any] = {"name": str(name), "type": _field_type(df[name])}
        if field["type"] == "boolean":
            # Python writes True/False; say so rather than rely on the defaults.
            field.update(trueValues=["True", "true"], falseValues=["False", "false"])
        if descriptions and descriptions.get(str(name)):
            field["description"] = descriptions[str(name)]
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


# Column meanings of the tables behind charts and lists (those not named here are shown as is).
_COLUMN_KEYS = {"iso3": "scale.col_iso3", "state": "scale.col_state",
                "status": "scale.col_status", "status_label": "scale.col_status_label",
                "detail": "scale.col_detail", "evidence_date": "scale.col_evidence_date",
                "source_id": "scale.col_source_id", "region": "scale.col_region",
                "indicator": "scale.col_indicator"}


def column_descriptions(columns: Iterable[object], lang: str) -> dict[str, str]:
    return {str(c): t(_COLUMN_KEYS[str(c)], lang) for c in columns if str(c) in _COLUMN_KEYS}


def table_package(df: pd.DataFrame, *, csv_name: str, title: str, as_of: date | None,
                  filters: Mapping[str, str], data_version: str, generated_at: datetime | None,
                  sources: Iterable[SourceRef], lang: str = "en",
                  csv_bytes: bytes | None = None) -> dict[str, Any]:
    """The descriptor of one exported table (a chart's numbers, a gap list)."""
    moment = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    resource: dict[str, Any] = {
        "name": slug(csv_name.rsplit(".", 1)[0]), "path": csv_name, "title": title,
        "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
        "encoding": "utf-8", "schema": frame_schema(df, column_descriptions(df.columns, lang)),
    }
    if csv_bytes is not None:
        resource["bytes"] = len(csv_bytes)
        resource["hash"] = "sha256:" + hashlib.sha256(csv_bytes).hexdigest()
    described = "; ".join(f"{k} = {v}" for k, v in filters.items())
    return {
        "profile": "tabular-data-package",
        "name": slug(csv_name.rsplit(".", 1)[0]),
        "title": title,
        "description": (f"{t('scale.as_of', lang)}: {as_of.isoformat() if as_of else '-'}"
                        + (f"; {described}" if described else "")),
        "version": data_version or "-",
        "created": moment,
        "licenses": [LICENCE],
        "sources": _sources(sources, lang),
        "resources": [resource],
        "cthb": {"as_of": as_of.isoformat() if as_of else None, "filters": dict(filters),
                 "data_version": data_version, "language": lang,
                 "status_words": status_words(lang), "notes": t("scale.geometry_note", lang)},
    }


# --- the whole dataset --------------------------------------------------------------------------


def _column_field(col: schema.Column) -> dict[str, Any]:
    field: dict[str, Any] = {"name": col.name, "type": _TYPES[col.type]}
    if col.description:
        field["description"] = col.description
    constraints: dict[str, Any] = {}
    if col.required:
        constraints["required"] = True
    if col.choices:
        constraints["enum"] = list(col.choices)
    if col.type == "partial_date":
        constraints["pattern"] = PARTIAL_DATE
    if col.type == "bool":
        field.update(trueValues=["true"], falseValues=["false"])
    if constraints:
        field["constraints"] = constraints
    return field


def _foreign_keys(table: schema.Table) -> list[dict[str, Any]]:
    keys = []
    for col in table.columns:
        if not col.references:
            continue
        target, target_field = col.references.split(".")
        keys.append({"fields": col.name,
                     "reference": {"resource": target, "fields": target_field}})
    return keys


def data_package(data_dir: Path, data_version: str, lang: str = "en",
                 extra_files: Iterable[str] = ()) -> dict[str, Any]:
    """The descriptor of the whole dataset (every fact table of data/, as in the zip)."""
    from cthb.importer import CHANGELOG, CHANGELOG_COLUMNS  # lazy: import cycle via store

    resources = []
    for table in schema.TABLES:
        path = data_dir / table.filename
        if not path.exists():
            continue
        raw = path.read_bytes()
        resource: dict[str, Any] = {
            "name": table.name, "path": table.filename, "title": table.name,
            "description": table.description, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "bytes": len(raw), "hash": "sha256:" + hashlib.sha256(raw).hexdigest(),
            "schema": {"fields": [_column_field(c) for c in table.columns],
                       "primaryKey": list(table.key), "missingValues": [""]},
        }
        fks = _foreign_keys(table)
        if fks:
            resource["schema"]["foreignKeys"] = fks
        resources.append(resource)
    changelog = data_dir / CHANGELOG
    if changelog.exists() and changelog.read_bytes().strip():
        raw = changelog_bytes(data_dir)
        resources.append({
            "name": "changelog", "path": CHANGELOG, "title": "changelog",
            "description": "One row per applied import or restore (not a fact table).",
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "bytes": len(raw),
            "hash": "sha256:" + hashlib.sha256(raw).hexdigest(),
            "schema": {"fields": [{"name": c, "type": "string"} for c in CHANGELOG_COLUMNS],
                       "missingValues": [""]}})
    return {
        "profile": "tabular-data-package",
        "name": "cthb-data",
        "title": t("scale.dataset_title", lang),
        "description": t("scale.dataset_description", lang),
        "version": data_version,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [LICENCE],
        "resources": resources,
        "cthb": {"data_version": data_version, "language": lang,
                 "status_words": status_words(lang), "notes": t("scale.geometry_note", lang),
                 "files": sorted(extra_files)},
    }


def changelog_bytes(data_dir: Path) -> bytes:
    """The changelog as it goes out in downloads: every cell spreadsheet-safe (a changelog
    written before import file names were defused may hold "=HYPERLINK(...)")."""
    import csv
    import io

    from cthb.importer import CHANGELOG
    from cthb.safe_text import spreadsheet_safe_text

    with open(data_dir / CHANGELOG, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [[spreadsheet_safe_text(c) for c in row] for row in rows])
    return out.getvalue().encode("utf-8")
