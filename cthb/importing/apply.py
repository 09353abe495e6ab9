"""import_file: read the file (bounded), take the data directory's lock, finish any interrupted
change, plan and validate against the merged data, then commit atomically."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from cthb.importing.commit import (
    StepHook,
    check_writable,
    commit,
    new_version,
    no_pause,
    recover_locked,
)
from cthb.importing.errors import ImportFailed
from cthb.importing.lock import data_lock
from cthb.importing.plan import Plan, plan_import
from cthb.importing.read import read_import
from cthb.validate import Problem


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    version: str | None  # None: dry run, refused, or nothing to change
    # A restore: the later changes (changelog entries) it undoes, or would undo.
    undoes: tuple[dict[str, str], ...] = field(default=())


def import_file(path: Path, data_dir: Path, db_path: Path, table: str | None = None,
                dry_run: bool = False, on_step: StepHook = no_pause) -> Outcome:
    """Validate an import file and, unless dry_run, apply it atomically. Raises ImportFailed
    (with every problem) and changes nothing when the file or the merged data is invalid, and
    NotWritable (before changing anything) when a folder it must write is not writable."""
    imp, problems = read_import(path, table)
    if imp is None:
        raise ImportFailed(problems)
    with data_lock(data_dir, exclusive=not dry_run):
        if not dry_run:
            check_writable(data_dir, db_path)
            if outcome := recover_locked(data_dir, db_path):
                print(f"cthb: {outcome}", file=sys.stderr)
        plan = plan_import(imp, data_dir)
        plan.problems = in_order(problems + plan.problems)
        if plan.problems:
            raise ImportFailed(plan.problems)
        on_step("validated")
        if dry_run or not plan.new_texts:
            return Outcome(plan, None)
        version = new_version()
        commit(plan, data_dir, db_path, "import", version, on_step)
        return Outcome(plan, version)


def in_order(problems: list[Problem]) -> list[Problem]:
    """Import-file problems by sheet and row; problems in data/ files after them."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file.startswith("data/"), p.file, p.line or 0))
