"""Who may act on core's own records (``core.permissions``)."""

from __future__ import annotations

from minefree.core.permissions import Rule, staff_only

RULES: dict[str, Rule] = {
    "follow_up.retry": staff_only,
    "job.rerun": staff_only,
}
