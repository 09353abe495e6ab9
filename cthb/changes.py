"""What changed between two dates, told honestly: a State whose status was `unknown` on the
earlier date and is known on the later one has not changed status, we have only learnt it.

Every comparison in the product (map compare mode, the Gaps page, exports, the profile's "what
changed") classifies each State x indicator pair with `change_kind`, so "became known" is never
counted as a change of status.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Literal

import pandas as pd

from cthb.facts import Facts
from cthb.indicators import indicator_rows

ChangeKind = Literal["", "changed", "became known", "no longer known", "not participating"]
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "changed", "became known", "no longer known", "not participating")

CHANGE_LIST_COLUMNS = ["iso3", "state", "region", "indicator", "before_status", "status",
                       "change", "detail", "evidence_date", "source_id"]


def change_kind(before: str | None, after: str) -> ChangeKind:
    """How one status moved between two dates. `before` is None for a State that was not yet
    participating on the earlier date (Mongolia before 21 Nov 2012)."""
    if before is None:
        return "not participating"
    if before == after:
        return ""
    if before == "unknown":
        return "became known"
    if after == "unknown":
        return "no longer known"
    return "changed"


def status_changes(facts: Facts, indicators: tuple[str, ...], before: date, after: date,
                   lang: str = "en", include_unchanged: bool = False,
                   states: Collection[str] | None = None) -> pd.DataFrame:
    """One row per State x indicator whose status differs between `before` and `after` (every
    pair with `include_unchanged`), with `change` saying how (see `change_kind`). `states`
    limits the comparison to some States (a profile's one)."""
    rows = []
    # Plain rows, one DataFrame at the end: a frame per indicator and date costs more than
    # the statuses themselves when only a few States are compared (a profile's one).
    for indicator in indicators:
        earlier = {str(r["iso3"]): str(r["status"])
                   for r in indicator_rows(facts, indicator, before, lang, states)}
        for r in indicator_rows(facts, indicator, after, lang, states):
            iso3 = str(r["iso3"])
            previous = earlier.get(iso3)
            kind = change_kind(previous, str(r["status"]))
            if kind or include_unchanged:
                rows.append({"iso3": iso3, "state": facts.state_name(iso3, lang),
                             "region": facts.states[iso3]["region"],
                             "indicator": indicator, "before_status": previous or "",
                             "status": r["status"], "change": kind, "detail": r["detail"],
                             "evidence_date": r["evidence_date"] or "",
                             "source_id": r["source_id"] or ""})
    return pd.DataFrame(rows, columns=CHANGE_LIST_COLUMNS)


def change_counts(changes: pd.DataFrame) -> dict[str, int]:
    """How many pairs of each kind: real changes are counted apart from "became known"."""
    counts = changes["change"].value_counts() if len(changes) else pd.Series(dtype=int)
    return {k: int(counts.get(k, 0)) for k in CHANGE_KINDS}
