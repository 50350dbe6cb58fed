"""Who may run the individualised approach, keep a national platform and record the
committee's bilateral meetings (``core.permissions``)."""

from __future__ import annotations

from typing import Any

from minefree.assistance.rules import may_run_committee_work
from minefree.assistance.selectors import Reader, reader
from minefree.casework.models import FollowUpAction
from minefree.core.permissions import Rule
from minefree.registry.models import Actor


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


def _requests_case(user: Any, state: Any) -> bool:
    who = reader(user)
    if state is None:
        return may_request_case(who)
    return isinstance(state, Actor) and (state.pk in who.state_ids or may_run_committee_work(who))


RULES: dict[str, Rule] = {
    "case.request": _requests_case,
    "case.run": lambda user, _target: may_run_committee_work(reader(user)),
    "action.settle": lambda user, action: (
        isinstance(action, FollowUpAction) and may_settle_action(reader(user), action)
    ),
    "platform.edit": lambda user, state: (
        isinstance(state, Actor) and may_edit_platform(reader(user), state)
    ),
    "bilateral_meeting.record": lambda user, _target: may_run_committee_work(reader(user)),
}
