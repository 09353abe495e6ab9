"""`python -m cthb export` and `python -m cthb deck`: charts and decks as files, for batch work.

cthb/cli.py adds these commands' arguments (`add_export_arguments`, `add_deck_arguments`) and
calls `run_export` / `run_deck` through lazy imports, so `python -m cthb status` never loads
plotly, kaleido or python-pptx. The facts come from cthb.facts.current_facts, like every command.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from cthb.facts import current_facts
from cthb.i18n import available_languages
from cthb.indicators import INDICATORS

# Command-line names -> catalogue chart ids (`gaps` is the status bars of the Gaps page,
# `survey` the survey respondents by region).
CLI_CHARTS = {"map": "map", "tiles": "tiles", "gaps": "status_bars", "matrix": "matrix",
              "timeline": "timeline", "survey": "survey_regions"}
TABLE_FORMATS = ("csv", "xlsx", "zip")
PRESET_NAMES = ("treaty-overview", "national-structures", "survey-coverage")


def add_export_arguments(p: argparse.ArgumentParser, date_arg: object) -> None:
    p.add_argument("chart", choices=tuple(CLI_CHARTS), help="which chart")
    p.add_argument("--indicator", choices=tuple(INDICATORS), default=None,
                   help="indicator of a map or tile map (default UNTOC)")
    p.add_argument("--as-of", type=date_arg, default=date.today(), metavar="YYYY-MM-DD")  # type: ignore[arg-type]
    p.add_argument("--view", default=None, type=_view_arg,
                   help="map view, e.g. osce, europe, central_asia")
    p.add_argument("--lang", choices=available_languages(), default="en")
    p.add_argument("--out", required=True, type=Path,
                   help="output file; the format comes from its suffix: "
                        ".png .svg .pdf .html .csv .xlsx .zip (a .csv gets its "
                        "description beside it in <name>.datapackage.json; a .zip holds the "
                        "CSV, datapackage.json and a README)")


def _view_arg(text: str) -> str:
    """A map view name, checked like a `choices` list (cthb.geo is imported only when a view is
    given: it loads shapely, which `python -m cthb status` does not need)."""
    from cthb.geo import VIEWS

    if text not in VIEWS:
        raise argparse.ArgumentTypeError(
            f"invalid choice: {text!r} (choose from {', '.join(repr(v) for v in VIEWS)})")
    return text


def add_deck_arguments(p: argparse.ArgumentParser, date_arg: object) -> None:
    p.add_argument("--preset", choices=PRESET_NAMES, required=True)
    p.add_argument("--as-of", type=date_arg, default=date.today(), metavar="YYYY-MM-DD")  # type: ignore[arg-type]
    p.add_argument("--lang", choices=available_languages(), default="en")
    p.add_argument("--out", required=True, type=Path, help="output .pptx file")


def _write(out: Path, data: bytes) -> None:
    # Write next to the target and rename, so a failed run never leaves half a file behind.
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)


def run_export(args: argparse.Namespace) -> int:
    from cthb.charts import catalog
    from cthb.charts.catalog import ChartParams
    from cthb.export import images, tables
    from cthb.i18n import t

    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in (*images.FORMATS, *TABLE_FORMATS):
        print(f"error: cannot tell the format from {args.out.name!r}; use one of "
              f".{' .'.join((*images.FORMATS, *TABLE_FORMATS))}", file=sys.stderr)
        return 2
    chart_id = CLI_CHARTS[args.chart]
    spec = catalog.load_all().get(chart_id)
    if spec is None:
        print(f"error: the {args.chart!r} chart is not available in this version",
              file=sys.stderr)
        return 1
    facts = current_facts()
    params = ChartParams(as_of=args.as_of, lang=args.lang,
                         indicator=args.indicator if "indicator" in spec.uses else None,
                         view=args.view if "view" in spec.uses else None)
    result = spec.build(facts, params)
    sidecar: tuple[Path, bytes] | None = None
    if fmt in TABLE_FORMATS:
        meta = tables.table_meta(facts, result.title, args.as_of, result.source_ids,
                                 filters=_filters(params), labels=tables.table_labels(args.lang),
                                 lang=args.lang)
        stem = args.out.name.rsplit(".", 1)[0]
        if fmt == "csv":
            data = tables.to_csv_bytes(result.data, meta)
            # The CSV is data only; what it is goes beside it (Frictionless descriptor).
            descriptor = tables.package(result.data, meta, args.out.name, data)
            sidecar = (args.out.with_name(f"{stem}.datapackage.json"),
                       json.dumps(descriptor, ensure_ascii=False, indent=1).encode("utf-8"))
        elif fmt == "zip":
            data = tables.to_zip_bytes(result.data, meta, stem)
        else:
            data = tables.to_xlsx_bytes(result.data, meta)
    else:
        try:
            data = images.export_chart(result, fmt, chart_id=chart_id, params=params,
                                       data_version=facts.data_version)
        except images.ExportUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    _write(args.out, data)
    if sidecar is not None:
        _write(*sidecar)
        print(f"wrote {sidecar[0]} (its description: columns, sources, status words, licence)")
    print(f"wrote {args.out} ({len(data) // 1024} kB): {result.title} — "
          f"{t('deck.as_of', args.lang, date=args.as_of.isoformat())}")
    return 0


def _filters(params: object) -> dict[str, str]:
    out = {}
    for name in ("indicator", "view", "region", "group"):
        value = getattr(params, name, None)
        if value:
            out[name] = str(value)
    return out


def run_deck(args: argparse.Namespace) -> int:
    from cthb.export import deck, images

    if args.out.suffix.lower() != ".pptx":
        print("error: the deck is a PowerPoint file: --out must end in .pptx", file=sys.stderr)
        return 2
    facts = current_facts()
    try:
        built = deck.preset_deck(facts, args.preset, args.as_of, args.lang)
    except images.ExportUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _write(args.out, built.pptx)
    for note in built.skipped:
        print(f"note: left out {note}", file=sys.stderr)
    print(f"wrote {args.out} ({len(built.pptx) // 1024} kB): {built.slides} chart slides")
    return 0
