"""The shape of every table in data/: columns, types and the rules a value must obey.

This module is the single definition of the data contract. The validator (cthb.validate), the
DuckDB schema (cthb.store), the importer and the data page all read it, so a column is described
once. Column names follow one convention: `_date` / `since` / `until` columns hold dates,
`source_id` always points at sources.csv, `iso3` always means an ISO 3166-1 alpha-3 code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal[
    "text",  # free text
    "code",  # short identifier: letters, digits, '-', '_', '.'
    "date",  # YYYY-MM-DD, a real calendar date
    "partial_date",  # YYYY, YYYY-MM or YYYY-MM-DD: what the source states, no more
    "bool",  # true / false
    "int",  # whole number
    "url",  # http(s)://...
    "enum",  # one of Column.choices
]

TREATIES = ("UNTOC", "PALERMO", "COE197")
# Deposits that make a State a party. Everything here counts as "consent to be bound".
BINDING_ACTIONS = ("ratification", "accession", "acceptance", "approval", "succession")
TREATY_ACTIONS = ("signature", *BINDING_ACTIONS)
# What an observation may say about one State on one date (see cthb.status for the logic):
#   party      - party on that date
#   signed     - signed and not (yet) a party on that date
#   not signed - neither signed nor party on that date
#   not party  - not a party on that date; the source says nothing of signature
OBSERVED_STATUSES = ("party", "signed", "not signed", "not party")
STRUCTURE_KINDS = ("NCM", "NAP", "NR", "NRM")
RECORDED_STRUCTURE_STATUSES = ("yes", "partial", "planned", "no")
ORGANISATIONS = ("OSCE", "COE", "EU")
# What kind of document a source is. A delegation weighs a fact by its source: the depositary's
# record first, then the State's own official acts, then the monitoring bodies. `copy` is a
# mirror of another document: the row then describes the original (title, publisher, date) and
# names the original's kind in `original_kind`.
SOURCE_KINDS = (
    "depositary",  # UN Treaty Collection, CoE Treaty Office, depositary notifications
    "official",  # a State's government, parliament, gazette, treaty database, mission
    "monitoring",  # GRETA, Committee of the Parties, UN treaty bodies
    "intergovernmental",  # OSCE, EU, UNODC, IOM and other international organisations
    "foreign_government",  # another State writing about this one (US TIP report)
    "ngo_research",  # NGOs, universities, research institutes
    "media",  # news
    "copy",  # a mirror, scrape or archive copy of another document
)
ORIGINAL_KINDS = tuple(k for k in SOURCE_KINDS if k != "copy")
# Only these may decide a treaty status (a copy of one of them too): a delegation accepts the
# depositary's record, its own official acts and the treaty's monitoring body.
TREATY_SOURCE_KINDS = ("depositary", "official", "monitoring")
# Observations (a status on a date, no deposit date) may also come from an intergovernmental
# report: the OSCE's own 2007 report (footnote 15) is the first test oracle. They never
# override a dated action (the validator rejects any contradiction).
OBSERVATION_SOURCE_KINDS = (*TREATY_SOURCE_KINDS, "intergovernmental")
MONITORING_BODIES = ("GRETA",)
RESPONDENT_KINDS = ("participating_state", "partner", "field_operation")
ENGAGEMENT_KINDS = ("visit", "assistance", "media_briefing", "event", "hearing")
REGIONS = (
    "Western Europe",
    "Nordic-Baltic",
    "Central Europe",
    "South-Eastern Europe",
    "Eastern Europe",
    "South Caucasus",
    "Central Asia",
    "North America",
)
# Areas that appear in the data but are not participating States. Kosovo hosts an OSCE
# field operation; it is referred to in full compliance with UNSCR 1244.
NON_STATE_AREAS = {"XKX": "Kosovo"}
LANGUAGES = ("en", "fr", "de", "it", "ru", "es")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True
    choices: tuple[str, ...] = ()
    # "<table>.<column>": the value must exist there (checked after every file is read).
    references: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    # Columns whose combined values must be unique (the natural key).
    key: tuple[str, ...]
    # Extra formula-free text columns are allowed nowhere: unknown columns are an error.
    order_by: tuple[str, ...] = field(default=())

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _src() -> Column:
    return Column(
        "source_id", "code", references="sources.source_id",
        description="The source that states this fact (sources.csv)",
    )


def _note() -> Column:
    return Column("note", "text", required=False, description="Caveats, how the value was read")


SOURCES = Table(
    "sources",
    "Every document a fact in data/ rests on.",
    (
        Column("source_id", "code", description="Short stable id, e.g. sr2007-fn15"),
        Column("kind", "enum", choices=SOURCE_KINDS,
               description="depositary, official, monitoring, intergovernmental, "
                           "foreign_government, ngo_research, media or copy"),
        Column("title", "text", description="The document's own title (for a copy: the "
                                            "original's)"),
        Column("publisher", "text", description="Who published it (for a copy: the original's)"),
        Column("published", "partial_date", required=False,
               description="The document's own date (for a copy: the original's)"),
        Column("url", "url", required=False, description="Where it was read"),
        Column("locator", "text", required=False, description="Where in it: footnote, page, row"),
        Column("accessed", "date", required=False, description="When the stored copy was read"),
        Column("original_kind", "enum", required=False, choices=ORIGINAL_KINDS,
               description="For a copy only: the kind of the original document"),
        Column("original_url", "url", required=False,
               description="For a copy only: where the original is published, if known"),
        _note(),
    ),
    key=("source_id",),
    order_by=("source_id",),
)

STATES = Table(
    "states",
    "The OSCE participating States (57 since Mongolia joined on 2012-11-21).",
    (
        Column("iso3", "code", description="ISO 3166-1 alpha-3"),
        Column("name_en", "text"),
        Column("name_fr", "text"),
        Column("name_de", "text"),
        Column("name_it", "text"),
        Column("name_ru", "text"),
        Column("name_es", "text"),
        Column("short_en", "text", description="Short English label for tiles and charts"),
        Column("region", "enum", choices=REGIONS, description="Subregion used by map views"),
        _src(),
        _note(),
    ),
    key=("iso3",),
    order_by=("iso3",),
)

PARTNERS = Table(
    "partners",
    "OSCE Partners for Co-operation that appear in the data (e.g. as survey respondents).",
    (
        Column("iso3", "code"),
        Column("name_en", "text"),
        Column("name_fr", "text"),
        Column("name_de", "text"),
        Column("name_it", "text"),
        Column("name_ru", "text"),
        Column("name_es", "text"),
        Column("partner_group", "enum", choices=("Asian", "Mediterranean")),
        _src(),
        _note(),
    ),
    key=("iso3",),
    order_by=("iso3",),
)

MEMBERSHIPS = Table(
    "memberships",
    "Membership periods: OSCE participation, Council of Europe, European Union.",
    (
        Column("iso3", "code", references="states.iso3"),
        Column("organisation", "enum", choices=ORGANISATIONS),
        Column("since", "date"),
        Column("until", "date", required=False, description="Last day of membership, if it ended"),
        _src(),
        _note(),
    ),
    key=("iso3", "organisation", "since"),
    order_by=("iso3", "organisation", "since"),
)

TREATIES_TABLE = Table(
    "treaties",
    "The three instruments tracked.",
    (
        Column("treaty", "enum", choices=TREATIES),
        Column("title", "text"),
        Column("short_title", "text"),
        Column("body", "text", description="Depositary organisation"),
        Column("opened", "date", description="Opened for signature"),
        Column("entry_into_force", "date"),
        Column("who_may_join", "text"),
        _src(),
        _note(),
    ),
    key=("treaty",),
    order_by=("treaty",),
)

TREATY_ACTIONS_TABLE = Table(
    "treaty_actions",
    "Dated depositary actions: exact evidence of signature and consent to be bound.",
    (
        Column("iso3", "code", references="states.iso3"),
        Column("treaty", "enum", choices=TREATIES),
        Column("action", "enum", choices=TREATY_ACTIONS),
        Column("action_date", "date"),
        _src(),
        _note(),
    ),
    key=("iso3", "treaty", "action"),
    order_by=("treaty", "iso3", "action_date"),
)

STATUS_OBSERVATIONS = Table(
    "status_observations",
    "Undated evidence: a source saying a State was (not) a party or signatory on a date.",
    (
        Column("iso3", "code", references="states.iso3"),
        Column("treaty", "enum", choices=TREATIES),
        Column("observed_status", "enum", choices=OBSERVED_STATUSES),
        Column("as_of", "date", description="The date the source speaks of"),
        _src(),
        _note(),
    ),
    key=("iso3", "treaty", "as_of", "source_id"),
    order_by=("treaty", "as_of", "iso3"),
)

STRUCTURES = Table(
    "structures",
    "National anti-trafficking structures as reported by a source on a date.",
    (
        Column("iso3", "code", references="states.iso3"),
        Column("kind", "enum", choices=STRUCTURE_KINDS,
               description="NCM co-ordination, NAP action plan, NR rapporteur, NRM referral"),
        Column("status", "enum", choices=RECORDED_STRUCTURE_STATUSES),
        Column("established", "partial_date", required=False,
               description="When it was set up or adopted (yes/partial/planned only)"),
        Column("as_of", "partial_date", description="The date the source speaks of"),
        Column("as_of_approx", "bool", description="true when as_of is estimated (c. YYYY)"),
        Column("valid_from", "partial_date", required=False,
               description="Start of a plan's or mandate's period (e.g. NAP 2021-2023: 2021)"),
        Column("valid_until", "partial_date", required=False,
               description="End of a plan's or mandate's period; after it, with no later plan "
                           "recorded, a NAP is 'expired'"),
        Column("detail", "text", required=False),
        _src(),
        _note(),
    ),
    key=("iso3", "kind", "as_of", "source_id"),
    order_by=("iso3", "kind", "as_of"),
)

MONITORING = Table(
    "monitoring",
    "Evaluation rounds of a monitoring body (GRETA) per State: visit and published report.",
    (
        Column("body", "enum", choices=MONITORING_BODIES),
        Column("round", "int", description="Evaluation round, 1 = first"),
        Column("iso3", "code", references="states.iso3"),
        Column("visit_date", "partial_date", required=False,
               description="The country visit of this round"),
        Column("report_published", "partial_date", required=False,
               description="Publication of the body's report; empty while the round is under way"),
        Column("report_ref", "text", required=False, description="e.g. GRETA(2016)6"),
        Column("url", "url", required=False),
        _src(),
        _note(),
    ),
    key=("body", "round", "iso3"),
    order_by=("iso3", "body", "round"),
)

SURVEYS = Table(
    "surveys",
    "Surveys sent by the Special Representative.",
    (
        Column("survey_id", "code"),
        Column("title", "text"),
        Column("sent", "date", required=False, description="Empty when no source gives it"),
        Column("reference", "text", required=False),
        _src(),
        _note(),
    ),
    key=("survey_id",),
    order_by=("survey_id",),
)

SURVEY_RESPONSES = Table(
    "survey_responses",
    "Who answered a survey, and by when the answer was received.",
    (
        Column("survey_id", "code", references="surveys.survey_id"),
        Column("respondent", "text", description="As named in the source"),
        Column("iso3", "code", description="The State, the Partner, or a field operation's host"),
        Column("kind", "enum", choices=RESPONDENT_KINDS),
        Column("received_by", "date", description="Received on or before this date"),
        _src(),
        _note(),
    ),
    key=("survey_id", "respondent"),
    order_by=("survey_id", "kind", "respondent"),
)

FIELD_OPERATIONS = Table(
    "field_operations",
    "OSCE field operations and the participating State (or area) that hosts them.",
    (
        Column("name", "text"),
        Column("host_iso3", "code"),
        Column("opened", "partial_date", required=False),
        Column("closed", "partial_date", required=False),
        _src(),
        _note(),
    ),
    key=("name",),
    order_by=("host_iso3", "name"),
)

ENGAGEMENTS = Table(
    "engagements",
    "The Special Representative's visits, assistance, media briefings and events.",
    (
        Column("engagement_id", "code"),
        Column("kind", "enum", choices=ENGAGEMENT_KINDS),
        Column("title", "text"),
        Column("start_date", "partial_date"),
        Column("end_date", "partial_date", required=False),
        Column("place", "text", required=False),
        Column("iso3", "code", required=False, references="states.iso3",
               description="The State concerned, when one is named"),
        _src(),
        _note(),
    ),
    key=("engagement_id",),
    order_by=("start_date", "engagement_id"),
)

# Order matters: referenced tables come first.
TABLES: tuple[Table, ...] = (
    SOURCES,
    STATES,
    PARTNERS,
    MEMBERSHIPS,
    TREATIES_TABLE,
    TREATY_ACTIONS_TABLE,
    STATUS_OBSERVATIONS,
    STRUCTURES,
    MONITORING,
    SURVEYS,
    SURVEY_RESPONSES,
    FIELD_OPERATIONS,
    ENGAGEMENTS,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}
