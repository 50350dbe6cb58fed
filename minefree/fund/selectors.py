"""Reads of the fund for pages, the API and the yearly report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minefree.assistance.selectors import reader
from minefree.fund.models import (
    ZERO,
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Contribution,
    FollowUpAction,
    FollowUpStatus,
    FundBalance,
    HostProfile,
    LedgerEntry,
    Theme,
)
from minefree.registry.models import Actor

#: applications the public sees: the decision is taken and the fund pays (or paid) for them
PUBLIC_STATUSES = (
    ApplicationStatus.GRANTED,
    ApplicationStatus.VISIT_HELD,
    ApplicationStatus.REPORTED,
    ApplicationStatus.ACCOUNTED,
    ApplicationStatus.CLOSED,
)
HELD_STATUSES = PUBLIC_STATUSES[1:]


def balances() -> list[FundBalance]:
    return list(FundBalance.objects.all())


def calls_for(user: Any) -> QuerySet[Call]:
    """Published and closed calls for everyone; drafts for ISU staff."""
    calls = Call.objects.all()
    if not reader(user).staff:
        calls = calls.exclude(status=CallStatus.DRAFT)
    return calls


def _with_parts(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related("call", "applicant__parent", "host__parent", "grant").prefetch_related(
        "budget_lines"
    )


def applications_for(user: Any) -> QuerySet[Application]:
    """ISU staff see every application; committee members every one submitted (a draft is
    its state's until then, as a report or an extension request is); a state's people its
    own, as applicant or as the host it is planned with; everyone the granted ones."""
    who = reader(user)
    qs = Application.objects.all()
    if not who.staff:
        seen = Q(status__in=PUBLIC_STATUSES)
        if who.committee:
            seen |= ~Q(status=ApplicationStatus.DRAFT)
        qs = qs.filter(
            seen
            | Q(applicant__parent_id__in=list(who.state_ids))
            | Q(host__parent_id__in=list(who.state_ids))
        )
    return _with_parts(qs)


def visits_of_state(state: Actor) -> dict[str, list[Application]]:
    """The visits the fund paid for that a state's bodies made and hosted."""
    held = _with_parts(Application.objects.filter(status__in=PUBLIC_STATUSES))
    return {
        "sent": list(held.filter(applicant__parent=state).order_by("-starts_on")),
        "hosted": list(held.filter(host__parent=state).order_by("-starts_on")),
    }


@dataclass(frozen=True)
class HostReason:
    component: str
    points: float
    detail: str


@dataclass(frozen=True)
class HostSuggestion:
    body: Actor
    score: float
    reasons: tuple[HostReason, ...]


def host_suggestions(application: Application, limit: int = 10) -> list[HostSuggestion]:
    """National bodies of other states ranked by what they can show on the application's
    theme, the languages they work in, the visits they hosted and the region, each with
    its reasons. Bodies without a profile are not ranked (nothing is known of them)."""
    applicant_state = application.applicant.parent
    profiles = list(
        HostProfile.objects.select_related("body__parent")
        .exclude(body__parent=applicant_state)
        .exclude(body__parent__isnull=True)
    )
    hosted = Counter(
        Application.objects.filter(status__in=HELD_STATUSES).values_list("host_id", flat=True)
    )
    languages = set(application.call.languages or [])
    theme_label = Theme(application.theme).label if application.theme in Theme.values else ""
    suggestions = []
    for profile in profiles:
        reasons: list[HostReason] = []
        if application.theme in profile.capabilities:
            reasons.append(HostReason("theme", 3.0, _("offers %(theme)s") % {"theme": theme_label}))
        shared = sorted(languages & set(profile.languages))
        if shared:
            reasons.append(
                HostReason("language", 1.0, _("works in %(langs)s") % {"langs": ", ".join(shared)})
            )
        if hosted.get(profile.body_id):
            count = hosted[profile.body_id]
            reasons.append(
                HostReason(
                    "past_hosting",
                    min(0.5 * count, 1.5),
                    ngettext(
                        "hosted %(n)s visit for the fund", "hosted %(n)s visits for the fund", count
                    )
                    % {"n": count},
                )
            )
        body_state = profile.body.parent
        if (
            applicant_state
            and body_state
            and applicant_state.region
            and body_state.region == applicant_state.region
        ):
            reasons.append(
                HostReason("region", 0.5, _("same region (%(r)s)") % {"r": body_state.region})
            )
        others = len(set(profile.capabilities) - {application.theme})
        if others:
            reasons.append(
                HostReason(
                    "breadth",
                    min(0.1 * others, 0.5),
                    ngettext("%(n)s other capability", "%(n)s other capabilities", others)
                    % {"n": others},
                )
            )
        score = sum(r.points for r in reasons)
        if score > 0:
            suggestions.append(HostSuggestion(profile.body, round(score, 2), tuple(reasons)))
    suggestions.sort(key=lambda s: (-s.score, s.body.name_en))
    return suggestions[:limit]


@dataclass(frozen=True)
class Totals:
    currency: str
    received: Decimal
    reserved: Decimal
    disbursed: Decimal
    refunded: Decimal
    balance: Decimal
    available: Decimal


def totals() -> list[Totals]:
    """Per currency: what the fund received, holds, has reserved, has available."""
    return [
        Totals(b.currency, b.received, b.reserved, b.disbursed, b.refunded, b.balance, b.available)
        for b in balances()
    ]


def requested_total(application: Application) -> Decimal:
    return sum((line.amount for line in application.budget_lines.all()), ZERO)


DETAIL_PARTS = (
    "scores__member_state",
    "visit_reports",
    "follow_ups",
    "support_letters",
    Prefetch("grant__disbursements"),
)


def application_detail(pk: int) -> Application:
    """The application with everything its page and its API record show."""
    return _with_parts(Application.objects.filter(pk=pk)).prefetch_related(*DETAIL_PARTS).get()


def usd_totals() -> dict[str, dict[str, Decimal | None]]:
    """Per currency, the totals in USD at each movement's booking-year rate (the rate its
    ledger entry recorded); a total is None (unknown) when one of its entries has no rate."""
    from minefree.fund.models import LedgerEntry, Movement

    sums: dict[str, dict[str, Decimal | None]] = {}
    for entry in LedgerEntry.objects.only("currency", "kind", "amount_usd"):
        row = sums.setdefault(entry.currency, dict.fromkeys(Movement.values, ZERO))
        known = row[entry.kind]
        row[entry.kind] = (
            None if known is None or entry.amount_usd is None else known + entry.amount_usd
        )

    def net(row: dict[str, Decimal | None], *parts: tuple[int, str]) -> Decimal | None:
        total = ZERO
        for sign, kind in parts:
            value = row[kind]
            if value is None:
                return None
            total += sign * value
        return total

    c, rs, rl, d, rf = (
        Movement.CONTRIBUTION,
        Movement.RESERVATION,
        Movement.RELEASE,
        Movement.DISBURSEMENT,
        Movement.REFUND,
    )
    return {
        currency: {
            "received": net(row, (1, c)),
            "reserved": net(row, (1, rs), (-1, rl), (-1, d)),
            "disbursed": net(row, (1, d)),
            "refunded": net(row, (1, rf)),
            # received − disbursed + refunded − reserved
            "available": net(row, (1, c), (1, rf), (-1, rs), (1, rl)),
        }
        for currency, row in sums.items()
    }


def visits_held() -> list[Application]:
    """The visits the fund paid for that took place: who visited whom, on what, when."""
    return list(
        _with_parts(Application.objects.filter(status__in=HELD_STATUSES)).order_by(
            "-held_from", "-id"
        )
    )


def contributions() -> QuerySet[Contribution]:
    return Contribution.objects.select_related("donor", "announced_at", "source")


def ledger_entries() -> QuerySet[LedgerEntry]:
    """Every movement, oldest first, with what it concerns (the contribution's donor, the
    grant's applicant)."""
    return LedgerEntry.objects.select_related(
        "contribution__donor", "grant__application__applicant"
    ).order_by("booked_on", "id")


def balances_with_usd(year: int) -> list[tuple[Totals, Decimal | None]]:
    """Each currency's totals with the USD equivalent of what is available (None where
    no rate is known for ``year``)."""
    from minefree.core.currency import to_usd

    return [(t, to_usd(t.available, t.currency, year)) for t in totals()]


def in_review() -> QuerySet[Application]:
    """Applications the committee has to score and decide, oldest submission first."""
    return _with_parts(
        Application.objects.filter(status=ApplicationStatus.IN_REVIEW).prefetch_related(
            "scores__member_state"
        )
    ).order_by("submitted_at", "id")


def open_follow_ups(user: Any) -> list[FollowUpAction]:
    """Open follow-up actions of the visits ``user`` may see, soonest due first."""
    visible = applications_for(user).values("pk")
    return list(
        FollowUpAction.objects.filter(application__in=visible, status=FollowUpStatus.OPEN)
        .select_related("application__applicant", "application__host")
        .order_by("due_on", "id")
    )


def application_for(user: Any, pk: int) -> Application | None:
    """The application with everything its page shows, if ``user`` may see it."""
    return applications_for(user).filter(pk=pk).prefetch_related(*DETAIL_PARTS).first()


def history(application: Application) -> list[Any]:
    """The steps the application went through (its audit events), oldest first."""
    from minefree.core.models import AuditEvent

    return list(
        AuditEvent.objects.filter(
            object_type=Application._meta.label_lower, object_id=str(application.pk)
        ).order_by("created_at", "id")
    )


def synthetic_currencies() -> set[str]:
    """Currencies whose books include synthetic demo money (a synthetic contribution, or a
    grant of a synthetic application): their figures are labelled synthetic."""
    from minefree.core.models import Origin
    from minefree.fund.models import Grant

    found = set(
        Contribution.objects.filter(origin=Origin.SYNTHETIC)
        .exclude(currency="")
        .values_list("currency", flat=True)
    )
    found |= set(
        Grant.objects.filter(application__origin=Origin.SYNTHETIC).values_list(
            "currency", flat=True
        )
    )
    return found


@dataclass(frozen=True)
class HeldVisit:
    """An exchange visit that took place: the two bodies' states and when it began."""

    pk: int
    applicant_state_id: int
    host_state_id: int
    held_from: Any
    origin: str


def held_visits() -> list[HeldVisit]:
    """Every visit held with its start day, for indicators (one query). A body's state is
    its parent actor (a national body) or the body itself."""
    rows = (
        Application.objects.filter(status__in=HELD_STATUSES, held_from__isnull=False)
        .values_list(
            "pk",
            "applicant_id",
            "applicant__parent_id",
            "host_id",
            "host__parent_id",
            "held_from",
            "origin",
        )
        .order_by("held_from", "pk")
    )
    return [
        HeldVisit(pk, a_parent or applicant, h_parent or host, held, origin)
        for pk, applicant, a_parent, host, h_parent, held, origin in rows
    ]
