"""How old the evidence behind each national-structure status is: the maintainers' to-do list
(`python -m cthb stale`) and the age histogram on the Data & sources page.

A structure status is what a source said on its own date; `cthb.status` marks it stale when that
date is more than STALE_AFTER_YEARS before the date shown. Here the same ages are tabulated.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from cthb.facts import Facts
from cthb.schema import STRUCTURE_KINDS
from cthb.status import STALE_AFTER_YEARS, structure_status_of

# Age bands of the histogram, in years: [lower, upper).
AGE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("< 1", 0, 1), ("1-2", 1, 2), ("2-5", 2, 5), ("5-10", 5, 10), ("10+", 10, 1000))
UNKNOWN_BAND = "unknown"

EVIDENCE_AGE_COLUMNS = ["iso3", "state", "indicator", "status", "evidence_date", "age_years",
                        "stale", "source_id", "detail"]


def _age_years(confirmed: date | None, on: date) -> float | None:
    return None if confirmed is None else round((on - confirmed).days / 365.25, 1)


def evidence_ages(facts: Facts, on: date, older_than: int = STALE_AFTER_YEARS
                  ) -> pd.DataFrame:
    """Every participating State x structure kind on `on`: status, the date of the evidence
    that decided it, its age in years and whether it is older than `older_than` years."""
    rows = []
    for kind in STRUCTURE_KINDS:
        for iso3 in facts.participating_states(on):
            s = structure_status_of(facts, iso3, kind, on, stale_years=older_than)
            rows.append({
                "iso3": iso3, "state": facts.state_name(iso3), "indicator": kind,
                "status": s.status, "evidence_date": s.decided_on or "",
                "age_years": _age_years(s.confirmed, on),
                "stale": s.stale and s.status != "unknown",
                "source_id": s.source_id or "", "detail": s.detail})
    return pd.DataFrame(rows, columns=EVIDENCE_AGE_COLUMNS)


def stale_facts(facts: Facts, on: date, older_than: int = STALE_AFTER_YEARS) -> pd.DataFrame:
    """The statuses resting on evidence more than `older_than` years old, oldest first."""
    ages = evidence_ages(facts, on, older_than)
    stale = ages[ages["stale"]].drop(columns="stale")
    return stale.sort_values(["age_years", "indicator", "iso3"],
                             ascending=[False, True, True]).reset_index(drop=True)


def age_band(age: float | None) -> str:
    if age is None:
        return UNKNOWN_BAND
    return next(label for label, lo, hi in AGE_BANDS if lo <= age < hi)


def age_histogram(facts: Facts, on: date) -> pd.DataFrame:
    """Counts per structure kind and age band (plus `unknown`), long format: indicator,
    band, states."""
    ages = evidence_ages(facts, on)
    ages["band"] = [age_band(None if s == "unknown" else a)
                    for s, a in zip(ages["status"], ages["age_years"], strict=True)]
    bands = [label for label, _, _ in AGE_BANDS] + [UNKNOWN_BAND]
    counts = ages.groupby(["indicator", "band"]).size()
    return pd.DataFrame(
        [{"indicator": k, "band": b, "states": int(counts.get((k, b), 0))}
         for k in STRUCTURE_KINDS for b in bands])
