"""`python -m cthb export` and `python -m cthb deck`: files whose numbers match the status
engine (UNTOC on 13 Nov 2007: 46 parties, 9 signatories, 1 not signed)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation

from cthb import cli
from cthb.export import images
from tests.conftest import require_tool


@pytest.fixture(autouse=True)
def isolated(real_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CTHB_DB", str(real_db))
    monkeypatch.setenv("CTHB_EXPORT_CACHE", str(tmp_path / "cache"))
    yield


def run(*argv: str) -> int:
    return cli.main(list(argv))


def test_map_csv_matches_status_engine(tmp_path: Path) -> None:
    out = tmp_path / "untoc.csv"
    assert run("export", "map", "--indicator", "UNTOC", "--as-of", "2007-11-13",
               "--out", str(out)) == 0
    df = pd.read_csv(out)  # a plain CSV: pandas defaults read it
    package = json.loads((tmp_path / "untoc.datapackage.json").read_text(encoding="utf-8"))
    assert package["cthb"]["as_of"] == "2007-11-13"
    assert package["resources"][0]["path"] == "untoc.csv"
    assert package["sources"] and all("title" in s for s in package["sources"])
    assert len(df) == 56
    status = "status_code" if "status_code" in df.columns else "status"
    counts = df[status].value_counts().to_dict()
    assert (counts.get("party", counts.get("Party")), counts.get("signed", counts.get("Signed")),
            counts.get("not signed", counts.get("Not signed"))) == (46, 9, 1)


def test_map_xlsx_matches_status_engine(tmp_path: Path) -> None:
    out = tmp_path / "untoc.xlsx"
    assert run("export", "map", "--indicator", "UNTOC", "--as-of", "2007-11-13",
               "--out", str(out)) == 0
    wb = openpyxl.load_workbook(out)
    rows = list(wb["data"].values)
    header, body = rows[0], rows[1:]
    assert len(body) == 56
    col = header.index("status_code") if "status_code" in header else header.index("status")
    values = [r[col] for r in body]
    assert sorted({v: values.count(v) for v in values}.values()) == [1, 9, 46]
    about = " ".join(str(c) for row in wb["About"].values for c in row if c)
    assert "2007-11-13" in about and "http" in about


def test_gaps_png_and_russian_pdf(tmp_path: Path) -> None:
    require_tool(*images.export_available())
    png = tmp_path / "gaps.png"
    assert run("export", "gaps", "--as-of", "2007-11-13", "--out", str(png)) == 0
    assert Image.open(png).size[0] >= 1920
    pdf = tmp_path / "map.pdf"
    assert run("export", "map", "--indicator", "NRM", "--as-of", "2008-12-31", "--lang", "ru",
               "--view", "europe", "--out", str(pdf)) == 0
    from pypdf import PdfReader

    text = PdfReader(pdf).pages[0].extract_text()
    assert "Национальный" in text or "механизм" in text


def test_deck_command(tmp_path: Path) -> None:
    require_tool(*images.export_available())
    out = tmp_path / "deck.pptx"
    assert run("deck", "--preset", "national-structures", "--as-of", "2008-12-31",
               "--out", str(out)) == 0
    prs = Presentation(io.BytesIO(out.read_bytes()))
    assert len(prs.slides) >= 7


def test_bad_suffix_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("export", "map", "--out", str(tmp_path / "x.gif")) == 2
    assert "format" in capsys.readouterr().err
    assert not (tmp_path / "x.gif").exists()


@pytest.mark.parametrize("argv", [
    ["export", "map", "--view", "moon", "--out", "x.png"],
    ["export", "map", "--indicator", "NOPE", "--out", "x.png"],
    ["export", "map", "--lang", "xx", "--out", "x.png"],
    ["export", "pie", "--out", "x.png"],
    ["deck", "--preset", "nope", "--out", "x.pptx"],
])
def test_cli_choices_are_validated(argv: list[str], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a if a not in ("x.png", "x.pptx") else str(tmp_path / a) for a in argv]
    with pytest.raises(SystemExit) as info:
        run(*argv)
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_unknown_survey_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("survey", "--survey", "nope") == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
    assert run("survey", "--survey", "sr-2007-07") == 0
