"""Map geometry: the 57 States, UN-recognised borders, microstate markers, tiles, views."""

from __future__ import annotations

from typing import cast

import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from cthb import geo, paths
from cthb.facts import Facts

OSCE_ISO3 = {
    "ALB", "AND", "ARM", "AUT", "AZE", "BLR", "BEL", "BIH", "BGR", "CAN", "HRV", "CYP",
    "CZE", "DNK", "EST", "FIN", "FRA", "GEO", "DEU", "GRC", "VAT", "HUN", "ISL", "IRL",
    "ITA", "KAZ", "KGZ", "LVA", "LIE", "LTU", "LUX", "MLT", "MDA", "MCO", "MNG", "MNE",
    "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "RUS", "SMR", "SRB", "SVK", "SVN", "ESP",
    "SWE", "CHE", "TJK", "TUR", "TKM", "UKR", "GBR", "USA", "UZB",
}  # fmt: skip


def _geoms() -> dict[str, shapely.Geometry]:
    return {f["id"]: shape(f["geometry"]) for f in geo.states_geojson()["features"]}


def test_57_features_with_unique_ids() -> None:
    features = geo.states_geojson()["features"]
    ids = [f["id"] for f in features]
    assert len(features) == 57
    assert len(set(ids)) == 57
    assert set(ids) == OSCE_ISO3
    for f in features:
        assert f["properties"]["iso3"] == f["id"]
        assert f["properties"]["name_en"]


def test_states_valid_and_not_empty() -> None:
    for a3, g in _geoms().items():
        assert not g.is_empty, a3
        assert g.is_valid, (a3, shapely.is_valid_reason(g))
        assert g.geom_type in ("Polygon", "MultiPolygon"), a3


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (34.10, 44.95, "UKR"),  # Simferopol: Crimea is Ukraine (UN GA res. 68/262)
        (33.52, 44.60, "UKR"),  # Sevastopol
        (33.36, 35.19, "CYP"),  # north Nicosia
        (33.32, 35.34, "CYP"),  # Kyrenia, northern Cyprus
        (37.62, 55.75, "RUS"),  # Moscow
        (30.52, 50.45, "UKR"),  # Kyiv
        (19.94, 60.10, "FIN"),  # Mariehamn, Åland
        (2.35, 48.86, "FRA"),  # Paris
        (-77.04, 38.90, "USA"),  # Washington
        (-75.70, 45.42, "CAN"),  # Ottawa
        (106.92, 47.92, "MNG"),  # Ulaanbaatar
        (44.79, 41.72, "GEO"),  # Tbilisi
        (20.46, 44.82, "SRB"),  # Belgrade
        (21.17, 42.66, None),  # Pristina: Kosovo is not a participating State
        (13.40, 52.52, "DEU"),  # Berlin
        (-5.35, 36.14, None),  # Gibraltar is not drawn as a State: context land
    ],
)
def test_state_at(lon: float, lat: float, expected: str | None) -> None:
    assert geo.state_at(lon, lat) == expected


def test_pristina_in_kosovo_area() -> None:
    assert geo.in_kosovo(21.17, 42.66)
    assert not geo.in_kosovo(20.46, 44.82)
    kos = geo.kosovo_geojson()["features"]
    assert len(kos) == 1
    assert kos[0]["id"] == geo.KOSOVO_ID
    assert kos[0]["properties"]["label"] == "Kosovo*"
    assert "1244" in kos[0]["properties"]["note"]
    assert kos[0]["properties"]["note"] == geo.KOSOVO_NOTE


def test_crimea_not_in_russia() -> None:
    g = _geoms()
    crimea_box = shapely.box(33.0, 44.5, 35.5, 45.8)
    assert g["RUS"].intersection(crimea_box).area < 1e-6
    assert g["UKR"].intersection(crimea_box).area > 1.0


def test_no_polygon_wraps_antimeridian() -> None:
    for a3, g in _geoms().items():
        parts = g.geoms if g.geom_type == "MultiPolygon" else [g]
        for p in parts:
            minx, _, maxx, _ = p.bounds
            assert maxx - minx <= 180.0, a3
            assert minx >= -180.0 and maxx <= 180.0, a3


def test_no_overseas_parts_for_france_and_netherlands() -> None:
    g = _geoms()
    for a3 in ("FRA", "NLD"):
        minx, miny, _, _ = g[a3].bounds
        assert miny > 35.0 and minx > -20.0, a3


def test_states_do_not_overlap_each_other_or_kosovo() -> None:
    g = _geoms()
    geoms = [*g.values(), shape(geo.kosovo_geojson()["features"][0]["geometry"])]
    assert shapely.coverage_is_valid(geoms)


def test_microstate_markers_inside_their_state() -> None:
    g = _geoms()
    pts = geo.microstate_points()
    assert sorted(pts["iso3"]) == sorted(geo.MICROSTATES)
    for row in pts.itertuples():
        p = shapely.Point(row.lon, row.lat)
        iso3 = cast(str, row.iso3)  # pandas types a row's field as any scalar
        assert g[iso3].distance(p) <= 0.1, iso3


