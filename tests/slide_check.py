"""Checks of a PowerPoint file as LibreOffice draws it: text at or above a minimum size, no text
outside its box, no word broken inside, and the slides as PNGs to look at.

Overflow is measured on the real rendering: a copy of the deck is made in which the text of
each text box and table has a colour of its own (pictures removed), LibreOffice renders it,
and every pixel of a box's colour must lie inside that box. Broken words are looked for in
the text LibreOffice wrote to the PDF (pdftotext): every word of the slide text must come out
whole (a line may end at a hyphen or a slash, as typesetting allows, never inside a word).
"""

from __future__ import annotations

import colorsys
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu

from tests.conftest import require_tool

DPI = 100
NB_HYPHEN = "\u2011"
WORD_JOINER = "\u2060"
PICTURE = 13


def require_libreoffice() -> None:
    require_tool(bool(shutil.which("soffice") and shutil.which("pdftoppm")
                      and shutil.which("pdftotext")),
                 "needs LibreOffice (soffice) and poppler (pdftoppm, pdftotext)")


def to_pdf(*pptx: Path, out_dir: Path) -> list[Path]:
    """LibreOffice's rendering of decks, as PDF (one page per slide), in one start of it."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{out_dir}/lo",
                    "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, pptx)],
                   check=True, capture_output=True, timeout=240)
    return [out_dir / (p.stem + ".pdf") for p in pptx]


def to_pngs(pdf: Path, stem: Path, dpi: int = DPI) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(stem)], check=True,
                   timeout=120)
    return sorted(stem.parent.glob(stem.name + "-*.png"))


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return out.replace(NB_HYPHEN, "-").replace(WORD_JOINER, "")


def _frames(shape: Any) -> list[Any]:
    if shape.has_text_frame:
        return [shape.text_frame]
    if getattr(shape, "has_table", False) and shape.has_table:
        return [c.text_frame for row in shape.table.rows for c in row.cells]
    return []


def small_runs(data: bytes, min_pt: float) -> list[str]:
    """Text runs smaller than `min_pt`, or with no size of their own, as "slide n: text"."""
    bad = []
    for n, slide in enumerate(Presentation(io.BytesIO(data)).slides, start=1):
        for shape in slide.shapes:
            for frame in _frames(shape):
                for para in frame.paragraphs:
                    for run in para.runs:
                        size = run.font.size.pt if run.font.size is not None else None
                        if run.text.strip() and (size is None or size < min_pt):
                            bad.append(f"slide {n}: {size} pt: {run.text[:40]!r}")
    return bad


@dataclass(frozen=True)
class Box:
    slide: int
    name: str
    colour: tuple[int, int, int]
    left: int  # pixels at DPI
    top: int
    right: int
    bottom: int


def _palette(n: int) -> list[tuple[int, int, int]]:
    # Saturated, dark enough to leave full-colour pixels in the strokes of 12-pt text.
    out = []
    for k in range(n):
        r, g, b = colorsys.hsv_to_rgb(k / max(n, 1), 1.0, 0.8)
        out.append((round(r * 255), round(g * 255), round(b * 255)))
    return out


def _px(emu: int) -> int:
    return round(Emu(emu).inches * DPI)


def coloured_copy(data: bytes) -> tuple[bytes, list[Box]]:
    """The deck with each text-holding shape in its own colour and no pictures."""
    prs = Presentation(io.BytesIO(data))
    boxes: list[Box] = []
    for n, slide in enumerate(prs.slides, start=1):
        shapes = [s for s in slide.shapes if _frames(s)]
        for shape, colour in zip(shapes, _palette(len(shapes)), strict=True):
            for frame in _frames(shape):
                for para in frame.paragraphs:
                    for run in para.runs:
                        run.font.color.rgb = RGBColor(*colour)
            height = shape.height
            if getattr(shape, "has_table", False) and shape.has_table:
                # A table's frame is what its rows were given: LibreOffice grows a row whose
                # text needs more, and that shows as colour below the frame.
                height = sum(r.height for r in shape.table.rows)
            boxes.append(Box(n, shape.name, colour, _px(shape.left), _px(shape.top),
                             _px(shape.left + shape.width), _px(shape.top + height)))
        for pic in [s for s in slide.shapes if s.shape_type == PICTURE]:
            pic._element.getparent().remove(pic._element)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue(), boxes


@dataclass
class Rendering:
    """A deck as LibreOffice draws it: the PDF of the deck itself and of its coloured copy."""

    pdf: Path
    coloured_pdf: Path
    boxes: list[Box]

    @property
    def text(self) -> str:
        return pdf_text(self.pdf)


def render(data: bytes, tmp: Path, name: str = "deck") -> Rendering:
    coloured, boxes = coloured_copy(data)
    deck, copy = tmp / f"{name}.pptx", tmp / f"{name}-coloured.pptx"
    deck.write_bytes(data)
    copy.write_bytes(coloured)
    pdf, coloured_pdf = to_pdf(deck, copy, out_dir=tmp)
    return Rendering(pdf, coloured_pdf, boxes)


def overflow(rendering: Rendering, tolerance_px: int = 3) -> list[str]:
    """Text drawn outside its own box, per box: "slide 2 'Points': text 14 px below its box"."""
    import numpy as np
    from PIL import Image

    pngs = to_pngs(rendering.coloured_pdf, rendering.coloured_pdf.with_suffix(""))
    problems = []
    for n, png in enumerate(pngs, start=1):
        pixels = np.asarray(Image.open(png).convert("RGB")).astype(int)
        for box in [b for b in rendering.boxes if b.slide == n]:
            near = (np.abs(pixels - np.array(box.colour)).max(axis=2) <= 24)
            ys, xs = np.nonzero(near)
            if not len(xs):
                continue
            out = {"left": box.left - int(xs.min()), "above": box.top - int(ys.min()),
                   "right": int(xs.max()) - box.right, "below": int(ys.max()) - box.bottom}
            for side, px in out.items():
                if px > tolerance_px:
                    problems.append(f"slide {n} {box.name!r}: text {px} px {side} its box")
    return problems


WORD = re.compile(r"\S+")


def broken_words(data: bytes, rendered_text: str) -> list[str]:
    """Words of the slides that do not come out whole in LibreOffice's rendering."""
    rendered = set(WORD.findall(rendered_text))
    missing = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            for frame in _frames(shape):
                text = frame.text.replace(NB_HYPHEN, "-").replace(WORD_JOINER, "")
                for word in WORD.findall(text):
                    if word in rendered:
                        continue
                    # A line may end after a hyphen or slash: each part must be whole.
                    parts = [x for x in re.split(r"(?<=[-/])", word) if x]
                    if len(parts) > 1 and all(x in rendered for x in parts):
                        continue
                    missing.append(word)
    return missing
