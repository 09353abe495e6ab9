"""Build the committed map geometry under data/geo/ from Natural Earth 1:50m admin-0.

Run from the project root:

    .venv/bin/python scripts/build_geo.py [--source ../shared/geo] [--out data/geo]

Outputs (see data/geo/README.md for the why):
- osce_states.geojson  57 participating States, UN-recognised borders, feature id = iso3
- other_areas.geojson  Kosovo* (not a participating State) + one "context" feature of other land
- microstates.csv      marker points for the 7 microstates
- label_points.csv     a label/marker point inside each of the 57 States
- tiles.csv            hand-made equal-size tile grid (one tile per State)

The app never reads Natural Earth at run time: only these files, which are small and committed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping

ROOT = Path(__file__).resolve().parent.parent

OSCE_ISO3: tuple[str, ...] = (
    "ALB", "AND", "ARM", "AUT", "AZE", "BLR", "BEL", "BIH", "BGR", "CAN", "HRV", "CYP",
    "CZE", "DNK", "EST", "FIN", "FRA", "GEO", "DEU", "GRC", "VAT", "HUN", "ISL", "IRL",
    "ITA", "KAZ", "KGZ", "LVA", "LIE", "LTU", "LUX", "MLT", "MDA", "MCO", "MNG", "MNE",
    "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "RUS", "SMR", "SRB", "SVK", "SVN", "ESP",
    "SWE", "CHE", "TJK", "TUR", "TKM", "UKR", "GBR", "USA", "UZB",
)  # fmt: skip
SOURCE_FILES = (
    "ne_50m_admin_0_countries.geojson",
    "ne_50m_admin_0_breakaway_disputed_areas.geojson",
)
MICROSTATES: tuple[str, ...] = ("AND", "VAT", "LIE", "LUX", "MLT", "MCO", "SMR")

# Natural Earth units that are integral parts of a participating State but drawn apart by NE:
# Åland is an autonomous region of Finland; "N. Cyprus" (CYN) is, under UN Security Council
# resolutions 541 (1983) and 550 (1984), part of the Republic of Cyprus. The 1:50m file has no
# separate UN buffer-zone polygon (CYP and CYN share an edge), so nothing else to merge.
MERGE_INTO: dict[str, str] = {"ALD": "FIN", "CYN": "CYP"}

# Crimea: NE draws it inside RUS (de-facto control); UN GA resolution 68/262 (2014) affirms
# Ukraine's territorial integrity. The polygon comes from the breakaway/disputed file.
CRIMEA_BRK_NAME = "Crimea"

# Overseas parts dropped so that the region views / fitbounds are not pulled to the tropics.
# (French Guiana, Réunion, Mayotte, Martinique, Guadeloupe; Caribbean Netherlands.)
CLIP_OVERSEAS: tuple[str, ...] = ("FRA", "NLD")

KOSOVO_A3 = "KOS"  # Natural Earth's code
KOSOVO_ID = "XKX"  # the code cthb.schema.NON_STATE_AREAS uses for the same area
KOSOVO_NOTE = (
    "*All references to Kosovo, whether to the territory, institutions or population, in this "
    "text should be understood in full compliance with United Nations Security Council "
    "Resolution 1244."
)

# Coverage simplification (Visvalingam-Whyatt on the shared-edge topology): neighbours keep
# identical borders, so there are no slivers or overlaps between States, Kosovo and the context
# layer. Tolerance is roughly the square root of the removed triangle areas, in degrees (0.1
# keeps about as many vertices as Douglas-Peucker at 0.05).
TOLERANCE_FINE = 0.05  # Europe, Asia, Africa: where the small States are
TOLERANCE_COARSE = 0.15  # the Americas and isolated high-Arctic islands (see part_tolerances)
PRECISION = 0.001  # degrees, ~100 m: far below a pixel at any view the app shows

# Context (non-participating land) is clipped to these boxes: enough for every view in
# cthb/geo.py VIEWS, without all of Africa, South America and Oceania.
CONTEXT_BOXES = (box(-35.0, 25.0, 130.0, 90.0), box(-180.0, 14.0, -35.0, 90.0))
TOLERANCE_CONTEXT = 0.2  # other land away from the States: a backdrop only
CONTEXT_NEAR = 0.3  # deg: within this of a State or Kosovo, other land keeps fine borders
CONTEXT_MIN_AREA = 0.02  # deg²: drop specks of other land nobody will see

# Display name for properties (debug/hover fallback only; the app's names are in states.csv).
NAME_OVERRIDES: dict[str, str] = {"VAT": "Holy See"}

# Hand-made tile grid: (col, row), row 0 at the top. Designed so that neighbours stay
# neighbours: North America far left, the Atlantic as an empty column, Nordic-Baltic on top,
# Western Europe left, Central/South-Eastern Europe in the middle, Eastern Europe and the
# Caucasus to the right of it, Central Asia and Mongolia far right.
TILES: dict[str, tuple[int, int]] = {
    # North America, then an empty column for the Atlantic
    "CAN": (0, 1), "USA": (0, 2),
    # row by row, west to east
    "ISL": (2, 0), "NOR": (5, 0), "SWE": (6, 0), "FIN": (7, 0),
    "IRL": (3, 1), "GBR": (4, 1), "DNK": (5, 1), "EST": (8, 1),
    "NLD": (4, 2), "DEU": (5, 2), "POL": (6, 2), "LTU": (7, 2), "LVA": (8, 2),
    "BEL": (4, 3), "LUX": (5, 3), "CZE": (6, 3), "SVK": (7, 3), "BLR": (8, 3), "RUS": (9, 3),
    "KAZ": (10, 3), "MNG": (11, 3),
    "FRA": (3, 4), "CHE": (4, 4), "LIE": (5, 4), "AUT": (6, 4), "HUN": (7, 4), "UKR": (8, 4),
    "UZB": (10, 4), "KGZ": (11, 4),
    "PRT": (1, 5), "ESP": (2, 5), "AND": (3, 5), "MCO": (4, 5), "ITA": (5, 5), "SVN": (6, 5),
    "HRV": (7, 5), "ROU": (8, 5), "MDA": (9, 5), "TKM": (10, 5), "TJK": (11, 5),
    "SMR": (4, 6), "VAT": (5, 6), "BIH": (6, 6), "SRB": (7, 6), "BGR": (8, 6), "GEO": (9, 6),
    "MLT": (5, 7), "MNE": (6, 7), "MKD": (7, 7), "TUR": (8, 7), "ARM": (9, 7), "AZE": (10, 7),
    "ALB": (6, 8), "GRC": (7, 8), "CYP": (8, 8),
}  # fmt: skip


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def polygons(geom: Any) -> list[Polygon]:
    """Parts of a (Multi)Polygon, or [] for anything else."""
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if isinstance(geom, MultiPolygon):
        return [p for p in geom.geoms if not p.is_empty]
    if hasattr(geom, "geoms"):  # GeometryCollection from an overlay: keep its polygons
        return [p for g in geom.geoms for p in polygons(g)]
    return []


def as_multi(parts: list[Polygon]) -> Polygon | MultiPolygon:
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def drop_overseas(geom: Any) -> Polygon | MultiPolygon:
    # Same rule as the stack probe: centroid south of 35°N or west of 20°W is overseas.
    keep = [p for p in polygons(geom) if p.centroid.y >= 35.0 and p.centroid.x >= -20.0]
    return as_multi(keep)


def load_coverage(source: Path) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read NE countries and apply the border changes; return (attributes, geometry by A3)."""
    countries = gpd.read_file(source / SOURCE_FILES[0])
    disputed = gpd.read_file(source / SOURCE_FILES[1])
    if countries["ADM0_A3"].duplicated().any():
        sys.exit("duplicate ADM0_A3 in the countries file")
    missing = set(OSCE_ISO3) - set(countries["ADM0_A3"])
    if missing:
        sys.exit(f"participating States missing from Natural Earth: {sorted(missing)}")

    geoms: dict[str, Any] = dict(zip(countries["ADM0_A3"], countries.geometry, strict=True))

    for part, whole in MERGE_INTO.items():
        geoms[whole] = shapely.union(geoms[whole], geoms.pop(part))

    crimea_rows = disputed[disputed["BRK_NAME"] == CRIMEA_BRK_NAME]
    if len(crimea_rows) != 1:
        sys.exit("Crimea not found (once) in the breakaway/disputed file")
    crimea = crimea_rows.geometry.iloc[0]
    # NE cuts the Crimea polygon out of the same linework as RUS: the overlap must be total,
    # otherwise the difference would leave slivers.
    overlap = shapely.intersection(geoms["RUS"], crimea).area / crimea.area
    if overlap < 0.999:
        sys.exit(f"Crimea is not inside NE's RUS polygon (overlap {overlap:.4f})")
    geoms["RUS"] = as_multi(
        [p for p in polygons(shapely.difference(geoms["RUS"], crimea)) if p.area > 1e-6]
    )
    geoms["UKR"] = shapely.union(geoms["UKR"], crimea)

    for a3 in CLIP_OVERSEAS:
        geoms[a3] = drop_overseas(geoms[a3])

    attrs = countries.drop(columns="geometry").set_index("ADM0_A3")
    return attrs, geoms


