"""Correction files: a delegation's proposed fix, in the format the importer reads.

The web app never writes to the data. It writes an XLSX workbook that the data maintainers
review and import with `python -m cthb import FILE`:
- one sheet per data table, named exactly like the table (`sources`, `structures`, ...);
- the header is exactly that table's columns (cthb.schema), then a last column `change`;
- `change` is `add` (a new row) or `replace` (replaces the row with the same key).

Every row is checked with cthb.validate.parse_rows before the file is written, so a file that
leaves here passes the importer's validation of values (formula-like text is refused, never
written: openpyxl would store "=..." as a live formula).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cthb import schema
from cthb.facts import Facts
from cthb.importing.csvtext import key_of
from cthb.importing.rows import CHANGE_COLUMN, CHANGES
from cthb.validate import Problem, parse_rows

# The tables a delegation may correct from the profile page (plus `sources`, always written).
CORRECTABLE = ("treaty_actions", "status_observations", "structures", "survey_responses",
               "memberships")


@dataclass(frozen=True)
class ProposedSource:
    title: str
    publisher: str
    url: str = ""
    published: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    note: str = ""
    # A delegation usually cites its own State's act or page: "official" (see schema).
    kind: str = "official"


@dataclass
class Correction:
    """Rows to add or replace, by table; `rows[table]` holds (row, change) pairs."""

    rows: dict[str, list[tuple[dict[str, str], str]]] = field(default_factory=dict)

    def add_row(self, table: str, row: dict[str, str], change: str) -> None:
        if change not in CHANGES:
            raise ValueError(f"change must be one of {CHANGES}, not {change!r}")
        self.rows.setdefault(table, []).append((row, change))


class CorrectionError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def as_text(value: object) -> str:
    """A stored value as the CSV files write it (dates ISO, booleans true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def source_id_for(iso3: str, source: ProposedSource, on: date) -> str:
    """A stable, valid code for the proposed source: the same proposal gets the same id."""
    digest = hashlib.sha1(f"{source.title}|{source.publisher}|{source.url}".encode()).hexdigest()
    return f"corr-{iso3.lower()}-{on:%Y%m%d}-{digest[:6]}"


def _row_key(table: str, row: Mapping[str, object]) -> tuple[str, ...]:
    # A stored row's key, as the importer keys the CSV rows it will be compared with.
    spec = schema.TABLES_BY_NAME[table]
    return key_of(spec, {c: as_text(row.get(c)) for c in spec.key})


def build_correction(table: str, original: dict[str, object] | None,
                     proposed: dict[str, str], source: ProposedSource, iso3: str,
                     on: date, accessed: date | None = None) -> Correction:
    """The correction replacing `original` (a stored row, or None for a missing fact) by
    `proposed` (column -> text, without `source_id`), citing `source`.

    The change is `replace` when the new row has the same key as the original (e.g. a treaty
    action's date), and `add` otherwise (e.g. a structure row: its key includes the source, so
    a new source is a new observation that sits beside the old one, as data/README.md wants).
    """
    if table not in CORRECTABLE:
        raise ValueError(f"{table!r} cannot be corrected from a profile")
    sid = source_id_for(iso3, source, on)
    src_row = {"source_id": sid, "kind": source.kind, "title": source.title.strip(),
               "publisher": source.publisher.strip(), "published": source.published.strip(),
               "url": source.url.strip(), "locator": "",
               "accessed": (accessed or on).isoformat(), "note": source.note.strip()}
    cols = schema.TABLES_BY_NAME[table].column_names
    row = {c: (proposed.get(c, "") or "").strip() for c in cols}
    row["source_id"] = sid
    change = "add"
    if original is not None and _row_key(table, original) == _row_key(table, row):
        change = "replace"
    corr = Correction()
    corr.add_row("sources", src_row, "add")
    corr.add_row(table, row, change)
    problems = validate_correction(corr)
    if problems:
        raise CorrectionError(problems)
    return corr


def sheet_csv(table: str, rows: list[tuple[dict[str, str], str]]) -> str:
    """A sheet's rows as the CSV text of the data file (without the `change` column)."""
    cols = schema.TABLES_BY_NAME[table].column_names
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row, _ in rows:
        writer.writerow([row.get(c, "") for c in cols])
    return buf.getvalue()


def validate_correction(corr: Correction) -> list[Problem]:
    """Every value checked like a data file's (types, required, formula-like text)."""
    problems: list[Problem] = []
    for table, rows in corr.rows.items():
        _, found = parse_rows(schema.TABLES_BY_NAME[table], sheet_csv(table, rows),
                              f"{table} (correction)")
        problems += found
    return problems


def workbook_bytes(corr: Correction) -> bytes:
    """The XLSX file: one sheet per table, header = the table's columns + `change`."""
    from openpyxl import Workbook

    problems = validate_correction(corr)
    if problems:
        raise CorrectionError(problems)
    wb = Workbook()
    wb.remove(wb.active)
    # Referenced tables first, as the importer reads them (sources before the facts).
    for table in (t.name for t in schema.TABLES if t.name in corr.rows):
        ws = wb.create_sheet(table)
        cols = list(schema.TABLES_BY_NAME[table].column_names)
        ws.append([*cols, CHANGE_COLUMN])
        for row, change in corr.rows[table]:
            # Everything as text: a date cell would come back as a datetime, "2008" as an int.
            ws.append([row.get(c, "") for c in cols] + [change])
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                cell.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_workbook(data: bytes) -> dict[str, list[dict[str, str]]]:
    """The sheets back as rows of text (for tests and for checking a file before sending)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    out: dict[str, list[dict[str, str]]] = {}
    for ws in wb.worksheets:
        values = list(ws.iter_rows(values_only=True))
        header = [str(h) for h in values[0]]
        out[ws.title] = [{h: "" if v is None else str(v) for h, v in zip(header, r, strict=True)}
                         for r in values[1:]]
    return out


# --- the "suggest a correction" form, as data ---------------------------------------------
# What the profile page asks, worded in the page's language: the facts a delegation may
# correct (with their current value and source), the fields for each, the checks with their
# messages, and the result (the file, a summary, a prepared e-mail). cthb.webapp draws it.

# The columns a delegation states, in form order; the others are fixed by the page (the State,
# the survey, the respondent kind) or written here (source_id).
FORM_COLUMNS: dict[str, tuple[str, ...]] = {
    "treaty_actions": ("treaty", "action", "action_date"),
    "status_observations": ("treaty", "observed_status", "as_of"),
    "structures": ("kind", "status", "as_of", "as_of_approx", "established", "valid_from",
                   "valid_until", "detail"),
    "survey_responses": ("respondent", "received_by"),
    "memberships": ("organisation", "since", "until"),
}
# Sources a treaty fact may rest on (cthb.validate refuses others at import).
SOURCE_KINDS_FOR = {"treaty_actions": schema.TREATY_SOURCE_KINDS,
                    "status_observations": schema.OBSERVATION_SOURCE_KINDS}
# A proposal names the original document: "copy" needs an original kind the form does not ask.
FORM_SOURCE_KINDS = schema.ORIGINAL_KINDS
EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


@dataclass(frozen=True)
class FactChoice:
    """A fact the page shows (or a new one), as the form lists it."""

    key: str  # stable widget key
    label: str  # "National structure: Rapporteur, Planned, 2023-05-11"
    table: str
    row: dict[str, object] | None  # the stored row; None for a new fact
    current: str  # the current value in words ("—" for a new fact)
    source: str  # the current source in words ("—" for a new fact)


@dataclass(frozen=True)
class FormField:
    name: str  # column, or source_* / contact_* / comment
    label: str  # in the page's language, "*" marking a required field
    kind: str  # choice | text | flag | long_text
    required: bool
    value: str = ""  # prefilled
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    organisation: str = ""


@dataclass(frozen=True)
class CorrectionResult:
    workbook: bytes
    file_name: str
    change: str  # add | replace (of the fact's row)
    summary: list[str]  # lines for the page and the e-mail body
    subject: str


def value_label(column: str, value: str, table: str, lang: str) -> str:
    """An enum value as the reader says it (Palermo Protocol, ratification, party, ...)."""
    from cthb.i18n import t

    if not value:
        return "—"
    if column == "treaty" or (column == "kind" and table == "structures"):
        return t(f"indicator_short.{value}", lang)
    if column == "action":
        return t(f"profile.action_{value}", lang)
    if column in ("status", "observed_status"):
        return t(f"status.{value}", lang)
    if column == "organisation":
        return t(f"profile.org_{value}", lang)
    if column == "kind" and table == "survey_responses":
        return t(f"profile.respondent_{value}", lang)
    if column == "as_of_approx":
        return t(f"profile.bool_{value}", lang)
    if column == "source_kind":
        return t(f"source_kind.{value}", lang)
    return value


def fact_choices(facts: Facts, iso3: str, lang: str) -> list[FactChoice]:
    """Every stored fact of the State a delegation may correct, then one "new fact" per table."""
    from cthb.i18n import t
    from cthb.sources import cite

    out: list[FactChoice] = []
    for table in CORRECTABLE:
        for row in facts.tables.get(table, []):
            if row.get("iso3") != iso3:
                continue
            shown = ", ".join(value_label(c, as_text(row.get(c)), table, lang)
                              for c in FORM_COLUMNS[table] if row.get(c) not in (None, "")
                              and c not in ("detail", "as_of_approx"))
            key = "-".join([table, *_row_key(table, row)])
            current = shown + (f" — {row['detail']}" if row.get("detail") else "")
            out.append(FactChoice(key, f"{t(f'profile.table_{table}', lang)}: {shown}", table,
                                  row, current, cite(facts, str(row["source_id"]), lang)))
    for table in ("treaty_actions", "structures", "survey_responses"):
        out.append(FactChoice(f"new-{table}", t("profile.correction_new", lang,
                                                 table=t(f"profile.table_{table}", lang)),
                              table, None, "—", "—"))
    return out


def field_label(column: str, lang: str) -> str:
    """A column's name in the form ("Date of the action (YYYY-MM-DD)")."""
    from cthb.i18n import catalogue, t

    key = f"meeting.field_{column}"
    return t(key if key in catalogue("en") else f"profile.field_{column}", lang)


def _star(label: str, required: bool) -> str:
    return f"{label} *" if required else label


def form_fields(choice: FactChoice, lang: str) -> list[FormField]:
    """The fields of the form for one fact: its columns (prefilled with the current value),
    then the source, the contact and a comment. Required fields end in " *"."""
    from cthb.i18n import t

    table = schema.TABLES_BY_NAME[choice.table]
    fields: list[FormField] = []
    for name in FORM_COLUMNS[choice.table]:
        col = table.column(name)
        current = as_text(choice.row.get(name)) if choice.row else ""
        label = _star(field_label(name, lang), col.required and col.type != "bool")
        hint = {"date": t("meeting.hint_date", lang),
                "partial_date": t("meeting.hint_partial_date", lang)}.get(col.type, "")
        if col.type == "bool":
            fields.append(FormField(name, t("meeting.field_as_of_approx", lang), "flag", False,
                                    current or "false"))
        elif col.choices:
            labels = tuple(value_label(name, v, choice.table, lang) for v in col.choices)
            fields.append(FormField(name, label, "choice", col.required,
                                    current or col.choices[0], col.choices, labels))
        else:
            fields.append(FormField(name, label, "long_text" if name == "detail" else "text",
                                    col.required, current, help=hint))
    kinds = SOURCE_KINDS_FOR.get(choice.table, FORM_SOURCE_KINDS)
    fields += [
        FormField("source_url", _star(t("meeting.field_source_url", lang), True), "text", True,
                  help="https://…"),
        FormField("source_kind", _star(t("meeting.field_source_kind", lang), True), "choice",
                  True, "official", kinds,
                  tuple(value_label("source_kind", k, choice.table, lang) for k in kinds)),
        FormField("source_title", _star(t("profile.source_title", lang), True), "text", True),
        FormField("source_publisher", _star(t("profile.source_publisher", lang), True), "text",
                  True),
        FormField("source_published", t("profile.source_published", lang), "text", False,
                  help=t("meeting.hint_partial_date", lang)),
        FormField("contact_name", _star(t("meeting.field_contact_name", lang), True), "text",
                  True),
        FormField("contact_email", _star(t("meeting.field_contact_email", lang), True), "text",
                  True),
        FormField("contact_organisation", t("meeting.field_contact_organisation", lang),
                  "text", False),
        FormField("comment", t("profile.correction_note", lang), "long_text", False),
    ]
    return fields


def check_values(choice: FactChoice, values: Mapping[str, str], lang: str) -> list[str]:
    """What is missing or malformed, in the page's language (an empty list: all is well)."""
    from cthb.dates import parse_date, parse_partial
    from cthb.i18n import t

    problems: list[str] = []
    labels = {f.name: f.label.removesuffix(" *") for f in form_fields(choice, lang)}
    table = schema.TABLES_BY_NAME[choice.table]
    for f in form_fields(choice, lang):
        value = (values.get(f.name) or "").strip()
        if f.required and not value:
            problems.append(t("meeting.error_required", lang, field=labels[f.name]))
            continue
        if not value:
            continue
        kind = table.column(f.name).type if f.name in table.column_names else ""
        if f.name == "source_published":
            kind = "partial_date"
        try:
            if kind == "date":
                parse_date(value)
            elif kind == "partial_date":
                parse_partial(value)
        except ValueError:
            key = "meeting.error_date" if kind == "date" else "meeting.error_partial_date"
            problems.append(t(key, lang, field=labels[f.name], value=value))
        if f.choices and value not in f.choices:
            problems.append(t("meeting.error_choice", lang, field=labels[f.name]))
        if value.startswith(tuple("=+-@")):
            problems.append(t("meeting.error_formula", lang, field=labels[f.name]))
    url = (values.get("source_url") or "").strip()
    if url and not re.match(r"^https?://\S+$", url):
        problems.append(t("meeting.error_url", lang, field=labels["source_url"]))
    email = (values.get("contact_email") or "").strip()
    if email and not EMAIL.match(email):
        problems.append(t("meeting.error_email", lang, field=labels["contact_email"]))
    return problems


def make_correction(facts: Facts, iso3: str, choice: FactChoice, values: Mapping[str, str],
                    lang: str, on: date) -> CorrectionResult:
    """The correction file and its summary. Raises CorrectionError with messages in `lang`
    when a value is missing or wrong (the checks of `check_values`, then the data file's)."""
    from cthb.i18n import t

    messages = check_values(choice, values, lang)
    if messages:
        raise CorrectionError([Problem("form", None, None, None, m) for m in messages])
    proposed = {c: as_text(choice.row.get(c)) for c in schema.TABLES_BY_NAME[choice.table]
                .column_names} if choice.row else {}
    proposed.update({c: (values.get(c) or "").strip() for c in FORM_COLUMNS[choice.table]})
    proposed["iso3"] = iso3
    if choice.table == "survey_responses":
        proposed.setdefault("survey_id", DEFAULT_SURVEY_ID)
        proposed["survey_id"] = proposed["survey_id"] or DEFAULT_SURVEY_ID
        proposed["kind"] = proposed.get("kind") or "participating_state"
    contact = Contact(values.get("contact_name", "").strip(),
                      values.get("contact_email", "").strip(),
                      values.get("contact_organisation", "").strip())
    comment = (values.get("comment") or "").strip()
    proposed["note"] = comment
    source = ProposedSource(
        values.get("source_title", "").strip(), values.get("source_publisher", "").strip(),
        values.get("source_url", "").strip(), values.get("source_published", "").strip(),
        # The data are kept in English, whatever the page's language.
        f"Proposed by a delegation through the profile page on {on.isoformat()}.",
        kind=values.get("source_kind", "official"))
    try:
        corr = build_correction(choice.table, choice.row, proposed, source, iso3, on)
        data = workbook_bytes(corr)
    except CorrectionError as exc:
        # The data file's own checks speak English: name the field in the page's language.
        labels = {f.name: f.label.removesuffix(" *") for f in form_fields(choice, lang)}
        labels.update({"title": labels["source_title"], "publisher": labels["source_publisher"],
                       "url": labels["source_url"], "published": labels["source_published"]})
        raise CorrectionError([Problem("form", None, p.column, p.value, t(
            "meeting.error_value", lang, field=labels.get(p.column or "", p.column or "?"),
            value=p.value or "")) for p in exc.problems]) from exc
    change = corr.rows[choice.table][0][1]
    file_name = f"correction-{iso3}-{on:%Y%m%d}-{source_id_for(iso3, source, on)[-6:]}.xlsx"
    return CorrectionResult(data, file_name, change,
                            summary_lines(facts, iso3, choice, proposed, source, contact,
                                          comment, file_name, change, lang),
                            t("meeting.mail_subject", lang, name=facts.state_name(iso3, lang),
                              iso3=iso3))


DEFAULT_SURVEY_ID = "sr-2007-07"  # the one survey a delegation can have answered


def summary_lines(facts: Facts, iso3: str, choice: FactChoice, proposed: Mapping[str, str],
                  source: ProposedSource, contact: Contact, comment: str, file_name: str,
                  change: str, lang: str) -> list[str]:
    """The correction in words: what the e-mail says and the page repeats."""
    from cthb.i18n import t

    new_value = ", ".join(
        field_label(c, lang) + ": "
        + value_label(c, proposed.get(c, ""), choice.table, lang)
        for c in FORM_COLUMNS[choice.table] if proposed.get(c) and c != "as_of_approx")
    who = contact.name + (f", {contact.organisation}" if contact.organisation else "")
    return [
        t("meeting.mail_state", lang, name=facts.state_name(iso3, lang), iso3=iso3),
        t("meeting.mail_fact", lang, fact=choice.label),
        t("meeting.mail_current", lang, value=choice.current, source=choice.source),
        t("meeting.mail_proposed", lang, value=new_value),
        t("meeting.mail_source", lang, url=source.url,
          kind=value_label("source_kind", source.kind, choice.table, lang),
          title=source.title, publisher=source.publisher),
        t("meeting.mail_contact", lang, who=who, email=contact.email),
        *([t("meeting.mail_comment", lang, comment=comment)] if comment else []),
        t(f"profile.correction_change_{change}", lang),
        t("meeting.mail_file", lang, file=file_name),
    ]


def mailto(address: str, subject: str, lines: list[str]) -> str:
    """A mailto: link with the subject and the summary as the body (the file is attached by
    the sender: a link cannot carry it)."""
    from urllib.parse import quote

    body = "\r\n".join(lines)
    return f"mailto:{quote(address, safe='@')}?subject={quote(subject)}&body={quote(body)}"


def dry_run(workbook: bytes, file_name: str, data_dir: Path, db_path: Path) -> tuple[str, str]:
    """(diff, problems) as `python -m cthb import FILE --dry-run` prints them for this file:
    the very change the Office will see, or why its import would refuse it. Writes nothing
    but a temporary copy of the file."""
    import tempfile

    from cthb.importer import ImportFailed, format_diff, import_file
    from cthb.validate import format_problems

    with tempfile.TemporaryDirectory(prefix="cthb-correction-") as tmp:
        path = Path(tmp) / file_name
        path.write_bytes(workbook)
        try:
            outcome = import_file(path, data_dir, db_path, dry_run=True)
        except ImportFailed as exc:
            return "", format_problems(exc.problems)
    return format_diff(outcome.plan), ""
