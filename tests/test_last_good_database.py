"""An invalid data/ (a bad edit, a half-finished merge) does not take the app down: every page
serves the last good database with a banner saying so; with no good database at all, a page
says what is wrong instead of raising."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cthb import store

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
BAD_ROW = "XYZ,UNTOC,signature,2001-01-01,untc-xviii-12,\n"


def _break(data: Path) -> None:
    with open(data / "treaty_actions.csv", "a", encoding="utf-8") as fh:
        fh.write(BAD_ROW)


def _run(page: str, data: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CTHB_DATA_DIR", str(data))
    monkeypatch.setenv("CTHB_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["as_of"] = "2007-11-13"
    at.query_params["state"] = "KAZ"
    at.switch_page(page)
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_invalid_data_serves_the_last_good_database(page: str, real_data_copy: Path,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db" / "cthb.duckdb"
    good = store.build(real_data_copy, db).data_version
    _break(real_data_copy)
    at = _run(page, real_data_copy, db, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    banners = [w.value for w in at.warning if "not valid" in w.value]
    assert len(banners) == 1, [w.value for w in at.warning]
    assert good in banners[0] and "treaty\\_actions\\.csv" in banners[0]
    assert store.built_version(db) == good  # the good database was kept, not replaced


def test_invalid_data_and_no_database_is_a_clear_error(real_data_copy: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _break(real_data_copy)
    at = _run("pages/map.py", real_data_copy, tmp_path / "none" / "cthb.duckdb", monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any("not valid" in e.value for e in at.error)
