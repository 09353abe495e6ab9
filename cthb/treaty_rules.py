"""Legal rules of the treaties that the status engine applies, each with its source.

Kept apart from the engine so a lawyer can check them in one place."""

from __future__ import annotations

from datetime import date

from cthb.dates import add_months, first_of_next_month

# CETS No. 197 entered into force on 1 February 2008 (Art. 42(3): three months after the tenth
# ratification, by Cyprus on 24 October 2007). Source: treaties.csv, the CoE treaty office.
COE197_GENERAL_ENTRY_INTO_FORCE = date(2008, 2, 1)


def coe197_in_force_date(deposit: date) -> date:
    """When CETS 197 enters into force for a State that deposited its instrument on `deposit`.

    Art. 42(4) (signatories ratifying later) and Art. 43(3) (acceding States): "on the first day
    of the month following the expiration of a period of three months after the date of deposit",
    and never before the Convention itself entered into force (Art. 42(3)).
    """
    expiry = add_months(deposit, 3)
    return max(first_of_next_month(expiry), COE197_GENERAL_ENTRY_INTO_FORCE)
