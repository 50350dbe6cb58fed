"""What the committee's workspace reads beyond the other selectors."""

from __future__ import annotations

from minefree.cooperation.funding import need_progress
from minefree.cooperation.models import Need
from minefree.cooperation.selectors import Reader, needs_list


def open_needs_without_partnership(who: Reader) -> list[Need]:
    """Needs not yet met that no partnership answers, oldest first: the committee's backlog."""
    needs = list(needs_list(who).filter(partnerships__isnull=True).order_by("created_at", "pk"))
    progress = need_progress(needs, who)
    return [n for n in needs if progress[n.pk].status != "met"]
