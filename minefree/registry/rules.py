"""Who may change the treaty registry (``core.permissions``)."""

from __future__ import annotations

from minefree.core.permissions import Rule, staff_only

RULES: dict[str, Rule] = {
    "reference.load": staff_only,
    "registry.edit": staff_only,
    # an extension granted by a Meeting, as ISU staff record it in clearance
    "obligation.extend": staff_only,
}
