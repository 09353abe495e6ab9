"""Imports: every kind of bad input gives its exact error and leaves data/ and the database
byte-identical; a good import changes exactly what it says, is logged and can be undone."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
import pytest

from cthb import importer, store
from cthb.cli import main as cli_main
from cthb.importer import ImportFailed, import_file, restore

HEADER = "iso3,treaty,action,action_date,source_id,note"


def snapshot(*roots: Path) -> dict[str, str]:
    """sha256 of every file under data/ and of the database: 'byte-identical' made checkable.
    The data directory's lock file is not data and is left out."""
    out = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            if p.name.endswith(".lock"):
                continue
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def env(real_data_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "db" / "cthb.duckdb"
    store.build(real_data_copy, db)
    return real_data_copy, db


def existing_row(data: Path, table: str, **key: str) -> tuple[int, dict[str, str]]:
    """The line number and cells of the row of data/<table>.csv with this key."""
    with open(data / f"{table}.csv", newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            if all(row[k] == v for k, v in key.items()):
                return line, row
    raise KeyError(key)


def refused(env: tuple[Path, Path], path: Path, **kw: object) -> list[str]:
    """Import `path`, expect a refusal, check nothing changed; the problems as text."""
    data, db = env
    before = snapshot(data, db)
    with pytest.raises(ImportFailed) as info:
        import_file(path, data, db, **kw)  # type: ignore[arg-type]
    assert snapshot(data, db) == before
    assert not importer.pending(data)
    return [str(p) for p in info.value.problems]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# --- bad files ---------------------------------------------------------------------------


def test_binary_junk(env: tuple[Path, Path], tmp_path: Path) -> None:
    junk = write(tmp_path, "junk.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert refused(env, junk) == [
        "junk.csv: file contains NUL bytes: it is not a CSV text file (binary data?)"]


def test_empty_file(env: tuple[Path, Path], tmp_path: Path) -> None:
    assert refused(env, write(tmp_path, "empty.csv", b"")) == ["empty.csv: file is empty"]
    assert refused(env, write(tmp_path, "blank.csv", b"\n\n  \n")) == ["blank.csv: file is empty"]


def test_huge_file(env: tuple[Path, Path], tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as fh:
        fh.write((HEADER + "\n").encode())
        fh.truncate(importer.MAX_IMPORT_BYTES + 1)  # sparse: no need to write 5 MB
    assert refused(env, huge) == [
        f"huge.csv: file is {importer.MAX_IMPORT_BYTES + 1} bytes; "
        f"the limit is {importer.MAX_IMPORT_BYTES}"]


def test_latin1_file(env: tuple[Path, Path], tmp_path: Path) -> None:
    text = HEADER + "\nUSA,COE197,signature,2006-01-01,coe-flags,signé\n"
    offset = text.encode("latin-1").index(b"\xe9")
    assert refused(env, write(tmp_path, "latin1.csv", text.encode("latin-1"))) == [
        f"latin1.csv:2: not UTF-8 text (byte 0xe9 at offset {offset}); save the file as UTF-8"]


def test_utf16_file(env: tuple[Path, Path], tmp_path: Path) -> None:
    text = HEADER + "\nUSA,COE197,signature,2006-01-01,coe-flags,\n"
    assert refused(env, write(tmp_path, "excel.csv", text.encode("utf-16"))) == [
        "excel.csv: file is UTF-16 text; save it as UTF-8 CSV"]


def test_xlsx_that_is_not_a_workbook(env: tuple[Path, Path], tmp_path: Path) -> None:
    assert refused(env, write(tmp_path, "fake.xlsx", "iso3,treaty\n")) == [
        "fake.xlsx: not an XLSX workbook (the file is not a zip archive); save it as .xlsx "
        "or as a UTF-8 .csv"]
    assert refused(env, write(tmp_path, "broken.xlsx", b"PK\x03\x04" + b"x" * 100)) == [
        "broken.xlsx: not a readable XLSX workbook (BadZipFile)"]


def test_unknown_header(env: tuple[Path, Path], tmp_path: Path) -> None:
    assert refused(env, write(tmp_path, "odd.csv", "country,year\nAUT,2007\n")) == [
        "odd.csv:1: 'country,year': the header is not the columns of an importable table "
        "(sources, treaty_actions, status_observations, structures, monitoring, "
        "survey_responses, "
        "engagements, memberships, field_operations); give the table with --table NAME"]


def test_formula_injection_in_csv(env: tuple[Path, Path], tmp_path: Path) -> None:
    f = write(tmp_path, "f.csv", HEADER + '\nUSA,COE197,signature,2006-01-01,coe-flags,'
              '"=HYPERLINK(""http://evil.example"",""click"")"\n')
    assert refused(env, f) == [
        "f.csv:2: column note: '=HYPERLINK(\"http://evil.example\",\"click\")': text may not "
        "start with = + - @ (spreadsheet formula injection)"]


def xlsx(tmp_path: Path, name: str, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def test_formula_cell_in_xlsx(env: tuple[Path, Path], tmp_path: Path) -> None:
    f = xlsx(tmp_path, "f.xlsx", {"treaty_actions": [
        HEADER.split(","),
        ["USA", "COE197", "signature", "2006-01-01", "coe-flags", '=HYPERLINK("http://x","y")'],
    ]})
    assert refused(env, f) == [
        "f.xlsx[treaty_actions]:2: column note: '=HYPERLINK(\"http://x\",\"y\")': text may not "
        "start with = + - @ (spreadsheet formula injection)"]


# --- bad facts ---------------------------------------------------------------------------


def test_every_bad_row_at_once(env: tuple[Path, Path], tmp_path: Path) -> None:
    f = write(tmp_path, "bad.csv", "\n".join([
        HEADER + ",change",
        "XYZ,COE197,signature,2006-01-01,coe-flags,,",  # unknown State
        "USA,COE197,signature,2004-01-01,coe-flags,,",  # before CETS 197 opened
        "CAN,COE197,signature,2099-01-01,coe-flags,,",  # in the future
        "KAZ,COE197,signature,2006-01-01,,,",  # missing source
        "KGZ,COE197,signature,2006-01-01,no-such-source,,",  # source not in sources.csv
        "TJK,COE197,signature,2006-01-01,coe-flags,,",
        "TJK,COE197,signature,2006-02-01,coe-flags,,",  # duplicate in the file
        "AUT,UNTOC,signature,2000-12-13,coe-flags,,",  # contradicts, not marked replace
        "TKM,COE197,signature,2006-01-01,coe-flags,,replace",  # nothing to replace
        "UZB,COE197,signature,2006-01-01,coe-flags,,maybe",  # bad change word
    ]) + "\n")
    line, aut = existing_row(env[0], "treaty_actions", iso3="AUT", treaty="UNTOC",
                             action="signature")
    assert refused(env, f) == [
        "bad.csv:2: column iso3: 'XYZ': unknown iso3: not in states.csv",
        "bad.csv:3: column action_date: '2004-01-01': before COE197 opened for signature on "
        "2005-05-16",
        "bad.csv:4: column action_date: '2099-01-01': date is in the future",
        "bad.csv:5: column source_id: '': a value is required",
        "bad.csv:6: column source_id: 'no-such-source': unknown source_id: not in sources.csv",
        "bad.csv:8: column iso3,treaty,action: 'iso3=TJK, treaty=COE197, action=signature': "
        "duplicate of row 7 in this file",
        "bad.csv:9: column iso3,treaty,action: 'iso3=AUT, treaty=UNTOC, action=signature': "
        f"contradicts an existing fact (treaty_actions.csv line {line}: action_date="
        f"'{aut['action_date']}', source_id={aut['source_id']!r}, note={aut['note']!r}); mark it "
        "`replace` to replace it",
        "bad.csv:10: column iso3,treaty,action: 'iso3=TKM, treaty=COE197, action=signature': "
        "replace: no existing row with this key in treaty_actions.csv",
        "bad.csv:11: column change: 'maybe': must be add or replace (empty means add)",
    ]


def test_import_that_breaks_existing_evidence(env: tuple[Path, Path], tmp_path: Path) -> None:
    """A new dated action that an existing observation contradicts names the data file."""
    data, _ = env
    text = (data / "status_observations.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    obs = next(r for r in rows if r["treaty"] == "COE197" and r["observed_status"] == "not signed"
               and r["iso3"] == "RUS")
    f = write(tmp_path, "rus.csv", HEADER + "\nRUS,COE197,signature,2006-01-01,coe-flags,\n")
    problems = refused(env, f)
    assert len(problems) >= 1
    assert all(p.startswith("data/status_observations.csv:") for p in problems)
    assert any(f"on {obs['as_of']}" in p and "signed already on 2006-01-01" in p
               and p.endswith("(after this import)") for p in problems)


# --- good imports ------------------------------------------------------------------------


def test_dry_run_prints_diff_and_changes_nothing(env: tuple[Path, Path], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    data, db = env
    monkeypatch.setenv("CTHB_DATA_DIR", str(data))
    monkeypatch.setenv("CTHB_DB", str(db))
    f = write(tmp_path, "fix.csv", "\n".join([
        HEADER + ",change",
        "USA,COE197,signature,2006-01-01,coe-flags,test row,add",
        "AUT,UNTOC,signature,2000-12-13,untc-xviii-12,re-read,replace",  # same source
    ]) + "\n")
    before = snapshot(data, db)
    _, aut = existing_row(data, "treaty_actions", iso3="AUT", treaty="UNTOC", action="signature")
    assert cli_main(["import", str(f), "--dry-run"]) == 0
    assert snapshot(data, db) == before
    assert capsys.readouterr().out.splitlines() == [
        "treaty_actions.csv: 1 added, 1 changed, 0 removed",
        "  + USA COE197 signature: action_date=2006-01-01, source_id=coe-flags, note=test row",
        "  ~ AUT UNTOC signature: action_date: '2000-12-12' → '2000-12-13'",
        f"  ~ AUT UNTOC signature: note: {aut['note']!r} → 're-read'",
        "dry run: nothing was changed",
    ]


def test_import_then_restore(env: tuple[Path, Path], tmp_path: Path) -> None:
    data, db = env
    old_sources = (data / "sources.csv").read_bytes()
    old_structures = (data / "structures.csv").read_bytes()
    f = xlsx(tmp_path, "new.xlsx", {
        "sources": [["source_id", "kind", "title", "publisher", "published", "url", "locator",
                     "accessed", "note"],
                    ["test-src-1", "official", "A new report, with a comma", "Tester", 2024,
                     "https://example.org/r", "p. 3", None, None]],
        "structures": [["iso3", "kind", "status", "established", "as_of", "as_of_approx",
                        "detail", "source_id", "note", "change"],
                       ["USA", "NR", "yes", 2008, "2024-05", False, "Rapporteur", "test-src-1",
                        None, None]],
    })
    outcome = import_file(f, data, db)
    assert outcome.version and outcome.plan.counts == (2, 0, 0)
    # Exactly the old bytes plus one appended line each.
    assert (data / "sources.csv").read_bytes() == old_sources + (
        b'test-src-1,official,"A new report, with a comma",Tester,2024,https://example.org/r,'
        b'p. 3,,,,\n')
    assert (data / "structures.csv").read_bytes() == old_structures + (
        b"USA,NR,yes,2008,2024-05,false,,,Rapporteur,test-src-1,\n")
    # The database was rebuilt from the new files.
    con = store.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM structures WHERE source_id='test-src-1'"
                           ).fetchone() == (1,)
    finally:
        con.close()
    assert store.built_version(db) == store.data_version(data)
    history = data / "history" / outcome.version
    assert sorted(p.name for p in history.iterdir()) == ["sources.csv", "structures.csv"]
    assert (history / "sources.csv").read_bytes() == old_sources
    log = importer.versions(data)
    assert [(e["action"], e["file"], e["added"], e["changed"], e["removed"]) for e in log] == [
        ("import", "new.xlsx", "2", "0", "0")]
    assert log[0]["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
    assert log[0]["summary"] == "sources: +1 ~0 -0; structures: +1 ~0 -0"

    # Importing the same file again changes nothing (every row is already there).
    again = import_file(f, data, db)
    assert again.version is None and again.plan.counts == (0, 0, 0)

    back = restore(outcome.version, data, db)
    assert back.version and back.plan.counts == (0, 0, 2)
    assert (data / "sources.csv").read_bytes() == old_sources
    assert (data / "structures.csv").read_bytes() == old_structures
    assert store.built_version(db) == store.data_version(data)
    assert [e["action"] for e in importer.versions(data)] == ["import", "restore"]
    assert not importer.pending(data)


def test_restore_unknown_version(env: tuple[Path, Path]) -> None:
    data, db = env
    before = snapshot(data, db)
    with pytest.raises(ImportFailed) as info:
        restore("../etc", data, db)
    assert [str(p) for p in info.value.problems] == [
        "history/../etc: no such version; known versions: none"]
    assert snapshot(data, db) == before


def test_csv_with_table_option_and_reordered_columns(env: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    data, db = env
    f = write(tmp_path, "eng.csv", "engagement_id,kind,title,start_date,source_id\n"
              "2024-visit-test,visit,A test visit,2024-03,sr2007-s52\n")
    outcome = import_file(f, data, db, table="engagements")
    assert outcome.plan.counts == (1, 0, 0)
    last = (data / "engagements.csv").read_text(encoding="utf-8").splitlines()[-1]
    assert last == "2024-visit-test,visit,A test visit,2024-03,,,,sr2007-s52,"


def test_changelog_is_not_a_fact_table(env: tuple[Path, Path]) -> None:
    """The data version covers the facts only: the changelog and history do not change it."""
    data, _ = env
    version = store.data_version(data)
    (data / "changelog.csv").write_text(",".join(importer.CHANGELOG_COLUMNS) + "\n")
    assert store.data_version(data) == version


def test_cli_import_reports_problems(env: tuple[Path, Path], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    data, db = env
    monkeypatch.setenv("CTHB_DATA_DIR", str(data))
    monkeypatch.setenv("CTHB_DB", str(db))
    f = write(tmp_path, "x.csv", HEADER + "\nXYZ,COE197,signature,2006-01-01,coe-flags,\n")
    assert cli_main(["import", str(f)]) == 1
    err = capsys.readouterr().err
    assert err == ("error: x.csv was not imported; nothing was changed. 1 problem(s):\n"
                   "- x.csv:2: column iso3: 'XYZ': unknown iso3: not in states.csv\n")


def test_split_csv_keeps_bytes() -> None:
    text = 'a,b\n1,"two\nlines"\n\n3,4'
    parsed = importer.split_csv(text)
    assert [r.line for r in parsed.records] == [3, 5]
    assert parsed.render() == text + "\n"
    assert io.StringIO(parsed.render()).read().count("\n") == 5
