"""Map geometry and map views for the 57 OSCE participating States.

Pure functions over the committed files in data/geo/ (built by scripts/build_geo.py from Natural
Earth; see data/geo/README.md). Nothing here imports streamlit, and nothing reads outside the
project, so charts, exports and tests share one definition of borders and views.

Borders follow UN-recognised boundaries (Crimea in Ukraine, northern Cyprus in Cyprus); Kosovo*
is an area that is not a participating State. Every map must show DISCLAIMER, and KOSOVO_NOTE
wherever Kosovo is drawn or named.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"

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


@lru_cache(maxsize=None)
def _read_json(name: str) -> dict[str, Any]:
    # Read once per process: the States file is ~240 kB and every map needs it.
    return json.loads((GEO_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
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
    return _collection([f for f in _read_json("other_areas.geojson")["features"]
                        if f["id"] == KOSOVO_ID])


def context_geojson() -> dict[str, Any]:
    """FeatureCollection with one feature (id "_context"): other land, drawn as a neutral base.

    It is dissolved on purpose (no borders between non-participating countries) and shares its
    edges exactly with the States and Kosovo, so drawn underneath it leaves no slivers.
    """
    return _collection([f for f in _read_json("other_areas.geojson")["features"]
                        if f["id"] == CONTEXT_ID])


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
    tree, ids, geoms = _state_index()
    pt = shapely.Point(lon, lat)
    for i in tree.query(pt, predicate="intersects"):
        return ids[int(i)]
    return None


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

# View id -> {layout key ("geo", "geo2") -> plotly geo settings}. One key = a single map; the
# whole-region view "osce" has a second subplot, the North America inset.
VIEWS: dict[str, dict[str, dict[str, Any]]] = {}

# View id -> {layout key -> the States drawn in that subplot}; a key absent = all 57.
VIEW_STATES: dict[str, dict[str, tuple[str, ...]]] = {}

VIEW_LABELS: dict[str, str] = {}


def view_layout(view: str) -> dict[str, Any]:
    """Layout settings for `fig.update_layout(**view_layout(view))`: one entry per geo subplot."""
    return {key: {**BASE_GEO, **copy.deepcopy(settings)} for key, settings in VIEWS[view].items()}


def view_subplots(view: str) -> list[str]:
    """Layout keys of the view's subplots ("geo", "geo2", ...), main map first."""
    return list(VIEWS[view])


def subplot_states(view: str, key: str) -> tuple[str, ...]:
    """The States to draw in one subplot of a view (all 57 unless the view narrows it)."""
    return VIEW_STATES.get(view, {}).get(key, state_ids())


def trace_subplot(key: str) -> str:
    """Layout key -> the value of a trace's `geo` attribute ("geo2" -> "geo2", "geo" -> "geo")."""
    return key
