"""Colour-blind readers: categories differ in lightness, not only in hue, and every chart also
names its categories in text and carries the table of its numbers."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pandas as pd
import pytest

from cthb.charts.catalog import ChartParams, ChartResult, ChartSpec, load_all
from cthb.charts.style import GAP_SCALE, STATUS_COLOURS
from cthb.facts import Facts
from cthb.i18n import status_label
from cthb.indicators import INDICATORS

MIN_LIGHTNESS_STEP = 10.0  # CIELAB L*: categories in one legend at least this far apart
REPORT_DATE = date(2007, 11, 13)


def lightness(hex_colour: str) -> float:
    """CIELAB L* of an sRGB colour (D65), computed here so the test depends on nothing."""
    h = hex_colour.lstrip("#")
    assert len(h) == 6, hex_colour

    def linear(channel: str) -> float:
        c = int(channel, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(h[i:i + 2]) for i in (0, 2, 4))
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b  # relative luminance (white Y = 1)
    f = y ** (1 / 3) if y > (6 / 29) ** 3 else y / (3 * (6 / 29) ** 2) + 4 / 29
    return 116 * f - 16


def test_lightness_of_known_colours() -> None:
    assert lightness("#000000") == pytest.approx(0, abs=0.01)
    assert lightness("#ffffff") == pytest.approx(100, abs=0.01)
    assert lightness("#777777") == pytest.approx(50.0, abs=0.5)  # mid grey


def test_every_status_has_a_colour() -> None:
    missing = {s for ind in INDICATORS.values() for s in ind.statuses} - set(STATUS_COLOURS)
    assert not missing


@pytest.mark.parametrize("indicator", sorted(INDICATORS))
def test_statuses_of_an_indicator_differ_in_lightness(indicator: str) -> None:
    statuses = INDICATORS[indicator].statuses
    too_close = [
        (a, b, round(lightness(STATUS_COLOURS[a]), 1), round(lightness(STATUS_COLOURS[b]), 1))
        for a, b in itertools.combinations(statuses, 2)
        if abs(lightness(STATUS_COLOURS[a]) - lightness(STATUS_COLOURS[b])) < MIN_LIGHTNESS_STEP
    ]
    assert not too_close, f"{indicator}: L* closer than {MIN_LIGHTNESS_STEP}: {too_close}"


def test_unknown_is_not_the_colour_of_no() -> None:
    assert STATUS_COLOURS["unknown"].lower() != STATUS_COLOURS["no"].lower()
    # ... nor of any status that is a gap: unknown must never read as "no".
    gaps = {s for ind in INDICATORS.values() for s in ind.gap_statuses}
    assert all(STATUS_COLOURS["unknown"].lower() != STATUS_COLOURS[s].lower() for s in gaps)


def test_gap_scale_gets_darker() -> None:
    values = [lightness(c) for c in GAP_SCALE]
    assert values == sorted(values, reverse=True)


# --- charts name their categories in text ----------------------------------------------------

CHARTS: dict[str, ChartSpec] = load_all()


def _texts(node: Any) -> set[str]:
    """Every string anywhere in a figure's JSON (names, legend, annotations, ticks, hover)."""
    out: set[str] = set()
    if isinstance(node, str):
        out.add(node)
    elif isinstance(node, dict):
        for value in node.values():
            out |= _texts(value)
    elif isinstance(node, list | tuple):
        for value in node:
            out |= _texts(value)
    elif hasattr(node, "tolist"):  # numpy arrays of labels
        out |= _texts(node.tolist())
    return out


def _param_sets(spec: ChartSpec, lang: str) -> list[ChartParams]:
    # Charts about one State (profile) read it from `extra`; Kazakhstan has every kind of fact.
    extra = (("iso3", "KAZ"),) if "extra" in spec.uses else ()
    if "indicator" in spec.uses:
        return [ChartParams(as_of=REPORT_DATE, lang=lang, indicator=i, extra=extra)
                for i in INDICATORS]
    return [ChartParams(as_of=REPORT_DATE, lang=lang, extra=extra)]


@pytest.mark.parametrize("chart_id", sorted(CHARTS))
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_chart_names_categories_and_has_a_table(facts: Facts, chart_id: str, lang: str) -> None:
    spec = CHARTS[chart_id]
    for params in _param_sets(spec, lang):
        result = spec.build(facts, params)
        assert isinstance(result, ChartResult)
        where = f"{chart_id} {params}"
        # The table view / CSV of the chart.
        assert isinstance(result.data, pd.DataFrame) and not result.data.empty, where
        assert result.alt_text.strip(), f"{where}: no alt text"
        texts = _texts(result.figure.to_plotly_json())
        joined = "\n".join(texts)
        if "status" in result.data.columns:
            shown = result.data
            if "count" in shown.columns:  # count tables list every status, drawn or not
                shown = shown[shown["count"] > 0]
            statuses = {s for s in shown["status"].dropna().unique() if s in STATUS_COLOURS}
            unnamed = {s for s in statuses if status_label(s, lang) not in joined}
            assert not unnamed, f"{where}: categories not named in the figure: {unnamed}"
        else:
            # No status column: a legend entry, an axis title or a colour-bar title must say
            # what is drawn (the source line every figure carries does not count).
            layout = result.figure.layout
            named = any(getattr(tr, "name", None) and getattr(tr, "showlegend", True) is not False
                        for tr in result.figure.data)
            titled = bool(layout.xaxis.title.text or layout.yaxis.title.text
                          or getattr(layout.coloraxis.colorbar.title, "text", None))
            # A table names its columns in its header; a label on the figure names its place.
            labelled = any(
                (tr.type == "table" and tr.header.values)
                or ("text" in (getattr(tr, "mode", "") or "") and tr.text)
                for tr in result.figure.data)
            assert named or titled or labelled, (
                f"{where}: no legend, axis or colour-bar text names what is shown")
