"""Who may do what with an extension request (``core.permissions``).

A request is the state's: its focal point and delegates draft, submit, revise it and
answer the committees' questions. Members of the committees (the Article 5 committee and
the cooperation committee) and ISU staff ask questions and write the analysis; ISU staff
record the Meeting's decision. Nobody changes a submitted version.
"""

from __future__ import annotations

from typing import Any

from minefree.assistance.selectors import reader
from minefree.core.permissions import Rule, is_staff_member, staff_only
from minefree.registry.models import Actor


def is_states_own(user: Any, state: Any) -> bool:
    """The state's focal point or delegate (not ISU staff: the request is the state's act)."""
    return isinstance(state, Actor) and state.pk in reader(user).state_ids


def analyses(user: Any, _target: Any = None) -> bool:
    """Committee members and ISU staff question and analyse requests."""
    who = reader(user)
    return who.staff or who.committee


RULES: dict[str, Rule] = {
    "extension_request.draft": is_states_own,
    "extension_request.answer": is_states_own,
    "extension_request.question": analyses,
    "extension_request.analyse": analyses,
    "extension_request.decide": lambda user, _target: is_staff_member(user),
    "extension_request.demo_load": staff_only,
}
