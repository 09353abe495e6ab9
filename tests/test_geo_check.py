"""`cthb check` validates the map geometry too: every participating State present once, valid
polygons, the other areas and the point/tile tables complete. A corrupted file fails the check
with its name and what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cthb.cli import main as cli_main


def check(data: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setenv("CTHB_DATA_DIR", str(data))
    monkeypatch.setenv("CTHB_DB", str(data.parent / "cthb.duckdb"))
    capsys.readouterr()
    code = cli_main(["check"])
    return code, capsys.readouterr().err


def _edit_states(data: Path, edit: object) -> None:
    path = data / "geo" / "osce_states.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)  # type: ignore[operator]
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_the_real_geometry_passes(real_data_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert check(real_data_copy, monkeypatch, capsys) == (0, "")


def test_a_missing_state(real_data_copy: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    _edit_states(real_data_copy, lambda d: d.update(
        features=[f for f in d["features"] if f["id"] != "MLT"]))
    code, err = check(real_data_copy, monkeypatch, capsys)
    assert code == 1
    assert "- geo/osce_states.geojson: 'MLT': participating State missing" in err


def test_an_invalid_polygon(real_data_copy: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}

    def corrupt(doc: dict) -> None:  # type: ignore[type-arg]
        next(f for f in doc["features"] if f["id"] == "AUT")["geometry"] = bowtie

    _edit_states(real_data_copy, corrupt)
    code, err = check(real_data_copy, monkeypatch, capsys)
    assert code == 1
    assert "- geo/osce_states.geojson: 'AUT': not a valid polygon (Self-intersection" in err


def test_a_duplicate_and_a_stranger(real_data_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    def corrupt(doc: dict) -> None:  # type: ignore[type-arg]
        aut = next(f for f in doc["features"] if f["id"] == "AUT")
        doc["features"] += [aut, {**aut, "id": "ZZZ"}]

    _edit_states(real_data_copy, corrupt)
    code, err = check(real_data_copy, monkeypatch, capsys)
    assert code == 1
    assert "- geo/osce_states.geojson: 'AUT': feature appears 2 times" in err
    assert "- geo/osce_states.geojson: 'ZZZ': not a participating State in states.csv" in err


def test_a_file_that_is_not_json(real_data_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    (real_data_copy / "geo" / "other_areas.geojson").write_text("{not json", encoding="utf-8")
    code, err = check(real_data_copy, monkeypatch, capsys)
    assert code == 1
    assert "- geo/other_areas.geojson: not valid JSON" in err


def test_point_and_tile_tables(real_data_copy: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    labels = real_data_copy / "geo" / "label_points.csv"
    lines = labels.read_text(encoding="utf-8").splitlines(keepends=True)
    labels.write_text("".join(line for line in lines if not line.startswith("KAZ,")),
                      encoding="utf-8")
    tiles = real_data_copy / "geo" / "tiles.csv"
    tiles.write_text(tiles.read_text(encoding="utf-8") + "FRA,0,0\n", encoding="utf-8")
    code, err = check(real_data_copy, monkeypatch, capsys)
    assert code == 1
    assert "- geo/label_points.csv: 'KAZ': participating State missing" in err
    assert "- geo/tiles.csv: 'FRA': appears 2 times" in err
