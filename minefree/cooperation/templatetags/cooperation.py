"""Template helpers of the cooperation pages."""

from __future__ import annotations

from typing import Any

from django import template

from minefree.assistance.rules import may_run_committee_work
from minefree.assistance.selectors import reader

register = template.Library()


@register.simple_tag(takes_context=True)
def runs_committee_work(context: template.Context) -> bool:
    """Whether the signed-in reader may open the committee's workspace (menus link to it)."""
    user: Any = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    return may_run_committee_work(reader(user))
