"""The data directory has one writer at a time, whatever database each process uses; and a
folder the user cannot write makes a command fail at once, with the path and the permission it
needs, instead of half-applying an import or wedging every later command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cthb import current, importer, paths, store
from tests.conftest import require_tool
from tests.test_import import snapshot

DRIVER = r"""
import sys
from pathlib import Path
from cthb.cli import main
tag, count, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
for i in range(count):
    f = folder / f"{tag}-{i}.csv"
    f.write_text("engagement_id,kind,title,start_date,source_id\n"
                 f"lock-{tag}-{i},visit,Lock test {tag} {i},2024-03,sr2007-s52\n")
    code = main(["import", str(f), "--table", "engagements"])
    print("RC", code, flush=True)
"""


def _env(data: Path, db: Path) -> dict[str, str]:
    return {**os.environ, "CTHB_DATA_DIR": str(data), "CTHB_DB": str(db),
            "PYTHONPATH": str(paths.PROJECT_ROOT)}


def test_two_processes_with_their_own_databases_lose_no_import(real_data_copy: Path,
                                                               tmp_path: Path) -> None:
    """The multi-process deployment: each app/CLI process has its own CTHB_DB over one data/.
    Imports from both at the same time all survive."""
    data, count = real_data_copy, 5
    dbs = {tag: tmp_path / f"db-{tag}" / "cthb.duckdb" for tag in ("a", "b")}
    for db in dbs.values():
        store.build(data, db)
    procs = {tag: subprocess.Popen([sys.executable, "-c", DRIVER, tag, str(count),
                                    str(tmp_path)], cwd=paths.PROJECT_ROOT,
                                   env=_env(data, db), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
             for tag, db in dbs.items()}
    results = {tag: p.communicate(timeout=600) for tag, p in procs.items()}
    for tag, (out, err) in results.items():
        assert procs[tag].returncode == 0, err
        codes = [line.split()[1] for line in out.splitlines() if line.startswith("RC ")]
        assert codes == ["0"] * count, err  # every import reported success
    text = (data / "engagements.csv").read_text(encoding="utf-8")
    wanted = {f"lock-{tag}-{i}" for tag in dbs for i in range(count)}
    assert {w for w in wanted if f"\n{w}," in text} == wanted
    assert len([e for e in importer.versions(data) if e["action"] == "import"]) == 2 * count
    for db in dbs.values():  # each process's database catches up with all of them
        current.ensure_current(data, db)
        con = store.connect(db)
        try:
            n = con.execute("SELECT count(*) FROM engagements WHERE engagement_id LIKE "
                            "'lock-%'").fetchone()
        finally:
            con.close()
        assert n == (2 * count,)


# --- folders the user cannot write -----------------------------------------------------------


def _as_unprivileged(cmd: list[str]) -> list[str]:
    """Run `cmd` so that file permissions bind it. Root ignores them (CAP_DAC_OVERRIDE), so
    as root the command runs without those capabilities (util-linux setpriv)."""
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    require_tool(setpriv is not None, "setpriv (util-linux) is needed to drop root's "
                                      "permission override")
    assert setpriv is not None
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", *cmd]


def cthb(data: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_as_unprivileged([sys.executable, "-m", "cthb", *args]),
                          cwd=paths.PROJECT_ROOT, env=_env(data, db), capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def read_only() -> Iterator[list[Path]]:
    """Folders made read-only by a test, made writable again afterwards (for tmp cleanup)."""
    folders: list[Path] = []
    yield folders
    for folder in folders:
        folder.chmod(0o755)


def _engagement(tmp_path: Path) -> Path:
    f = tmp_path / "visit.csv"
    f.write_text("engagement_id,kind,title,start_date,source_id\n"
                 "perm-test,visit,Permission test,2024-03,sr2007-s52\n")
    return f


def _one_clear_line(err: str, *needles: str) -> None:
    assert "Traceback" not in err, err
    assert err.startswith("error: "), err
    first = err.splitlines()[0]
    for needle in needles:
        assert needle in first, (needle, err)


def test_unwritable_data_dir_fails_at_once(real_data_copy: Path, tmp_path: Path,
                                           read_only: list[Path]) -> None:
    data, db = real_data_copy, tmp_path / "db" / "cthb.duckdb"
    store.build(data, db)
    before = snapshot(data)
    data.chmod(0o555)
    read_only.append(data)
    out = cthb(data, db, "import", str(_engagement(tmp_path)), "--table", "engagements")
    assert out.returncode == 1
    _one_clear_line(out.stderr, str(data), "write permission")
    assert snapshot(data) == before


def test_unwritable_database_folder_fails_before_changing_anything(
        real_data_copy: Path, tmp_path: Path, read_only: list[Path]) -> None:
    data, db = real_data_copy, tmp_path / "db" / "cthb.duckdb"
    store.build(data, db)
    before = snapshot(data, db)
    db.parent.chmod(0o555)
    read_only.append(db.parent)
    out = cthb(data, db, "import", str(_engagement(tmp_path)), "--table", "engagements")
    assert out.returncode == 1
    _one_clear_line(out.stderr, str(db.parent), "write permission")
    assert snapshot(data, db) == before
    assert not importer.pending(data)
    # Nothing is wedged: reading commands still answer.
    status = cthb(data, db, "status", "--treaty", "UNTOC")
    assert status.returncode == 0, status.stderr
    assert "Traceback" not in status.stderr


def _interrupted_change(data: Path) -> str:
    """What a killed import leaves after its commit point: a journal and its staging folder."""
    version = "20240101T000000Z-dead"
    staging = data / f"{importer.STAGING_PREFIX}{version}"
    (staging / importer.HISTORY).mkdir(parents=True)
    old = (data / "engagements.csv").read_text(encoding="utf-8")
    (staging / importer.HISTORY / "engagements.csv").write_text(old, encoding="utf-8")
    (staging / "engagements.csv").write_text(
        old + "journal-test,visit,Journal test,2024-03,,,,sr2007-s52,\n", encoding="utf-8")
    (data / importer.JOURNAL).write_text(json.dumps(
        {"version": version, "staging": staging.name, "files": ["engagements.csv"]}))
    return version


def test_interrupted_change_in_unwritable_data_dir_wedges_nothing(
        real_data_copy: Path, tmp_path: Path, read_only: list[Path]) -> None:
    data, db = real_data_copy, tmp_path / "db" / "cthb.duckdb"
    store.build(data, db)
    version = _interrupted_change(data)
    data.chmod(0o555)
    read_only.append(data)
    # A reader answers from the database as built, and says why it could not finish the change.
    status = cthb(data, db, "status", "--treaty", "UNTOC")
    assert status.returncode == 0, status.stderr
    assert "Traceback" not in status.stderr
    assert len(status.stdout.splitlines()) == 58  # header + 57 States
    assert version in status.stderr and str(data) in status.stderr
    assert "write permission" in status.stderr
    # A writer refuses at once.
    out = cthb(data, db, "import", str(_engagement(tmp_path)), "--table", "engagements")
    assert out.returncode == 1
    _one_clear_line(out.stderr, str(data), "write permission")
    # Once the folder is writable again, the next command finishes the change.
    data.chmod(0o755)
    check = cthb(data, db, "check")
    assert check.returncode == 0, check.stderr
    assert f"completed the interrupted change {version}" in check.stderr
    assert "\njournal-test," in (data / "engagements.csv").read_text(encoding="utf-8")
    assert not importer.pending(data)