def part_tolerances(parts: list[Polygon]) -> np.ndarray:
    """A simplification tolerance for every polygon part (of any unit).

    Parts that share an edge must be simplified together (one coverage, one tolerance) or their
    borders drift apart. So: find the groups of parts connected by shared edges, then give each
    group a tolerance by where it is. The Americas and the high-Arctic islands are drawn small
    (an inset, or cropped) and hold most of the vertices (Canada's archipelago alone ~40%), so
    they get a coarse tolerance; Europe and Asia, where the small States are, a fine one.
    """
    n = len(parts)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tree = shapely.STRtree(parts)
    left, right = tree.query(parts, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)

    tol = np.empty(n)
    for members in groups.values():
        _, miny, maxx, _ = shapely.total_bounds([parts[i] for i in members])
        americas = maxx < -30.0  # wholly west of 30°W, incl. Greenland
        arctic_island = miny > 62.0 and len(members) == 1  # touching no other unit
        tol[members] = TOLERANCE_COARSE if americas or arctic_island else TOLERANCE_FINE
    return tol


def simplify(geoms: dict[str, Any]) -> dict[str, Any]:
    keys = list(geoms)
    arr = np.array([geoms[k] for k in keys], dtype=object)
    if not shapely.coverage_is_valid(arr):
        sys.exit("input is not a valid polygon coverage after the border changes")
    owner: list[str] = []
    parts: list[Polygon] = []
    for k in keys:
        for p in polygons(geoms[k]):
            owner.append(k)
            parts.append(p)
    tol = part_tolerances(parts)
    out = np.empty(len(parts), dtype=object)
    for t in np.unique(tol):
        idx = np.flatnonzero(tol == t)
        # Groups with the same tolerance share no edges with other groups, so simplifying all
        # parts of one tolerance as one coverage is the same as simplifying group by group.
        out[idx] = shapely.coverage_simplify(np.array([parts[i] for i in idx], dtype=object), t)
    out = shapely.set_precision(out, PRECISION)
    by_unit: dict[str, list[Polygon]] = {k: [] for k in keys}
    for k, g in zip(owner, out, strict=True):
        by_unit[k].extend(polygons(g))
    result = {}
    for k in keys:
        if not by_unit[k]:
            sys.exit(f"{k}: nothing left after simplification")
        # d3-geo (used by plotly.js) treats rings as spherical polygons: exterior rings must run
        # clockwise, as in Natural Earth itself (the opposite of RFC 7946), or a State fills
        # the globe.
        result[k] = shapely.orient_polygons(as_multi(by_unit[k]), exterior_cw=True)
    if not shapely.coverage_is_valid(np.array(list(result.values()), dtype=object)):
        sys.exit("simplified units no longer form a valid coverage")
    return result


