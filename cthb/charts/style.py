"""One look for every chart and map: a fixed colour per status, and the title, subtitle and
source line that make an exported image stand on its own.

The palettes are colour-blind safe: within each indicator the categories differ in lightness
(CIELAB L* at least 10 apart, checked by tests), not only in hue, and achieved statuses are
blue while gaps are warm. `unknown` is a neutral grey, never the colour of "no".
"""

from __future__ import annotations

import plotly.graph_objects as go

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


def frame_figure(fig: go.Figure, title: str, subtitle: str, source: str,
                 height: int | None = None) -> go.Figure:
    """Put title, subtitle (as-of date, filters) and source line inside the figure itself."""
    fig.update_layout(
        title={"text": f"<b>{title}</b><br><span style='font-size:0.8em;color:#555'>"
                       f"{subtitle}</span>",
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
