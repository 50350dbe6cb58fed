"""Who may add to the knowledge base and decide on challenge labels (``core.permissions``).

Committee members and ISU staff add documents and confirm or correct the labels the
classifier suggests; focal points, committee members and ISU staff propose practices, which
ISU staff publish; any signed-in reader may say a practice was useful. ISU staff train the
classifier of challenges again (on the labelled set and everyone's decisions). A submitted report's
text is indexed as the person who submitted it.
"""

from __future__ import annotations

from typing import Any

from minefree.accounts.readers import reader
from minefree.core.permissions import Rule, is_staff_member


def analyses(user: Any, _target: Any = None) -> bool:
    who = reader(user)
    return who.staff or who.committee


def proposes(user: Any, _target: Any = None) -> bool:
    who = reader(user)
    return who.staff or who.committee or bool(who.owner_ids)


def _reports_for(user: Any, state_ids: Any) -> bool:
    """A report's text is indexed for the reporting state's people (who submitted it), or staff."""
    who = reader(user)
    return who.staff or all(state_id in who.state_ids for state_id in state_ids)


RULES: dict[str, Rule] = {
    "passages.from_report": _reports_for,
    "document.add": analyses,
    "challenge.label": analyses,
    "practice.propose": proposes,
    "practice.publish": lambda user, _target: is_staff_member(user),
    "passages.rebuild": lambda user, _target: is_staff_member(user),
    "classifier.train": lambda user, _target: is_staff_member(user),
    "practice.feedback": lambda user, _target: bool(getattr(user, "is_authenticated", False)),
}
