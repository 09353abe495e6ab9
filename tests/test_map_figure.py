"""The map and tile figures: every State drawn once and reachable, the legend counts equal to the
status engine's, nothing fetched from a CDN, disclaimer and source inside the figure."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, SupportsInt, cast

import plotly.graph_objects as go
import pytest

from cthb import geo
from cthb.charts import map as mapchart
from cthb.charts.catalog import ChartParams, load_all
from cthb.charts.style import CHANGED_OUTLINE, STATUS_COLOURS, UNKNOWN_GREY, text_colour
from cthb.facts import GROUPS, Facts
from cthb.i18n import t
from cthb.indicators import gap_frame, indicator_frame, status_counts
from cthb.status import treaty_status_of

REPORT = date(2007, 11, 13)
MONGOLIA_JOINED = date(2012, 11, 21)
LATEST = date(2024, 6, 30)


def _status_traces(fig: go.Figure) -> list[Any]:
    """Choropleth traces of participating States (one per category): those in the legend
    group of a category (context, Kosovo and not-yet-participating areas have none)."""
    return [tr for tr in fig.data if tr.type == "choropleth" and tr.legendgroup]


def _drawn_states(fig: go.Figure) -> list[str]:
    return [a3 for tr in _status_traces(fig) for a3 in tr.locations]


def _build(facts: Facts, chart: str = "map", **kw: Any) -> Any:
    return load_all()[chart].build(facts, ChartParams(**kw))


def test_registered_in_the_catalogue() -> None:
    charts = load_all()
    assert {"map", "tiles"} <= set(charts)
    assert "view" in charts["map"].uses and "compare_to" in charts["map"].uses


@pytest.mark.parametrize("chart", ["map", "tiles"])
@pytest.mark.parametrize(("on", "n"), [(REPORT, 56), (date(2012, 11, 20), 56),
                                       (MONGOLIA_JOINED, 57), (LATEST, 57)])
def test_56_states_before_mongolia_joined_57_after(facts: Facts, chart: str, on: date,
                                                    n: int) -> None:
    fig = _build(facts, chart, as_of=on, indicator="UNTOC").figure
    drawn = _drawn_states(fig)
    assert len(drawn) == n
    assert len(set(drawn)) == n, "a State is drawn twice"
    assert ("MNG" in drawn) == (on >= MONGOLIA_JOINED)
    assert set(drawn) == set(facts.participating_states(on))


def test_mongolia_before_2012_is_drawn_as_a_non_participating_area(facts: Facts) -> None:
    fig = _build(facts, as_of=REPORT, indicator="UNTOC").figure
    absent = [tr for tr in fig.data if tr.type == "choropleth" and not tr.legendgroup
              and "MNG" in list(tr.locations)]
    assert len(absent) == 1
    assert "Not a participating State" in absent[0].text[0]


@pytest.mark.parametrize("indicator", mapchart.MAP_INDICATORS)
@pytest.mark.parametrize("on", [REPORT, LATEST])
def test_every_microstate_has_a_clickable_marker(facts: Facts, indicator: str,
                                                 on: date) -> None:
    fig = _build(facts, as_of=on, indicator=indicator).figure
    markers = [tr for tr in fig.data if tr.type == "scattergeo" and tr.mode == "markers"]
    assert len(markers) == 1
    assert sorted(markers[0].customdata) == sorted(geo.MICROSTATES)
    assert len(markers[0].marker.color) == len(geo.MICROSTATES)
    # The marker's colour is its State's colour on the map.
    colour_of = {a3: tr.colorscale[0][1] for tr in _status_traces(fig) for a3 in tr.locations}
    for a3, colour in zip(markers[0].customdata, markers[0].marker.color, strict=True):
        assert colour == colour_of[a3]
    # ... and the polygons are there too.
    assert set(geo.MICROSTATES) <= set(_drawn_states(fig))


def _legend(fig: go.Figure) -> dict[str, int]:
    """Legend entry name -> count, from the traces that show a legend entry."""
    out = {}
    for tr in fig.data:
        if tr.showlegend and tr.legendgroup:
            label, _, count = tr.name.rpartition(" (")
            out[label] = int(count.rstrip(")"))
    return out


@pytest.mark.parametrize("treaty", ["UNTOC", "PALERMO", "COE197"])
@pytest.mark.parametrize("on", [REPORT, date(2010, 6, 1), LATEST])
def test_counts_equal_the_status_engine(facts: Facts, treaty: str, on: date) -> None:
    # What `python -m cthb status --treaty T --as-of D` prints, counted.
    engine: dict[str, int] = {}
    for iso3 in facts.participating_states(on):
        s = treaty_status_of(facts, iso3, treaty, on).status
        engine[s] = engine.get(s, 0) + 1
    fig = _build(facts, as_of=on, indicator=treaty).figure
    by_category: dict[str, int] = {}
    for tr in _status_traces(fig):
        by_category[tr.legendgroup] = by_category.get(tr.legendgroup, 0) + len(tr.locations)
    assert by_category == engine
    from cthb.i18n import status_label, t
    legend = _legend(fig)
    # Statuses carried forward from a record more than five years old are hatched, and the
    # hatching has its own legend entry with their number.
    stale = sum(treaty_status_of(facts, i, treaty, on).stale
                for i in facts.participating_states(on))
    assert legend.pop(t("map.stale_legend"), 0) == stale
    # `unknown` is named with the "?" that marks its States on the map.
    assert legend == {status_label(s) + (" ?" if s == "unknown" else ""): n
                      for s, n in engine.items()}


def test_untoc_on_the_report_date(facts: Facts) -> None:
    result = _build(facts, as_of=REPORT, indicator="UNTOC")
    assert "Party 46 · Signed 9 · Not signed 1" in result.subtitle
    assert "Party 46 · Signed 9 · Not signed 1" in result.figure.layout.title.text
    assert _legend(result.figure) == {"Party": 46, "Signed": 9, "Not signed": 1}


@pytest.mark.parametrize("indicator", ["NCM", "NAP", "NR", "NRM", "SURVEY", "COE197_IN_FORCE"])
def test_structure_and_survey_counts(facts: Facts, indicator: str) -> None:
    fig = _build(facts, as_of=REPORT, indicator=indicator).figure
    expected = {s: n for s, n in
                status_counts(indicator_frame(facts, indicator, REPORT), indicator).items() if n}
    got: dict[str, int] = {}
    for tr in _status_traces(fig):
        got[tr.legendgroup] = got.get(tr.legendgroup, 0) + len(tr.locations)
    assert got == expected


def test_unknown_has_its_own_colour_not_that_of_no(facts: Facts) -> None:
    fig = _build(facts, as_of=LATEST, indicator="NR").figure
    colours = {tr.legendgroup: tr.colorscale[0][1] for tr in _status_traces(fig)}
    assert colours["unknown"] == UNKNOWN_GREY
    assert colours["no"] == STATUS_COLOURS["no"] != UNKNOWN_GREY


def test_gaps_counts_from_gap_frame(facts: Facts) -> None:
    result = _build(facts, as_of=REPORT, indicator="GAPS")
    g = gap_frame(facts, REPORT).set_index("iso3")
    for tr in _status_traces(result.figure):
        for a3 in tr.locations:
            if tr.legendgroup == "unknown":
                assert g.at[a3, "unknowns"] == 7
            else:
                assert int(tr.legendgroup) == g.at[a3, "gaps"]
    # The unknown count is in the hover.
    hover = {a3: text for tr in _status_traces(result.figure)
             for a3, text in zip(tr.locations, tr.text, strict=True)}
    unknowns = cast(SupportsInt, g.at["RUS", "unknowns"])  # a count; pandas: any scalar
    assert f"{int(unknowns)} unknown" in hover["RUS"]
    assert result.source_ids


def test_no_trace_uses_a_cdn_location_mode(facts: Facts) -> None:
    for chart in ("map", "tiles"):
        for view in geo.VIEWS:
            fig = _build(facts, chart, as_of=LATEST, indicator="NRM", view=view).figure
            for tr in fig.data:
                if tr.type == "choropleth":
                    assert tr.geojson is not None
                    assert tr.locationmode in (None, "geojson-id")
                    assert tr.featureidkey == "id"
            assert '"ISO-3"' not in fig.to_json()


def test_disclaimer_source_and_kosovo_note_inside_the_figure(facts: Facts) -> None:
    result = _build(facts, as_of=REPORT, indicator="UNTOC")
    notes = " ".join(a.text for a in result.figure.layout.annotations)
    assert "do not imply official endorsement or acceptance" in notes
    assert "Source:" in notes and "untreaties-scrape-18-12" in notes
    assert "Resolution 1244" in notes
    kosovo = [tr for tr in result.figure.data if tr.type == "choropleth"
              and list(tr.locations) == [geo.KOSOVO_ID]]
    assert len(kosovo) == 1
    assert "Not a participating State" in kosovo[0].text[0]
    assert "1244" in kosovo[0].text[0]
    assert geo.KOSOVO_ID not in _drawn_states(result.figure)
    tiles = _build(facts, "tiles", as_of=REPORT, indicator="UNTOC").figure
    assert "official endorsement" in " ".join(a.text for a in tiles.layout.annotations)


def test_hover_names_status_evidence_and_source_in_the_language(facts: Facts) -> None:
    fig = _build(facts, as_of=REPORT, indicator="UNTOC", lang="ru").figure
    hover = {a3: text for tr in _status_traces(fig)
             for a3, text in zip(tr.locations, tr.text, strict=True)}
    assert facts.state_name("DEU", "ru") in hover["DEU"]
    assert t("status.party", "ru") in hover["DEU"]
    s = treaty_status_of(facts, "DEU", "UNTOC", REPORT)
    assert s.decided_by is not None  # Germany's status on the report date rests on evidence
    assert str(s.decided_by.on) in hover["DEU"]
    assert s.source_id in hover["DEU"]


def test_compare_mode_outlines_changes_and_lists_them(facts: Facts) -> None:
    result = _build(facts, as_of=LATEST, indicator="UNTOC", compare_to=REPORT)
    before = {a3: treaty_status_of(facts, a3, "UNTOC", REPORT).status
              for a3 in facts.participating_states(REPORT)}
    after = {a3: treaty_status_of(facts, a3, "UNTOC", LATEST).status
             for a3 in facts.participating_states(LATEST)}
    # A real change of status between two known statuses; Mongolia, not yet participating in
    # 2007, and statuses that only became known are listed apart, never outlined.
    expected = {a3 for a3 in after if a3 in before and "unknown" not in (before[a3], after[a3])
                and before[a3] != after[a3]}
    assert "CZE" in expected  # signed in 2007, party since 2013
    assert result.data.set_index("iso3").loc["MNG", "change"] == "not participating"
    outlined = {a3 for tr in _status_traces(result.figure)
                if tr.marker.line.color == CHANGED_OUTLINE for a3 in tr.locations}
    assert outlined == expected
    changes = mapchart.map_changes(result.data)
    assert set(changes["iso3"]) == expected
    row = changes.set_index("iso3").loc["CZE"]
    assert (row["before_label"], row["status_label"]) == ("Signed", "Party")
    hover = {a3: text for tr in _status_traces(result.figure)
             for a3, text in zip(tr.locations, tr.text, strict=True)}
    assert "2007-11-13: Signed → 2024-06-30: Party" in hover["CZE"]
    # Without a comparison date, nothing is outlined and there are no changes.
    plain = _build(facts, as_of=LATEST, indicator="UNTOC")
    assert mapchart.map_changes(plain.data).empty
    assert all(tr.marker.line.color != CHANGED_OUTLINE for tr in _status_traces(plain.figure))


@pytest.mark.parametrize("group", GROUPS)
def test_filters_fade_the_other_states(facts: Facts, group: str) -> None:
    fig = _build(facts, as_of=LATEST, indicator="COE197", group=group).figure
    members = {a3 for a3 in facts.participating_states(LATEST)
               if facts.in_group(a3, group, LATEST)}
    assert 0 < len(members) < 57
    full = {a3 for tr in _status_traces(fig) if tr.marker.opacity == 1 for a3 in tr.locations}
    faded = {a3 for tr in _status_traces(fig) if tr.marker.opacity < 1 for a3 in tr.locations}
    assert full == members
    assert len(full | faded) == 57


def test_eu_members_2007(facts: Facts) -> None:
    assert sum(facts.in_group(a3, "EU", REPORT)
               for a3 in facts.participating_states(REPORT)) == 27


@pytest.mark.parametrize("view", geo.VIEWS)
def test_every_view_builds_with_its_subplots(facts: Facts, view: str) -> None:
    fig = _build(facts, as_of=REPORT, indicator="NR", view=view).figure
    layout = fig.layout.to_plotly_json()
    for key in geo.view_subplots(view):
        assert layout[key]["projection"]["type"] == "conic equal area"
        assert layout[key]["visible"] is False  # plotly's de-facto base map stays off
    assert len(_drawn_states(fig)) == 56


def test_whole_region_figure_is_small_enough(facts: Facts) -> None:
    # The benchmark prints the size; this guards the order of magnitude (geometry shipped once).
    size = len(_build(facts, as_of=LATEST, indicator="GAPS", compare_to=REPORT)
               .figure.to_json())
    assert size < 450_000


def test_tiles_one_square_per_state_with_readable_labels(facts: Facts) -> None:
    fig = _build(facts, "tiles", as_of=LATEST, indicator="NR").figure
    gj_ids = {f["id"] for tr in _status_traces(fig) for f in tr.geojson["features"]}
    assert gj_ids == set(_drawn_states(fig)) == set(geo.state_ids())
    labels = next(tr for tr in fig.data if tr.type == "scattergeo" and tr.mode == "text")
    assert sorted(labels.text) == sorted(geo.state_ids())
    fill = {a3: tr.colorscale[0][1] for tr in _status_traces(fig) for a3 in tr.locations}
    for a3, colour in zip(labels.text, labels.textfont.color, strict=True):
        assert colour == text_colour(fill[a3])
    assert text_colour(STATUS_COLOURS["party"]) == "#ffffff"
    assert text_colour(UNKNOWN_GREY) == "#111111"


def test_selected_state_from_selection_events() -> None:
    choropleth = {"selection": {"points": [{"curve_number": 3, "location": "UKR",
                                            "customdata": "UKR"}]}}
    marker = {"selection": {"points": [{"curve_number": 9, "customdata": "SMR", "lon": 12.4}]}}
    assert mapchart.selected_state(choropleth) == "UKR"
    assert mapchart.selected_state(marker) == "SMR"
    assert mapchart.selected_state({"selection": {"points": []}}) is None
    assert mapchart.selected_state({"selection": {"points": [{"location": "XKX"}]}}) is None
    assert mapchart.selected_state(None) is None


def test_figure_json_is_plain_json(facts: Facts) -> None:
    spec = json.loads(_build(facts, as_of=REPORT, indicator="SURVEY").figure.to_json())
    assert spec["layout"]["geo2"]["domain"]


def test_unknown_states_are_marked_on_the_map(facts: Facts) -> None:
    """The grey of `unknown` is near the grey of land outside the OSCE: every unknown State
    also carries a "?" at its label point, and the legend says so."""
    from datetime import date as _date

    from cthb.charts.catalog import ChartParams
    from cthb.charts.map import UNKNOWN_MARK, build_map

    params = ChartParams(as_of=_date(2026, 1, 1), indicator="NR", view="osce")
    res = build_map(facts, params)
    unknown = set(res.data.loc[res.data["status"] == "unknown", "iso3"])
    assert unknown
    marks = [tr for tr in res.figure.data if tr.type == "scattergeo" and tr.mode == "text"]
    marked = sum(len(tr.text) for tr in marks)
    assert marked == len(unknown) and all(x == UNKNOWN_MARK for tr in marks for x in tr.text)
    legend = [tr.name for tr in res.figure.data if tr.legendgroup == "unknown" and tr.showlegend]
    assert legend and UNKNOWN_MARK in legend[0]
