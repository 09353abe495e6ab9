"""A static edition of the site: `python -m cthb publish OUT/` writes plain files that any web
server (or a USB stick, opened with a browser) can serve to any number of readers.

    OUT/index.html                  maps by indicator, every State (searchable), downloads
    OUT/maps/<INDICATOR>-<date>.html   each map indicator on today's date and the report date
    OUT/states/<ISO3>.html          every State's profile on today's date, with its brief
    OUT/briefs/<ISO3>-<date>.pdf|.pptx  the visit brief
    OUT/data/                       the full data zip (CSVs + datapackage.json + README), XLSX
    OUT/assets/                     plotly.js, the base map, the style sheet: nothing external

Everything is local: plotly.js comes from the installed plotly package and the base map from
static/topojson, preloaded by a script (so plotly.js never fetches it, which a browser refuses
for file:// pages anyway). The pages' links are relative. The same pure builders as the app
(cthb.views, the chart catalogue, cthb.export) make the content, so the edition says what the
app says on that date.
"""

from __future__ import annotations

import html
import json
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from cthb import dataset, paths, viewcache, views
from cthb.charts import map as mapchart
from cthb.dates import REPORT_DATE
from cthb.facts import Facts
from cthb.i18n import t
from cthb.profile import fold
from cthb.sources import source_refs, source_text

# The maps the static edition publishes (in force is the same map as party, by its own date).
PUBLISHED_MAPS = tuple(i for i in mapchart.MAP_INDICATORS if i != "COE197_IN_FORCE")
TOPOJSON_FOLDER = "assets/topojson/"  # only a fallback: basemaps.js preloads every base map
STYLE = """body{font-family:"Source Sans Pro",Helvetica,Arial,sans-serif;margin:0;color:#1f2a36}
header{background:#0b3c6b;color:#fff;padding:.6em 1.2em}header a{color:#fff;margin-right:1.2em}
main{max-width:1200px;margin:0 auto;padding:1em 1.2em}table{border-collapse:collapse;width:100%;
font-size:.9em;margin:.5em 0 1.2em}th,td{border-bottom:1px solid #ddd;padding:.3em .4em;
text-align:left;vertical-align:top}th{background:#e8eef5}.note{color:#555;font-size:.85em}
ul.states{columns:3;list-style:none;padding:0}ul.states li{padding:.15em 0}
input[type=search]{font-size:1.1em;padding:.3em;width:22em}.figure{min-height:420px}"""
SEARCH_JS = """document.getElementById('q').addEventListener('input', function () {
  const q = this.value.normalize('NFKD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase().trim();
  let shown = 0;
  document.querySelectorAll('ul.states li').forEach(function (li) {
    const hit = !q || li.dataset.names.includes(q);
    li.style.display = hit ? '' : 'none';
    if (hit) shown += 1;
  });
  document.getElementById('count').textContent = shown;
});"""


@dataclass(frozen=True)
class Published:
    out: Path
    pages: list[Path]
    files: list[Path]
    seconds: float


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _page(title: str, body: str, lang: str, depth: int, data_version: str,
          scripts: Iterable[str] = ()) -> str:
    up = "../" * depth
    heads = "".join(f'<script src="{up}assets/{s}"></script>' for s in scripts)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} · cthb</title><link rel="stylesheet" href="{up}assets/style.css">
