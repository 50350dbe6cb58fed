"""Writes for funding flows: record, split a multi-year pledge, carry a pledge forward.

Counting rules live in ``funding.py``; these services keep the records those rules need:

* a pledge, commitment and payment of the same money are three flows, each carrying the
  previous forward (``follows``), so the pledge stays visible after it is honoured;
* a multi-year pledge keeps its row and gains yearly tranches (``tranche_of``); sums read
  the tranches, never the parent as well;
* money passed on by an intermediary points at the flow that brought it (``via``).

Article 7 Form J rows become flows here too (``flows_from_report_versions``), in bulk.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from minefree.assistance.models import AssistanceType, Need, Partnership
from minefree.casework.models import IndividualisedApproachCase
from minefree.core.audit import audit_events, bump_versions, service, snapshot
from minefree.core.currency import CENT, NO_CURRENCY, to_usd
from minefree.core.models import Origin, Visibility
from minefree.core.permissions import require
from minefree.core.workflow import AlreadyDone, actor_label, claim_once, locked
from minefree.funding.models import FLOW_WORKFLOW, Flow, FlowStatus, ReportedBy
from minefree.funding.rules import FlowParties
from minefree.funding.totals import remaining_to_carry
from minefree.registry.models import Actor
from minefree.reporting.models import FormRow, ReportVersion
from minefree.reporting.specification.schema import CHANNELS, PILLARS

__all__ = [
    "flow_advance",
    "flow_record",
    "flows_from_report_versions",
    "form_j_flow",
    "pledge_split",
]

FIRST_YEAR = 1990
#: how far ahead a pledge may run
YEARS_AHEAD = 15
#: the order a flow moves in; a flow may only be followed by a later status
AUDITED_FIELDS = [
    "donor",
    "recipient",
    "status",
    "year",
    "amount",
    "currency",
    "amount_usd",
    "reported_by",
    "pillar",
    "channel",
    "assistance_type",
    "visibility",
    "origin",
    "via",
    "follows",
    "tranche_of",
    "need",
    "partnership",
    "case",
]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "_meta", None) is not None else None


def _store(actor: Any, action: str, flows: list[Flow]) -> list[Flow]:
    """Validate, save and audit new flows; refresh the pages of their donors too."""
    for flow in flows:
        flow.full_clean()
    for flow in flows:
        flow.save()
    audit_events(
        actor=actor,
        action=action,
        changes=[(f, None, snapshot(f, AUDITED_FIELDS), f.recipient.state_code) for f in flows],
    )
    _refresh_pages_of({f.donor_id for f in flows})
    return flows


def _refresh_pages_of(actor_ids: set[int]) -> None:
    """The audit event names the recipient; the donor's country page shows the flow too."""
    codes = Actor.objects.filter(pk__in=actor_ids, iso3__isnull=False).values_list(
        "iso3", flat=True
    )
    bump_versions([code for code in codes if code])


def _require_recorder(
    actor: Any,
    donor: Actor,
    recipient: Actor,
    reported_by: str,
    case: IndividualisedApproachCase | None = None,
) -> None:
    """Donors record what they give, recipients what they received; the committee records
    the pledges partners make at an individualised approach meeting it runs."""
    require(
        actor,
        "flow.record",
        FlowParties(donor, recipient, reported_by, case),
        "Donors record what they give; recipients what they received.",
    )


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= dt.date.today().year + YEARS_AHEAD:
        raise ValidationError(_("The year is out of range."))


def _check_links(
    donor: Actor, recipient: Actor, need: Need | None, partnership: Partnership | None
) -> None:
    """A flow counts towards the need and the partnership it names (``totals``): they must
    be the recipient's, and the partnership's offer the donor's."""
    if need is not None and need.state_id != recipient.pk:
        raise ValidationError(_("The need belongs to another state than the recipient."))
    if partnership is None:
        return
    if partnership.need.state_id != recipient.pk or partnership.offer.provider_id != donor.pk:
        raise ValidationError(_("The partnership is between other parties than this flow's."))
    if need is not None and partnership.need_id != need.pk:
        raise ValidationError(_("The partnership answers another need."))


def _synthetic(origin: str) -> bool:
    return origin == Origin.SYNTHETIC


