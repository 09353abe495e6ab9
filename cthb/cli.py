"""The command line: `python -m cthb <command>`, for staff and scripts.

Every command that reads data first makes sure the database matches data/ (rebuilding it
atomically if not), so a command never answers from stale facts.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from cthb import paths, store
from cthb.coverage import coverage_frame
from cthb.dates import parse_date
from cthb.facts import current_facts
from cthb.safe_text import spreadsheet_safe
from cthb.schema import STRUCTURE_KINDS, TREATIES
from cthb.status import structure_statuses, treaty_statuses
from cthb.validate import ValidationError, format_problems, read_tables
from cthb.writable import NotWritable

Handler = Callable[[argparse.Namespace], int]


def _date_arg(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def write_rows(header: Sequence[str], rows: Sequence[Sequence[object]], fmt: str,
               out: TextIO) -> None:
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    if fmt == "csv":
        # RFC 4180, and no cell may run as a formula in a spreadsheet that opens the file.
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[spreadsheet_safe(c) for c in r] for r in cells])
        return
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(header)]
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for r in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")


# --- commands ------------------------------------------------------------------------------


def cmd_build(_args: argparse.Namespace) -> int:
    from cthb.importer import data_lock, recover

    if recover(paths.data_dir(), paths.db_path()) == "stuck":
        print("error: not building: an interrupted change in the data folder must be finished "
              "first (see the warning above)", file=sys.stderr)
        return 1
    # Shared: no import may replace files while they are read (it waits for a running one).
    with data_lock(paths.data_dir(), exclusive=False):
        result = store.build(paths.data_dir(), paths.db_path())
    total = sum(result.row_counts.values())
    print(f"built {result.db_path} (data version {result.data_version}, {total} rows)")
    for name, count in result.row_counts.items():
        print(f"  {name:<20} {count:>5}")
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    from cthb.geo_check import check_geometry  # lazy: shapely

    _, problems = read_tables(paths.data_dir())
    problems += check_geometry(paths.data_dir())
    if problems:
        print(f"{len(problems)} problem(s) in {paths.data_dir()}:", file=sys.stderr)
        print(format_problems(problems), file=sys.stderr)
        return 1
    print(f"{paths.data_dir()}: all files valid")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    facts = current_facts()
    rows = []
    for s in treaty_statuses(facts, args.treaty, args.as_of):
        ev = s.decided_by
        row: list[object] = [s.iso3, facts.state_name(s.iso3), s.status,
                             ev.on if ev else "", "exact" if s.exact else
                             ("observation" if ev else ""), s.source_id or "", s.detail]
        if args.treaty == "COE197":
            in_force = {True: "yes", False: "no", None: "unknown"}[s.in_force]
            row += [in_force, s.in_force_date or ""]
        rows.append(row)
    header = ["iso3", "state", "status", "decided_on", "basis", "source_id", "detail"]
    if args.treaty == "COE197":
        header += ["in_force", "in_force_date"]
    write_rows(header, rows, args.format, sys.stdout)
    return 0


def cmd_structures(args: argparse.Namespace) -> int:
    facts = current_facts()
    rows = [
        [s.iso3, facts.state_name(s.iso3), s.status, s.decided_on or "",
         s.evidence_date or "", "yes" if s.approximate else "", s.established or "",
         s.valid_until or "", "yes" if s.stale else "no", s.source_id or "", s.detail]
        for s in structure_statuses(facts, args.kind, args.as_of)
    ]
    # evidence_date: the date that decided (the establishment date, or the source's own date);
    # as_of: the source's own date; stale: evidence more than five years before --as-of.
    header = ["iso3", "state", "status", "evidence_date", "as_of", "as_of_approx",
              "established", "valid_until", "stale", "source_id", "detail"]
    write_rows(header, rows, args.format, sys.stdout)
    return 0


def cmd_stale(args: argparse.Namespace) -> int:
    from cthb.freshness import stale_facts  # lazy: pandas

    facts = current_facts()
    df = stale_facts(facts, args.as_of, args.older_than)
    print(f"{len(df)} status(es) on {args.as_of} rest on evidence more than {args.older_than} "
          f"year(s) old ({facts.data_version}):", file=sys.stderr)
    write_rows(list(df.columns), df.values.tolist(), args.format, sys.stdout)
    return 0


def _years_arg(text: str) -> int:
    match = re.fullmatch(r"([0-9]{1,2})y?", text.strip())
    if not match or int(match[1]) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of years such as 5y")
    return int(match[1])


def cmd_survey(args: argparse.Namespace) -> int:
    facts = current_facts()
    if args.survey is not None and args.survey not in facts.surveys:
        print(f"error: argument --survey: invalid choice: {args.survey!r} (choose from "
              f"{', '.join(repr(s) for s in sorted(facts.surveys))})", file=sys.stderr)
        return 2
    order = {"participating_state": 0, "partner": 1, "field_operation": 2}
    responses = sorted(
        (r for r in facts.survey_responses if args.survey in (None, r["survey_id"])),
        key=lambda r: (order[r["kind"]], r["respondent"]))
    rows = [[r["respondent"], r["iso3"], r["kind"].replace("_", " "), r["received_by"],
             r["survey_id"], r["source_id"]] for r in responses]
    write_rows(["respondent", "iso3", "kind", "received_by", "survey_id", "source_id"],
               rows, args.format, sys.stdout)
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    facts = current_facts()
    df = coverage_frame(facts, args.as_of)
    print(f"Coverage of the data on {args.as_of} ({facts.data_version}):")
    write_rows(list(df.columns), df.values.tolist(), args.format, sys.stdout)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from cthb import importer  # lazy: only imports need it

    return importer.cli_import(args, paths.data_dir(), paths.db_path())


def cmd_restore(args: argparse.Namespace) -> int:
    from cthb import importer

    return importer.cli_restore(args, paths.data_dir(), paths.db_path())


def cmd_brief(args: argparse.Namespace) -> int:
    from cthb.export.brief import BriefError, brief_bytes  # lazy: reportlab, pptx, kaleido

    facts = current_facts()
    iso3 = args.iso3.upper()
    if iso3 not in facts.states:
        print(f"error: {args.iso3!r} is not the ISO3 code of a participating State",
              file=sys.stderr)
        return 2
    fmt = args.out.rsplit(".", 1)[-1].lower()
    if fmt not in ("pdf", "pptx"):
        print("error: --out must end in .pdf or .pptx", file=sys.stderr)
        return 2
    try:
        data = brief_bytes(facts, iso3, args.as_of, fmt, args.lang)
    except BriefError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with open(args.out, "wb") as fh:
        fh.write(data)
    print(f"wrote {args.out} ({len(data)} bytes): {facts.state_name(iso3)} as of {args.as_of}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web app in this process, warmed before the first visitor (cthb.warmup)."""
    import os

    from streamlit.web import cli as streamlit_cli

    from cthb import warmup

    os.chdir(paths.PROJECT_ROOT)  # .streamlit/config.toml and static/ are found from here
    warmup.start_background()
    argv = ["run", str(paths.PROJECT_ROOT / "app.py"), "--server.port", str(args.port),
            "--server.address", args.address, "--server.headless", "true",
            *args.streamlit_args]
    try:
        streamlit_cli.main(args=argv, prog_name="streamlit")
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from cthb.publish import publish  # lazy: plotly, reportlab, pptx, kaleido

    facts = current_facts()
    states = [s.strip().upper() for s in args.states.split(",")] if args.states else None
    unknown = [s for s in states or [] if s not in facts.states]
    if unknown:
        print(f"error: not participating States: {', '.join(unknown)}", file=sys.stderr)
        return 2
    done = publish(facts, args.out, today=args.as_of, lang=args.lang, states=states,
                   briefs=not args.no_briefs,
                   progress=lambda msg: print(f"  {msg}", file=sys.stderr, flush=True))
    print(f"wrote {len(done.pages)} pages and {len(done.files)} files to {done.out} in "
          f"{done.seconds:.0f} s; open {done.out / 'index.html'}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from cthb.export.cli import run_export  # lazy: plotly and kaleido only when exporting

    return run_export(args)


def cmd_deck(args: argparse.Namespace) -> int:
    from cthb.export.cli import run_deck

    return run_deck(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cthb",
        description="cthb: the cited information base on anti-trafficking structures "
                    "in the OSCE participating States.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    def fmt(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=("csv", "table"), default="csv")

    add("build", cmd_build, "validate data/ and (re)build the database")
    add("check", cmd_check, "validate data/ only; exit 1 listing every problem")
    p = add("status", cmd_status, "treaty status of every participating State on a date")
    p.add_argument("--treaty", choices=TREATIES, required=True)
    p.add_argument("--as-of", type=_date_arg, default=date.today(), metavar="YYYY-MM-DD")
    fmt(p)
    p = add("structures", cmd_structures, "national structure status on a date")
    p.add_argument("--kind", choices=STRUCTURE_KINDS, required=True)
    p.add_argument("--as-of", type=_date_arg, default=date.today(), metavar="YYYY-MM-DD")
    fmt(p)
    p = add("stale", cmd_stale, "statuses resting on old evidence, per indicator, for "
            "maintainers (what to look up next)")
    p.add_argument("--as-of", type=_date_arg, default=date.today(), metavar="YYYY-MM-DD")
    p.add_argument("--older-than", type=_years_arg, default=5, metavar="5y",
                   help="evidence older than this many years (default 5y)")
    fmt(p)
    p = add("survey", cmd_survey, "respondents to the Special Representative's surveys")
    p.add_argument("--survey", default=None, help="survey id (default: all)")
    fmt(p)
    p = add("coverage", cmd_coverage, "how many States each indicator knows, and how")
    p.add_argument("--as-of", type=_date_arg, default=date.today(), metavar="YYYY-MM-DD")
    fmt(p)
    # Feature commands import their modules lazily, so `status` stays quick to start.
    from cthb.export.cli import add_deck_arguments, add_export_arguments

    add_export_arguments(add("export", cmd_export, "one chart or map as a PNG, SVG, PDF, HTML, "
                             "CSV or XLSX file"), _date_arg)
    add_deck_arguments(add("deck", cmd_deck, "a PowerPoint deck of a preset's charts"),
                       _date_arg)
    p = add("brief", cmd_brief, "the bilateral-visit brief of one State (PDF or PowerPoint)")
    p.add_argument("iso3", help="ISO 3166-1 alpha-3 code, e.g. KAZ")
    p.add_argument("--as-of", type=_date_arg, default=date.today(), metavar="YYYY-MM-DD")
    p.add_argument("--out", required=True, metavar="FILE.pdf|FILE.pptx")
    p.add_argument("--lang", choices=("en", "fr", "de", "it", "ru", "es"), default="en")
    p = add("import", cmd_import, "validate a CSV/XLSX file of new or corrected facts and "
            "apply it atomically (with a changelog entry and an undo point)")
    p.add_argument("file", help="a CSV file of one table, or an XLSX workbook (sheet = table)")
    p.add_argument("--table", default=None, metavar="NAME",
                   help="the table a CSV file holds (default: recognised from the header)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p = add("restore", cmd_restore, "list versions, or bring back the data as it was before "
            "one (atomically, with a changelog entry)")
    p.add_argument("version", nargs="?", help="a version from `restore --list`")
    p.add_argument("--list", action="store_true", help="list the changelog")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--force", action="store_true",
                   help="also undo later changes to the same tables (listed by --dry-run)")
    p = add("publish", cmd_publish, "write the static edition: maps, every State's profile "
            "and brief, data downloads, as plain files that open offline")
    p.add_argument("out", type=Path, help="output folder (created)")
    p.add_argument("--as-of", type=_date_arg, default=date.today(), metavar="YYYY-MM-DD",
                   help="the edition's date (default today); maps also on 2007-11-13")
    p.add_argument("--lang", choices=("en", "ru"), default="en")
    p.add_argument("--states", default=None, metavar="ALB,KAZ",
                   help="only these States' profiles and briefs (default: all)")
    p.add_argument("--no-briefs", action="store_true", help="leave out the PDF/PPTX briefs")
    p = add("serve", cmd_serve, "run the web app, its default views warmed before the first "
            "visitor and rebuilt when data/ changes (one replica; see docs/DEPLOY.md)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1",
                   help="address to listen on (0.0.0.0 in a container)")
    # Any other option is passed on to `streamlit run` (e.g. --server.baseUrlPath cthb).
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command != "serve":
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.streamlit_args = unknown
    from cthb.importer import RecoveryStuck, recover

    # Finish or undo an interrupted import before anything (a warning if it cannot be done now).
    # The writers do it themselves, under their lock, and refuse if it cannot be done.
    if args.command not in ("import", "restore", "build"):
        recover(paths.data_dir(), paths.db_path())
    try:
        return int(args.handler(args))
    except ValidationError as exc:
        print(f"error: the data in {paths.data_dir()} is not valid; nothing was changed.\n"
              f"{format_problems(exc.problems)}", file=sys.stderr)
        return 1
    except (NotWritable, RecoveryStuck) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
