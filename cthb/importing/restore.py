"""The changelog's versions, and restoring the files as they were before one of them.

A restore brings back, for each table version V changed, the file as it was before V. Any later
change to one of those tables is undone with it, so a restore names those changes and refuses
unless forced: undoing someone's later import must be a decision, never a surprise."""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

from cthb import schema
from cthb.importing.apply import Outcome
from cthb.importing.commit import (
    CHANGELOG,
    HISTORY,
    StepHook,
    check_writable,
    commit,
    new_version,
    no_pause,
    recover_locked,
)
from cthb.importing.errors import ImportFailed, file_problem
from cthb.importing.lock import data_lock
from cthb.importing.plan import Plan, diff_texts, read_data_texts, validate_texts


def versions(data_dir: Path) -> list[dict[str, str]]:
    """The changelog, oldest first."""
    path = data_dir / CHANGELOG
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def plan_restore(version: str, data_dir: Path) -> Plan:
    folder = data_dir / HISTORY / version
    if "/" in version or version.startswith(".") or not folder.is_dir():
        known = ", ".join(e["version"] for e in versions(data_dir)) or "none"
        raise ImportFailed([file_problem(f"history/{version}",
                                         f"no such version; known versions: {known}")])
    current = read_data_texts(data_dir)
    restored: dict[str, str] = {}
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        tname = path.stem
        if tname not in schema.TABLES_BY_NAME:
            continue
        raw = path.read_bytes()
        digest.update(raw)
        if raw.decode("utf-8") != current.get(tname):
            restored[tname] = raw.decode("utf-8")
    merged = {**current, **restored}
    problems = validate_texts(merged) if restored else []
    return Plan(
        source=f"history/{version}", sha256=digest.hexdigest(),
        old_texts={schema.TABLES_BY_NAME[t].filename: current.get(t, "") for t in restored},
        new_texts={schema.TABLES_BY_NAME[t].filename: text for t, text in restored.items()},
        diff={t: diff_texts(schema.TABLES_BY_NAME[t], current.get(t, ""), text)
              for t, text in restored.items()},
        problems=problems)


def later_changes(version: str, data_dir: Path) -> list[dict[str, str]]:
    """The changes after `version` in the changelog that touched a table `version` changed
    (each change keeps the previous version of the tables it touched in history/<its
    version>/): restoring `version` undoes them too."""
    entries = versions(data_dir)
    at = next((i for i, e in enumerate(entries) if e["version"] == version), None)
    if at is None:
        return []
    tables = {p.name for p in (data_dir / HISTORY / version).glob("*.csv")}
    later = []
    for entry in entries[at + 1:]:
        folder = data_dir / HISTORY / entry["version"]
        touched = {p.name for p in folder.glob("*.csv")} if folder.is_dir() else tables
        if touched & tables:
            later.append(entry)
    return later


def describe(entries: list[dict[str, str]]) -> str:
    return "; ".join(f"{e['version']} ({e['action']} {e['file']}, {e['applied_at']})"
                     for e in entries)


def restore(version: str, data_dir: Path, db_path: Path, dry_run: bool = False,
            force: bool = False, on_step: StepHook = no_pause) -> Outcome:
    """Bring back the files as they were before change `version`, as one atomic change.
    Refuses (ImportFailed) when later changes to the same tables would be undone too, unless
    `force`; a dry run lists them in Outcome.undoes."""
    with data_lock(data_dir, exclusive=not dry_run):
        if not dry_run:
            check_writable(data_dir, db_path)
            if outcome := recover_locked(data_dir, db_path):
                print(f"cthb: {outcome}", file=sys.stderr)
        plan = plan_restore(version, data_dir)
        if plan.problems:
            raise ImportFailed(plan.problems)
        later = later_changes(version, data_dir) if plan.new_texts else []
        if later and not force and not dry_run:
            raise ImportFailed([file_problem(
                f"history/{version}",
                f"restoring {version} would also undo {len(later)} later change(s) to the same "
                f"tables: {describe(later)}; run it again with --force to undo them too")])
        if dry_run or not plan.new_texts:
            return Outcome(plan, None, tuple(later))
        new = new_version()
        commit(plan, data_dir, db_path, "restore", new, on_step)
        return Outcome(plan, new, tuple(later))
