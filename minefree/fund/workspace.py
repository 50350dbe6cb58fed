"""The fund's part of the committee's workspace (``cooperation.signals``): the open
follow-up actions of the visits it paid for."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from minefree.cooperation.signals import WorkspaceSection
from minefree.fund import selectors


def follow_ups_section(sender: Any = None, *, user: Any, **_kwargs: Any) -> WorkspaceSection:
    return WorkspaceSection(
        anchor="fund-follow-ups",
        title=_("Follow-up actions of the fund's exchange visits"),
        template="fund/_workspace_follow_ups.html",
        items=selectors.open_follow_ups(user),
    )