@service
def flow_record(
    *,
    actor: Any,
    donor: Actor,
    recipient: Actor,
    status: str,
    year: int,
    amount: Decimal | int | str,
    currency: str,
    reported_by: str,
    pillar: str = "",
    channel: str = "",
    assistance_type: str = AssistanceType.FINANCIAL,
    need: Need | None = None,
    partnership: Partnership | None = None,
    case: IndividualisedApproachCase | None = None,
    via: Flow | None = None,
    fiscal_year: str = "",
    description: str = "",
    visibility: str = Visibility.PUBLIC,
    origin: str = Origin.ENTERED,
    request_key: str = "",
) -> Flow:
    """Record one flow as its reporter states it; the USD value is worked out here, once."""
    _require_recorder(actor, donor, recipient, reported_by, case)
    claim_once(actor_label=actor_label(actor), key=request_key, action="flow.recorded")
    if donor.pk == recipient.pk:
        raise ValidationError(_("Donor and recipient must differ."))
    _check_links(donor, recipient, need, partnership)
    try:
        value = Decimal(str(amount)).quantize(CENT)
    except InvalidOperation as exc:
        raise ValidationError(_("The amount is not a number.")) from exc
    if value < 0 or (value == 0 and assistance_type == AssistanceType.FINANCIAL):
        raise ValidationError(_("A financial flow needs a positive amount."))
    code = currency.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationError(_("The currency must be a three-letter ISO code."))
    _check_year(year)
    if via is not None:
        if via.recipient_id != donor.pk:
            raise ValidationError(
                _("The flow it came through must have been received by this donor.")
            )
        if _synthetic(via.origin) != _synthetic(origin):
            raise ValidationError(_("Synthetic and real flows cannot be chained."))
    flow = Flow(
        donor=donor,
        recipient=recipient,
        status=status,
        year=year,
        fiscal_year=fiscal_year.strip(),
        pillar=pillar,
        channel=channel,
        assistance_type=assistance_type,
        amount=value,
        currency=code,
        amount_usd=to_usd(value, code, year) if code != NO_CURRENCY else None,
        reported_by=reported_by,
        description=description.strip(),
        need=need,
        partnership=partnership,
        case=case,
        via=via,
        visibility=visibility,
        origin=origin,
        created_by=_user(actor),
    )
    _store(actor, "flow.recorded", [flow])
    return flow


def _copy(flow: Flow, **changes: Any) -> Flow:
    """A new flow with the same parties and labels as ``flow``."""
    fields = {
        name: getattr(flow, name)
        for name in (
            "donor",
            "recipient",
            "status",
            "year",
            "fiscal_year",
            "pillar",
            "channel",
            "assistance_type",
            "amount",
            "currency",
            "amount_usd",
            "reported_by",
            "description",
            "source",
            "need",
            "partnership",
            "case",
            "via",
            "visibility",
            "origin",
        )
    }
    fields.update(changes)
    return Flow(**fields)


@service
def pledge_split(*, actor: Any, flow: Flow, years: list[int]) -> list[Flow]:
    """Split a multi-year pledge into equal yearly tranches; the last takes the rounding.

    The pledge stays as it was made; sums read its tranches instead. Each tranche is valued
    at its own year's average rate, or at the pledge year's while that year has none yet.
    """
    _require_recorder(actor, flow.donor, flow.recipient, flow.reported_by)
    locked(flow)  # two splits at once: the second finds the tranches of the first
    if flow.status != FlowStatus.PLEDGE:
        raise ValidationError(_("Only a pledge is split into yearly tranches."))
    if flow.tranche_of_id is not None:
        raise ValidationError(_("A yearly tranche is not split again."))
    if flow.tranches.exists():
        raise AlreadyDone(_("This pledge is already split."))
    wanted = sorted(set(years))
    if len(wanted) < 2 or len(wanted) != len(years):
        raise ValidationError(_("Give two or more different years."))
    for year in wanted:
        _check_year(year)
    share = (flow.amount / len(wanted)).quantize(CENT, rounding=ROUND_DOWN)
    tranches = []
    for index, year in enumerate(wanted):
        amount = share if index < len(wanted) - 1 else flow.amount - share * (len(wanted) - 1)
        usd = None
        if flow.currency != NO_CURRENCY:
            usd = to_usd(amount, flow.currency, year)
            if usd is None:
                usd = to_usd(amount, flow.currency, flow.year)
        tranche = _copy(
            flow,
            year=year,
            amount=amount,
            amount_usd=usd,
            tranche_of=flow,
            created_by=_user(actor),
        )
        tranches.append(tranche)
    return _store(actor, "flow.tranche_created", tranches)


