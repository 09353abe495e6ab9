"""Validation of the data/ CSV files against cthb.schema, before anything is written.

Every problem is collected (not just the first) and names file, line, column and value, so a
maintainer can fix a whole file in one pass. `read_tables` returns typed rows only when there is
no problem at all: a build never starts from half-valid data.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cthb import schema
from cthb.dates import PartialDate, parse_date, parse_partial, today
from cthb.safe_text import FORMULA_START

Row = dict[str, Any]
Tables = dict[str, list[Row]]

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_URL = re.compile(r"^https?://\S+$")
# Cells starting like this are executed as formulas by spreadsheet programs.
MAX_FILE_BYTES = 20 * 1024 * 1024
# The years a fact's date may have. The oldest real facts are Council of Europe memberships of
# 1949 (its founders) and the CSCE's Helsinki Final Act of 1975, so the lower bound is 1940,
# not 1990; the upper bound leaves room for plan periods that run into the future.
FIRST_YEAR, LAST_YEAR = 1940, 2100


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column is not None:
            where += f": column {self.column}"
        shown = "" if self.value is None else f" {self.value!r}:"
        return f"{where}:{shown} {self.message}"


class ValidationError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the data:\n" + format_problems(problems))


def format_problems(problems: list[Problem]) -> str:
    return "\n".join(f"- {p}" for p in problems)


# --- reading ----------------------------------------------------------------------------


def decode_csv_bytes(raw: bytes, filename: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text of a CSV file, or a problem saying why it is not one."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(filename, None, None, None,
                              f"file is {len(raw)} bytes; the limit is {MAX_FILE_BYTES}")]
    if b"\x00" in raw:
        return None, [Problem(filename, None, None, None,
                              "file contains NUL bytes: this is not a CSV text file")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(filename, line, None, None,
                              f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                              f"{exc.start}); save the file as UTF-8")]
    if not text.strip():
        return None, [Problem(filename, None, None, None, "file is empty (no header row)")]
    return text, []


def parse_rows(
    table: schema.Table, text: str, filename: str
) -> tuple[list[tuple[int, Row]], list[Problem]]:
    """Typed rows (with their line numbers) of one table, and the problems found in them."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        return [], [Problem(filename, 1, None, None, f"cannot read the header row: {exc}")]
    header = [h.strip() for h in header]
    expected = list(table.column_names)
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    for c in missing:
        required = table.column(c).required
        if required:
            problems.append(Problem(filename, 1, c, None, "required column is missing"))
    for c in unknown:
        problems.append(Problem(filename, 1, c, None,
                                f"unknown column; expected columns: {', '.join(expected)}"))
    if len(set(header)) != len(header):
        problems.append(Problem(filename, 1, None, None, "a column name appears twice"))
    if problems:
        return [], problems

    rows: list[tuple[int, Row]] = []
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(filename, reader.line_num, None, None, f"malformed CSV: {exc}"))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(Problem(filename, line, None, None,
                                    f"row has {len(record)} cells; the header has {len(header)}"))
            continue
        raw = dict(zip(header, record, strict=True))
        row: Row = {}
        for col in table.columns:
            value = raw.get(col.name, "").strip()
            parsed, problem = _parse_cell(col, value)
            if problem:
                problems.append(Problem(filename, line, col.name, value, problem))
            row[col.name] = parsed
        rows.append((line, row))
    return rows, problems


def _parse_cell(col: schema.Column, value: str) -> tuple[Any, str | None]:
    if value == "":
        return None, ("a value is required" if col.required else None)
    if value.startswith(FORMULA_START):
        return None, "text may not start with = + - @ (spreadsheet formula injection)"
    match col.type:
        case "text":
            return value, None
        case "code":
            if not _CODE.match(value):
                return None, "not a code (letters, digits, '.', '-', '_')"
            return value, None
        case "enum":
            if value not in col.choices:
                return None, f"must be one of: {', '.join(col.choices)}"
            return value, None
        case "date":
            try:
                day = parse_date(value)
            except ValueError:
                return None, "not a valid date (YYYY-MM-DD)"
            return _in_years(day.year, day)
        case "partial_date":
            try:
                partial = parse_partial(value)
            except ValueError:
                return None, "not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)"
            return _in_years(partial.lo.year, partial)
        case "bool":
            if value not in ("true", "false"):
                return None, "must be true or false"
            return value == "true", None
        case "int":
            if not re.fullmatch(r"-?[0-9]+", value):
                return None, "not a whole number"
            return int(value), None
        case "url":
            if not _URL.match(value):
                return None, "not an http(s) URL"
            return value, None
    raise AssertionError(col.type)


