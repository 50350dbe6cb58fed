"""Lists of funding flows and published totals, as a reader may see them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from minefree.assistance.selectors import Reader, visible
from minefree.funding.models import Flow, PublishedTotal


@dataclass(frozen=True)
class FlowFilters:
    donor: str = ""
    recipient: str = ""
    year: int | None = None
    status: str = ""
    pillar: str = ""


def flows_list(who: Reader, filters: FlowFilters | None = None) -> QuerySet[Flow]:
    f = filters or FlowFilters()
    qs = visible(
        Flow.objects.select_related("donor", "recipient", "source"), who, "donor", "recipient"
    )
    if f.donor:
        qs = qs.filter(donor__iso3=f.donor.upper())
    if f.recipient:
        qs = qs.filter(recipient__iso3=f.recipient.upper())
    if f.year:
        qs = qs.filter(year=f.year)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.pillar:
        qs = qs.filter(pillar=f.pillar)
    return qs


def published_total_years() -> list[int]:
    years = PublishedTotal.objects.order_by("-year").values_list("year", flat=True).distinct()
    return list(years)
