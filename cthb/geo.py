"""Map geometry and map views for the 57 OSCE participating States.

Pure functions over the committed files in data/geo/ (built by scripts/build_geo.py from Natural
Earth; see data/geo/README.md). Nothing here imports streamlit, and nothing reads outside the
project, so charts, exports and tests share one definition of borders and views.

Borders follow UN-recognised boundaries (Crimea in Ukraine, northern Cyprus in Cyprus); Kosovo*
is an area that is not a participating State. Every map must show DISCLAIMER, and KOSOVO_NOTE
wherever Kosovo is drawn or named.

Drawing a view (the chart module owns colours and hover; this is the order that works):

    for key in view_subplots(view):                      # "geo", then "geo2" for the inset
        states = subplot_states(view, key)
        # 1. context land (one grey feature), 2. Kosovo*, 3. the States, 4. microstate markers
        go.Choropleth(geojson=context_geojson(), locations=[CONTEXT_ID], z=[0], geo=key, ...)
        go.Choropleth(geojson=kosovo_geojson(), locations=[KOSOVO_ID], z=[0], geo=key, ...)
        go.Choropleth(geojson=states_geojson(states), locations=states, z=..., geo=key, ...)
        go.Scattergeo(lon=..., lat=..., geo=key, ...)    # microstate_points() in `states`
    fig.update_layout(**view_layout(view))

plotly.js fetches its base-map topojson for every geo subplot, even with visible=False: the
app passes `config={"topojsonURL": ...}` (webapp.PLOTLY_CONFIG) and static exports pass the
local copy in static/topojson/ with every render (cthb.export.images), or nothing is drawn
offline.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

from cthb.paths import GEO_DIR

DISCLAIMER = (
    "The boundaries and names shown and the designations used on this map do not imply "
    "official endorsement or acceptance by the OSCE."
)
KOSOVO_ID = "XKX"  # same code as cthb.schema.NON_STATE_AREAS
KOSOVO_LABEL = "Kosovo*"
KOSOVO_NOTE = (
    "*All references to Kosovo, whether to the territory, institutions or population, in this "
    "text should be understood in full compliance with United Nations Security Council "
    "Resolution 1244."
)
CONTEXT_ID = "_context"  # the one feature of other (non-participating) land
MICROSTATES: tuple[str, ...] = ("AND", "VAT", "LIE", "LUX", "MLT", "MCO", "SMR")
NORTH_AMERICA: tuple[str, ...] = ("CAN", "USA")


# ---------------------------------------------------------------------------------------------
# Files


@lru_cache(maxsize=8)
def _read_json(name: str) -> dict[str, Any]:
    # Read once per process: the States file is ~240 kB and every map needs it.
    data: dict[str, Any] = json.loads((GEO_DIR / name).read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=8)
def _read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(GEO_DIR / name, dtype={"iso3": str}, keep_default_na=False)


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def states_geojson(iso3: tuple[str, ...] | list[str] | None = None) -> dict[str, Any]:
    """FeatureCollection of the participating States for plotly's `geojson=` (id = iso3).

    With `iso3`, only those States: a panel that shows part of the region (e.g. the North
    America inset) then ships less geometry to the browser. The feature dicts are shared with
    the cache: treat them as read-only.
    """
    features = _read_json("osce_states.geojson")["features"]
    if iso3 is not None:
        wanted = set(iso3)
        features = [f for f in features if f["id"] in wanted]
    return _collection(list(features))


def state_ids() -> tuple[str, ...]:
    """The 57 iso3 codes in the geometry file, sorted."""
    return tuple(sorted(f["id"] for f in _read_json("osce_states.geojson")["features"]))


def kosovo_geojson() -> dict[str, Any]:
    """FeatureCollection with the Kosovo* area (id "XKX", properties label and note)."""
    return _collection(
        [f for f in _read_json("other_areas.geojson")["features"] if f["id"] == KOSOVO_ID]
    )


def context_geojson() -> dict[str, Any]:
    """FeatureCollection with one feature (id "_context"): other land, drawn as a neutral base.

    It is dissolved on purpose (no borders between non-participating countries) and shares its
    edges exactly with the States and Kosovo, so drawn underneath it leaves no slivers.
    """
    return _collection(
        [f for f in _read_json("other_areas.geojson")["features"] if f["id"] == CONTEXT_ID]
    )


def microstate_points() -> pd.DataFrame:
    """Columns iso3, lon, lat: one point inside each microstate, for marker traces."""
    return _read_csv("microstates.csv").copy()


def label_points() -> pd.DataFrame:
    """Columns iso3, lon, lat: a label/marker point inside each of the 57 States."""
    return _read_csv("label_points.csv").copy()


def tiles() -> pd.DataFrame:
    """Columns iso3, col, row: the equal-size tile grid (row 0 at the top, col 0 at the left)."""
    return _read_csv("tiles.csv").copy()


# ---------------------------------------------------------------------------------------------
# Point lookups (tests, and turning a clicked lon/lat into a State)



HATCH_SPACING = 1.6  # degrees between the diagonal lines that mark stale evidence


@lru_cache(maxsize=64)
def _hatch_of(iso3: str, spacing: float) -> tuple[tuple[float, float], ...]:
    """Diagonal line segments (south-west to north-east) clipped to one State, as a flat
    sequence of (lon, lat) points with (nan, nan) between segments."""
    feature = next(f for f in _read_json("osce_states.geojson")["features"] if f["id"] == iso3)
    polygon = shape(feature["geometry"])
    west, south, east, north = polygon.bounds
    points: list[tuple[float, float]] = []
    # Lines lon - lat = c, for c spaced evenly across the State's bounding box.
    c = west - north
    while c <= east - south:
        line = shapely.LineString([(south + c, south), (north + c, north)])
        cut = polygon.intersection(line)
        for part in getattr(cut, "geoms", [cut]):
            if isinstance(part, shapely.LineString) and not part.is_empty:
                points += [(round(x, 3), round(y, 3)) for x, y in part.coords]
                points.append((float("nan"), float("nan")))
        c += spacing
    return tuple(points)


def hatch_lines(iso3: list[str] | tuple[str, ...], spacing: float = HATCH_SPACING
                ) -> tuple[list[float | None], list[float | None]]:
    """lon, lat lists for one Scattergeo `lines` trace that hatches the given States (None
    separates segments). States smaller than the spacing get no lines: they are marked by
    their outline and marker instead."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for code in iso3:
        for lon, lat in _hatch_of(code, spacing):
            nan = lon != lon
            lons.append(None if nan else lon)
            lats.append(None if nan else lat)
    return lons, lats

