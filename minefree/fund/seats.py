"""Which state a committee member sits for, and when that state has a stake in an
application.

A person holds a committee membership (``accounts``); the state they sit for is the
membership's state where it names one, otherwise the state they represent as its focal
point or delegate. The registry's seats (``CommitteeSeat``) say which states sit on the
Committee on the Enhancement of Cooperation and Assistance in a year, and which chairs.
A seat with no recorded end is taken to run for a two-year term.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from minefree.accounts.models import Membership, Role
from minefree.accounts.selectors import active_memberships
from minefree.assistance.selectors import reader
from minefree.registry.models import CommitteeSeat

COMMITTEE = "cooperation_assistance"
TERM_YEARS = 2


def seats_in(year: int) -> list[CommitteeSeat]:
    """The committee's seats in ``year``, chair first."""
    return list(
        CommitteeSeat.objects.filter(committee__code=COMMITTEE, term_start_year__lte=year)
        .filter(
            Q(term_end_year__gte=year)
            | Q(term_end_year__isnull=True, term_start_year__gt=year - TERM_YEARS)
        )
        .select_related("actor")
        .order_by("role", "actor__name_en")
    )


def member_seat(user: Any, year: int, on: dt.date | None = None) -> CommitteeSeat | None:
    """The seat ``user`` holds in ``year``: None if they sit for no seated state."""
    if not getattr(user, "is_authenticated", False):
        return None
    memberships: list[Membership] = [
        m
        for m in active_memberships(user, on)
        if m.role == Role.COMMITTEE_MEMBER
        and (m.committee is None or m.committee.code == COMMITTEE)
    ]
    if not memberships:
        return None
    states = {m.actor_id for m in memberships if m.actor_id} or set(reader(user, on).state_ids)
    seats = [seat for seat in seats_in(year) if seat.actor_id in states]
    seats.sort(key=lambda seat: seat.role != "chair")
    return seats[0] if seats else None


def conflict(state_id: int, application: Any) -> str | None:
    """Why the member state ``state_id`` may not score ``application`` (None: it may)."""
    if application.applicant.parent_id == state_id:
        return _(
            "Your state is the applicant's: a member does not score its own state's application."
        )
    if application.host is not None and application.host.parent_id == state_id:
        return _(
            "Your state is the host's: a member does not score an application to visit its own state's body."
        )
    return None
