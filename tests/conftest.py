"""Shared fixtures: the real data/ built into a temporary database, and a small hand-made
dataset whose every fact the rule tests control."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cthb import paths, schema, store
from cthb.facts import Facts, load_facts

REAL_DATA = paths.PROJECT_ROOT / "data"

# No background warm-up thread in test processes or the apps they start: it would build views
# for whatever CTHB_DATA_DIR a test points at, behind the test's back. tests/test_viewcache.py
# runs the warm-up itself.
os.environ.setdefault("CTHB_WARMUP", "0")


def require_tool(available: bool, reason: str) -> None:
    """Skip a test whose tool (Chromium, LibreOffice) is missing on a developer's machine. In CI
    (CI=true) .ci/run installs them, so a missing tool there is a failure, never a quiet skip."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must have this: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def export_server() -> Iterator[None]:
    """One kaleido/Chromium export server for a whole test module."""
    from cthb.export import images

    ok, reason = images.export_available()
    require_tool(ok, reason)
    images.start_server()
    yield
    images.stop_server()


@pytest.fixture(scope="session")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("db") / "cthb.duckdb"
    store.build(REAL_DATA, db)
    return db


@pytest.fixture(scope="session")
def facts(real_db: Path) -> Facts:
    con = store.connect(real_db)
    try:
        return load_facts(con)
    finally:
        con.close()


