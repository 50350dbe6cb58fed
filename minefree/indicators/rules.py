"""Who may do what with the indicators and the committee's documents (``core.permissions``).

Values and published documents are public. ISU staff correct the wording of the plans'
actions and indicators (loading the official text when it is found). The committee's
documents are drafted, edited and published by members of the Committee on the
Enhancement of Cooperation and Assistance and by ISU staff.
"""

from __future__ import annotations

from typing import Any

from minefree.accounts.models import Role
from minefree.accounts.selectors import active_memberships
from minefree.core.permissions import Rule, is_staff_member, staff_only


def _committee_member(user: Any, document: Any = None) -> bool:
    """A member of the document's committee (any committee's member when none is given)."""
    if is_staff_member(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    committee_id = getattr(document, "committee_id", None)
    return any(
        m.role == Role.COMMITTEE_MEMBER
        and (committee_id is None or m.committee_id is None or m.committee_id == committee_id)
        for m in active_memberships(user)
    )


RULES: dict[str, Rule] = {
    "action_plan.correct": staff_only,
    "committee_document.edit": _committee_member,
    "committee_document.publish": _committee_member,
}
