"""What the cooperation home and the committee's workspace read beyond the other selectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from minefree.assistance import matching
from minefree.assistance.matching import Match
from minefree.assistance.models import Need, Offer, Partnership
from minefree.assistance.rules import may_run_committee_work
from minefree.assistance.selectors import Reader, needs_list, offers_list, visible
from minefree.casework import selectors as casework
from minefree.casework.selectors import cases_list
from minefree.cooperation.selectors import NeedLine
from minefree.funding import totals as funding
from minefree.funding.models import Flow, FlowStatus
from minefree.funding.selectors import flows_list
from minefree.funding.totals import need_progress

#: how many records each list of the home shows (each links to its full list)
HOME_LIST = 5


def open_needs_without_partnership(who: Reader) -> list[Need]:
    """Needs not yet met that no partnership answers, oldest first: the committee's backlog."""
    needs = list(needs_list(who).filter(partnerships__isnull=True).order_by("created_at", "pk"))
    progress = need_progress(needs, who)
    return [n for n in needs if progress[n.pk].status != "met"]


@dataclass(frozen=True)
class OfferLine:
    """One of a donor's offers with the needs that match it best."""

    offer: Offer
    matches: list[tuple[Match, Need]]


@dataclass
class Overview:
    """The cooperation home: what everyone may see, then what concerns this reader."""

    counts: dict[str, int]
    recent_needs: list[Need]
    recent_offers: list[Offer]
    #: a state's own needs and the partnerships answering them
    own_needs: list[NeedLine] = field(default_factory=list)
    own_partnerships: list[Partnership] = field(default_factory=list)
    #: a donor's own offers (with matches) and pledges
    own_offers: list[OfferLine] = field(default_factory=list)
    own_pledges: list[Flow] = field(default_factory=list)
    #: the committee's backlog, counted (the workspace lists it)
    committee: dict[str, int] | None = None


def overview(who: Reader, today: dt.date | None = None) -> Overview:
    """Counts and the latest records for everyone; a reader's own records beside them.

    Every list is cut to ``HOME_LIST`` and links to its full page, so the home stays
    small whatever the data size.
    """
    needs = needs_list(who)
    offers = offers_list(who)
    counts = {
        "needs": needs.count(),
        "offers": offers.count(),
        "flows": flows_list(who).count(),
        "pledges": flows_list(who).filter(status=FlowStatus.PLEDGE).count(),
        "cases": cases_list(who).count(),
        "partnerships": visible(Partnership.objects.all(), who).count(),
    }
    result = Overview(
        counts=counts,
        recent_needs=list(needs.order_by("-created_at", "-pk")[:HOME_LIST]),
        recent_offers=list(offers.order_by("-created_at", "-pk")[:HOME_LIST]),
    )
    if who.state_ids:
        mine = list(
            needs.filter(state__in=who.state_ids).order_by("-created_at", "-pk")[:HOME_LIST]
        )
        progress = need_progress(mine, who)
        result.own_needs = [NeedLine(n, progress[n.pk]) for n in mine]
        result.own_partnerships = list(
            visible(Partnership.objects.all(), who)
            .filter(Q(need__state__in=who.state_ids))
            .select_related("need__state", "offer__provider")[:HOME_LIST]
        )
    if who.donor_ids:
        own = list(
            offers.filter(provider__in=who.donor_ids).order_by("-created_at", "-pk")[:HOME_LIST]
        )
        result.own_offers = _offer_lines(own, who)
        result.own_pledges = list(
            flows_list(who)
            .filter(donor__in=who.donor_ids, status=FlowStatus.PLEDGE)
            .order_by("-year", "-pk")[:HOME_LIST]
        )
    if may_run_committee_work(who):
        result.committee = {
            "open_needs": len(open_needs_without_partnership(who)),
            "awaiting": funding.pledges_awaiting_follow_up(who).count(),
            "overdue": len(casework.overdue_actions(who, today)),
        }
    return result


def _offer_lines(offers: list[Offer], who: Reader) -> list[OfferLine]:
    """Each offer with its three best needs, scored in one matrix."""
    if not offers:
        return []
    best = matching.needs_for_offers(offers, who)
    wanted = {m.need_id for group in best.values() for m in group}
    by_pk = Need.objects.select_related("state").in_bulk(wanted)
    return [
        OfferLine(o, [(m, by_pk[m.need_id]) for m in best.get(o.pk, []) if m.need_id in by_pk])
        for o in offers
    ]
