"""Who may record funding flows (``core.permissions``): donors what they give, a recipient
state what it received, the committee the pledges made at the meetings it runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minefree.assistance.rules import may_run_committee_work
from minefree.assistance.selectors import Reader, reader
from minefree.core.permissions import Rule
from minefree.registry.models import Actor


def may_record_flow(who: Reader, donor: Actor, recipient: Actor, reported_by: str) -> bool:
    """Donors record what they give; a recipient state records what it received."""
    if who.staff:
        return True
    if reported_by == "donor":
        return donor.pk in who.donor_ids
    if reported_by == "recipient":
        return recipient.pk in who.state_ids
    return False


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


RULES: dict[str, Rule] = {
    "flow.record": _records_flow,
    "flow.from_report": _reports_for,
}