def _in_years(year: int, value: Any) -> tuple[Any, str | None]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None, f"year {year} is outside {FIRST_YEAR}-{LAST_YEAR}"
    return value, None


# --- whole-dataset checks ------------------------------------------------------------------


def check_keys(table: schema.Table, rows: list[tuple[int, Row]], filename: str) -> list[Problem]:
    problems = []
    seen: dict[tuple[Any, ...], int] = {}
    for line, row in rows:
        key = tuple(row[c] for c in table.key)
        if None in key:
            continue
        if key in seen:
            shown = ", ".join(f"{c}={row[c]}" for c in table.key)
            problems.append(Problem(filename, line, ",".join(table.key), shown,
                                    f"duplicate of line {seen[key]}"))
        else:
            seen[key] = line
    return problems


def check_references(parsed: dict[str, list[tuple[int, Row]]]) -> list[Problem]:
    problems = []
    for table in schema.TABLES:
        for col in table.columns:
            if not col.references or table.name not in parsed:
                continue
            ref_table, ref_col = col.references.split(".")
            known = {r[ref_col] for _, r in parsed.get(ref_table, [])}
            for line, row in parsed[table.name]:
                value = row[col.name]
                if value is not None and value not in known:
                    problems.append(Problem(table.filename, line, col.name, str(value),
                                            f"unknown {ref_col}: not in {ref_table}.csv"))
    return problems


def check_semantics(parsed: dict[str, list[tuple[int, Row]]]) -> list[Problem]:
    """Rules that need several tables: impossible dates, contradicting evidence."""
    problems: list[Problem] = []
    now = today()
    states = {r["iso3"] for _, r in parsed.get("states", [])}
    partners = {r["iso3"] for _, r in parsed.get("partners", [])}
    treaties = {r["treaty"]: r for _, r in parsed.get("treaties", [])}
    surveys = {r["survey_id"]: r for _, r in parsed.get("surveys", [])}

    def future(d: date | PartialDate | None) -> bool:
        if isinstance(d, PartialDate):
            return d.lo > now
        return d is not None and d > now

    for line, row in parsed.get("treaty_actions", []):
        f = "treaty_actions.csv"
        d, treaty = row["action_date"], treaties.get(row["treaty"])
        if future(d):
            problems.append(Problem(f, line, "action_date", str(d), "date is in the future"))
        elif d and treaty and treaty["opened"] and d < treaty["opened"]:
            problems.append(Problem(f, line, "action_date", str(d),
                                    f"before {row['treaty']} opened for signature on "
                                    f"{treaty['opened']}"))
    for line, row in parsed.get("status_observations", []):
        if future(row["as_of"]):
            problems.append(Problem("status_observations.csv", line, "as_of", str(row["as_of"]),
                                    "date is in the future"))
    for line, row in parsed.get("structures", []):
        f = "structures.csv"
        for col in ("as_of", "established"):
            if future(row[col]):
                problems.append(Problem(f, line, col, str(row[col]), "date is in the future"))
        est, as_of = row["established"], row["as_of"]
        if est and as_of and est.lo > as_of.hi:
            problems.append(Problem(f, line, "established", str(est),
                                    f"established after the date the source speaks of ({as_of})"))
        if est and row["status"] == "no":
            problems.append(Problem(f, line, "established", str(est),
                                    "a structure with status 'no' has no establishment date"))
        start, end = row["valid_from"], row["valid_until"]
        if start and end and end.hi < start.lo:
            problems.append(Problem(f, line, "valid_until", str(end),
                                    f"the period ends before it starts ({start})"))
        if (start or end) and row["status"] == "no":
            problems.append(Problem(f, line, "valid_from" if start else "valid_until",
                                    str(start or end), "a structure with status 'no' has no "
                                    "period"))
    for line, row in parsed.get("memberships", []):
        if row["until"] and row["since"] and row["until"] < row["since"]:
            problems.append(Problem("memberships.csv", line, "until", str(row["until"]),
                                    f"membership ends before it starts ({row['since']})"))
        if future(row["since"]):
            problems.append(Problem("memberships.csv", line, "since", str(row["since"]),
                                    "date is in the future"))
    for line, row in parsed.get("survey_responses", []):
        f = "survey_responses.csv"
        iso3, kind = row["iso3"], row["kind"]
        allowed = {
            "participating_state": states,
            "partner": partners,
            "field_operation": states | set(schema.NON_STATE_AREAS),
        }.get(kind, set())
        if iso3 and kind and iso3 not in allowed:
            problems.append(Problem(f, line, "iso3", iso3,
                                    f"not a known {kind.replace('_', ' ')} code"))
        survey = surveys.get(row["survey_id"])
        sent = survey["sent"] if survey else None
        if sent and row["received_by"] and row["received_by"] < sent:
            problems.append(Problem(f, line, "received_by", str(row["received_by"]),
                                    f"before the survey was sent ({sent})"))
        if future(row["received_by"]):
            problems.append(Problem(f, line, "received_by", str(row["received_by"]),
                                    "date is in the future"))
    for line, row in parsed.get("field_operations", []):
        host = row["host_iso3"]
        if host and host not in states and host not in schema.NON_STATE_AREAS:
            problems.append(Problem("field_operations.csv", line, "host_iso3", host,
                                    "unknown host: not in states.csv nor a listed area"))
    for line, row in parsed.get("engagements", []):
        start, end = row["start_date"], row["end_date"]
        if start and end and end.hi < start.lo:
            problems.append(Problem("engagements.csv", line, "end_date", str(end),
                                    f"ends before it starts ({start})"))
    problems += check_source_kinds(parsed)
    problems += check_monitoring(parsed)
    problems += check_evidence_consistency(parsed)
    return problems


