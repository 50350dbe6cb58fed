"""Who may act on core's own records (``core.permissions``)."""

from __future__ import annotations

from minefree.core.permissions import Rule, staff_only

RULES: dict[str, Rule] = {
    "follow_up.retry": staff_only,
    "job.rerun": staff_only,
    # the console runs backups and restores; a user may only be the one they are recorded for
    "database.back_up": staff_only,
    "database.restore": staff_only,
}
