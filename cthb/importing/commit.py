"""Applying a planned change atomically across several files: stage, commit (the journal),
roll forward; recovery of a change interrupted at any step; the changelog entry.

The protocol is described in cthb/importing/__init__.py. A `StepHook` is called at each named
step (STEPS): the crash tests pass one that pauses there so they can SIGKILL the process; in
normal use it does nothing. (It is passed in, never read from the environment.)
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cthb import store
from cthb.importing.csvtext import csv_line
from cthb.importing.lock import data_lock
from cthb.importing.plan import Plan
from cthb.safe_text import spreadsheet_safe_text
from cthb.writable import NotWritable, check_folder

CHANGELOG = "changelog.csv"
CHANGELOG_COLUMNS = ("version", "applied_at", "action", "file", "sha256", "added", "changed",
                     "removed", "summary")
HISTORY = "history"
JOURNAL = ".journal.json"
STAGING_PREFIX = ".staging-"
# ("renamed-N": after the N-th staged file was renamed into data/.)
STEPS = ("validated", "staging", "staged", "committed", "history", "renamed-1", "renamed-2",
         "applied", "built")

StepHook = Callable[[str], None]


def no_pause(step: str) -> None:
    """The default step hook: nothing happens between steps."""


def check_writable(data_dir: Path, db_path: Path) -> None:
    """Before anything changes: every folder the change writes can be written (NotWritable
    otherwise, naming the folder and the permission)."""
    check_folder(data_dir, "the data folder")
    if (data_dir / HISTORY).exists():
        check_folder(data_dir / HISTORY, "the history folder")
    check_folder(db_path.parent, "the database folder")


def _write_synced(path: Path, content: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())


def _write_atomic(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    _write_synced(tmp, content)
    os.replace(tmp, path)
    store.fsync_dir(path.parent)


def new_version() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def changelog_entry(plan: Plan, action: str, version: str) -> dict[str, str]:
    added, changed, removed = plan.counts
    # The file name comes from outside (whoever named the file): a spreadsheet opening the
    # changelog must not run it as a formula.
    return {"version": version, "applied_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "action": action, "file": spreadsheet_safe_text(plan.source),
            "sha256": plan.sha256, "added": str(added), "changed": str(changed),
            "removed": str(removed), "summary": plan.summary()}


def _changelog_text(data_dir: Path, entry: dict[str, str]) -> str:
    path = data_dir / CHANGELOG
    text = path.read_bytes().decode("utf-8") if path.exists() else ""
    if not text:
        text = ",".join(CHANGELOG_COLUMNS) + "\n"
    if not text.endswith("\n"):
        text += "\n"
    return text + csv_line(CHANGELOG_COLUMNS, entry)


def commit(plan: Plan, data_dir: Path, db_path: Path, action: str, version: str,
           on_step: StepHook = no_pause) -> None:
    """Stage, commit (journal), roll forward. Caller holds the exclusive lock and has checked
    that the folders can be written."""
    entry = changelog_entry(plan, action, version)
    files = {**plan.new_texts, CHANGELOG: _changelog_text(data_dir, entry)}
    staging = data_dir / f"{STAGING_PREFIX}{version}"
    staging.mkdir()
    (staging / HISTORY).mkdir()
    for i, (name, text) in enumerate(files.items()):
        _write_synced(staging / name, text.encode("utf-8"))
        if i == 0:
            on_step("staging")
    for name in plan.new_texts:
        old = data_dir / name
        if old.exists():
            _write_synced(staging / HISTORY / name, old.read_bytes())
    store.fsync_dir(staging / HISTORY)
    store.fsync_dir(staging)
    store.fsync_dir(data_dir)
    on_step("staged")
    journal = {"version": version, "staging": staging.name, "files": sorted(files)}
    _write_atomic(data_dir / JOURNAL, json.dumps(journal, indent=1).encode())  # commit point
    on_step("committed")
    roll_forward(data_dir, db_path, journal, on_step)


def roll_forward(data_dir: Path, db_path: Path, journal: dict[str, Any],
                 on_step: StepHook = no_pause) -> None:
    """Finish a committed change. Every step can be repeated: a rename that happened already
    shows as a missing staged file."""
    version = str(journal["version"])
    staging = data_dir / str(journal["staging"])
    staged_history = staging / HISTORY
    if staged_history.exists():
        (data_dir / HISTORY).mkdir(exist_ok=True)
        os.rename(staged_history, data_dir / HISTORY / version)
        store.fsync_dir(data_dir / HISTORY)
    on_step("history")
    files = [str(f) for f in journal["files"]]
    for i, name in enumerate(files, start=1):
        if (staging / name).exists():
            os.replace(staging / name, data_dir / name)
            on_step(f"renamed-{i}")
    store.fsync_dir(data_dir)
    on_step("applied")
    store.build(data_dir, db_path)
    on_step("built")
    (data_dir / JOURNAL).unlink()
    store.fsync_dir(data_dir)
    shutil.rmtree(staging, ignore_errors=True)


def pending(data_dir: Path) -> bool:
    """Whether an interrupted import left anything behind."""
    return (data_dir / JOURNAL).exists() or any(data_dir.glob(STAGING_PREFIX + "*"))


def _journal(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / JOURNAL
    if not path.exists():
        return None
    return dict(json.loads(path.read_bytes()))


def recover_locked(data_dir: Path, db_path: Path) -> str | None:
    """Finish (journal) or discard (staging only) an interrupted change; the caller holds the
    exclusive lock. Raises NotWritable if the folders cannot be written."""
    journal = _journal(data_dir)
    leftovers = list(data_dir.glob(STAGING_PREFIX + "*"))
    if journal is None and not leftovers:
        return None
    check_writable(data_dir, db_path)
    outcome = None
    if journal is not None:
        roll_forward(data_dir, db_path, journal)
        outcome = f"completed the interrupted change {journal['version']}"
    for leftover in data_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
        outcome = outcome or f"discarded the uncommitted change {leftover.name}"
    for tmp in data_dir.glob(f".{JOURNAL}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return outcome


class RecoveryStuck(Exception):
    """An interrupted change cannot be finished now (the message says why and what to do)."""


# Journals this process has already warned about: a reader asks on every rerun.
_warned: set[str] = set()


def _stuck_message(data_dir: Path, exc: Exception) -> str:
    journal = None
    with contextlib.suppress(OSError, ValueError):
        journal = _journal(data_dir)
    change = f"change {journal['version']}" if journal else "change"
    return f"the interrupted {change} in {data_dir} cannot be finished now: {exc}"


def recover(data_dir: Path, db_path: Path) -> str:
    """Finish or undo an interrupted import before reading or writing. Returns "settled"
    (nothing pending, or recovered), "busy" (an import is running right now: it finishes its
    own work) or "stuck" (it cannot be finished now, e.g. data/ is not writable: a warning
    says why, once per process; readers serve the database as it was built)."""
    if not pending(data_dir):
        return "settled"
    try:
        with data_lock(data_dir, exclusive=True, blocking=False) as got:
            if not got:
                return "busy"
            outcome = recover_locked(data_dir, db_path)
    except (NotWritable, OSError, ValueError) as exc:
        message = _stuck_message(data_dir, exc)
        if message not in _warned:
            _warned.add(message)
            print(f"cthb: warning: {message}; answering from the database as it was built",
                  file=sys.stderr)
        return "stuck"
    if outcome:
        print(f"cthb: {outcome}", file=sys.stderr)
    return "settled"


def stuck_reason(data_dir: Path, db_path: Path) -> str | None:
    """Why recovery cannot run now (for a writer's error message), or None."""
    if not pending(data_dir):
        return None
    try:
        check_writable(data_dir, db_path)
    except NotWritable as exc:
        return _stuck_message(data_dir, exc)
    return None


@contextlib.contextmanager
def reading(data_dir: Path, db_path: Path) -> Iterator[bool]:
    """For readers about to check or rebuild the database: recover first, then hold the lock
    shared. Yields False when the database must be served as it is: an import is running, or
    an interrupted one cannot be finished now (then building one from the files the change was
    replacing would mix two versions)."""
    state = recover(data_dir, db_path)
    if state != "settled":
        if db_path.exists():
            yield False
            return
        if state == "stuck":
            raise RecoveryStuck(_stuck_message(data_dir, NotWritable(
                "the data folder", data_dir, "an interrupted change is pending")))
    with data_lock(data_dir, exclusive=False, blocking=not db_path.exists()) as got:
        yield got