def build_context(raw: dict[str, Any], simple: dict[str, Any]) -> Polygon | MultiPolygon:
    """Other land: everything that is neither a participating State nor Kosovo, as one feature.

    Dissolved on purpose: the map takes no position on borders between other countries, and one
    outline is small. Near the States the outline is the fine coverage geometry, so it meets
    every State's border exactly (drawn underneath, no white slivers); elsewhere (the coasts of
    Africa, the Middle East and East Asia) a coarse simplification is enough for a backdrop.
    """
    clip = shapely.union_all(CONTEXT_BOXES)
    drawn = [simple[k] for k in (*OSCE_ISO3, KOSOVO_A3)]
    others = [k for k in raw if k not in OSCE_ISO3 and k != KOSOVO_A3]

    def dissolve(geoms: list[Any]) -> Any:
        return shapely.union_all(shapely.intersection(np.array(geoms, dtype=object), clip))

    fine = dissolve([simple[k] for k in others])
    arr = np.array([raw[k] for k in raw], dtype=object)
    coarse_all = dict(zip(raw, shapely.coverage_simplify(arr, TOLERANCE_CONTEXT), strict=True))
    coarse = dissolve([coarse_all[k] for k in others])
    drawn_union = shapely.union_all(drawn)
    near = drawn_union.buffer(CONTEXT_NEAR, quad_segs=2)
    context = shapely.union(coarse, shapely.intersection(fine, near))
    context = shapely.difference(context, drawn_union)
    context = shapely.set_precision(context, PRECISION)
    parts = [p for p in polygons(context) if p.area >= CONTEXT_MIN_AREA]
    return shapely.orient_polygons(as_multi(parts), exterior_cw=True)


