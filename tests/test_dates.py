"""Dates are ASCII digits only, and a fact's year lies between 1940 and 2100 (the oldest real
facts are Council of Europe memberships of 1949 and the CSCE's 1975 Final Act)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from cthb import validate
from cthb.dates import parse_date, parse_partial
from cthb.importer import ImportFailed, import_file
from tests.conftest import MINI, REAL_DATA, write_dataset


@pytest.mark.parametrize("text", ["２００７-１１-１３", "٢٠٠٧-١١-١٣", "2007-1١-13", "2007-11-13\n",
                                  " 2007-11-13", "+2007-11-13"])
def test_full_dates_are_ascii_digits_only(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize("text", ["٢٠٠٧", "２００７-０３", "2007-0٣", "2007\n", "२००७"])
def test_partial_dates_are_ascii_digits_only(text: str) -> None:
    with pytest.raises(ValueError):
        parse_partial(text)


def test_ascii_dates_still_parse() -> None:
    assert parse_date("2007-11-13").isoformat() == "2007-11-13"
    assert str(parse_partial("2008-03")) == "2008-03"


def _with(tmp_path: Path, table: str, index: int, **changes: str) -> list[str]:
    tables = copy.deepcopy(MINI)
    tables[table][index].update(changes)
    data = write_dataset(tmp_path / "data", tables)
    return [str(p) for p in validate.read_tables(data)[1]]


@pytest.mark.parametrize("year", ["0001", "1939", "2101", "9999"])
def test_fact_years_outside_1940_to_2100_are_refused(tmp_path: Path, year: str) -> None:
    problems = _with(tmp_path, "structures", 0, as_of=year)
    assert problems == [f"structures.csv:2: column as_of: '{year}': year {int(year)} is outside "
                        "1940-2100"]


def test_full_date_years_are_checked_too(tmp_path: Path) -> None:
    problems = _with(tmp_path, "memberships", 0, since="0001-01-01")
    assert problems == ["memberships.csv:2: column since: '0001-01-01': year 1 is outside "
                        "1940-2100"]


def test_unicode_digits_in_data_are_refused(tmp_path: Path) -> None:
    problems = _with(tmp_path, "structures", 0, as_of="٢٠٠٧")
    assert problems == ["structures.csv:2: column as_of: '٢٠٠٧': not a valid date "
                        "(YYYY, YYYY-MM or YYYY-MM-DD)"]


def test_the_real_data_keeps_its_oldest_facts() -> None:
    tables, problems = validate.read_tables(REAL_DATA)
    assert problems == []
    oldest = min(r["since"] for r in tables["memberships"])
    assert oldest.year == 1949


def test_import_with_unicode_digits_is_refused(real_data_copy: Path, tmp_path: Path) -> None:
    f = tmp_path / "digits.csv"
    f.write_text("engagement_id,kind,title,start_date,source_id\n"
                 "digits-1,visit,Digits,٢٠٢٤-٠٣,sr2007-s52\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_file(f, real_data_copy, tmp_path / "cthb.duckdb", table="engagements",
                    dry_run=True)
    assert [str(p) for p in info.value.problems] == [
        "digits.csv:2: column start_date: '٢٠٢٤-٠٣': not a valid date "
        "(YYYY, YYYY-MM or YYYY-MM-DD)"]
