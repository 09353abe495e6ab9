"""`python -m cthb import` and `python -m cthb restore` (wired in cthb/cli.py). Every refusal
is a short message on stderr, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cthb.importing.apply import import_file
from cthb.importing.commit import RecoveryStuck
from cthb.importing.errors import ImportFailed
from cthb.importing.plan import format_diff
from cthb.importing.restore import describe, restore, versions
from cthb.validate import format_problems
from cthb.writable import NotWritable


def cli_import(args: argparse.Namespace, data_dir: Path, db_path: Path) -> int:
    path = Path(args.file)
    try:
        outcome = import_file(path, data_dir, db_path, table=args.table, dry_run=args.dry_run)
    except ImportFailed as exc:
        print(f"error: {path.name} was not imported; nothing was changed. "
              f"{len(exc.problems)} problem(s):\n{format_problems(exc.problems)}",
              file=sys.stderr)
        return 1
    except (NotWritable, RecoveryStuck) as exc:
        print(f"error: {path.name} was not imported; nothing was changed: {exc}",
              file=sys.stderr)
        return 1
    print(format_diff(outcome.plan))
    if args.dry_run:
        print("dry run: nothing was changed")
    elif outcome.version:
        print(f"imported {path.name} as version {outcome.version} "
              f"({outcome.plan.summary()}); undo with: python -m cthb restore {outcome.version}")
    return 0


def cli_restore(args: argparse.Namespace, data_dir: Path, db_path: Path) -> int:
    if args.list or not args.version:
        entries = versions(data_dir)
        if not entries:
            print("no imports yet: the changelog is empty")
        for e in entries:
            print(f"{e['version']}  {e['applied_at']}  {e['action']:<7}  {e['file']}  "
                  f"+{e['added']} ~{e['changed']} -{e['removed']}  {e['summary']}")
        return 0
    try:
        outcome = restore(args.version, data_dir, db_path, dry_run=args.dry_run,
                          force=getattr(args, "force", False))
    except ImportFailed as exc:
        print(f"error: version {args.version} was not restored; nothing was changed.\n"
              f"{format_problems(exc.problems)}", file=sys.stderr)
        return 1
    except (NotWritable, RecoveryStuck) as exc:
        print(f"error: version {args.version} was not restored; nothing was changed: {exc}",
              file=sys.stderr)
        return 1
    print(format_diff(outcome.plan))
    if outcome.undoes:
        verb = "would also undo" if args.dry_run else "also undid"
        print(f"this restore {verb} {len(outcome.undoes)} later change(s): "
              f"{describe(list(outcome.undoes))}")
    if args.dry_run:
        print("dry run: nothing was changed")
    elif outcome.version:
        print(f"restored the files as they were before {args.version} "
              f"(new version {outcome.version})")
    return 0
