"""A delegation's correction file, as the profile page writes it, goes through the real
importer: what the page promises ("send this file, the maintainers import it") holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cthb import store
from cthb.corrections import ProposedSource, build_correction, workbook_bytes
from cthb.facts import load_facts
from cthb.importer import ImportFailed, import_file
from cthb.status import treaty_status_of

SOURCE = ProposedSource(title="Note verbale of the Permanent Mission of Georgia",
                        publisher="Permanent Mission of Georgia to the OSCE",
                        url="https://example.org/note-verbale", published="2026-11-01")


def _facts(db: Path):  # type: ignore[no-untyped-def]
    con = store.connect(db)
    try:
        return load_facts(con)
    finally:
        con.close()


def test_added_deposit_date_is_imported_and_decides_the_status(real_data_copy: Path,
                                                               tmp_path: Path) -> None:
    db = tmp_path / "cthb.duckdb"
    store.build(real_data_copy, db)
    before = treaty_status_of(_facts(db), "GEO", "COE197", date(2007, 11, 13))
    assert before.status == "party" and not before.exact  # deposit date not recorded

    corr = build_correction(
        "treaty_actions", None,
        {"iso3": "GEO", "treaty": "COE197", "action": "ratification",
         "action_date": "2007-06-01", "note": "Proposed by the delegation"},
        SOURCE, "GEO", date(2026, 11, 28))
    xlsx = tmp_path / "correction.xlsx"
    xlsx.write_bytes(workbook_bytes(corr))

    dry = import_file(xlsx, real_data_copy, db, dry_run=True)
    assert dry.version is None
    outcome = import_file(xlsx, real_data_copy, db)
    assert outcome.version is not None

    after = treaty_status_of(_facts(db), "GEO", "COE197", date(2007, 11, 13))
    assert after.status == "party" and after.exact
    assert after.decided_by is not None and after.decided_by.on == date(2007, 6, 1)
    assert after.source_id is not None and after.source_id.startswith("corr-geo-")
    assert _facts(db).sources[after.source_id]["title"] == SOURCE.title


def test_a_correction_that_contradicts_the_evidence_is_refused(real_data_copy: Path,
                                                               tmp_path: Path) -> None:
    db = tmp_path / "cthb.duckdb"
    store.build(real_data_copy, db)
    snapshot = {p.name: p.read_bytes() for p in real_data_copy.glob("*.csv")}
    # Footnote 15 lists Georgia as a party on 2007-11-13: a later deposit contradicts it.
    corr = build_correction(
        "treaty_actions", None,
        {"iso3": "GEO", "treaty": "COE197", "action": "ratification",
         "action_date": "2009-01-15"},
        SOURCE, "GEO", date(2026, 11, 28))
    xlsx = tmp_path / "bad.xlsx"
    xlsx.write_bytes(workbook_bytes(corr))
    with pytest.raises(ImportFailed) as err:
        import_file(xlsx, real_data_copy, db)
    assert "sr2007-fn15" in str(err.value)
    assert {p.name: p.read_bytes() for p in real_data_copy.glob("*.csv")} == snapshot
