"""Who may act on what the cooperation pages compose (``core.permissions``)."""

from __future__ import annotations

from minefree.core.permissions import Rule, staff_only

RULES: dict[str, Rule] = {
    "cooperation.demo_load": staff_only,
}
