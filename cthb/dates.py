"""Dates as sources state them: full days, or only a month or a year.

Only ASCII digits: a regex digit class would also take "٢٠٠٧" or "２００７" (int() reads
them), so a date could look one way in the file and mean another. The whole text must match
(no trailing newline)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

# Dates the product refers to by name.
FIRST_DATE = date(2000, 12, 12)  # UNTOC and the Palermo Protocol opened for signature
REPORT_DATE = date(2007, 11, 13)  # the Special Representative's 2007 report (the seed data)
COE197_IN_FORCE_DATE = date(2008, 2, 1)  # CETS 197 entered into force



def today() -> date:
    """The day the product opens on (one place, so tests and pages agree on "today")."""
    return date.today()


_FULL = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_YEAR = re.compile(r"([0-9]{4})")


def parse_date(text: str) -> date:
    """A full ISO date; raises ValueError for anything else (including 2007-02-30)."""
    m = _FULL.fullmatch(text)
    if not m:
        raise ValueError(f"{text!r} is not a date of the form YYYY-MM-DD")
    return date(int(m[1]), int(m[2]), int(m[3]))


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a day, a month or a year. `lo`..`hi` is the span it may fall in."""

    lo: date
    hi: date
    text: str

    @property
    def is_exact(self) -> bool:
        return self.lo == self.hi

    def __str__(self) -> str:
        return self.text


def parse_partial(text: str) -> PartialDate:
    if _FULL.fullmatch(text):
        d = parse_date(text)
        return PartialDate(d, d, text)
    if m := _MONTH.fullmatch(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r} has no month {month}")
        last = calendar.monthrange(year, month)[1]
        return PartialDate(date(year, month, 1), date(year, month, last), text)
    if m := _YEAR.fullmatch(text):
        year = int(m[1])
        return PartialDate(date(year, 1, 1), date(year, 12, 31), text)
    raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")


def add_months(d: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def first_of_next_month(d: date) -> date:
    return date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)
