"""Treaty date rules (Article 17 entry into force, Article 7 initial report).

Article 17: the Convention entered into force on 1 March 1999, the first day of
the sixth month after the month of the 40th deposit (16 September 1998). For a
state depositing later, it enters into force on the first day of the sixth
month after the month of its deposit.
"""

from __future__ import annotations

import datetime as dt

from minefree.core.dates import DateInterval, PartialDate

FORTIETH_DEPOSIT = dt.date(1998, 9, 16)
CONVENTION_ENTRY_INTO_FORCE = dt.date(1999, 3, 1)
MONTHS_TO_ENTRY_INTO_FORCE = 6


def entry_into_force(deposit: dt.date) -> dt.date:
    """Entry into force for a state that deposited its instrument on ``deposit``."""
    if deposit <= FORTIETH_DEPOSIT:
        return CONVENTION_ENTRY_INTO_FORCE
    month_index = deposit.year * 12 + (deposit.month - 1) + MONTHS_TO_ENTRY_INTO_FORCE
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def entry_into_force_interval(deposit: PartialDate) -> DateInterval:
    """Entry into force when the deposit is known only to the month or the year."""
    return DateInterval(entry_into_force(deposit.earliest), entry_into_force(deposit.latest))