<link rel="icon" href="{up}assets/favicon.png">{heads}</head>
<body><header><a href="{up}index.html"><b>cthb</b></a>
<a href="{up}index.html#maps">{_e(t("nav.map", lang))}</a>
<a href="{up}index.html#states">{_e(t("nav.profile", lang))}</a>
<a href="{up}index.html#data">{_e(t("nav.data", lang))}</a></header>
<main><h1>{_e(title)}</h1>{body}
<p class="note">{_e(t("app.disclaimer", lang))}<br>{_e(t("map.kosovo_note", lang))}<br>
{_e(t("app.data_version", lang, version=data_version))} · {_e(t("scale.static_note", lang))}
</p></main></body></html>
"""


def _figure(spec_json: str, div_id: str, depth: int) -> str:
    config = {"displaylogo": False, "responsive": True,
              "topojsonURL": "../" * depth + TOPOJSON_FOLDER}
    figure_html: str = pio.to_html(json.loads(spec_json), include_plotlyjs=False,
                                   full_html=False, div_id=div_id, config=config, validate=False)
    return '<div class="figure">' + figure_html + "</div>"


def _table(df: pd.DataFrame) -> str:
    if df.empty:
        return ""
    return df.to_html(index=False, escape=True, na_rep="", border=0)


def _sources(facts: Facts, ids: Iterable[str], lang: str) -> str:
    items = []
    for ref in source_refs(facts, ids):
        text = _e(source_text(ref, lang, with_url=False))
        if ref.url.startswith(("http://", "https://")):
            text += f' <a href="{_e(ref.url)}" rel="noopener">{_e(t("app.source", lang))}</a>'
        items.append(f"<li>{text}</li>")
    return f"<h2>{_e(t('app.sources', lang))}</h2><ul>{''.join(items)}</ul>"


def write_assets(out: Path) -> None:
    assets = out / "assets"
    (assets / "topojson").mkdir(parents=True, exist_ok=True)
    (assets / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    # Preload every base map, so plotly.js never fetches one (file:// forbids it).
    maps = {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in paths.TOPOJSON_DIR.glob("*.json")}
    (assets / "basemaps.js").write_text(
        "window.PlotlyGeoAssets = {topojson: " + json.dumps(maps) + "};", encoding="utf-8")
    for p in paths.TOPOJSON_DIR.iterdir():
        shutil.copy(p, assets / "topojson" / p.name)
    (assets / "style.css").write_text(STYLE, encoding="utf-8")
    (assets / "search.js").write_text(SEARCH_JS, encoding="utf-8")
    shutil.copy(paths.PROJECT_ROOT / "static" / "favicon.png", assets / "favicon.png")


def map_page(facts: Facts, indicator: str, on: date, lang: str) -> str:
    chart = viewcache.chart(facts, "map", views.map_params(on, lang, indicator))
    tables = views.map_tables(facts, chart)
    body = (f"<p>{_e(chart.subtitle)}</p>" + _figure(chart.spec_json, "map", 1)
            + f"<h2>{_e(t('map.legend_heading', lang))}</h2>" + _table(tables.legend)
            + f"<p>{_e(t('map.counts', lang))}: {_e(tables.treaty_counts.replace('**', ''))}</p>"
            + f"<p>{_e(chart.alt_text)}</p>" + _sources(facts, chart.source_ids, lang))
    return _page(chart.title, body, lang, 1, facts.data_version,
                 ("plotly.min.js", "basemaps.js"))


def state_page(facts: Facts, iso3: str, on: date, lang: str, briefs: dict[str, str]) -> str:
    view = views.profile_view(facts, iso3, on, lang)
    p, frames = view.profile, view.frames
    locator = views.profile_locator(facts, iso3, on, lang)
    timeline = views.profile_timeline(facts, iso3, on, lang)
    points = "".join(f"<li>{_e(pt.text)}</li>" for pt in p.points) or \
        f"<li>{_e(t('profile.no_points', lang))}</li>"
    brief_links = " · ".join(f'<a href="../{_e(path)}">{_e(label)}</a>'
                             for label, path in briefs.items())
    body = (f"<p>{_e(t('profile.as_of_line', lang, date=on.isoformat()))}</p>"
            + (f"<p><b>{_e(t('profile.brief_heading', lang))}</b>: {brief_links}</p>"
               if briefs else "")
            + f"<h2>{_e(t('profile.header', lang))}</h2>" + _table(frames["overview"])
            + _figure(locator.spec_json, "locator", 1)
            + f"<h2>{_e(t('profile.points', lang))}</h2><ul>{points}</ul>"
            + f"<h2>{_e(t('profile.treaties', lang))}</h2>" + _table(frames["treaties"])
            + f"<h2>{_e(t('profile.structures', lang))}</h2>" + _table(frames["structures"])
            + f"<h2>{_e(t('profile.monitoring', lang))}</h2>"
            + f"<p>{_e(p.monitoring.text)}</p>" + _table(frames["greta"])
            + f"<h2>{_e(t('profile.engagements', lang))}</h2>" + _table(frames["engagements"])
            + f"<h2>{_e(t('profile.timeline', lang))}</h2>"
            + _figure(timeline.spec_json, "timeline", 1)
            + _sources(facts, p.source_ids, lang))
    return _page(f"{p.name} ({iso3})", body, lang, 1, facts.data_version,
                 ("plotly.min.js", "basemaps.js"))


def index_page(facts: Facts, maps: dict[str, dict[date, str]], states: list[str], lang: str,
               downloads: dict[str, str]) -> str:
    rows = []
    for indicator, by_date in maps.items():
        links = " · ".join(f'<a href="{_e(path)}">{d.isoformat()}</a>'
                           for d, path in sorted(by_date.items(), reverse=True))
        rows.append(f"<tr><td>{_e(t(f'indicator.{indicator}', lang))}</td>"
                    f"<td>{links}</td></tr>")
    items = []
    for iso3 in sorted(states, key=lambda i: fold(facts.state_name(i, lang))):
        rec = facts.states[iso3]
        names = " ".join(fold(str(v)) for k, v in rec.items() if k.startswith("name_") and v)
        items.append(f'<li data-names="{_e(names + " " + iso3.lower())}">'
                     f'<a href="states/{iso3}.html">{_e(facts.state_name(iso3, lang))}</a>'
                     f" ({iso3})</li>")
    files = "".join(f'<li><a href="{_e(path)}">{_e(label)}</a></li>'
                    for label, path in downloads.items())
    body = (f"<p>{_e(t('scale.static_intro', lang))}</p>"
            f'<h2 id="maps">{_e(t("nav.map", lang))}</h2><table>{"".join(rows)}</table>'
            f'<h2 id="states">{_e(t("nav.profile", lang))}</h2>'
            f'<p><label for="q">{_e(t("profile.search", lang))}</label> '
            f'<input type="search" id="q" autocomplete="off"> '
            f'<span id="count">{len(items)}</span></p>'
            f'<ul class="states">{"".join(items)}</ul>'
            f'<h2 id="data">{_e(t("nav.data", lang))}</h2><ul>{files}</ul>'
            '<script src="assets/search.js"></script>')
    return _page(t("app.title", lang), body, lang, 0, facts.data_version)


def publish(facts: Facts, out: Path, *, today: date | None = None, lang: str = "en",
            states: list[str] | None = None, briefs: bool = True,
            progress: Callable[[str], None] | None = None) -> Published:
    """Write the site into `out` (created; files already there are replaced)."""
    started = time.monotonic()
    today = today or date.today()
    say = progress or (lambda _msg: None)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("maps", "states", "briefs", "data"):
        (out / sub).mkdir(exist_ok=True)
    write_assets(out)
    pages: list[Path] = []
    files: list[Path] = []

    def write(rel: str, content: str | bytes) -> Path:
        target = out / rel
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)
        (pages if rel.endswith(".html") else files).append(target)
        return target

    maps: dict[str, dict[date, str]] = {}
    for indicator in PUBLISHED_MAPS:
        for on in sorted({today, REPORT_DATE}):
            rel = f"maps/{indicator}-{on.isoformat()}.html"
            write(rel, map_page(facts, indicator, on, lang))
            maps.setdefault(indicator, {})[on] = rel
        say(f"map {indicator}")
    chosen = [s for s in (states or sorted(facts.states)) if s in facts.states]
    for iso3 in chosen:
        links: dict[str, str] = {}
        if briefs:
            from cthb.export.brief import brief_bytes

            for fmt in ("pdf", "pptx"):
                rel = f"briefs/{iso3}-{today.isoformat()}-{lang}.{fmt}"
                write(rel, brief_bytes(facts, iso3, today, fmt, lang))
                links[fmt.upper()] = rel
        write(f"states/{iso3}.html", state_page(facts, iso3, today, lang, links))
        say(f"state {iso3}")
    version = facts.data_version
    downloads = {
        t("data.download_csv", lang): write(f"data/cthb-data-{version}.zip",
                                            dataset.csv_zip(paths.data_dir(), version, lang)),
        t("data.download_xlsx", lang): write(
            f"data/cthb-data-{version}.xlsx",
            dataset.xlsx_bytes(dataset.read_tables_as_text(paths.data_dir()), paths.data_dir(),
                               version, lang)),
    }
    write("index.html", index_page(facts, maps, chosen, lang,
                                   {k: str(v.relative_to(out)) for k, v in downloads.items()}))
    return Published(out, pages, files, time.monotonic() - started)
