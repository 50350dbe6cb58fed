"""Reads of the knowledge base, through the one visibility rule (``accounts.readers``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from minefree.accounts.readers import Reader, reader, visible
from minefree.knowledge.models import Document, Passage, PassageSearch, Practice, PracticeStatus
from minefree.registry.models import Actor


def passages_for(user: Any) -> QuerySet[Passage]:
    """The passages ``user`` may read (a state's own passages whatever their visibility)."""
    return passages_read_by(reader(user))


def passages_read_by(who: Reader) -> QuerySet[Passage]:
    """The passages this reader may read (``passages_for`` with the reader worked out)."""
    return visible(Passage.objects.select_related("state", "document"), who, "state")


def search_entries_read_by(who: Reader) -> QuerySet[PassageSearch]:
    """The search entries of the passages this reader may read: the same rule, on the
    passage's visibility and state that each entry copies (``PassageSearch``)."""
    return visible(PassageSearch.objects.all(), who, "state")


def documents_for(user: Any) -> QuerySet[Document]:
    return visible(Document.objects.all(), reader(user))


def practices_for(user: Any) -> QuerySet[Practice]:
    """Published practices the reader may see; the proposals too for ISU staff."""
    who = reader(user)
    qs = visible(Practice.objects.all(), who)
    return qs if who.staff else qs.filter(status=PracticeStatus.PUBLISHED)


def state_choices() -> list[tuple[str, str]]:
    """The states some passage is about, by name in the active language (one query)."""
    states = Actor.objects.filter(passages__isnull=False, iso3__isnull=False).distinct()
    return sorted(((s.iso3 or "", s.name) for s in states), key=lambda item: item[1])
