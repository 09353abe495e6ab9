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


def test_the_page_correction_is_exactly_what_the_dry_run_shows(
        real_data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """End to end, as the Office receives it: the profile page's form values (a new National
    Rapporteur record for Kazakhstan) -> the correction file -> `python -m cthb import FILE
    --dry-run` prints exactly that row and its source, and nothing changes; the real import
    then makes the profile show it."""
    from cthb import corrections as cr
    from cthb.cli import main
    from cthb.status import structure_status_of

    db = tmp_path / "cthb.duckdb"
    store.build(real_data_copy, db)
    facts = _facts(db)
    choice = next(c for c in cr.fact_choices(facts, "KAZ", "en") if c.key == "new-structures")
    values = {"kind": "NR", "status": "yes", "as_of": "2026-06-15", "as_of_approx": "false",
              "established": "2026-05", "detail": "National Rapporteur appointed by decree",
              "source_url": "https://example.org/decree", "source_kind": "official",
              "source_title": "Decree on the National Rapporteur",
              "source_publisher": "Government of Kazakhstan", "source_published": "2026-05-20",
              "contact_name": "A. Delegate", "contact_email": "delegate@example.org"}
    result = cr.make_correction(facts, "KAZ", choice, values, "en", date(2026, 11, 28))
    path = tmp_path / result.file_name
    path.write_bytes(result.workbook)
    snapshot = {p.name: p.read_bytes() for p in real_data_copy.glob("*.csv")}

    monkeypatch.setenv("CTHB_DATA_DIR", str(real_data_copy))
    monkeypatch.setenv("CTHB_DB", str(db))
    assert main(["import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert {p.name: p.read_bytes() for p in real_data_copy.glob("*.csv")} == snapshot
    sid = cr.source_id_for("KAZ", cr.ProposedSource(values["source_title"],
                                                    values["source_publisher"],
                                                    values["source_url"]), date(2026, 11, 28))
    assert out[0] == "sources.csv: 1 added, 0 changed, 0 removed"
    assert out[1].startswith(f"  + {sid}: kind=official, title=Decree on the National "
                             "Rapporteur, publisher=Government of Kazakhstan, "
                             "published=2026-05-20, url=https://example.org/decree")
    assert out[2] == "structures.csv: 1 added, 0 changed, 0 removed"
    assert out[3] == (f"  + KAZ NR 2026-06-15 {sid}: status=yes, established=2026-05, "
                      "as_of_approx=false, detail=National Rapporteur appointed by decree")
    assert out[4:] == ["dry run: nothing was changed"]
    # The page previews the same text (it runs the same dry run).
    diff, refused = cr.dry_run(result.workbook, result.file_name, real_data_copy, db)
    assert refused == "" and diff.splitlines() == out[:4]
    # The contact travels in the e-mail, not into the public data.
    assert "delegate@example.org" in "\n".join(result.summary)
    cells = [v for rows in cr.read_workbook(result.workbook).values() for r in rows
             for v in r.values()]
    assert cells and not any("delegate@example.org" in v for v in cells)

    assert main(["import", str(path)]) == 0
    after = structure_status_of(_facts(db), "KAZ", "NR", date(2026, 11, 28))
    assert after.status == "yes" and after.source_id == sid


def test_engagements_after_2007_come_in_by_import_and_reach_the_profile(
        real_data_copy: Path, tmp_path: Path) -> None:
    """The data hold the Office's 2007 engagements; later ones come in through an import and
    the profile lists them (all years) and counts "what changed" from the latest."""
    from cthb.profile import state_profile

    db = tmp_path / "cthb.duckdb"
    store.build(real_data_copy, db)
    new = tmp_path / "engagements.csv"
    new.write_text(
        "source_id,kind,title,publisher,published,url\n"
        "test-visit-2025,intergovernmental,Country visit to Kyrgyzstan,OSCE,2025-03-12,"
        "https://example.org/osce-visit\n", encoding="utf-8")
    import_file(new, real_data_copy, db, table="sources")
    visit = tmp_path / "visit.csv"
    visit.write_text(
        "engagement_id,kind,title,start_date,end_date,place,iso3,source_id\n"
        "2025-visit-kgz,visit,Country visit of the Special Representative,2025-03-10,"
        "2025-03-12,Bishkek,KGZ,test-visit-2025\n", encoding="utf-8")
    import_file(visit, real_data_copy, db, table="engagements")
    p = state_profile(_facts(db), "KGZ", date(2026, 1, 1), "en")
    assert p.previous_engagements[-1].engagement_id == "2025-visit-kgz"
    assert len(p.previous_engagements) >= 2  # 2007 and 2025
    since_visit = next(w for w in p.changes if w.key == "engagement")
    assert since_visit.since == date(2025, 3, 12)
    assert "2025-03-10" in since_visit.title
