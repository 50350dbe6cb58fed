"""Lists of funding flows and published totals, as a reader may see them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from minefree.assistance.selectors import Reader, visible
from minefree.core.models import Visibility
from minefree.core.queries import narrowed
from minefree.funding.models import Flow, FlowStatus, PublishedTotal


@dataclass(frozen=True)
class FlowFilters:
    donor: str = ""
    recipient: str = ""
    year: int | None = None
    status: str = ""
    pillar: str = ""


def flows_list(who: Reader, filters: FlowFilters | None = None) -> QuerySet[Flow]:
    f = filters or FlowFilters()
    qs = Flow.objects.select_related("donor", "recipient", "source")
    return narrowed(
        visible(qs, who, "donor", "recipient"),
        donor__iso3=f.donor.upper(),
        recipient__iso3=f.recipient.upper(),
        year=f.year or None,
        status=f.status,
        pillar=f.pillar,
    )


def published_total_years() -> list[int]:
    years = PublishedTotal.objects.order_by("-year").values_list("year", flat=True).distinct()
    return list(years)


@dataclass(frozen=True)
class GivenFlow:
    """A public flow committed or paid, as indicators count who provided assistance."""

    pk: int
    donor_id: int
    recipient_id: int
    year: int
    status: str
    origin: str


def public_flows_given(first: int, last: int) -> list[GivenFlow]:
    """The public flows committed or paid in ``first``..``last`` (a pledge is a promise,
    not assistance provided): one query."""
    rows = Flow.objects.filter(
        visibility=Visibility.PUBLIC,
        status__in=(FlowStatus.COMMITMENT, FlowStatus.PAID),
        year__gte=first,
        year__lte=last,
    ).values_list("pk", "donor_id", "recipient_id", "year", "status", "origin")
    return [GivenFlow(*row) for row in rows.order_by("year", "pk")]
