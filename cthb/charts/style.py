"""One look for every chart and map: a fixed colour per status, and the title, subtitle and
source line that make an exported image stand on its own.

The palettes are colour-blind safe: within each indicator the categories differ in lightness
(CIELAB L* at least 10 apart, checked by tests), not only in hue, and achieved statuses are
blue while gaps are warm. `unknown` is a neutral grey, never the colour of "no".
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go

from cthb.safe_text import plotly_literal

DARK_BLUE = "#0b3c6b"  # L* 25
MID_BLUE = "#3f8fd2"  # L* 57
AMBER = "#f0a03c"  # L* 72
RED = "#c8402f"  # L* 47: 10 from MID_BLUE, 12 from PURPLE
PURPLE = "#7b3294"  # L* 35: a plan that ran out, apart from "no" and from "yes"
UNKNOWN_GREY = "#d0d0d0"  # L* 83: at least 10 from AMBER (72), never the colour of "no"
PALE = "#f8edd6"  # L* 94: outside the scope of the indicator (CoE non-member); a cream, not
# the neutral grey of the land of non-OSCE countries on maps

STATUS_COLOURS: dict[str, str] = {
    # treaties
    "party": DARK_BLUE,
    "signed": MID_BLUE,
    "not signed": AMBER,
    "non-member": PALE,
    "unknown": UNKNOWN_GREY,
    # COE197 in force
    "in force": DARK_BLUE,
    "party, not yet in force": MID_BLUE,
    "not party": AMBER,
    # structures
    "yes": DARK_BLUE,
    "partial": MID_BLUE,
    "planned": AMBER,
    "expired": PURPLE,
    "no": RED,
    # survey
    "responded": DARK_BLUE,
    "not responded": AMBER,
    # GRETA monitoring: the further a State is in the cycle, the darker (L* 18 .. 62)
    "round 5": "#122d4b",
    "round 4": "#1c4675",
    "round 3": "#265fa1",
    "round 2": "#317bcf",
    "round 1": "#6199da",
    "no report yet": AMBER,
    "not monitored": PALE,
}
# Evidence more than five years older than the date shown: hatched on maps, outlined in the
# matrix, and named in every legend (see cthb.status.STALE_AFTER_YEARS).
STALE_MARK = "#3a3a3a"
# Sequential scale for counts of gaps (0 = none): light to dark warm.
GAP_SCALE = ["#fff5eb", "#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#a63603", "#7f2704",
             "#4d1802"]
CHANGED_OUTLINE = "#d62728"

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
SOURCE_ANNOTATION = "frame_source"  # the name of the source line frame_figure adds
TEXT_COLOUR = "#222222"
# 16:9 presentation size; exports scale this up (1920x1080 and more).
EXPORT_WIDTH, EXPORT_HEIGHT = 1600, 900


def luminance(fill: str) -> float:
    """WCAG relative luminance of a #rrggbb colour (0 black .. 1 white)."""
    r, g, b = (int(fill.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill`."""
    # Contrast with black (L+0.05)/0.05 equals that with white 1.05/(L+0.05) at L ~0.18.
    return "#111111" if luminance(fill) > 0.18 else "#ffffff"


def frame_figure(fig: go.Figure, title: str, subtitle: str, source: str,
                 height: int | None = None) -> go.Figure:
    """Put title, subtitle (as-of date, filters) and source line inside the figure itself.

    Title and subtitle are plain text (they may name a State: data) and are escaped here; the
    source line may hold <br> line breaks, so its data parts are escaped by the caller."""
    fig.update_layout(
        title={"text": f"<b>{plotly_literal(title)}</b><br><span style='font-size:0.8em;"
                       f"color:#555'>{plotly_literal(subtitle)}</span>",
               "x": 0.01, "xanchor": "left", "y": 0.97, "yanchor": "top"},
        font={"family": FONT_FAMILY, "color": TEXT_COLOUR, "size": 13},
        margin={"t": 90, "b": 70, "l": 20, "r": 20},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    if height:
        fig.update_layout(height=height)
    # Named, so a slide or the screen can find the source line (the last annotation only
    # until a chart adds its own after framing).
    fig.add_annotation(text=source, xref="paper", yref="paper", x=0, y=0, xanchor="left",
                       yanchor="top", yshift=-40, showarrow=False, align="left",
                       font={"size": 10, "color": "#555"}, name=SOURCE_ANNOTATION)
    return fig


def source_note_lines(fig: go.Figure) -> list[str]:
    """The source line `frame_figure` drew into the figure, as plain lines of text."""
    import html
    import re

    for a in fig.layout.annotations or ():
        if a.name == SOURCE_ANNOTATION and a.text:
            return [html.unescape(re.sub(r"<[^>]+>", "", x)) for x in a.text.split("<br>")]
    return []


def screen_figure(fig: go.Figure,
                  phone: Callable[[go.Figure], None] | None = None) -> go.Figure:
    """The chart as a page shows it: its title, subtitle and source line become page text,
    which wraps on any screen (the page prints them around the chart), so they leave the
    figure; on a phone, `phone` (the chart's phone layout) rearranges the copy. The exported
    files keep the framed figure. Returns a copy: the figure given is not changed (it may be
    cached and shared between sessions)."""
    spec = fig.layout.to_plotly_json()
    spec["title"] = {"text": ""}
    annotations = list(spec.get("annotations", []))
    source = next((a for a in annotations if a.get("name") == SOURCE_ANNOTATION), None)
    spec["annotations"] = [a for a in annotations if a is not source]
    margin = dict(spec.get("margin") or {})
    # The title block took about 65 px at the top; each line of the source note 14 px below.
    margin["t"] = max(24, int(margin.get("t", 90)) - 65)
    if source is not None:
        lines = str(source.get("text", "")).count("<br>") + 1
        margin["b"] = max(24, int(margin.get("b", 70)) - 14 * lines - 16)
    spec["margin"] = margin
    screen = go.Figure(data=fig.data, layout=spec)
    if phone is not None:
        phone(screen)
    return screen


def phone_default(fig: go.Figure) -> None:
    """A chart on a phone (about 360 px wide): the legend in rows above the plot instead of
    beside it, and margins left to the axes' own labels."""
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02,
                              "yanchor": "bottom"},
                      margin={"l": 8, "r": 8})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