@lru_cache(maxsize=1)
def _state_index() -> tuple[STRtree, tuple[str, ...], tuple[Any, ...]]:
    feats = _read_json("osce_states.geojson")["features"]
    geoms = tuple(shape(f["geometry"]) for f in feats)
    for g in geoms:
        shapely.prepare(g)
    return STRtree(geoms), tuple(f["id"] for f in feats), geoms


def state_at(lon: float, lat: float) -> str | None:
    """The participating State (iso3) whose polygon contains the point, else None.

    Uses the simplified geometry, so points within ~1-2 km of a border can land on the wrong side.
    """
    tree, ids, _geoms = _state_index()
    pt = shapely.Point(lon, lat)
    for i in tree.query(pt, predicate="intersects"):
        return ids[int(i)]
    return None


def kosovo_label_point() -> tuple[float, float]:
    """(lon, lat) of a point inside Kosovo*, for its "Kosovo*" label."""
    props = kosovo_geojson()["features"][0]["properties"]
    return float(props["label_lon"]), float(props["label_lat"])


def in_kosovo(lon: float, lat: float) -> bool:
    """Whether the point lies in the Kosovo* area."""
    geom = shape(kosovo_geojson()["features"][0]["geometry"])
    return bool(geom.intersects(shapely.Point(lon, lat)))


# ---------------------------------------------------------------------------------------------
# Views


# Style shared by every geo subplot: plotly's own base map (110m, de-facto borders) stays off;
# the context layer from other_areas.geojson is the base map instead.
BASE_GEO: dict[str, Any] = {
    "visible": False,
    "showframe": False,
    "bgcolor": "rgba(0,0,0,0)",
}


def _conic(
    rot: float, parallels: tuple[float, float], lon: tuple[float, float], lat: tuple[float, float]
) -> dict[str, Any]:
    # Conic equal area everywhere: a choropleth compares States by colour, so areas must not be
    # inflated towards the pole (Mercator would make Russia and the Nordics look heavier).
    # The lon/lat ranges set the frame: plotly fits the projected range box to the domain.
    return {
        "projection": {
            "type": "conic equal area",
            "rotation": {"lon": rot},
            "parallels": list(parallels),
        },
        "lonaxis": {"range": list(lon)},
        "lataxis": {"range": list(lat)},
    }


# North America inset of the whole-region view, top left: that corner of the main map is open
# sea and Greenland, and it keeps North America at the far west, where readers look for it.
# Includes Alaska and Hawaii (lower left of the inset); the Aleutians west of 170°W are cut.
NA_INSET_DOMAIN: dict[str, list[float]] = {"x": [0.0, 0.24], "y": [0.70, 1.0]}

