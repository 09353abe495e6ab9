"""Interface text in the OSCE languages, from plain message catalogues.

Each language is one TOML file in cthb/locales/ (`en.toml`, `ru.toml`, ...), flat sections of
`key = "text"`. A translator adds a language by copying en.toml to xx.toml and translating the
values; no code changes. A key missing from a catalogue falls back to English, and a key missing
from English is shown as the key itself so the gap is visible, never a crash.
State names do not live here: they come from data/states.csv in all six languages.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

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


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for `key` in `lang`, with {placeholders} filled from `values`."""
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def status_label(status: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return t(f"status.{status}", lang)


def indicator_label(indicator: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return t(f"indicator.{indicator}", lang)


def region_label(region: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return t(f"region.{region}", lang)
