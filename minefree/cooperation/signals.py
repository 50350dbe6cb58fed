"""Signals of the cooperation pages, for the apps above that add to them.

``cooperation`` may not import the apps above it (the layer test), yet the committee's
workspace should show their work too (e.g. the fund's follow-up actions). An app above
connects a receiver to ``workspace_sections`` in its ``AppConfig.ready``; the workspace
shows what each receiver returns after its own sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

#: Sent by the committee's workspace with ``user`` (the reader) and ``who`` (their
#: ``Reader``). A receiver returns a ``WorkspaceSection``, or None to add nothing.
workspace_sections = Signal()


@dataclass(frozen=True)
class WorkspaceSection:
    """A section of the workspace an app above adds: ``template`` is rendered with it as
    ``section``; ``anchor`` is the section's id on the page (links point to it)."""

    anchor: str
    title: Any
    template: str
    items: list[Any] = field(default_factory=list)


def extra_sections(user: Any, who: Any) -> list[WorkspaceSection]:
    """The sections the apps above add to the workspace for this reader, in a fixed order."""
    replies: list[tuple[Any, Any]] = workspace_sections.send(
        sender=WorkspaceSection, user=user, who=who
    )
    sections = [reply for _receiver, reply in replies if isinstance(reply, WorkspaceSection)]
    return sorted(sections, key=lambda s: s.anchor)
