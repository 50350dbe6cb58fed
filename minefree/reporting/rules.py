"""Who may do what with Article 7 reports (``core.permissions``).

A state's reports are drafted, submitted, amended and answered for by its own people (the
focal point and the delegates); ISU staff import on anyone's behalf and ask clarifications.
Whether a report can still change (a draft, not yet submitted) is the workflow's question,
asked by the services after the right.
"""

from __future__ import annotations

from typing import Any

from minefree.core.permissions import Rule, is_staff_member, staff_only
from minefree.registry.models import Actor
from minefree.reporting.selectors import drafting_state_ids, may_read_contact


def _drafts_for(user: Any, state: Any) -> bool:
    return isinstance(state, Actor) and state.pk in drafting_state_ids(user)


def _imports_for(user: Any, state: Any) -> bool:
    """A workbook into a state's draft: its people or staff; for any state (None): staff."""
    return is_staff_member(user) or (state is not None and _drafts_for(user, state))


def _reads_contact(user: Any, state: Any) -> bool:
    return isinstance(state, Actor) and may_read_contact(user, state)


RULES: dict[str, Rule] = {
    "report.draft": _drafts_for,
    "report.import": _imports_for,
    "report.import_history": staff_only,
    "report.import_batch": staff_only,
    "report.clarification_request": staff_only,
    "report.contact_read": _reads_contact,
}