@service
def flow_advance(
    *,
    actor: Any,
    flow: Flow,
    status: str,
    amount: Decimal | int | str | None = None,
    year: int | None = None,
    increase: bool = False,
) -> Flow:
    """Carry a pledge or commitment forward as a new flow; the earlier one stays visible.

    Money counts once: what follows a flow never adds up to more than it (a partial
    commitment leaves the rest to commit later), unless the donor says the new flow is an
    ``increase`` on what was pledged. The check runs on the flow re-read under a row lock,
    so a double click or two requests at once record one commitment, not two. A pledge
    split into tranches is carried forward tranche by tranche.
    """
    _require_recorder(actor, flow.donor, flow.recipient, flow.reported_by)
    locked(flow)
    if not FLOW_WORKFLOW.allows(flow.status, status):
        raise ValidationError(_("A flow moves from pledge to commitment to payment."))
    if flow.tranches.exists():
        raise ValidationError(_("Carry each yearly tranche forward instead."))
    new_year = flow.year if year is None else year
    _check_year(new_year)
    followers = list(flow.followed_by.order_by("pk").select_related("created_by"))
    carried = sum((f.amount for f in followers), Decimal(0))
    left = remaining_to_carry(flow, carried, len(followers))
    if left is None and not increase:
        last = followers[-1]
        raise AlreadyDone(
            _(
                "This %(status)s is already carried forward in full (%(carried)s %(currency)s, "
                "last recorded on %(day)s by %(who)s). Nothing was added."
            )
            % {
                "status": flow.get_status_display(),
                "carried": carried,
                "currency": flow.currency,
                "day": last.created_at.date().isoformat(),
                "who": last.created_by.get_username() if last.created_by else _("the system"),
            }
        )
    try:
        value = (left or Decimal(0)) if amount is None else Decimal(str(amount)).quantize(CENT)
    except InvalidOperation as exc:
        raise ValidationError(_("The amount is not a number.")) from exc
    if value < 0:
        raise ValidationError(_("The amount cannot be negative."))
    if value == 0 and flow.amount > 0:
        raise ValidationError(_("Give the amount committed or paid."))
    if left is not None and value > left and not increase:
        raise ValidationError(
            _(
                "Only %(left)s %(currency)s of this %(status)s remain to carry forward. "
                "If the donor gives more than was pledged, record it as an increase."
            )
            % {"left": left, "currency": flow.currency, "status": flow.get_status_display()}
        )
    usd = None if flow.currency == NO_CURRENCY else to_usd(value, flow.currency, new_year)
    advanced = _copy(
        flow,
        status=status,
        year=new_year,
        amount=value,
        amount_usd=usd,
        follows=flow,
        created_by=_user(actor),
    )
    _store(actor, "flow.increased" if increase else "flow.advanced", [advanced])
    return advanced


# --- Article 7 Form J ------------------------------------------------------------------

PILLAR_CODES = {code for code, _label in PILLARS}
CHANNEL_CODES = {code for code, _label in CHANNELS}


def _row_amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip()).quantize(CENT)
    except InvalidOperation:
        return None
    return amount if amount >= 0 else None


def _row_year(value: Any, default: int) -> int:
    if isinstance(value, int) and FIRST_YEAR <= value <= default + YEARS_AHEAD:
        return value
    return default


