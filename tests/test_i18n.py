"""The message catalogues are complete and consistent, and every key the code uses exists.

These tests are what a translator runs after adding a language (docs/TRANSLATING.md): every
catalogue in cthb/locales/ is checked against en.toml, so fr.toml, de.toml, ... are covered the
moment they are added, with no code change.
"""

from __future__ import annotations

import ast
import re
import shutil
import string
import tomllib
from datetime import date
from pathlib import Path

import pytest

from cthb import i18n, schema
from cthb.charts.catalog import load_all
from cthb.charts.style import STATUS_COLOURS
from cthb.facts import Facts
from cthb.indicators import INDICATORS

ROOT = Path(__file__).resolve().parent.parent
CODE_FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"),
                     *(ROOT / "cthb").rglob("*.py")])
CATALOGUES = sorted(p.stem for p in i18n.LOCALE_DIR.glob("*.toml"))
OTHER_CATALOGUES = [lang for lang in CATALOGUES if lang != i18n.DEFAULT_LANGUAGE]
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN = re.compile(r"[A-Za-z]")


def placeholders(text: str) -> set[str]:
    """The {names} a message fills in ("{{" and "}}" are literal braces, not placeholders)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_catalogue_files_are_named_by_osce_language() -> None:
    # A file named e.g. "fr_FR.toml" would never be offered in the language switch.
    assert set(CATALOGUES) <= set(schema.LANGUAGES), CATALOGUES
    assert {"en", "ru"} <= set(CATALOGUES)


@pytest.mark.parametrize("lang", CATALOGUES)
def test_catalogue_parses_to_flat_strings(lang: str) -> None:
    with open(i18n.LOCALE_DIR / f"{lang}.toml", "rb") as fh:
        tree = tomllib.load(fh)

    def walk(node: dict[str, object], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                assert isinstance(value, str), f"{lang}.toml {prefix}{key}: not a string"

    walk(tree, "")


PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")


def _base_keys(cat: dict[str, str]) -> set[str]:
    """Keys with plural forms (key.one, key.few, ..., key.other) counted once, as `key`."""
    plural = {k.rsplit(".", 1)[0] for k in cat if k.endswith(".other")}
    return {k.rsplit(".", 1)[0] if k.rsplit(".", 1)[0] in plural and
            k.rsplit(".", 1)[1] in PLURAL_FORMS else k for k in cat}


@pytest.mark.parametrize("lang", CATALOGUES)
def test_plural_keys_have_the_language_forms(lang: str) -> None:
    """Each plural key gives exactly the CLDR categories of the language (Babel)."""
    from babel import Locale

    cat = i18n.catalogue(lang)
    tags = set(Locale.parse(lang).plural_form.tags) | {"other"}
    for base in {k.rsplit(".", 1)[0] for k in cat if k.endswith(".other")}:
        forms = {k.rsplit(".", 1)[1] for k in cat if k.rsplit(".", 1)[0] == base
                 and k.rsplit(".", 1)[1] in PLURAL_FORMS}
        assert forms == tags, (lang, base, forms, tags)


def test_counts_take_the_right_word() -> None:
    line = "map.source_line"
    assert "1 cited source:" in i18n.t(line, "en", version="v", n=1, ids="x")
    assert "2 cited sources:" in i18n.t(line, "en", version="v", n=2, ids="x")
    assert "1 источник:" in i18n.t(line, "ru", version="v", n=1, ids="x")
    assert "2 источника:" in i18n.t(line, "ru", version="v", n=2, ids="x")
    assert "5 источников:" in i18n.t(line, "ru", version="v", n=5, ids="x")
    assert "21 источник:" in i18n.t(line, "ru", version="v", n=21, ids="x")
    assert i18n.format_day(date(2007, 11, 13), "ru") == "13 ноября 2007\u202fг."
    assert i18n.format_day(date(2007, 11, 13), "en") == "13 November 2007"


@pytest.mark.parametrize("lang", OTHER_CATALOGUES)
def test_same_keys_as_english(lang: str) -> None:
    en, other = _base_keys(i18n.catalogue("en")), _base_keys(i18n.catalogue(lang))
    missing = sorted(set(en) - set(other))
    extra = sorted(set(other) - set(en))
    assert not missing, f"keys in en.toml missing from {lang}.toml: {missing}"
    assert not extra, f"keys in {lang}.toml that en.toml does not have: {extra}"


@pytest.mark.parametrize("lang", OTHER_CATALOGUES)
def test_placeholders_match_english(lang: str) -> None:
    en, other = i18n.catalogue("en"), i18n.catalogue(lang)
    def base(key: str, cat: dict[str, str]) -> str:
        # Plural forms are compared with the English "other" form.
        head, _, tail = key.rpartition(".")
        return f"{head}.other" if tail in PLURAL_FORMS and f"{head}.other" in cat else key

    wrong = {key: (placeholders(en[base(key, en)]), placeholders(other[key]))
             for key in other if base(key, en) in en
             and placeholders(en[base(key, en)]) != placeholders(other[key])}
    assert not wrong, f"{lang}.toml placeholders differ from en.toml (en, {lang}): {wrong}"


@pytest.mark.parametrize("lang", CATALOGUES)
def test_no_empty_values_and_all_format(lang: str) -> None:
    cat = i18n.catalogue(lang)
    empty = sorted(key for key, value in cat.items() if not value.strip())
    assert not empty, f"empty values in {lang}.toml: {empty}"
    broken = []
    for key, value in cat.items():
        # Fill every placeholder: a stray "{" or "}" would crash the page at run time.
        try:
            value.format(**dict.fromkeys(placeholders(value), "x"))
        except (ValueError, IndexError, KeyError):
            broken.append(key)
    assert not broken, f"{lang}.toml values that do not format (stray braces?): {broken}"


def test_russian_is_actually_russian() -> None:
    """A value copied from English and left untranslated shows up here. Codes and names that
    are the same in both languages (UNTOC, CETS 197, cthb, dates) are allowed."""
    en, ru = i18n.catalogue("en"), i18n.catalogue("ru")
    same_ok = re.compile(r"^[A-Z0-9 .:/()_-]*$|^cthb$|^CSV|^XLSX|^PNG|^SVG|^PDF|^PPTX")
    untranslated = sorted(key for key, value in ru.items()
                          if value == en.get(key) and LATIN.search(value)
                          and not same_ok.search(value))
    assert not untranslated, f"ru.toml values identical to English: {untranslated}"


# --- keys used by the code -------------------------------------------------------------------


def _t_calls(path: Path) -> list[tuple[int, ast.expr]]:
    """First arguments of every `t(...)` / `i18n.t(...)` call in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else None)
        if name == "t":
            out.append((node.lineno, node.args[0]))
    return out


