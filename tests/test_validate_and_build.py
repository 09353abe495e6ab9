"""Broken data files give exact errors, and a failed build never leaves a database behind."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from cthb import current, store
from cthb.validate import ValidationError, read_tables
from tests.conftest import MINI, write_dataset


def _broken(tmp_path: Path, table: str, index: int, **changes: str) -> Path:
    tables = copy.deepcopy(MINI)
    tables[table][index].update(changes)
    return write_dataset(tmp_path / "data", tables)


def _messages(data_dir: Path) -> list[str]:
    _, problems = read_tables(data_dir)
    return [str(p) for p in problems]


def test_mini_dataset_is_valid(mini_dir: Path) -> None:
    assert _messages(mini_dir) == []


def test_unknown_state_code(tmp_path: Path) -> None:
    d = _broken(tmp_path, "treaty_actions", 0, iso3="XYZ")
    assert _messages(d) == [
        "treaty_actions.csv:2: column iso3: 'XYZ': unknown iso3: not in states.csv"]


def test_bad_date(tmp_path: Path) -> None:
    d = _broken(tmp_path, "treaty_actions", 1, action_date="2007-02-30")
    assert _messages(d) == [
        "treaty_actions.csv:3: column action_date: '2007-02-30': not a valid date (YYYY-MM-DD)"]


def test_missing_source(tmp_path: Path) -> None:
    d = _broken(tmp_path, "treaty_actions", 0, source_id="")
    assert _messages(d) == ["treaty_actions.csv:2: column source_id: '': a value is required"]


def test_source_that_does_not_exist(tmp_path: Path) -> None:
    d = _broken(tmp_path, "structures", 0, source_id="nowhere")
    assert _messages(d) == [
        "structures.csv:2: column source_id: 'nowhere': unknown source_id: not in sources.csv"]


def test_duplicate_fact(tmp_path: Path) -> None:
    tables = copy.deepcopy(MINI)
    tables["treaty_actions"].append(dict(tables["treaty_actions"][0]))
    d = write_dataset(tmp_path / "data", tables)
    assert _messages(d) == [
        "treaty_actions.csv:8: column iso3,treaty,action: 'iso3=ALB, treaty=COE197, "
        "action=signature': duplicate of line 2"]


def test_unknown_treaty_and_action(tmp_path: Path) -> None:
    d = _broken(tmp_path, "treaty_actions", 0, treaty="NATO", action="signing")
    assert _messages(d) == [
        "treaty_actions.csv:2: column treaty: 'NATO': must be one of: UNTOC, PALERMO, COE197",
        "treaty_actions.csv:2: column action: 'signing': must be one of: signature, "
        "ratification, accession, acceptance, approval, succession",
    ]


def test_impossible_dates(tmp_path: Path) -> None:
    d = _broken(tmp_path, "treaty_actions", 0, action_date="2004-01-01")
    assert _messages(d) == [
        "treaty_actions.csv:2: column action_date: '2004-01-01': before COE197 opened for "
        "signature on 2005-05-16"]
    d2 = _broken(tmp_path / "b", "treaty_actions", 0, action_date="2099-01-01")
    assert "date is in the future" in _messages(d2)[0]


def test_formula_injection_rejected(tmp_path: Path) -> None:
    d = _broken(tmp_path, "engagements", 0, title='=HYPERLINK("http://x","y")')
    assert _messages(d) == [
        "engagements.csv:2: column title: '=HYPERLINK(\"http://x\",\"y\")': text may not "
        "start with = + - @ (spreadsheet formula injection)"]


def test_observation_contradicting_a_dated_action_names_both_sources(tmp_path: Path) -> None:
    tables = copy.deepcopy(MINI)
    tables["status_observations"].append(
        {"iso3": "ALB", "treaty": "COE197", "observed_status": "signed", "as_of": "2007-11-13",
         "source_id": "obs"})
    d = write_dataset(tmp_path / "data", tables)
    assert _messages(d) == [
        "status_observations.csv:6: column observed_status: 'signed': ALB COE197 on 2007-11-13 "
        "(source obs) contradicts treaty_actions.csv line 3: ratification deposited already on "
        "2007-02-06 (source t)"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    tables = copy.deepcopy(MINI)
    tables["treaty_actions"][0]["iso3"] = "XYZ"
    tables["structures"][0]["status"] = "maybe"
    tables["memberships"][0]["since"] = "yesterday"
    d = write_dataset(tmp_path / "data", tables)
    assert len(_messages(d)) == 3


def test_missing_column_and_unknown_column(tmp_path: Path) -> None:
    d = write_dataset(tmp_path / "data", MINI)
    (d / "surveys.csv").write_text("survey_id,sent,colour\nx,2007-07-11,z\n", encoding="utf-8")
    msgs = _messages(d)
    assert "surveys.csv:1: column title: required column is missing" in msgs
    assert any(m.startswith("surveys.csv:1: column colour: unknown column") for m in msgs)


def test_failed_build_leaves_no_database_and_keeps_the_old_one(tmp_path: Path) -> None:
    good = write_dataset(tmp_path / "good", MINI)
    db = tmp_path / "out" / "cthb.duckdb"
    store.build(good, db)
    before = db.read_bytes()
    bad = _broken(tmp_path / "bad", "treaty_actions", 0, action_date="2007-13-01")
    with pytest.raises(ValidationError):
        store.build(bad, db)
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["cthb.duckdb"]

    fresh = tmp_path / "fresh" / "cthb.duckdb"
    with pytest.raises(ValidationError):
        store.build(bad, fresh)
    assert not fresh.exists()
    assert not fresh.parent.exists() or not any(fresh.parent.iterdir())


def test_database_is_rebuilt_when_data_changes(tmp_path: Path) -> None:
    d = write_dataset(tmp_path / "data", MINI)
    db = tmp_path / "cthb.duckdb"
    current.ensure_current(d, db)
    v1 = store.built_version(db)
    current.ensure_current(d, db)
    assert store.built_version(db) == v1
    tables = copy.deepcopy(MINI)
    tables["engagements"][0]["title"] = "Another visit"
    write_dataset(d, tables)
    current.ensure_current(d, db)
    assert store.built_version(db) not in (None, v1)


# --- source kinds, plan periods, monitoring rounds -----------------------------------------


def test_treaty_fact_needs_a_depositary_official_or_monitoring_source(tmp_path: Path) -> None:
    d = _broken(tmp_path, "sources", 0, kind="media")  # "t" decides treaty actions
    messages = _messages(d)
    assert messages and all("a treaty fact needs a source of kind depositary, official, "
                            "monitoring" in m for m in messages)
    assert messages[0].startswith("treaty_actions.csv:2: column source_id: 't'")
    assert "this source is 'media'" in messages[0]


def test_a_copy_of_a_depositary_record_may_decide_a_treaty_fact(tmp_path: Path) -> None:
    d = _broken(tmp_path, "sources", 0, kind="copy", original_kind="depositary",
                original_url="https://treaties.un.org/")
    assert _messages(d) == []


def test_a_copy_of_a_news_item_may_not(tmp_path: Path) -> None:
    d = _broken(tmp_path, "sources", 0, kind="copy", original_kind="media")
    assert any("this source is 'media'" in m for m in _messages(d))


def test_a_copy_must_name_its_original_kind(tmp_path: Path) -> None:
    d = _broken(tmp_path, "sources", 2, kind="copy")
    assert _messages(d) == ["sources.csv:4: column original_kind: a copy must name the kind "
                            "of its original document"]


def test_an_original_names_no_original(tmp_path: Path) -> None:
    d = _broken(tmp_path, "sources", 2, original_kind="official")
    assert _messages(d) == ["sources.csv:4: column original_kind: 'official': original_kind "
                            "and original_url are for copies only"]


def test_observations_may_rest_on_an_intergovernmental_report(mini_dir: Path) -> None:
    # The mini dataset's "obs" source is intergovernmental (like the OSCE's 2007 report).
    assert _messages(mini_dir) == []


def test_unknown_source_kind(tmp_path: Path) -> None:
    d = _broken(tmp_path, "sources", 2, kind="blog")
    assert _messages(d)[0].startswith("sources.csv:4: column kind: 'blog': must be one of: "
                                      "depositary, official, monitoring")


def test_plan_period_must_not_end_before_it_starts(tmp_path: Path) -> None:
    tables = copy.deepcopy(MINI)
    nap = next(i for i, r in enumerate(tables["structures"]) if r["kind"] == "NAP")
    tables["structures"][nap].update(valid_from="2010", valid_until="2008")
    d = write_dataset(tmp_path / "data", tables)
    assert _messages(d) == [f"structures.csv:{nap + 2}: column valid_until: '2008': the period "
                            "ends before it starts (2010)"]


def test_monitoring_report_before_visit_and_bad_round(tmp_path: Path) -> None:
    d = _broken(tmp_path, "monitoring", 0, report_published="2010-01", round="12")
    assert _messages(d) == [
        "monitoring.csv:2: column round: '12': an evaluation round is a number from 1 to 9",
        "monitoring.csv:2: column report_published: '2010-01': report published before the "
        "visit (2011-02)"]


# --- builds killed half-way ---------------------------------------------------------------

BUILD = "import sys; from pathlib import Path; from cthb import store; " \
        "store.build(Path(sys.argv[1]), Path(sys.argv[2]))"


def _kill_a_build(data: Path, db: Path) -> None:
    """Start a build in another process and SIGKILL it while its temporary file exists."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from cthb import paths

    for _ in range(10):
        proc = subprocess.Popen([sys.executable, "-c", BUILD, str(data), str(db)],
                                cwd=paths.PROJECT_ROOT, env={**os.environ,
                                                             "PYTHONPATH": str(paths.PROJECT_ROOT)})
        while proc.poll() is None:
            if any(p.name.endswith(".tmp") for p in db.parent.iterdir()):
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return
            time.sleep(0.005)
    pytest.fail("never caught a build with its temporary file")


def test_leftovers_of_a_killed_build_are_removed_by_the_next(tmp_path: Path) -> None:
    from tests.conftest import REAL_DATA

    db = tmp_path / "out" / "cthb.duckdb"
    db.parent.mkdir()
    _kill_a_build(REAL_DATA, db)
    assert [p for p in db.parent.iterdir() if ".tmp" in p.name]
    store.build(REAL_DATA, db)
    assert sorted(p.name for p in db.parent.iterdir()) == ["cthb.duckdb"]


def test_a_running_builds_temporary_file_is_left_alone(tmp_path: Path) -> None:
    """Another process building into the same folder right now keeps its file."""
    import os

    db = tmp_path / "out" / "cthb.duckdb"
    db.parent.mkdir()
    live = db.parent / f"{db.name}.{os.getpid()}.abcd.tmp"  # this process is alive
    live.write_bytes(b"")
    store.build(write_dataset(tmp_path / "data", MINI), db)
    assert live.exists()
