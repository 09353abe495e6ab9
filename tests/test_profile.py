"""The State profile (cthb.profile), its timeline chart, correction files and the profile page
against the real data: every line must be a fact of the store with its source."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import TYPE_CHECKING

import pytest

from cthb import schema
from cthb import status as st
from cthb.charts.catalog import ChartParams, load_all
from cthb.corrections import (
    CorrectionError,
    ProposedSource,
    as_text,
    build_correction,
    read_workbook,
    workbook_bytes,
)
from cthb.facts import Facts
from cthb.i18n import t
from cthb.importing.rows import CHANGE_COLUMN
from cthb.indicators import indicator_frame
from cthb.paths import PROJECT_ROOT
from cthb.profile import find_states, resolve_state, state_profile

if TYPE_CHECKING:
    from cthb.validate import Problem

MNG_JOINED = date(2012, 11, 21)
CASES = [
    ("ALB", date(2007, 11, 13)),
    ("VAT", date(2026, 1, 1)),
    ("KAZ", date(2007, 11, 13)),
    ("KAZ", date(2026, 1, 1)),
    ("MNG", MNG_JOINED - date.resolution),
    ("MNG", MNG_JOINED),
    ("USA", date(2007, 11, 13)),
    ("DEU", date(2026, 1, 1)),
]


@pytest.mark.parametrize("query", ["Германия", "Allemagne", "Germany", "deu", "DEU",
                                   "  germany ", "Deutschland", "Alemania", "Germania"])
def test_find_states_any_language_and_code(facts: Facts, query: str) -> None:
    assert find_states(facts, query)[0] == "DEU"


def test_find_states_accents_and_case(facts: Facts) -> None:
    assert find_states(facts, "osterreich")[0] == "AUT"
    assert find_states(facts, "ÖSTERREICH")[0] == "AUT"
    assert find_states(facts, "казахстан") == ["KAZ"]
    assert find_states(facts, "Kazak") == ["KAZ"]  # prefix
    assert find_states(facts, "") == []
    assert find_states(facts, "<script>") == []


def test_find_states_substring_ranks_after_prefix(facts: Facts) -> None:
    found = find_states(facts, "land")  # Finland, Iceland, Ireland, Netherlands, Poland ...
    assert {"FIN", "ISL", "POL"} <= set(found)


def test_resolve_state_only_exact_codes(facts: Facts) -> None:
    assert resolve_state(facts, "kaz") == "KAZ"
    for bad in (None, "", "XXX", "<script>alert(1)</script>", "Kazakhstan", "XKX"):
        assert resolve_state(facts, bad) is None


def test_unknown_code_raises(facts: Facts) -> None:
    with pytest.raises(KeyError):
        state_profile(facts, "XXX", date(2020, 1, 1))


@pytest.mark.parametrize(("iso3", "on"), CASES)
def test_every_line_matches_the_store(facts: Facts, iso3: str, on: date) -> None:
    p = state_profile(facts, iso3, on, "en")
    # Header
    assert p.header.participating == facts.is_member(iso3, "OSCE", on)
    assert p.header.coe.member == facts.is_member(iso3, "COE", on)
    assert p.header.eu.member == facts.is_member(iso3, "EU", on)
    assert [op.name for op in p.header.field_operations] == \
        [op["name"] for op in facts.field_operations_on(iso3, on)]
    # Treaties: the status is the engine's, and every action/observation row is listed.
    for line in p.treaties:
        assert line.status == st.treaty_status_of(facts, iso3, line.treaty, on)
        stored = {(a["action"], a["action_date"], a["source_id"])
                  for a in facts.tables["treaty_actions"]
                  if a["iso3"] == iso3 and a["treaty"] == line.treaty}
        assert {(a.action, a.on, a.source_id) for a in line.actions} == stored
        observed = {(o["observed_status"], o["as_of"], o["source_id"])
                    for o in facts.tables["status_observations"]
                    if o["iso3"] == iso3 and o["treaty"] == line.treaty}
        assert {(o.observed_status, o.on, o.source_id) for o in line.observations} == observed
    assert [x.treaty for x in p.treaties] == list(schema.TREATIES)
    # Structures: status from the engine, every stored row in the history with its source.
    for sline in p.structures:
        assert sline.status == st.structure_status_of(facts, iso3, sline.kind, on)
        stored_rows = {(r["status"], r["as_of"], r["source_id"], r["detail"] or "")
                       for r in facts.tables["structures"]
                       if r["iso3"] == iso3 and r["kind"] == sline.kind}
        assert {(r.status, r.as_of, r.source_id, r.detail) for r in sline.history} == stored_rows
    # Survey and engagements
    assert p.survey.status == st.survey_status_of(facts, iso3, "sr-2007-07", on)
    assert {e.engagement_id for e in p.engagements} == \
        {e["engagement_id"] for e in facts.tables["engagements"] if e["iso3"] == iso3}
    # Every source cited exists, and every line's source is in the profile's list.
    cited = set(p.source_ids)
    assert cited <= set(facts.sources)
    for line in p.treaties:
        assert set(line.source_ids) <= cited
    for sline in p.structures:
        assert {r.source_id for r in sline.history} <= cited
    for e in p.engagements:
        assert e.source_id in cited
    for pt in p.points:
        assert set(pt.source_ids) <= cited


@pytest.mark.parametrize(("iso3", "on"), CASES)
def test_points_unknown_is_not_no(facts: Facts, iso3: str, on: date) -> None:
    p = state_profile(facts, iso3, on, "en")
    # Findings of a source and questions for the delegation are two lists, never mixed.
    assert all(pt.kind in ("gap", "info") for pt in p.points)
    assert all(pt.kind == "unknown" for pt in p.to_confirm)
    raise_ = {pt.indicator: pt for pt in p.points}
    confirm = {pt.indicator: pt for pt in p.to_confirm}
    for sline in p.structures:
        s = sline.status
        if s.status == "unknown":
            pt = confirm[sline.kind]
            assert "recorded" in pt.text and pt.source_ids == [] and sline.kind not in raise_
        elif s.status == "no":
            pt = raise_[sline.kind]
            # The sentence names the date; the source is cited as a numbered reference.
            assert pt.source_ids == [s.source_id] and str(s.evidence_date) in pt.text
            assert s.source_id is not None  # a "no" is a source's word
            assert s.source_id not in pt.text and p.cite(pt.source_ids).startswith("[")
        elif s.status == "expired":
            pt = raise_[sline.kind]
            assert f"ended in {s.valid_until}" in pt.text and "no successor" in pt.text
        elif s.status == "yes" and s.stale:
            # Old evidence of a structure is a question for the delegation, not a finding.
            pt = confirm[sline.kind]
            assert f"last confirmed {s.decided_on}" in pt.text and sline.kind not in raise_
        elif s.status == "yes":
            assert sline.kind not in raise_ and sline.kind not in confirm
        if s.stale and s.status in ("no", "planned", "partial", "expired"):
            assert "Last confirmed" in raise_[sline.kind].text
    for line in p.treaties:
        if line.status.status == "signed" and line.status.exact:
            assert line.status.decided_by is not None  # exact: a dated action decided
            assert f"on {line.status.decided_by.on}, not yet ratified" in raise_[line.treaty].text
        if line.status.status == "party" and line.treaty != "COE197":
            assert line.treaty not in raise_ and line.treaty not in confirm
        if line.status.status == "unknown":
            assert line.treaty in confirm


@pytest.mark.parametrize(("iso3", "on"), CASES)
def test_references_are_numbered_in_reading_order(facts: Facts, iso3: str, on: date) -> None:
    p = state_profile(facts, iso3, on, "en")
    assert [r.number for r in p.references] == list(range(1, len(p.references) + 1))
    assert len({r.source_id for r in p.references}) == len(p.references)
    # Every line the brief prints cites only numbered sources, and the first point cites [1].
    every = [*p.points, *p.to_confirm]
    for pt in every:
        assert len(p.ref_numbers(pt.source_ids)) == len(set(pt.source_ids))
    cited_first = next((pt for pt in every if pt.source_ids), None)
    if cited_first is not None:
        assert p.ref_numbers(cited_first.source_ids)[0] == 1
    for tl in p.treaties:
        assert len(p.ref_numbers(tl.cited)) == len(tl.cited)
    for r in p.references:
        assert r.source_id in facts.sources and r.text


def test_headline_says_treaties_structures_and_greta(facts: Facts) -> None:
    p = state_profile(facts, "DEU", date(2026, 1, 1), "en")
    assert len(p.headline) == 3
    assert p.headline[0].startswith("Treaties:") and "CETS 197: Party" in p.headline[0]
    assert p.headline[1].startswith("Structures:")
    ncm = next(s for s in p.structures if s.kind == "NCM").status
    if ncm.stale:
        assert f"last confirmed {ncm.decided_on}" in p.headline[1]
    assert f"to raise: {len(p.points)}" in p.headline[2]
    assert f"to confirm: {len(p.to_confirm)}" in p.headline[2]


def test_what_changed_keeps_became_known_apart(facts: Facts) -> None:
    """Albania's action plan was `yes` in Dec 2023 and `planned` a year later (the 2024 source
    reports the next plan only drafted): a change. Kyrgyzstan's referral mechanism, unknown in
    mid-2007 and known a year later, only became known."""
    from cthb.changes import status_changes

    on = date(2024, 12, 31)
    p = state_profile(facts, "ALB", on, "en")
    recent = p.changes[0]
    assert recent.key == "recent" and recent.since == date(2023, 12, 31)
    expected = status_changes(facts, ("NCM", "NAP", "NR", "NRM", "UNTOC", "PALERMO", "COE197",
                                      "GRETA"), recent.since, on, states=["ALB"])
    changed = set(expected.loc[expected["change"] == "changed", "indicator"])
    assert {c.indicator for c in recent.changes} == changed
    assert any(c.indicator == "NAP" and "Yes → Planned" in c.text for c in recent.changes)
    kgz = state_profile(facts, "KGZ", date(2008, 6, 30), "en")
    assert all(c.kind in ("became known", "no longer known") for c in kgz.changes[0].became_known)
    assert kgz.changes[0].changes == [] and kgz.changes[0].became_known
    # Kyrgyzstan's 2007 engagement opens a second window, counted from its last possible day.
    since_visit = next(w for w in kgz.changes if w.key == "engagement")
    assert since_visit.since == date(2007, 12, 31)


def test_engagements_all_years_and_later_ones_marked(facts: Facts) -> None:
    p = state_profile(facts, "KGZ", date(2026, 1, 1), "en")
    stored = [e for e in facts.tables["engagements"] if e["iso3"] == "KGZ"]
    assert len(p.engagements) == len(stored) >= 1
    assert p.previous_engagements == p.engagements
    early = state_profile(facts, "KGZ", date(2006, 1, 1), "en")
    assert early.previous_engagements == [] and all(e.after_as_of for e in early.engagements)


def test_tables_have_headers_in_the_profile_language(facts: Facts) -> None:
    from cthb.profile import tables

    p = state_profile(facts, "KAZ", date(2026, 1, 1), "ru")
    frames = tables(p, facts)
    for name, df in frames.items():
        for column in df.columns:
            assert any("\u0400" <= ch <= "\u04ff" for ch in column), (name, column)
    # The source's own words are marked as such, not passed off as a translation.
    details = frames["structures"]["Подробности"]
    assert any("(на английском языке)" in d for d in details)
    assert "cthb-regions" not in frames["overview"].to_string()


def test_mongolia_before_and_after_joining(facts: Facts) -> None:
    before = state_profile(facts, "MNG", MNG_JOINED - date.resolution, "en")
    after = state_profile(facts, "MNG", MNG_JOINED, "en")
    assert not before.header.participating and after.header.participating
    first = before.points[0]
    assert first.indicator == "OSCE" and "Not an OSCE participating State" in first.text
    assert "2012-11-21" in first.text
    assert all(pt.indicator != "OSCE" for pt in after.points)
    # Before it joined, Mongolia is not counted in its subregion; after, it is.
    assert all(c.own_status is None for c in before.comparisons)
    assert all(c.own_status is not None for c in after.comparisons)
    ru = state_profile(facts, "MNG", MNG_JOINED - date.resolution, "ru")
    assert "участник" in ru.points[0].text
    assert before.header.warning and not after.header.warning


def test_usa_not_in_council_of_europe(facts: Facts) -> None:
    p = state_profile(facts, "USA", date(2007, 11, 13), "en")
    assert not p.header.coe.member and p.header.coe.since is None
    coe = next(x for x in p.treaties if x.treaty == "COE197")
    assert coe.status.status == "non-member"
    assert any(pt.indicator == "COE197" and "Council of Europe" in pt.text for pt in p.points)
    # Non-members are outside the CETS 197 comparison (only CoE members can be parties).
    assert all(c.indicator != "COE197" for c in p.comparisons)


def test_croatia_signed_then_ratified(facts: Facts) -> None:
    # Croatia signed in Warsaw on 16 May 2005 and deposited on 5 Sep 2007 (its MFA says so).
    early = state_profile(facts, "HRV", date(2006, 6, 1), "en")
    assert any(pt.text == "Signed CETS 197 on 2005-05-16, not yet ratified."
               for pt in early.points)
    later = state_profile(facts, "HRV", date(2007, 11, 13), "en")
    coe = next(x for x in later.treaties if x.treaty == "COE197")
    assert coe.status.status == "party" and coe.status.in_force_date == date(2008, 2, 1)


@pytest.mark.parametrize(("iso3", "on"), [("KAZ", date(2026, 1, 1)), ("ALB", date(2007, 11, 13))])
def test_comparison_counts(facts: Facts, iso3: str, on: date) -> None:
    p = state_profile(facts, iso3, on, "en")
    region = facts.states[iso3]["region"]
    assert p.comparisons
    for c in p.comparisons:
        df = indicator_frame(facts, c.indicator, on)
        df = df[df["region"] == region]
        if c.indicator == "COE197":
            df = df[df["status"] != "non-member"]
        assert (c.count, c.total) == (int((df["status"] == c.status).sum()), len(df))
        assert c.unknown == int((df["status"] == "unknown").sum())
        assert f"{c.count} of {c.total}" in c.text


def test_russian_profile_text(facts: Facts) -> None:
    p = state_profile(facts, "DEU", date(2026, 1, 1), "ru")
    assert p.name == "Германия"
    for pt in p.points + p.to_confirm:
        assert any("\u0400" <= ch <= "\u04ff" for ch in pt.text), pt.text
    assert all(any("\u0400" <= ch <= "\u04ff" for ch in line) for line in p.headline)


# --- timeline chart ------------------------------------------------------------------------


def test_timeline_chart_from_catalogue(facts: Facts) -> None:
    charts = load_all()
    assert "state_timeline" in charts and "state_locator" in charts
    params = ChartParams(as_of=date(2026, 1, 1), lang="en", extra=(("iso3", "DEU"),))
    res = charts["state_timeline"].build(facts, params)
    p = state_profile(facts, "DEU", date(2026, 1, 1))
    n_actions = sum(len(x.actions) + len(x.observations) for x in p.treaties)
    n_struct = sum(len(s.history) for s in p.structures)
    assert len(res.data[res.data["kind"].isin(["signature", "binding", "observation"])]) \
        == n_actions
    assert len(res.data[res.data["kind"] == "structure"]) == n_struct
    assert set(res.source_ids) <= set(facts.sources)
    assert res.alt_text and "Germany" in res.title
    loc = charts["state_locator"].build(facts, params)
    assert loc.alt_text and any(tr.type == "choropleth" for tr in loc.figure.data)
    with pytest.raises(ValueError):
        charts["state_timeline"].build(facts, ChartParams(as_of=date(2026, 1, 1)))


# --- corrections ---------------------------------------------------------------------------

SOURCE = ProposedSource("Ministry note on the ratification", "Ministry of Foreign Affairs",
                        "https://example.org/note", "2024-05", "checked by the delegation")


def _sheet_problems(table: str, rows: list[dict[str, str]]) -> list[Problem]:
    from cthb.validate import parse_rows

    cols = schema.TABLES_BY_NAME[table].column_names
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for r in rows:
        writer.writerow([r[c] for c in cols])
    _, problems = parse_rows(schema.TABLES_BY_NAME[table], buf.getvalue(), table)
    return problems


def _check_workbook(data: bytes) -> dict[str, list[dict[str, str]]]:
    sheets = read_workbook(data)
    for table, rows in sheets.items():
        assert table in schema.TABLES_BY_NAME
        cols = list(schema.TABLES_BY_NAME[table].column_names)
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data))[table]
        assert [c.value for c in ws[1]] == [*cols, CHANGE_COLUMN]
        assert all(r[CHANGE_COLUMN] in ("add", "replace") for r in rows)
        assert _sheet_problems(table, rows) == []
    return sheets


def test_correction_replaces_treaty_action(facts: Facts) -> None:
    original = next(a for a in facts.tables["treaty_actions"]
                    if a["iso3"] == "HRV" and a["treaty"] == "COE197" and
                    a["action"] == "signature")
    proposed = {c: as_text(original[c]) for c in schema.TABLES_BY_NAME["treaty_actions"]
                .column_names}
    proposed["action_date"] = "2005-05-17"
    corr = build_correction("treaty_actions", original, proposed, SOURCE, "HRV",
                            date(2026, 11, 28))
    sheets = _check_workbook(workbook_bytes(corr))
    assert list(sheets) == ["sources", "treaty_actions"]
    row = sheets["treaty_actions"][0]
    assert row["change"] == "replace" and row["action_date"] == "2005-05-17"
    assert row["source_id"] == sheets["sources"][0]["source_id"]
    assert sheets["sources"][0]["url"] == "https://example.org/note"


def test_correction_adds_structure_and_survey_rows(facts: Facts) -> None:
    original = next(r for r in facts.tables["structures"] if r["iso3"] == "KAZ")
    proposed = {c: as_text(original[c]) for c in schema.TABLES_BY_NAME["structures"]
                .column_names}
    proposed.update(status="no", as_of="2025-01", detail="", established="")
    corr = build_correction("structures", original, proposed, SOURCE, "KAZ", date(2026, 1, 1))
    sheets = _check_workbook(workbook_bytes(corr))
    # The key includes the source: a new source's row sits beside the old one.
    assert sheets["structures"][0]["change"] == "add"
    new = {"survey_id": "sr-2007-07", "respondent": "Kazakhstan", "iso3": "KAZ",
           "kind": "participating_state", "received_by": "2007-10-01"}
    corr2 = build_correction("survey_responses", None, new, SOURCE, "KAZ", date(2026, 1, 1))
    assert _check_workbook(workbook_bytes(corr2))["survey_responses"][0]["change"] == "add"


@pytest.mark.parametrize("bad", ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)"])
def test_correction_refuses_formula_text(bad: str) -> None:
    new = {"iso3": "KAZ", "kind": "NR", "status": "yes", "as_of": "2025",
           "as_of_approx": "false", "detail": bad}
    with pytest.raises(CorrectionError):
        build_correction("structures", None, new, SOURCE, "KAZ", date(2026, 1, 1))


def test_correction_needs_a_source() -> None:
    new = {"iso3": "KAZ", "treaty": "COE197", "action": "signature", "action_date": "2030-01-01"}
    with pytest.raises(CorrectionError):
        build_correction("treaty_actions", None, new, ProposedSource("", ""), "KAZ",
                         date(2026, 1, 1))


# --- the page (AppTest) --------------------------------------------------------------------

PAGE = str(PROJECT_ROOT / "pages" / "profile.py")


def _run_page(params: dict[str, str]):  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at


def _no_html(at) -> None:  # type: ignore[no-untyped-def]
    for m in at.markdown:
        assert not m.proto.allow_html, m.value
    assert len(at.get("html")) == 0


@pytest.mark.parametrize("bad", ["XXX", "<script>alert(1)</script>", ""])
def test_page_bad_state_warns(bad: str) -> None:
    at = _run_page({"state": bad})
    assert not at.exception
    assert len(at.warning) == 1
    text = at.warning[0].value
    assert "No participating State matches" in text
    assert "<script>" not in text  # shown escaped, as text
    assert not at.header  # no profile rendered
    _no_html(at)


def test_page_profile_and_mongolia_warning() -> None:
    at = _run_page({"state": "MNG", "as_of": "2010-01-01"})
    assert not at.exception
    assert at.header[0].value.replace("\\", "") == "Mongolia (MNG)"
    assert any("was not an OSCE participating State on 2010-01-01" in w.value
               for w in at.warning)
    _no_html(at)
    at = _run_page({"state": "KAZ", "as_of": "2007-11-13", "lang": "ru"})
    assert not at.exception and at.header[0].value.replace("\\", "") == "Казахстан (KAZ)"
    assert not at.warning


def test_page_search_by_russian_name() -> None:
    at = _run_page({})
    assert not at.exception and not at.warning
    at.text_input(key="profile_search").set_value("Казахстан").run()
    assert not at.exception
    assert at.header[0].value.replace("\\", "") == "Kazakhstan (KAZ)"


def _fill(at, values: dict[str, str]):  # type: ignore[no-untyped-def]
    inputs = {ti.label: ti for ti in at.text_input}
    for label, value in values.items():
        inputs[label].set_value(value)


def test_page_correction_gives_a_file_the_dry_run_and_an_email(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from urllib.parse import parse_qs, unquote, urlparse

    monkeypatch.setenv("CTHB_CORRECTIONS_EMAIL", "cthb-corrections@example.org")
    at = _run_page({"state": "ALB", "as_of": "2007-11-13"})
    assert not at.exception
    pick = at.selectbox(key="corr_pick_ALB")
    label = next(o for o in pick.options if o.startswith("Treaty action: CETS 197"))
    pick.select_index(pick.options.index(label)).run()
    # The fact's current value and source are shown before the form.
    assert any("Shown now" in m.value for m in at.markdown)
    _fill(at, {"Date of the action (YYYY-MM-DD) *": "2005-05-23",
               "Address (URL) of the source *": "https://example.org/note",
               "Title *": "Note verbale on the signature",
               "Publisher *": "Ministry of Foreign Affairs of Albania",
               "Your name *": "A. Delegate", "Your e-mail address *": "delegate@example.org"})
    next(b for b in at.button if b.label == "Make the correction file").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any(s.value == "This replaces the existing row." for s in at.success)
    assert at.get("download_button")
    # What the Office's dry run will print: exactly the changed date, and the new source.
    diff = next(c.value for c in at.code if "treaty_actions.csv" in c.value)
    assert "1 changed" in diff and "'2005-05-23'" in diff and "sources.csv: 1 added" in diff
    link = at.get("link_button")[0].proto
    url = urlparse(link.url)
    assert url.scheme == "mailto" and url.path == "cthb-corrections@example.org"
    body = unquote(parse_qs(url.query)["body"][0]) if "body" in parse_qs(url.query) else ""
    assert "delegate@example.org" in body and ".xlsx" in body and "2005-05-23" in body


def test_page_correction_errors_in_the_page_language() -> None:
    at = _run_page({"state": "KAZ", "lang": "ru"})
    pick = at.selectbox(key="corr_pick_KAZ")
    pick.select_index(len(pick.options) - 1).run()  # a new survey answer
    next(b for b in at.button if b.label == "Создать файл исправления").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "обязательно" in errors and "required" not in errors
    assert not any(b.key == "correction_xlsx" for b in at.get("download_button"))


def test_empty_page_offers_every_state_by_subregion_in_the_page_language() -> None:
    at = _run_page({"lang": "ru"})
    assert not at.exception and not at.warning and not at.header
    groups = at.pills
    assert [g.label for g in groups] == [t(f"region.{r}", "ru") for r in schema.REGIONS]
    assert sum(len(g.options) for g in groups) == 57
    central_asia = next(g for g in groups if g.label == t("region.Central Asia", "ru"))
    central_asia.set_value("KAZ").run()
    assert not at.exception
    assert at.header[0].value.replace("\\", "") == "Казахстан (KAZ)"


def test_search_in_any_of_the_six_languages_from_the_empty_page() -> None:
    for query in ("Allemagne", "Deutschland", "Germania", "Alemania", "Германия", "Germany"):
        at = _run_page({})
        at.text_input(key="profile_search").set_value(query).run()
        assert at.header[0].value.replace("\\", "") == "Germany (DEU)", query


def test_empty_confirm_list_never_claims_recent_evidence_when_a_point_is_old(
        facts: Facts) -> None:
    """Monaco's rapporteur "no" rests on 2019 evidence: it is a point to raise, marked old, so
    the empty "to confirm" list must not say every indicator rests on recent evidence."""
    on = date(2026, 12, 1)
    keys = {}
    for iso3 in sorted(facts.participating_states(on)):
        p = state_profile(facts, iso3, on, "en")
        old = any(line.status.stale and line.status.status != "unknown"
                  for line in p.structures)
        keys[iso3] = p.nothing_to_confirm_key
        assert keys[iso3] == ("meeting.nothing_else_to_confirm" if old
                              else "meeting.nothing_to_confirm"), iso3
    assert keys["MCO"] == "meeting.nothing_else_to_confirm"
    assert set(keys.values()) == {"meeting.nothing_to_confirm",
                                  "meeting.nothing_else_to_confirm"}