def round_coords(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 3)
    if isinstance(obj, list | tuple):
        return [round_coords(x) for x in obj]
    return obj


def feature(fid: str, geom: Any, props: dict[str, Any]) -> dict[str, Any]:
    g = mapping(geom)
    return {
        "type": "Feature",
        "id": fid,
        "properties": props,
        "geometry": {"type": g["type"], "coordinates": round_coords(g["coordinates"])},
    }


def write_geojson(path: Path, features: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    fc = {"type": "FeatureCollection", "metadata": meta, "features": features}
    # Compact separators: the file is shipped to the browser inside every figure.
    path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")


def check_state(a3: str, geom: Any) -> list[str]:
    problems = []
    if geom.is_empty:
        problems.append(f"{a3}: empty")
    if not geom.is_valid:
        problems.append(f"{a3}: invalid ({shapely.is_valid_reason(geom)})")
    for p in polygons(geom):
        minx, _, maxx, _ = p.bounds
        # A single ring spanning more than half the globe means it wraps the antimeridian.
        if maxx - minx > 180.0:
            problems.append(f"{a3}: a part spans {maxx - minx:.1f}° of longitude")
    return problems


def largest_part(geom: Any) -> Polygon:
    return max(polygons(geom), key=lambda p: p.area)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def build_tiles() -> list[list[Any]]:
    if set(TILES) != set(OSCE_ISO3):
        sys.exit(f"tiles: wrong set of States: {set(TILES) ^ set(OSCE_ISO3)}")
    cells = list(TILES.values())
    if len(set(cells)) != len(cells):
        sys.exit("tiles: two States on one cell")
    return [[a3, col, row] for a3, (col, row) in sorted(TILES.items())]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "geo")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "geo")
    args = ap.parse_args(argv)
    src: Path = args.source.resolve()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    attrs, geoms = load_coverage(src)
    raw_vertices = int(sum(shapely.get_num_coordinates(geoms[a3]) for a3 in OSCE_ISO3))
    simple = simplify(geoms)

    problems = [p for a3 in OSCE_ISO3 for p in check_state(a3, simple[a3])]
    if problems:
        sys.exit("geometry problems:\n  " + "\n  ".join(problems))

    meta = {
        "source": "Natural Earth 1:50m Cultural Vectors, Admin 0 - Countries and Breakaway/"
        "Disputed Areas (public domain), https://www.naturalearthdata.com/",
        "built_by": "scripts/build_geo.py",
        "simplify": f"shapely.coverage_simplify tolerance {TOLERANCE_FINE} deg "
        f"({TOLERANCE_COARSE} deg for the Americas and isolated Arctic islands), "
        f"precision {PRECISION} deg",
        "borders": "UN-recognised: Crimea in UKR; northern Cyprus in CYP; Kosovo* separate",
    }

    state_features = []
    for a3 in OSCE_ISO3:
        name = NAME_OVERRIDES.get(a3, str(attrs.loc[a3, "NAME_EN"]))
        state_features.append(feature(a3, simple[a3], {"iso3": a3, "name_en": name}))
    write_geojson(out / "osce_states.geojson", state_features, meta)

    context = build_context(geoms, simple)
    context_parts = polygons(context)
    kosovo_pt = simple[KOSOVO_A3].representative_point()
    other_features = [
        feature(
            KOSOVO_ID,
            simple[KOSOVO_A3],
            {
                "kind": "not_participating",
                "label": "Kosovo*",
                "note": KOSOVO_NOTE,
                "label_lon": round(kosovo_pt.x, 3),
                "label_lat": round(kosovo_pt.y, 3),
            },
        ),
        feature("_context", context, {"kind": "context", "label": ""}),
    ]
    write_geojson(out / "other_areas.geojson", other_features, meta)

    label_rows = []
    for a3 in OSCE_ISO3:
        geom = simple[a3]
        # NE's LABEL_X/Y are hand-placed (e.g. USA in the lower 48, RUS in European Russia);
        # fall back to a point on the largest part if simplification moved the edge past it.
        pt = shapely.Point(float(attrs.loc[a3, "LABEL_X"]), float(attrs.loc[a3, "LABEL_Y"]))
        if not geom.contains(pt):
            pt = largest_part(geom).representative_point()
        label_rows.append([a3, round(pt.x, 3), round(pt.y, 3)])
    write_csv(out / "label_points.csv", ["iso3", "lon", "lat"], label_rows)

    micro_rows = []
    for a3 in MICROSTATES:
        # representative_point is guaranteed inside; on the largest part so Malta's marker sits
        # on Malta, not Gozo.
        pt = largest_part(simple[a3]).representative_point()
        micro_rows.append([a3, round(pt.x, 3), round(pt.y, 3)])
    write_csv(out / "microstates.csv", ["iso3", "lon", "lat"], micro_rows)

    write_csv(out / "tiles.csv", ["iso3", "col", "row"], build_tiles())

    # Summary for the README / the build log.
    n_states = int(sum(shapely.get_num_coordinates(simple[a3]) for a3 in OSCE_ISO3))
    print(f"source: {src}")
    for name in SOURCE_FILES:
        print(f"  {name} sha256 {sha256(src / name)}")
    print(f"States: {len(state_features)} features, vertices {raw_vertices} -> {n_states}")
    print(
        f"Kosovo vertices {shapely.get_num_coordinates(simple[KOSOVO_A3])}, "
        f"context vertices {shapely.get_num_coordinates(context)} in {len(context_parts)} parts"
    )
    for f in sorted(out.iterdir()):
        print(f"  {f.name}: {f.stat().st_size / 1000:.1f} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
