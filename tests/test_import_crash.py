"""A SIGKILL at any step of an import leaves, after recovery, either the old data/ and database
or the complete new ones; and an app reading during imports never sees an error or half the
data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cthb import current, importer, paths, store
from cthb.facts import load_facts
from tests.test_import import snapshot

HEADER = "iso3,treaty,action,action_date,source_id,note"
NEW_SOURCE = "crash-test-src,official,Crash test report,Tester,2024,,,,,,\n"
NEW_ACTION = "CAN,COE197,signature,2006-01-01,crash-test-src,\n"
# Before the journal is written the import has not happened; from then on it has.
BEFORE_COMMIT = ("validated", "staging", "staged")
AFTER_COMMIT = ("committed", "history", "renamed-1", "renamed-2", "applied", "built")


def _env(data: Path, db: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "CTHB_DATA_DIR": str(data), "CTHB_DB": str(db),
            "PYTHONPATH": str(paths.PROJECT_ROOT), **extra}


def _workbook(tmp_path: Path) -> Path:
    """Two tables at once, so a kill between renames would leave a mix without the journal."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    src = wb.create_sheet("sources")
    src.append(["source_id", "kind", "title", "publisher", "published", "url", "locator",
                "accessed", "note"])
    src.append(["crash-test-src", "official", "Crash test report", "Tester", 2024])
    act = wb.create_sheet("treaty_actions")
    act.append(HEADER.split(","))
    act.append(["CAN", "COE197", "signature", "2006-01-01", "crash-test-src"])
    path = tmp_path / "two-tables.xlsx"
    wb.save(path)
    return path


# An import whose step hook (injected, like any caller could) pauses at one step, so the test
# can SIGKILL the process exactly there.
PAUSING_IMPORT = r"""
import sys
import time
from pathlib import Path
from cthb import importer
file, data, db, step = sys.argv[1:5]
def pause(at: str) -> None:
    if at == step:
        print(f"PAUSED {at}", file=sys.stderr, flush=True)
        time.sleep(3600)
importer.recover(Path(data), Path(db))
importer.import_file(Path(file), Path(data), Path(db), on_step=pause)
"""


def _kill_at(step: str, file: Path, data: Path, db: Path) -> None:
    assert step in importer.STEPS
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSING_IMPORT, str(file), str(data), str(db), step],
        cwd=paths.PROJECT_ROOT, env=_env(data, db),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # blocks until the import reaches the step (or ends)
        seen.append(line)
        if line.strip() == f"PAUSED {step}":
            break
    else:
        proc.wait()
        pytest.fail(f"the import never reached step {step}: {''.join(seen)}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()


@pytest.mark.parametrize("step", BEFORE_COMMIT + AFTER_COMMIT)
def test_kill_at_each_step(step: str, real_data_copy: Path, tmp_path: Path) -> None:
    data, db = real_data_copy, tmp_path / "db" / "cthb.duckdb"
    store.build(data, db)
    old_files = snapshot(data, db)
    old_sources = (data / "sources.csv").read_bytes()
    old_actions = (data / "treaty_actions.csv").read_bytes()
    book = _workbook(tmp_path)

    _kill_at(step, book, data, db)
    # The next reader (the app's path) recovers before looking at the database.
    current.ensure_current(data, db)
    assert not importer.pending(data)

    if step in BEFORE_COMMIT:
        assert snapshot(data, db) == old_files
        return
    # The complete new state: both tables, the changelog entry, the history, the database.
    assert (data / "sources.csv").read_bytes() == old_sources + NEW_SOURCE.encode()
    assert (data / "treaty_actions.csv").read_bytes() == old_actions + NEW_ACTION.encode()
    log = importer.versions(data)
    assert [(e["file"], e["added"]) for e in log] == [("two-tables.xlsx", "2")]
    history = data / "history" / log[0]["version"]
    assert (history / "sources.csv").read_bytes() == old_sources
    assert (history / "treaty_actions.csv").read_bytes() == old_actions
    assert store.built_version(db) == store.data_version(data)
    con = store.connect(db)
    try:
        facts = load_facts(con)
    finally:
        con.close()
    assert "crash-test-src" in facts.sources
    # Everything else is byte-identical to before.
    changed = {str(data / n) for n in ("sources.csv", "treaty_actions.csv", "changelog.csv")}
    now = snapshot(data, db)
    assert {k: v for k, v in now.items() if k in old_files and k not in changed
            and k != str(db)} == {k: v for k, v in old_files.items() if k not in changed
                                  and k != str(db)}


def test_cli_recovers_too(real_data_copy: Path, tmp_path: Path) -> None:
    """Any command finishes an interrupted import first (here: `check`)."""
    data, db = real_data_copy, tmp_path / "db" / "cthb.duckdb"
    store.build(data, db)
    _kill_at("renamed-2", _workbook(tmp_path), data, db)
    assert importer.pending(data)
    out = subprocess.run([sys.executable, "-m", "cthb", "check"], cwd=paths.PROJECT_ROOT,
                         env=_env(data, db), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith("cthb: completed the interrupted change ")
    assert not importer.pending(data)
    assert store.built_version(db) == store.data_version(data)


READER = r"""
import sys
from pathlib import Path
from cthb import current, store
from cthb.facts import load_facts
data, db, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
while True:
    last = stop.exists()
    current.ensure_current(data, db)
    con = store.connect(db)
    try:
        facts = load_facts(con)
    finally:
        con.close()
    print(len(facts.tables["treaty_actions"]), len(facts.sources), flush=True)
    if last:
        break
"""


def test_readers_see_old_or_new_never_half(real_data_copy: Path, tmp_path: Path) -> None:
    data, db = real_data_copy, tmp_path / "db" / "cthb.duckdb"
    store.build(data, db)
    con = store.connect(db)
    try:
        facts = load_facts(con)
    finally:
        con.close()
    actions0, sources0 = len(facts.tables["treaty_actions"]), len(facts.sources)
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(data), str(db), str(stop)],
                              cwd=paths.PROJECT_ROOT, env=_env(data, db),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert reader.stdout is not None
    first = reader.stdout.readline()  # the reader is running before the first import
    # Each import adds one source and one action that cites it: a half-applied import would
    # show as one count moving without the other (or as a reference error).
    states = ("CAN", "USA", "MNG", "KAZ")
    for i, iso3 in enumerate(states):
        f = tmp_path / f"imp{i}.xlsx"
        import openpyxl

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        s = wb.create_sheet("sources")
        s.append(["source_id", "kind", "title", "publisher"])
        s.append([f"reader-src-{i}", "official", "Report", "Tester"])
        a = wb.create_sheet("treaty_actions")
        a.append(HEADER.split(","))
        a.append([iso3, "COE197", "signature", "2006-01-01", f"reader-src-{i}"])
        wb.save(f)
        importer.import_file(f, data, db)
    stop.touch()
    out, err = reader.communicate()
    assert reader.returncode == 0, err
    assert err == ""
    reads = [tuple(int(x) for x in line.split()) for line in [first, *out.splitlines()]]
    allowed = {(actions0 + k, sources0 + k) for k in range(len(states) + 1)}
    assert set(reads) <= allowed
    assert reads[0] == (actions0, sources0)
    assert reads[-1] == (actions0 + len(states), sources0 + len(states))
    assert reads == sorted(reads)  # never back to an older version
