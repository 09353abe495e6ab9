"""`cthb check` for the map geometry in data/geo/: the files the maps are drawn from must hold
every participating State exactly once, as valid polygons in longitude/latitude, and the point
and tile tables must cover every State. A corrupted or hand-edited file fails the check with
the file and what is wrong, before a map draws a hole or a smear."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from cthb import geo, paths
from cthb.validate import Problem

STATES_FILE = "osce_states.geojson"
OTHER_FILE = "other_areas.geojson"
POINT_FILES = ("label_points.csv", "microstates.csv")
TILES_FILE = "tiles.csv"
OTHER_IDS = (geo.KOSOVO_ID, geo.CONTEXT_ID)


def geo_dir(data_dir: Path) -> Path:
    """The geometry next to the facts (data/geo/), else the project's own."""
    return data_dir / "geo" if (data_dir / "geo").is_dir() else paths.GEO_DIR


def participating(data_dir: Path) -> set[str]:
    try:
        with open(data_dir / "states.csv", newline="", encoding="utf-8-sig") as fh:
            return {(r.get("iso3") or "").strip() for r in csv.DictReader(fh)} - {""}
    except OSError:
        return set()


def check_geometry(data_dir: Path) -> list[Problem]:
    folder = geo_dir(data_dir)
    states = participating(data_dir)
    problems = _check_features(folder, STATES_FILE, states, expected=states)
    problems += _check_features(folder, OTHER_FILE, set(OTHER_IDS), expected=set(OTHER_IDS))
    for name in POINT_FILES:
        wanted = states if name == "label_points.csv" else set(geo.MICROSTATES)
        problems += _check_table(folder, name, ("iso3", "lon", "lat"), wanted)
    problems += _check_table(folder, TILES_FILE, ("iso3", "col", "row"), states)
    return problems


def _load(path: Path, shown: str) -> tuple[Any, list[Problem]]:
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except FileNotFoundError:
        return None, [Problem(shown, None, None, None, "file is missing")]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, [Problem(shown, None, None, None, f"not valid JSON ({exc})")]


def _check_features(folder: Path, name: str, known: set[str],
                    expected: set[str]) -> list[Problem]:
    import shapely
    from shapely.geometry import shape

    shown = f"geo/{name}"
    doc, problems = _load(folder / name, shown)
    if problems:
        return problems
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or doc.get("type") != "FeatureCollection":
        return [Problem(shown, None, None, None, "not a GeoJSON FeatureCollection")]
    ids = [str(f.get("id")) if isinstance(f, dict) else "?" for f in features]
    counts = Counter(ids)
    for fid, n in counts.items():
        if n > 1:
            problems.append(Problem(shown, None, None, fid, f"feature appears {n} times"))
        if fid not in known:
            what = "a participating State in states.csv" if name == STATES_FILE else \
                f"one of {', '.join(OTHER_IDS)}"
            problems.append(Problem(shown, None, None, fid, f"not {what}"))
    for fid in sorted(expected - set(ids)):
        what = "participating State" if name == STATES_FILE else "area"
        problems.append(Problem(shown, None, None, fid, f"{what} missing"))
    for fid, feature in zip(ids, features, strict=True):
        if fid not in known or not isinstance(feature, dict):
            continue
        try:
            geom = shape(feature.get("geometry") or {})
        except Exception as exc:
            problems.append(Problem(shown, None, None, fid, f"not a geometry ({exc})"))
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            problems.append(Problem(shown, None, None, fid,
                                    f"not a polygon ({geom.geom_type}, empty={geom.is_empty})"))
        elif not geom.is_valid:
            problems.append(Problem(shown, None, None, fid, "not a valid polygon ("
                                    + shapely.is_valid_reason(geom) + ")"))
        else:
            minx, miny, maxx, maxy = geom.bounds
            if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
                problems.append(Problem(shown, None, None, fid,
                                        "coordinates outside longitude/latitude"))
    return problems


def _check_table(folder: Path, name: str, columns: tuple[str, ...],
                 wanted: set[str]) -> list[Problem]:
    shown = f"geo/{name}"
    try:
        with open(folder / name, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        return [Problem(shown, None, None, None, "file is missing")]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [Problem(shown, None, None, None, f"cannot be read ({exc})")]
    if rows and not set(columns) <= set(rows[0]):
        return [Problem(shown, 1, None, None, f"columns must be {', '.join(columns)}")]
    problems = []
    counts = Counter((r.get("iso3") or "").strip() for r in rows)
    for iso3, n in counts.items():
        if n > 1:
            problems.append(Problem(shown, None, None, iso3, f"appears {n} times"))
    for iso3 in sorted(wanted - set(counts)):
        problems.append(Problem(shown, None, None, iso3, "participating State missing"))
    for line, row in enumerate(rows, start=2):
        for col in columns[1:]:
            try:
                value = float(row.get(col) or "")
            except ValueError:
                problems.append(Problem(shown, line, col, row.get(col), "not a number"))
                continue
            limit = {"lon": 180, "lat": 90}.get(col)
            if limit is not None and abs(value) > limit:
                problems.append(Problem(shown, line, col, row.get(col),
                                        f"outside -{limit}..{limit}"))
    return problems
