"""The fact base in memory: every table of the store, loaded once, indexed for the status engine.

Loading takes a few milliseconds; after that every question about a date is answered in Python
without touching the database, which keeps the engine pure and fast.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from cthb import schema
from cthb.dates import PartialDate, parse_partial

Record = dict[str, Any]
# The filter groups of the maps and gap charts: EU or Council of Europe members on the date,
# and States hosting an OSCE field operation on it.
GROUPS: tuple[str, ...] = ("EU", "COE", "FIELD_OPS")


@dataclass(frozen=True)
class Facts:
    data_version: str
    sources: dict[str, Record]
    states: dict[str, Record]
    partners: dict[str, Record]
    treaties: dict[str, Record]
    # (iso3, organisation) -> list of membership rows, ordered by `since`
    memberships: dict[tuple[str, str], list[Record]]
    # (iso3, treaty) -> list of action rows, ordered by date
    actions: dict[tuple[str, str], list[Record]]
    # (iso3, treaty) -> list of observation rows, ordered by as_of
    observations: dict[tuple[str, str], list[Record]]
    # (iso3, kind) -> list of structure rows, with parsed partial dates
    structures: dict[tuple[str, str], list[Record]]
    # iso3 -> monitoring rounds (GRETA), ordered by round, with parsed partial dates
    monitoring: dict[str, list[Record]]
    surveys: dict[str, Record]
    survey_responses: list[Record]
    field_operations: list[Record]
    engagements: list[Record]
    tables: dict[str, list[Record]] = field(repr=False, default_factory=dict)

    def state_name(self, iso3: str, lang: str = "en") -> str:
        rec = self.states.get(iso3) or self.partners.get(iso3)
        if rec is None:
            return schema.NON_STATE_AREAS.get(iso3, iso3)
        return str(rec.get(f"name_{lang}") or rec["name_en"])

    def in_group(self, iso3: str, group: str | None, on: date) -> bool:
        """Whether a State belongs to a filter group (GROUPS) on `on`; no group: every State."""
        if not group:
            return True
        if group in ("EU", "COE"):
            return self.is_member(iso3, group, on)
        if group == "FIELD_OPS":
            return bool(self.field_operations_on(iso3, on))
        raise ValueError(f"unknown group {group!r}")

    def is_member(self, iso3: str, organisation: str, on: date) -> bool:
        return any(
            m["since"] <= on and (m["until"] is None or on <= m["until"])
            for m in self.memberships.get((iso3, organisation), [])
        )

    def membership_since(self, iso3: str, organisation: str) -> Record | None:
        rows = self.memberships.get((iso3, organisation), [])
        return rows[0] if rows else None

    def participating_states(self, on: date) -> list[str]:
        """The OSCE participating States on a date (56 in 2007, 57 from 21 Nov 2012)."""
        return sorted(iso3 for iso3 in self.states if self.is_member(iso3, "OSCE", on))

    def field_operations_on(self, iso3: str, on: date) -> list[Record]:
        out = []
        for op in self.field_operations:
            if op["host_iso3"] != iso3:
                continue
            opened: PartialDate | None = op["opened_pd"]
            closed: PartialDate | None = op["closed_pd"]
            if opened and opened.lo > on:
                continue
            if closed and closed.hi < on:
                continue
            out.append(op)
        return out

    def source(self, source_id: str | None) -> Record | None:
        return self.sources.get(source_id) if source_id else None


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[Record]:
    cur = con.execute(f'SELECT * FROM "{table}"')
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _partial(text: str | None) -> PartialDate | None:
    return parse_partial(text) if text else None


def load_facts(con: duckdb.DuckDBPyConnection) -> Facts:
    tables = {t.name: _rows(con, t.name) for t in schema.TABLES}
    version_row = con.execute("SELECT value FROM meta WHERE key='data_version'").fetchone()

    memberships: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for m in sorted(tables["memberships"], key=lambda r: r["since"]):
        memberships[(m["iso3"], m["organisation"])].append(m)
    actions: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for a in sorted(tables["treaty_actions"], key=lambda r: r["action_date"]):
        actions[(a["iso3"], a["treaty"])].append(a)
    observations: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for o in sorted(tables["status_observations"], key=lambda r: r["as_of"]):
        observations[(o["iso3"], o["treaty"])].append(o)
    structures: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for s in tables["structures"]:
        s = dict(s, as_of_pd=_partial(s["as_of"]), established_pd=_partial(s["established"]),
                 valid_from_pd=_partial(s["valid_from"]),
                 valid_until_pd=_partial(s["valid_until"]))
        structures[(s["iso3"], s["kind"])].append(s)
    monitoring: dict[str, list[Record]] = defaultdict(list)
    for m in sorted(tables["monitoring"], key=lambda r: (r["iso3"], r["body"], r["round"])):
        monitoring[m["iso3"]].append(dict(m, visit_pd=_partial(m["visit_date"]),
                                          published_pd=_partial(m["report_published"])))
    field_ops = [
        dict(f, opened_pd=_partial(f["opened"]), closed_pd=_partial(f["closed"]))
        for f in tables["field_operations"]
    ]
    engagements = [
        dict(e, start_pd=_partial(e["start_date"]), end_pd=_partial(e["end_date"]))
        for e in tables["engagements"]
    ]
    return Facts(
        data_version=version_row[0] if version_row else "",
        sources={s["source_id"]: s for s in tables["sources"]},
        states={s["iso3"]: s for s in tables["states"]},
        partners={p["iso3"]: p for p in tables["partners"]},
        treaties={t["treaty"]: t for t in tables["treaties"]},
        memberships=dict(memberships),
        actions=dict(actions),
        observations=dict(observations),
        structures=dict(structures),
        monitoring=dict(monitoring),
        surveys={s["survey_id"]: s for s in tables["surveys"]},
        survey_responses=tables["survey_responses"],
        field_operations=field_ops,
        engagements=engagements,
        tables=tables,
    )


def read_facts(db_path: Path) -> Facts:
    """The facts of a built database file: open read-only, load, close."""
    from cthb import store  # store -> validate -> ...: imported where needed, not at load

    con = store.connect(db_path)
    try:
        return load_facts(con)
    finally:
        con.close()


def current_facts(data_dir: Path | None = None, db_path: Path | None = None) -> Facts:
    """The facts of data/ as they are now: the database is rebuilt first if data/ changed.
    The one way the CLI, exports, benchmarks and tests open the fact base."""
    from cthb import current, paths

    return read_facts(current.ensure_current(data_dir or paths.data_dir(),
                                           db_path or paths.db_path()))