# View id -> {layout key ("geo", "geo2") -> plotly geo settings}. One key = a single map; the
# whole-region view "osce" has a second subplot, the North America inset.
VIEWS: dict[str, dict[str, dict[str, Any]]] = {
    # Whole region: Europe, the Caucasus, Central Asia and Mongolia in one conic map centred on
    # 42°E (Iceland to Mongolia, Crete/Cyprus to the Arctic coast; Russia east of ~122°E and the
    # high Arctic islands are cropped), with North America as an inset. Europe gets about 10 px
    # per degree on a 1600-px figure instead of ~4 in the polar azimuthal view.
    "osce": {
        "geo": {
            **_conic(42, (43, 62), (-26, 122), (34, 73)),
            "domain": {"x": [0.0, 1.0], "y": [0.0, 1.0]},
        },
        "geo2": {
            **_conic(-105, (30, 60), (-170, -52), (18, 75)),
            "domain": NA_INSET_DOMAIN,
            # The inset needs its own background and frame, or the main map shows through.
            "bgcolor": "#ffffff",
            "showframe": True,
            "framecolor": "#b0b0b0",
            "framewidth": 1,
        },
    },
    "europe": {"geo": _conic(15, (40, 62), (-25, 60), (34, 72))},
    "see": {"geo": _conic(29, (37, 46), (12.8, 45.2), (34.2, 48.4))},
    "eastern": {"geo": _conic(38, (45, 60), (20, 62), (42, 70))},
    "caucasus": {"geo": _conic(45, (39, 43), (38.5, 51), (38, 44.5))},
    "central_asia": {"geo": _conic(83, (38, 50), (45, 121), (34.5, 56))},
    "nordic_baltic": {"geo": _conic(12, (56, 68), (-25, 33), (53.5, 71.5))},
    "north_america": {"geo": _conic(-105, (30, 60), (-170, -52), (18, 75))},
}

# View id -> {layout key -> the States drawn in that subplot}; a key absent = all 57.
VIEW_STATES: dict[str, dict[str, tuple[str, ...]]] = {
    "osce": {"geo2": NORTH_AMERICA},  # "geo" gets the rest: see subplot_states
}

VIEW_LABELS: dict[str, str] = {
    "osce": "OSCE region",
    "europe": "Europe",
    "see": "South-Eastern Europe",
    "eastern": "Eastern Europe",
    "caucasus": "South Caucasus",
    "central_asia": "Central Asia and Mongolia",
    "nordic_baltic": "Nordic-Baltic",
    "north_america": "North America",
}

# View id -> the regions (cthb.schema.REGIONS, column `region` of data/states.csv) the view is
# framed for: their States lie inside the frame (tested); the chart may dim the others.
VIEW_REGIONS: dict[str, tuple[str, ...]] = {
    "osce": (
        "Western Europe", "Nordic-Baltic", "Central Europe", "South-Eastern Europe",
        "Eastern Europe", "South Caucasus", "Central Asia", "North America",
    ),
    "europe": (
        "Western Europe", "Nordic-Baltic", "Central Europe", "South-Eastern Europe",
        "Eastern Europe",
    ),
    "see": ("South-Eastern Europe",),
    "eastern": ("Eastern Europe",),  # Russia west of ~62°E
    "caucasus": ("South Caucasus",),
    "central_asia": ("Central Asia",),  # incl. Mongolia
    "nordic_baltic": ("Nordic-Baltic",),
    "north_america": ("North America",),
}  # fmt: skip

# Where a colour bar / legend can sit without covering a State (fraction of the figure,
# plotly colorbar x/y with anchors), per view.
FREE_CORNER: dict[str, dict[str, Any]] = {
    "osce": {"x": 0.98, "y": 0.03, "xanchor": "right", "yanchor": "bottom"},  # Arabia/China
    "europe": {"x": 0.98, "y": 0.03, "xanchor": "right", "yanchor": "bottom"},  # Middle East
    "see": {"x": 0.02, "y": 0.03, "xanchor": "left", "yanchor": "bottom"},  # Ionian Sea
}  # a view not listed: use the chart's default placement


def view_layout(view: str) -> dict[str, Any]:
    """Layout settings for `fig.update_layout(**view_layout(view))`: one entry per geo subplot."""
    return {key: {**BASE_GEO, **copy.deepcopy(settings)} for key, settings in VIEWS[view].items()}


def view_subplots(view: str) -> list[str]:
    """Layout keys of the view's subplots ("geo", "geo2", ...), main map first."""
    return list(VIEWS[view])


def subplot_states(view: str, key: str) -> tuple[str, ...]:
    """The States to draw in one subplot of a view.

    A subplot listed in VIEW_STATES draws those; the other subplots of the same view draw the
    rest, so each State is drawn (and clickable) once and its geometry is shipped once.
    """
    narrowed = VIEW_STATES.get(view, {})
    if key in narrowed:
        return narrowed[key]
    taken = {a3 for states in narrowed.values() for a3 in states}
    return tuple(a3 for a3 in state_ids() if a3 not in taken)
