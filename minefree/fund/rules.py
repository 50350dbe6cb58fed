"""Who may do what with the Cooperation and Assistance Fund (``core.permissions``).

ISU staff keep the fund's books: contributions, calls, screening, grants, tranches and the
closing of a grant. An application is the applicant state's: its focal point and delegates
draft, submit and report on it; the host state's people add the host's report. Members of
the Committee on the Enhancement of Cooperation and Assistance score applications, never
one whose applicant or host is their own state's body (``fund.seats``); the committee's
chair records the decision.
"""

from __future__ import annotations

from typing import Any

from minefree.assistance.selectors import reader
from minefree.core.permissions import Rule, staff_only
from minefree.registry.models import Actor


def _represents(user: Any, body: Any) -> bool:
    """The focal point or a delegate of the state ``body`` (a national body) belongs to."""
    if not isinstance(body, Actor):
        return False
    state_id = body.parent_id if body.parent_id else body.pk
    return state_id in reader(user).state_ids


def _scores(user: Any, application: Any) -> bool:
    """A committee member with no stake in the application (``fund.seats``)."""
    from minefree.fund.seats import conflict, member_seat

    if application is None:
        return reader(user).committee
    seat = member_seat(user, application.call.year)
    return seat is not None and conflict(seat.actor_id, application) is None


def _chairs(user: Any, application: Any) -> bool:
    from minefree.fund.seats import member_seat

    if application is None:
        return reader(user).committee
    seat = member_seat(user, application.call.year)
    return seat is not None and seat.role == "chair"


def _reads_books(user: Any, _target: Any = None) -> bool:
    """The ledger, screening and scores: ISU staff and committee members."""
    who = reader(user)
    return who.staff or who.committee


def _follows_up(user: Any, application: Any) -> bool:
    who = reader(user)
    return who.staff or who.committee or _represents(user, getattr(application, "applicant", None))


RULES: dict[str, Rule] = {
    "fund.manage": staff_only,
    "fund.read_books": _reads_books,
    "fund_host_profile.edit": lambda user, body: staff_only(user) or _represents(user, body),
    "fund_application.draft": _represents,
    "fund_application.host_report": _represents,
    "fund_application.score": _scores,
    "fund_application.decide": _chairs,
    "fund_follow_up.update": _follows_up,
    "fund_visit.record": lambda user, body: staff_only(user) or _represents(user, body),
}
