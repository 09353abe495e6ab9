"""Imports of new and corrected facts into data/: the public entry points.

The work is split by job in the cthb.importing package (reading and bounding files, planning,
the data directory's lock, the atomic commit and recovery, restore, the command line); see its
docstring for the file format, the commit protocol and the locking rules. This module keeps the
names other code and the tests use.
"""

from __future__ import annotations

from cthb.importing.apply import Outcome, import_file, in_order
from cthb.importing.cli import cli_import, cli_restore
from cthb.importing.commit import (
    CHANGELOG,
    CHANGELOG_COLUMNS,
    HISTORY,
    JOURNAL,
    STAGING_PREFIX,
    STEPS,
    RecoveryStuck,
    StepHook,
    new_version,
    no_pause,
    pending,
    reading,
    recover,
)
from cthb.importing.csvtext import CsvText, Record, csv_line, key_of, split_csv
from cthb.importing.errors import ImportFailed
from cthb.importing.lock import LOCK_FILE, data_lock, lock_path
from cthb.importing.plan import Plan, TableDiff, diff_texts, format_diff, plan_import
from cthb.importing.read import ImportFile, read_import
from cthb.importing.restore import later_changes, plan_restore, restore, versions
from cthb.importing.rows import (
    CHANGE_COLUMN,
    CHANGES,
    IMPORTABLE,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportRow,
)
from cthb.writable import NotWritable

__all__ = [
    "CHANGELOG", "CHANGELOG_COLUMNS", "CHANGES", "CHANGE_COLUMN", "HISTORY", "IMPORTABLE",
    "JOURNAL", "LOCK_FILE", "MAX_CELL_CHARS", "MAX_COLUMNS", "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS", "STAGING_PREFIX", "STEPS", "CsvText", "ImportFailed", "ImportFile",
    "ImportRow", "NotWritable", "Outcome", "Plan", "Record", "RecoveryStuck", "StepHook",
    "TableDiff", "cli_import", "cli_restore", "csv_line", "data_lock", "diff_texts",
    "format_diff", "import_file", "in_order", "key_of", "later_changes", "lock_path",
    "new_version", "no_pause", "pending", "plan_import", "plan_restore", "read_import",
    "reading", "recover", "restore", "split_csv", "versions",
]