def write_table(data_dir: Path, table: str, rows: list[dict[str, str]]) -> None:
    columns = schema.TABLES_BY_NAME[table].column_names
    with open(data_dir / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def _state(iso3: str, name: str, region: str) -> dict[str, str]:
    names = {f"name_{lang}": name for lang in schema.LANGUAGES}
    return {"iso3": iso3, **names, "short_en": name[:12], "region": region, "source_id": "t"}


# A miniature world: each State exercises one rule of the status engine.
MINI: dict[str, list[dict[str, str]]] = {
    "sources": [{"source_id": "t", "kind": "official", "title": "Test source",
                 "publisher": "tests"},
                {"source_id": "obs", "kind": "intergovernmental",
                 "title": "A report listing statuses", "publisher": "tests"},
                {"source_id": "greta", "kind": "monitoring", "title": "GRETA report",
                 "publisher": "Council of Europe"}],
    "states": [
        _state("ALB", "Albania", "South-Eastern Europe"),  # dated actions only
        _state("GEO", "Georgia", "South Caucasus"),  # party by observation, no deposit date
        _state("ISL", "Iceland", "Nordic-Baltic"),  # signed, ratified later with a date
        _state("RUS", "Russian Federation", "Eastern Europe"),  # nothing after 2007
        _state("CAN", "Canada", "North America"),  # CoE non-member
        _state("MNG", "Mongolia", "Central Asia"),  # joined the OSCE in 2012
    ],
    "partners": [],
    "memberships": [
        *({"iso3": i, "organisation": "OSCE", "since": "1995-01-01", "source_id": "t"}
          for i in ("ALB", "GEO", "ISL", "RUS", "CAN")),
        {"iso3": "MNG", "organisation": "OSCE", "since": "2012-11-21", "source_id": "t"},
        *({"iso3": i, "organisation": "COE", "since": "1999-04-27", "source_id": "t"}
          for i in ("ALB", "GEO", "ISL")),
        {"iso3": "RUS", "organisation": "COE", "since": "1996-02-28", "until": "2022-03-16",
         "source_id": "t"},
    ],
    "treaties": [
        {"treaty": "UNTOC", "title": "UN Convention against Transnational Organized Crime",
         "short_title": "UNTOC", "body": "UN", "opened": "2000-12-12",
         "entry_into_force": "2003-09-29", "who_may_join": "all States", "source_id": "t"},
        {"treaty": "PALERMO", "title": "Trafficking in Persons Protocol",
         "short_title": "Palermo Protocol", "body": "UN", "opened": "2000-12-12",
         "entry_into_force": "2003-12-25", "who_may_join": "UNTOC parties", "source_id": "t"},
        {"treaty": "COE197", "title": "CoE Convention on Action against Trafficking",
         "short_title": "CETS 197", "body": "Council of Europe", "opened": "2005-05-16",
         "entry_into_force": "2008-02-01", "who_may_join": "CoE members", "source_id": "t"},
    ],
    "treaty_actions": [
        {"iso3": "ALB", "treaty": "COE197", "action": "signature", "action_date": "2005-05-22",
         "source_id": "t"},
        {"iso3": "ALB", "treaty": "COE197", "action": "ratification",
         "action_date": "2007-02-06", "source_id": "t"},
        {"iso3": "GEO", "treaty": "COE197", "action": "signature", "action_date": "2005-11-19",
         "source_id": "t"},
        {"iso3": "ISL", "treaty": "UNTOC", "action": "signature", "action_date": "2000-12-13",
         "source_id": "t"},
        {"iso3": "ISL", "treaty": "UNTOC", "action": "ratification", "action_date": "2010-05-13",
         "source_id": "t"},
        {"iso3": "MNG", "treaty": "UNTOC", "action": "accession", "action_date": "2008-06-27",
         "source_id": "t"},
    ],
    "status_observations": [
        {"iso3": "GEO", "treaty": "COE197", "observed_status": "party", "as_of": "2007-09-19",
         "source_id": "obs"},
        {"iso3": "GEO", "treaty": "COE197", "observed_status": "not party",
         "as_of": "2006-11-01", "source_id": "obs"},
        {"iso3": "RUS", "treaty": "COE197", "observed_status": "not signed",
         "as_of": "2007-11-13", "source_id": "obs"},
        {"iso3": "ISL", "treaty": "UNTOC", "observed_status": "signed", "as_of": "2007-11-13",
         "source_id": "obs"},
    ],
    "structures": [
        {"iso3": "ALB", "kind": "NR", "status": "yes", "as_of": "2007-05-21",
         "as_of_approx": "false", "source_id": "t"},
        {"iso3": "ALB", "kind": "NR", "status": "no", "as_of": "2020-09",
         "as_of_approx": "false", "source_id": "t"},
        {"iso3": "GEO", "kind": "NCM", "status": "yes", "established": "2006",
         "as_of": "2009", "as_of_approx": "true", "source_id": "t"},
        # Action plans with periods (Albania): a first plan 2005-2007; a second 2008-2010,
        # reported only later (2012) with its adoption date; a third 2014-2017 reported in
        # 2015; a 2016 source that describes only the old second plan; a 2019 "planned".
        {"iso3": "ALB", "kind": "NAP", "status": "yes", "established": "2005",
         "as_of": "2006", "as_of_approx": "false", "valid_from": "2005",
         "valid_until": "2007", "source_id": "t"},
        {"iso3": "ALB", "kind": "NAP", "status": "yes", "established": "2008-03",
         "as_of": "2012", "as_of_approx": "false", "valid_from": "2008",
         "valid_until": "2010", "source_id": "greta"},
        {"iso3": "ALB", "kind": "NAP", "status": "yes", "established": "2014",
         "as_of": "2015-03", "as_of_approx": "false", "valid_from": "2014",
         "valid_until": "2017", "source_id": "t"},
        {"iso3": "ALB", "kind": "NAP", "status": "yes", "established": "2008-03",
         "as_of": "2016", "as_of_approx": "false", "valid_from": "2008",
         "valid_until": "2010", "source_id": "obs"},
        {"iso3": "ALB", "kind": "NAP", "status": "planned", "as_of": "2019-06",
         "as_of_approx": "false", "source_id": "t"},
    ],
    "monitoring": [
        {"body": "GRETA", "round": "1", "iso3": "ALB", "visit_date": "2011-02",
         "report_published": "2011-11-21", "report_ref": "GRETA(2011)22", "source_id": "greta"},
        {"body": "GRETA", "round": "2", "iso3": "ALB", "visit_date": "2015-05",
         "report_published": "2016-06-10", "source_id": "greta"},
        {"body": "GRETA", "round": "3", "iso3": "ALB", "visit_date": "2019-10",
         "source_id": "greta"},
    ],
    "surveys": [{"survey_id": "sr-2007-07", "title": "Survey", "sent": "2007-07-11",
                 "source_id": "t"}],
    "survey_responses": [
        {"survey_id": "sr-2007-07", "respondent": "Georgia", "iso3": "GEO",
         "kind": "participating_state", "received_by": "2007-11-13", "source_id": "obs"},
        {"survey_id": "sr-2007-07", "respondent": "OSCE Mission in Kosovo", "iso3": "XKX",
         "kind": "field_operation", "received_by": "2007-11-13", "source_id": "obs"},
    ],
    "field_operations": [{"name": "OSCE Mission to Georgia", "host_iso3": "GEO",
                          "opened": "1992", "closed": "2009", "source_id": "t"}],
    "engagements": [{"engagement_id": "2007-visit-geo", "kind": "visit", "title": "Visit",
                     "start_date": "2007-06-06", "end_date": "2007-06-08", "iso3": "GEO",
                     "source_id": "t"}],
}


def write_dataset(data_dir: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        write_table(data_dir, name, rows)
    return data_dir


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "data", MINI)


@pytest.fixture
def mini_facts(mini_dir: Path, tmp_path: Path) -> Iterator[Facts]:
    db = tmp_path / "mini.duckdb"
    store.build(mini_dir, db)
    con = store.connect(db)
    try:
        yield load_facts(con)
    finally:
        con.close()


def copy_real_data(target: Path) -> Path:
    """The fact tables of data/ copied to `target`, without the import log (changelog.csv,
    history/): a test that imports or restores starts from "no imports yet", whatever
    imports the project's own data have been through."""
    shutil.copytree(REAL_DATA, target,
                    ignore=shutil.ignore_patterns("changelog.csv", "history", ".cthb.lock"))
    return target


@pytest.fixture
def real_data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ for tests that break or import files."""
    return copy_real_data(tmp_path / "data")
