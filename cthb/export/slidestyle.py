"""Charts made for a slide: type large enough to read from the back of a room.

A chart picture is drawn at `size` pixels and placed `width_in` inches wide on the slide, so
one point of type on the slide is `px_per_pt` pixels of the figure. `lift_fonts` raises every
font of the figure to at least the pixel size of the wanted point size; nothing is made
smaller. Used by the slide deck (charts >= 14 pt, legends >= 12 pt) and the brief's slides.
"""

from __future__ import annotations

import copy
import math
from typing import Any

# Figure keys that hold a font ({"size": ...}).
FONT_KEYS = ("font", "tickfont", "textfont", "insidetextfont", "outsidetextfont")
PLOTLY_DEFAULT_FONT_PX = 12  # plotly.js's layout.font.size when none is set


def px_per_pt(width_px: int, width_in: float) -> float:
    """Figure pixels per point of type on the slide (72 points to the inch)."""
    return width_px / width_in / 72


def min_px(points: float, width_px: int, width_in: float) -> int:
    return math.ceil(points * px_per_pt(width_px, width_in))


def lift_fonts(spec: dict[str, Any], text_px: int, legend_px: int) -> dict[str, Any]:
    """A copy of the figure spec with every font at least `text_px` (the legend at least
    `legend_px`). The figure's own default font is lifted too, so text that names no size of
    its own (axis titles, hover-free labels) inherits a readable one."""
    out = copy.deepcopy(spec)
    layout = out.setdefault("layout", {})
    font = layout.setdefault("font", {})
    font["size"] = max(font.get("size") or PLOTLY_DEFAULT_FONT_PX, text_px)
    for key, value in layout.items():
        if key not in ("legend", "font"):  # layout.font is set above
            _walk(value, text_px)
    _walk(out.get("data", []), text_px)
    legend = layout.setdefault("legend", {})
    legend.setdefault("font", {})
    legend["font"]["size"] = max(legend["font"].get("size") or 0, legend_px)
    _walk(legend, legend_px)
    return out


def _walk(node: Any, floor: int) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in FONT_KEYS and isinstance(value, dict) and "size" in value:
                size = value["size"]
                if isinstance(size, int | float):
                    value["size"] = max(size, floor)
                elif isinstance(size, list):  # per-point sizes
                    value["size"] = [max(s, floor) if isinstance(s, int | float) else s
                                     for s in size]
            _walk(value, floor)
    elif isinstance(node, list):
        for item in node:
            _walk(item, floor)


def smallest_font(spec: dict[str, Any]) -> float:
    """The smallest font size named anywhere in the figure (for tests)."""
    sizes: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in FONT_KEYS and isinstance(value, dict) and "size" in value:
                    size = value["size"]
                    sizes.extend(s for s in (size if isinstance(size, list) else [size])
                                 if isinstance(s, int | float))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    return min(sizes) if sizes else PLOTLY_DEFAULT_FONT_PX


def wrap_legend_names(spec: dict[str, Any], chars: int = 30) -> dict[str, Any]:
    """Long legend entries on two or more lines, so a legend beside a chart stays narrow."""
    import textwrap

    data = []
    for trace in spec.get("data", []):
        name = trace.get("name")
        if isinstance(name, str) and len(name) > chars and "<br>" not in name:
            trace = {**trace, "name": "<br>".join(textwrap.wrap(name, chars))}
        data.append(trace)
    return {**spec, "data": data}