def form_j_flow(row: FormRow, version: ReportVersion) -> Flow | None:
    """The flow one Form J "assistance" row states, or ``None`` when it names no known party.

    Form J reports assistance given or received during the reporting year, after the fact:
    the flow is a payment (``paid``). A row whose counterpart matched no registry actor is
    skipped (a flow needs both parties; the row stays in the report). A row without an
    amount (or with one that is not a number) is kept as support of unstated value: amount
    0 in ``XXX``, USD value unknown, so it shows in lists and counts as a commitment or
    payment for in-kind needs without inflating any sum. In-kind rows are recorded as
    equipment, the commonest in-kind support; the row's notes keep its words.
    """
    data = row.data or {}
    direction = data.get("direction")
    state = version.report.state
    if direction not in ("received", "provided") or row.counterpart_id is None:
        return None
    if row.counterpart_id == state.pk:
        return None
    report = version.report
    year = _row_year(data.get("year"), report.year)
    amount = _row_amount(data.get("amount"))
    currency = str(data.get("currency") or "").strip().upper()
    if amount is None:
        amount, currency, usd = Decimal(0), NO_CURRENCY, None
    elif len(currency) != 3 or not currency.isalpha():
        currency, usd = NO_CURRENCY, None
    else:
        usd = to_usd(amount, currency, year)
    received = direction == "received"
    pillar = str(data.get("pillar") or "")
    channel = str(data.get("channel") or "")
    return Flow(
        donor_id=row.counterpart_id if received else state.pk,
        recipient_id=state.pk if received else row.counterpart_id,
        status=FlowStatus.PAID,
        year=year,
        pillar=pillar if pillar in PILLAR_CODES else "",
        channel=channel if channel in CHANNEL_CODES else "",
        assistance_type=(
            AssistanceType.EQUIPMENT if data.get("kind") == "in_kind" else AssistanceType.FINANCIAL
        ),
        amount=amount,
        currency=currency,
        amount_usd=usd,
        reported_by=ReportedBy.RECIPIENT if received else ReportedBy.DONOR,
        description=str(data.get("notes") or "")[:300],
        report_version_id=version.pk,
        visibility=Visibility.PUBLIC,
        origin=report.origin,
    )


@service
def flows_from_report_versions(*, actor: Any, version_ids: list[int]) -> int:
    """Turn the Form J assistance rows of submitted versions into flows, in bulk.

    Runs on every submission and historic import (thousands of reports), so it reads and
    writes in a fixed number of statements whatever the number of versions. The flows of
    every other version of the same reports are replaced: an amendment supersedes.
    Returns the number of flows created.
    """
    submitted = ReportVersion.objects.filter(pk__in=version_ids)
    owners = dict(submitted.values_list("pk", "report__state_id"))
    if not owners:
        return 0
    require(
        actor,
        "flow.from_report",
        set(owners.values()),
        "Only the reporting state or ISU staff turn reports into flows.",
    )
    stale = list(
        Flow.objects.filter(
            report_version_id__in=ReportVersion.objects.filter(
                report_id__in=submitted.values("report_id")
            ).values("pk")
        ).values_list("pk", "report_version_id")
    )
    if stale:
        try:
            Flow.objects.filter(pk__in=[pk for pk, _v in stale]).delete()
        except ProtectedError as exc:
            raise ValidationError(
                _("Flows of the earlier version are passed on by other flows; unlink them first.")
            ) from exc
    rows = list(
        FormRow.objects.filter(version_id__in=list(owners), letter="J", table="assistance")
        .only("version", "data", "counterpart")
        .order_by("version_id", "position", "pk")
    )
    # Most reports have no Form J assistance rows: load only the versions that matter
    # (with rows, or replacing an earlier version's flows), not thousands of them.
    wanted = {row.version_id for row in rows}
    if stale:
        replaced_reports = ReportVersion.objects.filter(pk__in={v for _pk, v in stale}).values(
            "report_id"
        )
        wanted |= set(submitted.filter(report_id__in=replaced_reports).values_list("pk", flat=True))
    versions = {
        v.pk: v for v in ReportVersion.objects.filter(pk__in=wanted).select_related("report__state")
    }
    flows = [
        flow for row in rows if (flow := form_j_flow(row, versions[row.version_id])) is not None
    ]
    Flow.objects.bulk_create(flows, batch_size=1000)
    created: dict[int, int] = {}
    for flow in flows:
        created[flow.report_version_id or 0] = created.get(flow.report_version_id or 0, 0) + 1
    replaced: dict[int, int] = {}
    for _pk, version_id in stale:
        replaced[version_id or 0] = replaced.get(version_id or 0, 0) + 1
    audit_events(
        actor=actor,
        action="flow.created_from_form_j",
        changes=[
            (
                version,
                {"replaced_flows": sum(replaced.values())} if stale else None,
                {"flows": created.get(pk, 0)},
                version.report.state.iso3 or "",
            )
            for pk, version in versions.items()
            if created.get(pk) or stale
        ],
    )
    _refresh_pages_of({f.donor_id for f in flows} | {f.recipient_id for f in flows})
    return len(flows)