def test_label_points_inside_their_state() -> None:
    g = _geoms()
    pts = geo.label_points()
    assert set(pts["iso3"]) == OSCE_ISO3
    for row in pts.itertuples():
        iso3 = cast(str, row.iso3)  # pandas types a row's field as any scalar
        assert g[iso3].distance(shapely.Point(row.lon, row.lat)) <= 0.1, iso3


def test_tiles_one_cell_per_state() -> None:
    t = geo.tiles()
    assert len(t) == 57
    assert set(t["iso3"]) == OSCE_ISO3
    assert not t.duplicated(["col", "row"]).any()
    assert (t["col"] >= 0).all() and (t["row"] >= 0).all()


def test_files_small() -> None:
    assert (paths.GEO_DIR / "osce_states.geojson").stat().st_size <= 400_000
    assert (paths.GEO_DIR / "other_areas.geojson").stat().st_size <= 150_000


def test_context_is_one_feature_and_misses_states() -> None:
    ctx = geo.context_geojson()["features"]
    assert [f["id"] for f in ctx] == [geo.CONTEXT_ID]
    land = shape(ctx[0]["geometry"])
    assert not land.contains(shapely.Point(2.35, 48.86))  # Paris
    assert land.contains(shapely.Point(31.24, 30.04))  # Cairo


def test_views_are_complete() -> None:
    assert set(geo.VIEWS) == {
        "osce", "europe", "see", "eastern", "caucasus", "central_asia", "nordic_baltic",
        "north_america",
    }  # fmt: skip
    assert set(geo.VIEW_LABELS) == set(geo.VIEWS)
    for view in geo.VIEWS:
        layout = geo.view_layout(view)
        assert list(layout) == geo.view_subplots(view)
        assert next(iter(layout)) == "geo"
        drawn = [a3 for key in layout for a3 in geo.subplot_states(view, key)]
        assert sorted(drawn) == sorted(OSCE_ISO3), view  # every State once per view


def test_view_layout_is_a_copy() -> None:
    layout = geo.view_layout("osce")
    layout["geo"]["lonaxis"]["range"][0] = 999
    assert geo.VIEWS["osce"]["geo"]["lonaxis"]["range"][0] != 999


def test_osce_view_frames_every_state() -> None:
    # Each State's label point lies inside the lon/lat frame of the subplot that draws it.
    pts = geo.label_points().set_index("iso3")
    layout = geo.view_layout("osce")
    for key, settings in layout.items():
        lon0, lon1 = settings["lonaxis"]["range"]
        lat0, lat1 = settings["lataxis"]["range"]
        for a3 in geo.subplot_states("osce", key):
            lon, lat = pts.loc[a3, "lon"], pts.loc[a3, "lat"]
            assert lon0 <= lon <= lon1 and lat0 <= lat <= lat1, (key, a3)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_map_carries_the_disclaimer_and_kosovo_note(facts: Facts, lang: str) -> None:
    """The boundary disclaimer is inside every map figure (so every export has it), and the
    UNSCR 1244 note wherever Kosovo is drawn."""
    from datetime import date

    from cthb.charts.catalog import ChartParams, load_all
    from cthb.i18n import t

    charts = load_all()
    params = ChartParams(as_of=date(2024, 6, 30), lang=lang, indicator="UNTOC",
                         extra=(("iso3", "SRB"),))
    for chart_id in ("map", "tiles", "state_locator"):
        fig = charts[chart_id].build(facts, params).figure
        text = " ".join(a.text or "" for a in fig.layout.annotations)
        assert t("app.disclaimer", lang) in text.replace("<br>", " "), chart_id
    kosovo_map = charts["map"].build(facts, params).figure
    assert any("XKX" in (tr.locations or ()) for tr in kosovo_map.data)
    notes = " ".join(a.text or "" for a in kosovo_map.layout.annotations)
    assert t("map.kosovo_note", lang) in notes.replace("<br>", " ")
    if lang == "en":
        assert t("map.kosovo_note", "en") == geo.KOSOVO_NOTE


def test_region_views_frame_their_states() -> None:
    # data/states.csv assigns each State a region; a view framed for a region must show it.
    states = pd.read_csv(paths.GEO_DIR.parent / "states.csv", usecols=["iso3", "region"])
    region_of = dict(zip(states["iso3"], states["region"], strict=True))
    pts = geo.label_points().set_index("iso3")
    assert set(geo.VIEW_REGIONS) == set(geo.VIEWS)
    for view, regions in geo.VIEW_REGIONS.items():
        members = [a3 for a3, r in region_of.items() if r in regions]
        assert members, view
        layout = geo.view_layout(view)
        for a3 in members:
            key = next(k for k in layout if a3 in geo.subplot_states(view, k))
            lon0, lon1 = layout[key]["lonaxis"]["range"]
            lat0, lat1 = layout[key]["lataxis"]["range"]
            lon, lat = pts.loc[a3, "lon"], pts.loc[a3, "lat"]
            assert lon0 <= lon <= lon1 and lat0 <= lat <= lat1, (view, a3)


def test_kosovo_label_point_inside_kosovo() -> None:
    lon, lat = geo.kosovo_label_point()
    assert geo.in_kosovo(lon, lat)
    assert geo.state_at(lon, lat) is None