def _used_keys() -> tuple[dict[str, str], dict[str, str]]:
    """Literal keys and f-string key prefixes (section before the first placeholder)."""
    literal: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for path in CODE_FILES:
        for line, arg in _t_calls(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                literal[arg.value] = where
            elif isinstance(arg, ast.JoinedStr) and arg.values:
                head = arg.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    prefixes[head.value] = where
    return literal, prefixes


def test_code_finds_some_keys() -> None:
    # Guards the scanner itself: if it found nothing, the next test would pass vacuously.
    literal, _ = _used_keys()
    assert "nav.map" in literal and "app.as_of" in literal


def test_every_key_used_in_code_is_in_english() -> None:
    en = i18n.catalogue("en")
    literal, prefixes = _used_keys()
    missing = {key: where for key, where in literal.items()
               if key not in en and f"{key}.other" not in en}
    assert not missing, f"t() keys missing from en.toml: {missing}"
    no_section = {p: where for p, where in prefixes.items()
                  if not any(key.startswith(p) for key in en)}
    assert not no_section, f"t(f'...') key prefixes with no keys in en.toml: {no_section}"


def test_every_status_indicator_region_and_chart_has_a_label() -> None:
    en = i18n.catalogue("en")
    statuses = set(STATUS_COLOURS) | {s for ind in INDICATORS.values() for s in ind.statuses}
    wanted = {f"status.{s}" for s in statuses}
    wanted |= {f"indicator.{i}" for i in (*INDICATORS, "GAPS")}
    wanted |= {f"region.{r}" for r in schema.REGIONS}
    wanted |= {spec.title_key for spec in load_all().values()}
    assert not sorted(wanted - set(en))


# --- adding a language needs no code --------------------------------------------------------


def test_a_new_catalogue_is_picked_up_without_code(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """What a translator does: copy en.toml to fr.toml and translate a value."""
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALE_DIR, locales)
    fr = (locales / "en.toml").read_text(encoding="utf-8")
    fr = fr.replace('map = "Map"', 'map = "Carte"')
    (locales / "fr.toml").write_text(fr, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", locales)
    i18n.catalogue.cache_clear()
    try:
        assert "fr" in i18n.available_languages()
        assert i18n.normalise_language("fr") == "fr"
        assert i18n.t("nav.map", "fr") == "Carte"
        assert i18n.LANGUAGE_NAMES["fr"] == "Français"
    finally:
        i18n.catalogue.cache_clear()


def test_unknown_language_and_key_do_not_crash() -> None:
    assert i18n.normalise_language("xx") == "en"
    assert i18n.normalise_language(None) == "en"
    assert i18n.t("nav.map", "xx") == i18n.t("nav.map", "en")
    assert i18n.t("no.such.key", "ru") == "no.such.key"


# --- State names ----------------------------------------------------------------------------


def test_state_names_in_russian_for_all_57(facts: Facts) -> None:
    states = facts.participating_states(date.today())
    assert len(states) == 57
    bad = {iso3: facts.state_name(iso3, "ru") for iso3 in states
           if not CYRILLIC.search(facts.state_name(iso3, "ru"))
           or LATIN.search(facts.state_name(iso3, "ru"))}
    assert not bad, f"State names not in Cyrillic: {bad}"


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_state_names_exist_in_every_osce_language(facts: Facts, lang: str) -> None:
    states = facts.participating_states(date.today())
    assert all(facts.state_name(iso3, lang).strip() for iso3 in states)
    if lang != "en":
        # Mostly differ from English (a few, like "Malta", are the same in every language).
        differ = sum(facts.state_name(i, lang) != facts.state_name(i, "en") for i in states)
        assert differ > len(states) // 2, f"{lang} names look like copies of English"