def check_source_kinds(parsed: dict[str, list[tuple[int, Row]]]) -> list[Problem]:
    """A copy names its original's kind; treaty facts rest on the depositary, the State's own
    official acts or the monitoring body (or a faithful copy of one of them)."""
    problems: list[Problem] = []
    effective: dict[str, str] = {}
    for line, row in parsed.get("sources", []):
        kind, original = row["kind"], row["original_kind"]
        if kind == "copy" and not original:
            problems.append(Problem("sources.csv", line, "original_kind", None,
                                    "a copy must name the kind of its original document"))
        if kind != "copy" and (original or row["original_url"]):
            problems.append(Problem("sources.csv", line, "original_kind", original,
                                    "original_kind and original_url are for copies only"))
        if row["source_id"] and kind:
            effective[row["source_id"]] = original if kind == "copy" and original else kind
    rules = (("treaty_actions", schema.TREATY_SOURCE_KINDS),
             ("status_observations", schema.OBSERVATION_SOURCE_KINDS))
    for table, allowed in rules:
        for line, row in parsed.get(table, []):
            kind = effective.get(row["source_id"] or "")
            if kind is not None and kind not in allowed:
                problems.append(Problem(
                    f"{table}.csv", line, "source_id", row["source_id"],
                    f"a treaty fact needs a source of kind {', '.join(allowed)} (or a copy of "
                    f"one); this source is '{kind}'"))
    return problems


def check_monitoring(parsed: dict[str, list[tuple[int, Row]]]) -> list[Problem]:
    problems: list[Problem] = []
    for line, row in parsed.get("monitoring", []):
        f = "monitoring.csv"
        if row["round"] is not None and not 1 <= row["round"] <= 9:
            problems.append(Problem(f, line, "round", str(row["round"]),
                                    "an evaluation round is a number from 1 to 9"))
        visit, published = row["visit_date"], row["report_published"]
        if visit and published and published.hi < visit.lo:
            problems.append(Problem(f, line, "report_published", str(published),
                                    f"report published before the visit ({visit})"))
        for col in ("visit_date", "report_published"):
            value = row[col]
            if value is not None and value.lo > today():
                problems.append(Problem(f, line, col, str(value), "date is in the future"))
    return problems


