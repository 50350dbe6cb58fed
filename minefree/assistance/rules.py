"""Who may change needs, offers and partnerships (``core.permissions``).

A state's people (focal point, delegates) keep its needs; a donor's focal point its offers;
the committee (and ISU staff) confirm partnerships. The ``may_*`` functions answer for a
``Reader`` a page has already built (to show a button); ``RULES`` answer for a user, and
services ``require`` them.
"""

from __future__ import annotations

from minefree.assistance.selectors import Reader, reader
from minefree.core.permissions import Rule
from minefree.registry.models import Actor


def may_edit_need(who: Reader, state: Actor) -> bool:
    """A state's focal point and delegates edit its needs; ISU staff edit all."""
    return who.staff or state.pk in who.state_ids


def may_edit_offer(who: Reader, provider: Actor) -> bool:
    """A donor's focal point edits its offers, pledges and flows; ISU staff edit all."""
    return who.staff or provider.pk in who.donor_ids


def may_run_committee_work(who: Reader) -> bool:
    """Committee members confirm partnerships, run cases and bilateral meetings."""
    return who.staff or who.committee


RULES: dict[str, Rule] = {
    "need.edit": lambda user, state: (
        isinstance(state, Actor) and may_edit_need(reader(user), state)
    ),
    "offer.edit": lambda user, provider: (
        isinstance(provider, Actor) and may_edit_offer(reader(user), provider)
    ),
    "partnership.confirm": lambda user, _target: may_run_committee_work(reader(user)),
}
