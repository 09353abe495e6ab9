"""How much of the picture the data actually covers: per indicator, how many States are known
exactly, known only through an observation's date bound, or unknown."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cthb.facts import Facts
from cthb.indicators import INDICATORS, indicator_rows


def coverage_frame(facts: Facts, on: date) -> pd.DataFrame:
    rows = []
    for ind in INDICATORS:
        items = indicator_rows(facts, ind, on)
        unknown = sum(1 for r in items if r["status"] == "unknown")
        exact = sum(1 for r in items if r["status"] != "unknown" and r["exact"])
        rows.append({
            "indicator": ind,
            "states": len(items),
            "known_exactly": exact,
            "known_by_observation": len(items) - unknown - exact,
            "unknown": unknown,
        })
    return pd.DataFrame(rows)
