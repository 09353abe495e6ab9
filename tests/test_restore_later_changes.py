"""Restoring an older version never silently reverts later imports: it names them and needs
--force to undo them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cthb import importer, store
from cthb.cli import main as cli_main
from cthb.importer import ImportFailed, import_file, restore


@pytest.fixture
def env(real_data_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "db" / "cthb.duckdb"
    store.build(real_data_copy, db)
    return real_data_copy, db


def _engagement(tmp_path: Path, name: str, eid: str) -> Path:
    f = tmp_path / name
    f.write_text("engagement_id,kind,title,start_date,source_id\n"
                 f"{eid},visit,Restore test,2024-03,sr2007-s52\n")
    return f


def _source(tmp_path: Path) -> Path:
    f = tmp_path / "source.csv"
    f.write_text("source_id,kind,title,publisher\nrestore-src,official,A report,Tester\n")
    return f


def test_restore_names_later_changes_and_needs_force(env: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    data, db = env
    first = import_file(_engagement(tmp_path, "first.csv", "restore-1"), data, db,
                        table="engagements").version
    second = import_file(_engagement(tmp_path, "second.csv", "restore-2"), data, db,
                         table="engagements").version
    other = import_file(_source(tmp_path), data, db).version  # another table: not undone
    assert first and second and other
    before = (data / "engagements.csv").read_bytes()
    with pytest.raises(ImportFailed) as info:
        restore(first, data, db)
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 1
    assert second in problems[0] and "second.csv" in problems[0] and "--force" in problems[0]
    assert other not in problems[0]
    assert (data / "engagements.csv").read_bytes() == before  # nothing changed

    outcome = restore(first, data, db, force=True)
    assert outcome.version
    text = (data / "engagements.csv").read_text(encoding="utf-8")
    assert "restore-1," not in text and "restore-2," not in text
    assert "restore-src," in (data / "sources.csv").read_text(encoding="utf-8")


def test_restore_of_the_latest_change_needs_no_force(env: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    data, db = env
    import_file(_engagement(tmp_path, "first.csv", "restore-1"), data, db, table="engagements")
    last = import_file(_engagement(tmp_path, "second.csv", "restore-2"), data, db,
                       table="engagements").version
    assert last
    assert restore(last, data, db).version


def test_cli_restore_lists_what_it_would_undo(env: tuple[Path, Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data, db = env
    monkeypatch.setenv("CTHB_DATA_DIR", str(data))
    monkeypatch.setenv("CTHB_DB", str(db))
    first = import_file(_engagement(tmp_path, "first.csv", "restore-1"), data, db,
                        table="engagements").version
    second = import_file(_engagement(tmp_path, "second.csv", "restore-2"), data, db,
                         table="engagements").version
    assert first and second
    capsys.readouterr()
    assert cli_main(["restore", first, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert second in out and "second.csv" in out
    assert cli_main(["restore", first]) == 1
    err = capsys.readouterr().err
    assert second in err and "--force" in err
    assert len(importer.versions(data)) == 2
    assert cli_main(["restore", first, "--force"]) == 0
    assert [e["action"] for e in importer.versions(data)] == ["import", "import", "restore"]