def check_evidence_consistency(parsed: dict[str, list[tuple[int, Row]]]) -> list[Problem]:
    """An observation must not contradict a dated action, nor another observation.

    No OSCE State has withdrawn from these treaties, so status only moves forward:
    not signed -> signed -> party. Both sources are named in the message.
    """
    problems: list[Problem] = []
    signature: dict[tuple[str, str], tuple[int, Row]] = {}
    binding: dict[tuple[str, str], tuple[int, Row]] = {}
    for line, row in parsed.get("treaty_actions", []):
        if row["action_date"] is None:
            continue
        key = (row["iso3"], row["treaty"])
        target = signature if row["action"] == "signature" else binding
        if key not in target or row["action_date"] < target[key][1]["action_date"]:
            target[key] = (line, row)
    for key in signature.keys() & binding.keys():
        (sl, s), (bl, b) = signature[key], binding[key]
        if b["action_date"] < s["action_date"]:
            problems.append(Problem(
                "treaty_actions.csv", bl, "action_date", str(b["action_date"]),
                f"{b['action']} of {key[1]} by {key[0]} (source {b['source_id']}) comes before "
                f"its signature on {s['action_date']} (line {sl}, source {s['source_id']})"))

    obs_by_key: dict[tuple[str, str], list[tuple[int, Row]]] = defaultdict(list)
    for line, row in parsed.get("status_observations", []):
        if row["as_of"] is None or row["observed_status"] is None:
            continue
        key = (row["iso3"], row["treaty"])
        obs_by_key[key].append((line, row))
        status, as_of = row["observed_status"], row["as_of"]

        if key in binding:
            bl, b = binding[key]
            if status == "party" and b["action_date"] > as_of:
                why = f"{b['action']} deposited only on {b['action_date']}"
                problems.append(_clash(line, row, bl, b, why))
            if status != "party" and b["action_date"] <= as_of:
                why = f"{b['action']} deposited already on {b['action_date']}"
                problems.append(_clash(line, row, bl, b, why))
        if key in signature:
            sl, s = signature[key]
            if status == "signed" and s["action_date"] > as_of:
                problems.append(_clash(line, row, sl, s, f"signed only on {s['action_date']}"))
            if status == "not signed" and s["action_date"] <= as_of:
                problems.append(_clash(line, row, sl, s, f"signed already on {s['action_date']}"))

    rank = {"not signed": 0, "not party": 1, "signed": 1, "party": 2}
    for key, items in obs_by_key.items():
        items.sort(key=lambda item: item[1]["as_of"])
        for i, (line_a, a) in enumerate(items):
            for line_b, b in items[i + 1:]:
                # Later evidence may not show less progress than earlier evidence.
                later, earlier = rank[b["observed_status"]], rank[a["observed_status"]]
                if b["as_of"] > a["as_of"] and later < earlier:
                    problems.append(Problem(
                        "status_observations.csv", line_b, "observed_status", b["observed_status"],
                        f"{key[0]} {key[1]} is '{b['observed_status']}' on {b['as_of']} "
                        f"(source {b['source_id']}) but '{a['observed_status']}' already on "
                        f"{a['as_of']} (line {line_a}, source {a['source_id']})"))
    return problems


def _clash(line: int, row: Row, other_line: int, other: Row, why: str) -> Problem:
    return Problem(
        "status_observations.csv", line, "observed_status", row["observed_status"],
        f"{row['iso3']} {row['treaty']} on {row['as_of']} (source {row['source_id']}) contradicts "
        f"treaty_actions.csv line {other_line}: {why} (source {other['source_id']})")


def read_tables(data_dir: Path) -> tuple[Tables, list[Problem]]:
    """Read and check every table in `data_dir`. Typed rows are returned only if valid."""
    parsed: dict[str, list[tuple[int, Row]]] = {}
    problems: list[Problem] = []
    for table in schema.TABLES:
        path = data_dir / table.filename
        if not path.exists():
            problems.append(Problem(table.filename, None, None, None, "file is missing"))
            continue
        text, file_problems = decode_csv_bytes(path.read_bytes(), table.filename)
        problems += file_problems
        if text is None:
            continue
        rows, row_problems = parse_rows(table, text, table.filename)
        problems += row_problems
        problems += check_keys(table, rows, table.filename)
        parsed[table.name] = rows
    problems += check_references(parsed)
    problems += check_semantics(parsed)
    if problems:
        return {}, problems
    return {name: [row for _, row in rows] for name, rows in parsed.items()}, []
