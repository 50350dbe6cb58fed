"""Who may send reminders (``core.permissions``): they speak for the ISU."""

from __future__ import annotations

from minefree.core.permissions import Rule, staff_only

RULES: dict[str, Rule] = {
    "reminder.send": staff_only,
}
