"""Who may change what in cooperation (``core.permissions``).

A state's people (focal point, delegates) keep its needs and platform; a donor's focal
point its offers and what it gives; the committee (and ISU staff) confirm partnerships, run
the individualised approach and the bilateral meetings. The ``may_*`` functions answer for
a ``Reader`` a page has already built (to show a button); ``RULES`` answer for a user, and
services ``require`` them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minefree.cooperation.models import FollowUpAction
from minefree.cooperation.selectors import Reader, reader
from minefree.core.permissions import Rule, staff_only
from minefree.registry.models import Actor


def may_edit_need(who: Reader, state: Actor) -> bool:
    """A state's focal point and delegates edit its needs; ISU staff edit all."""
    return who.staff or state.pk in who.state_ids


def may_edit_offer(who: Reader, provider: Actor) -> bool:
    """A donor's focal point edits its offers, pledges and flows; ISU staff edit all."""
    return who.staff or provider.pk in who.donor_ids


def may_record_flow(who: Reader, donor: Actor, recipient: Actor, reported_by: str) -> bool:
    """Donors record what they give; a recipient state records what it received."""
    if who.staff:
        return True
    if reported_by == "donor":
        return donor.pk in who.donor_ids
    if reported_by == "recipient":
        return recipient.pk in who.state_ids
    return False


def may_run_committee_work(who: Reader) -> bool:
    """Committee members confirm partnerships, run cases and bilateral meetings."""
    return who.staff or who.committee


def may_request_case(who: Reader) -> bool:
    """A state asks for the individualised approach itself, or the committee records it."""
    return may_run_committee_work(who) or bool(who.state_ids)


def may_edit_platform(who: Reader, state: Actor) -> bool:
    return who.staff or state.pk in who.state_ids


def may_settle_action(who: Reader, action: FollowUpAction) -> bool:
    """The committee settles any action; an owner's representatives settle their own."""
    if may_run_committee_work(who):
        return True
    owner = action.owner
    return owner.pk in who.owner_ids or (
        owner.parent_id is not None and owner.parent_id in who.state_ids
    )


@dataclass(frozen=True)
class FlowParties:
    """The target of ``flow.record``: who gives, who receives, who says so, and the
    individualised approach case whose meeting the pledge was made at, if any."""

    donor: Actor
    recipient: Actor
    reported_by: str
    case: Any = None


def _records_flow(user: Any, parties: Any) -> bool:
    if not isinstance(parties, FlowParties):
        return False
    who = reader(user)
    if parties.case is not None and may_run_committee_work(who):
        return True  # pledges made at a meeting the committee runs
    return may_record_flow(who, parties.donor, parties.recipient, parties.reported_by)


def _reports_for(user: Any, state_ids: Any) -> bool:
    """Form J becomes flows for the reporting state's people, or staff."""
    who = reader(user)
    return who.staff or all(state_id in who.state_ids for state_id in state_ids)


def _requests_case(user: Any, state: Any) -> bool:
    who = reader(user)
    if state is None:
        return may_request_case(who)
    return isinstance(state, Actor) and (state.pk in who.state_ids or may_run_committee_work(who))


RULES: dict[str, Rule] = {
    "need.edit": lambda user, state: (
        isinstance(state, Actor) and may_edit_need(reader(user), state)
    ),
    "offer.edit": lambda user, provider: (
        isinstance(provider, Actor) and may_edit_offer(reader(user), provider)
    ),
    "flow.record": _records_flow,
    "flow.from_report": _reports_for,
    "partnership.confirm": lambda user, _target: may_run_committee_work(reader(user)),
    "case.request": _requests_case,
    "case.run": lambda user, _target: may_run_committee_work(reader(user)),
    "action.settle": lambda user, action: (
        isinstance(action, FollowUpAction) and may_settle_action(reader(user), action)
    ),
    "platform.edit": lambda user, state: (
        isinstance(state, Actor) and may_edit_platform(reader(user), state)
    ),
    "bilateral_meeting.record": lambda user, _target: may_run_committee_work(reader(user)),
    "cooperation.demo_load": staff_only,
}
