"""`python -m cthb structures` says how old each status's evidence is; `python -m cthb stale`
lists what to look up next."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from cthb.cli import main as cli_main
from cthb.facts import Facts
from cthb.status import structure_status_of


def _rows(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def test_structures_has_evidence_date_valid_until_and_stale(
        facts: Facts, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["structures", "--kind", "NAP", "--as-of", "2026-12-01"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert {"evidence_date", "valid_until", "stale"} <= set(rows[0])
    assert len(rows) == 57
    for r in rows:
        s = structure_status_of(facts, r["iso3"], "NAP", date(2026, 12, 1))
        assert r["status"] == s.status
        assert r["evidence_date"] == (s.decided_on or "")
        assert r["valid_until"] == (s.valid_until or "")
        assert r["stale"] == ("yes" if s.stale else "no")
    # An expired plan names the end of its period.
    assert all(r["valid_until"] for r in rows if r["status"] == "expired")


def test_stale_lists_old_evidence_oldest_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["stale", "--as-of", "2026-12-01", "--older-than", "5y"]) == 0
    captured = capsys.readouterr()
    rows = _rows(captured.out)
    assert rows and all(float(r["age_years"]) > 5 for r in rows)
    ages = [float(r["age_years"]) for r in rows]
    assert ages == sorted(ages, reverse=True)
    assert f"{len(rows)} status(es) on 2026-12-01" in captured.err
    # A longer threshold lists fewer.
    assert cli_main(["stale", "--as-of", "2026-12-01", "--older-than", "10y"]) == 0
    assert len(_rows(capsys.readouterr().out)) < len(rows)


def test_stale_rejects_a_bad_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli_main(["stale", "--older-than", "five"])
    assert "is not a number of years" in capsys.readouterr().err
