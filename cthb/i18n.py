"""Interface text in the OSCE languages, from plain message catalogues.

Each language is one TOML file in cthb/locales/ (`en.toml`, `ru.toml`, ...), flat sections of
`key = "text"`. A translator adds a language by copying en.toml to xx.toml and translating the
values; no code changes. A key missing from a catalogue falls back to English, and a key missing
from English is shown as the key itself so the gap is visible, never a crash.
State names do not live here: they come from data/states.csv in all six languages.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates

from cthb.schema import LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch", "it": "Italiano",
                  "ru": "Русский", "es": "Español"}


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


@cache
def catalogue(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / f"{lang}.toml"
    if not path.exists():
        return {}
    with open(path, "rb") as fh:
        return _flatten(tomllib.load(fh))


def available_languages() -> list[str]:
    """Languages with a catalogue, in the OSCE's order."""
    return [lang for lang in LANGUAGES if (LOCALE_DIR / f"{lang}.toml").exists()]


def normalise_language(lang: str | None) -> str:
    return lang if lang in available_languages() else DEFAULT_LANGUAGE


# The placeholder that decides a plural form, in the order they are looked for.
COUNT_PLACEHOLDERS = ("n", "count")


@cache
def _plural_rule(lang: str) -> Callable[[int], str]:
    # CLDR plural rules (Babel): English one/other; Russian one/few/many/other.
    return Locale.parse(lang).plural_form


def plural_form(n: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """The CLDR plural category of `n` in `lang`: "1 источник", "2 источника", "5 источников"."""
    return _plural_rule(lang)(abs(n))


def _lookup(key: str, lang: str, values: dict[str, object]) -> str | None:
    cat = catalogue(lang)
    if key in cat:
        return cat[key]
    # A key with plural forms is a table: key.one, key.few, key.many, key.other.
    counts = [v for c in COUNT_PLACEHOLDERS if isinstance(v := values.get(c), int)]
    if f"{key}.other" in cat:
        form = plural_form(counts[0], lang) if counts else "other"
        return cat.get(f"{key}.{form}") or cat[f"{key}.other"]
    return None


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for `key` in `lang`, with {placeholders} filled from `values`. A key written as
    a table of plural forms ({ one = ..., few = ..., many = ..., other = ... }) takes the form
    for the number in `n` or `count`."""
    text = _lookup(key, lang, values) or _lookup(key, DEFAULT_LANGUAGE, values) or key
    return text.format(**values) if values else text


def format_day(d: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as readers of `lang` write it: "1 December 2026", "1 декабря 2026 г."."""
    return babel_dates.format_date(d, format="long" if lang != "en" else "d MMMM y",
                                   locale=lang)


def status_label(status: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return t(f"status.{status}", lang)


def indicator_label(indicator: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return t(f"indicator.{indicator}", lang)


def region_label(region: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return t(f"region.{region}", lang)
