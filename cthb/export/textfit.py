"""How much room text takes on a slide, measured with the real font, so the brief and the deck
choose a size and a cut that fit their boxes instead of letting text run out of them.

Slides name Arial; a machine without it (LibreOffice on Debian) draws DejaVu Sans, which is
wider than Arial. Measuring with DejaVu therefore gives the larger of the two, and a layout
that fits here fits in PowerPoint too. Widths are in points (1/72 in).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cthb.safe_text import WORD_JOINER

# Slide geometry shared by the brief and the deck (inches).
SLIDE_MARGIN_IN = 0.5
TEXT_INSET_IN = 0.08  # padding inside text boxes and table cells
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
SLIDE_FONT = "Arial"
# Line height as a multiple of the font size: DejaVu's ascent + descent is 1.164 em, and
# LibreOffice and PowerPoint both use it at 100 % line spacing; 1.2 leaves a little air.
LINE_HEIGHT = 1.2
_MEASURE_SIZE = 1000  # the font is measured once at this size and scaled


@cache
def _font(bold: bool) -> object:
    from PIL import ImageFont

    path = FONT_DIR / FONT_FILES[bold]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: install Debian's fonts-dejavu-core")
    return ImageFont.truetype(str(path), _MEASURE_SIZE)


_DATE_HYPHEN = re.compile(r"(?<=\d)-(?=\d)")
NB_HYPHEN = "\u2011"


def keep_dates_whole(text: str) -> str:
    """Hyphens between digits made non-breaking: slide software breaks a line after any
    hyphen, and "2013-04-" / "01" is a date cut in two."""
    return _DATE_HYPHEN.sub(NB_HYPHEN, text)


# One FreeType face is shared by every session's thread; FreeType faces are not safe to use
# from two threads at once, so measurements take turns (each takes microseconds).
_MEASURING = threading.Lock()


def text_width(text: str, pt: float, bold: bool = False) -> float:
    """Width of one line of `text` at `pt` points, in points."""
    font = _font(bold)
    with _MEASURING:
        length = float(font.getlength(text))  # type: ignore[attr-defined]
    return length * pt / _MEASURE_SIZE


def longest_word(text: str, pt: float, bold: bool = False) -> float:
    """The widest single word: a column narrower than this would break a word inside."""
    return max((text_width(w, pt, bold) for w in text.split()), default=0.0)


def wrap(text: str, width_pt: float, pt: float, bold: bool = False) -> list[str]:
    """Greedy word wrap, as slide software does it; a word wider than the line stays whole
    (the callers make their boxes wide enough for every word)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if not line or text_width(candidate, pt, bold) <= width_pt:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def text_height(text: str, width_pt: float, pt: float, bold: bool = False,
                space_after_pt: float = 0.0) -> float:
    """Height in points of a paragraph wrapped to `width_pt`."""
    return len(wrap(text, width_pt, pt, bold)) * pt * LINE_HEIGHT + space_after_pt


@dataclass(frozen=True)
class Para:
    """One paragraph of a text box."""

    text: str
    bold: bool = False
    scale: float = 1.0  # relative to the box's size (a heading at 1.15)
    space_after: float = 0.35  # in lines of the box's size


def paras_height(paras: list[Para], width_pt: float, pt: float) -> float:
    return sum(text_height(p.text, width_pt, pt * p.scale, p.bold, p.space_after * pt)
               for p in paras)




def cut(text: str, chars: int) -> str:
    """Shorten at a word boundary, marked with an ellipsis that stays on the line of the word
    before it (slide software would otherwise break a line before "…")."""
    if len(text) <= chars:
        return text
    head = text[:chars].rsplit(" ", 1)[0].rstrip(" ,;:-–—(")
    return head + WORD_JOINER + "…"
