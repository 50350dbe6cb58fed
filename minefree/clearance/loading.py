"""Reads what the analysis of requests needs, for one request or many, in a fixed number of
queries whatever the number of requests, reports, rows, flows or needs (about twenty).

It builds the plain ``analysis.facts`` dataclasses the computation works on, limited to
what the reader may see (``assistance.selectors.visible``: flows, needs and cooperation
records keep their visibility) and to the origins each request may use (a real request
reads real data only; see ``clearance.analysis``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from minefree.assistance.models import Need, NeedSource
from minefree.assistance.selectors import Reader, reader, visible
from minefree.casework.models import (
    BilateralMeeting,
    CaseStatus,
    IndividualisedApproachCase,
    NationalPlatform,
    PlatformMeeting,
)
from minefree.clearance.analysis import (
    DEFAULT_EXTRA_USD,
    Analysis,
    BilateralFacts,
    BudgetEntry,
    CaseFacts,
    DecisionFacts,
    MilestoneEntry,
    NeedFacts,
    PlatformFacts,
    ProgressEntry,
    ReceivedYear,
    RemainingEntry,
    ReportYear,
    RequestFacts,
    RequirementFacts,
    Source,
    SourceKind,
    StateFacts,
    analyse_facts,
)
from minefree.clearance.models import (
    BudgetLine,
    DecisionRequirement,
    ExtensionRequest,
    Milestone,
    Outcome,
    ProgressYear,
    RemainingArea,
    RequestVersion,
    VersionStatus,
)
from minefree.clearance.needs import source_ref
from minefree.core.currency import to_usd
from minefree.core.models import Origin
from minefree.funding.totals import is_synthetic, need_progress, received_by_year_pillar_of
from minefree.registry.models import Actor
from minefree.reporting.models import FormRow, ReportKind, ReportVersion
from minefree.reporting.models import VersionStatus as ReportStatus
from minefree.reporting.specification.content import as_number

CLEARANCE_PILLAR = "survey_clearance"
FORM_C_TABLES = ("mined_areas", "newly_found", "land_release")
FORM_J_TABLES = ("challenges", "national_resources")
GRANTED = (Outcome.GRANTED, Outcome.GRANTED_WITH_REQUESTS)


def may_see_draft(who: Reader, request: ExtensionRequest) -> bool:
    return who.staff or request.state_id in who.state_ids


def analysed_version(
    versions: Sequence[RequestVersion], who: Reader, request: ExtensionRequest
) -> RequestVersion | None:
    """The latest submitted version (what is public); before the first submission, the
    draft, for those who may read it."""
    submitted = [v for v in versions if v.status == VersionStatus.SUBMITTED]
    if submitted:
        return max(submitted, key=lambda v: v.number)
    drafts = [v for v in versions if v.status == VersionStatus.DRAFT]
    return drafts[0] if drafts and may_see_draft(who, request) else None


def analyse_many(
    requests: Iterable[ExtensionRequest],
    user: Any,
    *,
    today: dt.date | None = None,
    extra_usd: Decimal = DEFAULT_EXTRA_USD,
    versions: dict[int, int] | None = None,
) -> dict[int, Analysis]:
    """The analysis of each request (by id) that ``user`` may read a version of.

    ``versions`` names, by request id, the version to analyse instead of the current one
    (it must be one the user may read)."""
    targets = list(requests)
    if not targets:
        return {}
    who = reader(user)
    day = today or timezone.localdate()
    state_ids = {r.state_id for r in targets}
    family = list(
        ExtensionRequest.objects.filter(state_id__in=state_ids).select_related(
            "state", "obligation", "decision"
        )
    )
    by_pk = {r.pk: r for r in family}
    all_versions: dict[int, list[RequestVersion]] = defaultdict(list)
    for row in RequestVersion.objects.filter(request_id__in=list(by_pk)).order_by(
        "request_id", "number"
    ):
        all_versions[row.request_id].append(row)
    chosen: dict[int, RequestVersion] = {}
    wanted = {r.pk for r in targets}
    for pk, request in by_pk.items():
        own = all_versions.get(pk, [])
        version: RequestVersion | None
        if versions and pk in versions:
            version = next((v for v in own if v.pk == versions[pk]), None)
            if version is not None and version.is_draft and not may_see_draft(who, request):
                version = None
        elif pk in wanted:
            version = analysed_version(own, who, request)
        else:
            submitted = [v for v in own if v.status == VersionStatus.SUBMITTED]
            version = submitted[-1] if submitted else None
        if version is not None:
            chosen[pk] = version
    facts = _request_facts(by_pk, chosen)
    states = _state_facts(state_ids, who, facts)
    out = {}
    for request in targets:
        if request.pk not in facts:
            continue
        current = facts[request.pk]
        earlier = _earlier(current, by_pk[request.pk], facts, by_pk)
        out[request.pk] = analyse_facts(
            current,
            earlier,
            states.for_request(current),
            today=day,
            extra_usd=extra_usd,
        )
    return out


def _order(facts: RequestFacts, request: ExtensionRequest) -> tuple[dt.date, dt.datetime, int]:
    return (facts.submitted_on or dt.date.max, request.created_at, request.pk)


def _earlier(
    current: RequestFacts,
    request: ExtensionRequest,
    facts: dict[int, RequestFacts],
    requests: dict[int, ExtensionRequest],
) -> list[RequestFacts]:
    """The state's earlier granted requests, oldest first (their promises are the ones that
    counted; a refused or withdrawn request's workplan never ran)."""
    key = _order(current, request)
    return sorted(
        (
            f
            for pk, f in facts.items()
            if pk != request.pk
            and requests[pk].state_id == request.state_id
            and not f.draft
            and f.decision is not None
            and f.decision.outcome in GRANTED
            and _order(f, requests[pk]) < key
        ),
        key=lambda f: _order(f, requests[f.request_id]),
    )


def _request_facts(
    requests: dict[int, ExtensionRequest], chosen: dict[int, RequestVersion]
) -> dict[int, RequestFacts]:
    """Every chosen version with its tables (4 queries) and decisions' requirements (1)."""
    ids = [v.pk for v in chosen.values()]
    tables: dict[str, dict[int, list[Any]]] = {
        name: defaultdict(list) for name in ("remaining", "progress", "milestones", "budget")
    }
    for version_id, region, hazard, areas, area in RemainingArea.objects.filter(
        version_id__in=ids
    ).values_list("version_id", "region", "hazard", "areas", "area_m2"):
        tables["remaining"][version_id].append(RemainingEntry(region, hazard, area, areas))
    for version_id, year, method, mine_type, planned, achieved in ProgressYear.objects.filter(
        version_id__in=ids
    ).values_list("version_id", "year", "method", "mine_type", "planned_m2", "achieved_m2"):
        tables["progress"][version_id].append(
            ProgressEntry(year, planned, achieved, method, mine_type)
        )
    for version_id, year, method, area in Milestone.objects.filter(version_id__in=ids).values_list(
        "version_id", "year", "method", "area_m2"
    ):
        tables["milestones"][version_id].append(MilestoneEntry(year, method, area))
    for version_id, year, source, amount, currency, usd in BudgetLine.objects.filter(
        version_id__in=ids
    ).values_list("version_id", "year", "source", "amount", "currency", "amount_usd"):
        tables["budget"][version_id].append(BudgetEntry(year, source, amount, currency, usd))
    decisions = {r.decision.pk: r.pk for r in requests.values() if _decision(r) is not None}
    requirements: dict[int, list[RequirementFacts]] = defaultdict(list)
    for decision_id, text, due, met in (
        DecisionRequirement.objects.filter(decision_id__in=list(decisions))
        .order_by("due_on", "pk")
        .values_list("decision_id", "text", "due_on", "met_on")
    ):
        requirements[decisions[decision_id]].append(RequirementFacts(text, due, met))
    out = {}
    for pk, version in chosen.items():
        request = requests[pk]
        decision = _decision(request)
        out[pk] = RequestFacts(
            request_id=pk,
            state=request.state.iso3 or request.state.code,
            state_name=request.state.name,
            version_id=version.pk,
            version_number=version.number,
            synthetic=request.origin == Origin.SYNTHETIC,
            submitted_on=version.submitted_on,
            requested_deadline=version.requested_deadline,
            remaining=tuple(tables["remaining"][version.pk]),
            previous_period=tuple(tables["progress"][version.pk]),
            milestones=tuple(tables["milestones"][version.pk]),
            budget=tuple(tables["budget"][version.pk]),
            decision=DecisionFacts(
                decision.outcome,
                decision.decided_on,
                decision.new_deadline,
                tuple(requirements.get(pk, [])),
            )
            if decision is not None
            else None,
            current_deadline=request.obligation.current_deadline if request.obligation else None,
            draft=version.is_draft,
        )
    return out


def _decision(request: ExtensionRequest) -> Any:
    try:
        return request.decision
    except ExtensionRequest.decision.RelatedObjectDoesNotExist:
        return None


class _States:
    """What the states' reports, flows, needs and cooperation records say, read once for all
    the requests and cut per request by the origins it may use."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.reports: dict[int, dict[int, ReportYear]] = defaultdict(dict)
        self.received: dict[int, Any] = {}
        self.needs: dict[int, list[NeedFacts]] = defaultdict(list)
        self.cases: dict[int, list[CaseFacts]] = defaultdict(list)
        self.platforms: dict[int, PlatformFacts] = {}
        self.bilaterals: dict[int, list[BilateralFacts]] = defaultdict(list)

    def for_request(self, request: RequestFacts) -> StateFacts:
        state_id = self.ids[request.state]
        real = not request.synthetic

        def usable(synthetic: bool) -> bool:
            return not (real and synthetic)

        reports = self.reports[state_id]
        kept = {y: r for y, r in reports.items() if usable(r.synthetic)}
        totals = self.received.get(state_id)
        received: dict[int, ReceivedYear] = {}
        if totals is not None:
            part = totals.synthetic if request.synthetic else totals.real
            for (year, pillar), amounts in part.items():
                if pillar == CLEARANCE_PILLAR:
                    received[year] = ReceivedYear(
                        year, amounts.committed_usd, amounts.paid_usd, amounts.unknown
                    )
        name = request.state_name
        needs = [n for n in self.needs[state_id] if usable(n.synthetic)]
        derived = [
            n
            for n in needs
            if n.source_kind == NeedSource.EXTENSION_REQUEST
            and n.source_ref == source_ref(request.request_id)
        ]
        platform = self.platforms.get(state_id)
        return StateFacts(
            reports=kept,
            left_out_synthetic_reports=len(reports) - len(kept),
            received=received,
            received_synthetic=request.synthetic,
            received_source=Source(
                SourceKind.FLOWS,
                f"flows:{request.state}:{CLEARANCE_PILLAR}",
                _("Funding flows to %(state)s for survey and clearance") % {"state": name},
                request.synthetic,
            ),
            derived_needs=tuple(derived),
            derived_needs_source=Source(
                SourceKind.NEEDS,
                f"needs:{source_ref(request.request_id)}",
                _("Needs derived from the request's international funding sought"),
                request.synthetic,
            )
            if derived
            else None,
            needs=tuple(needs),
            cases=tuple(c for c in self.cases[state_id] if usable(c.synthetic)),
            platform=platform if platform is not None and usable(platform.synthetic) else None,
            bilateral_meetings=tuple(b for b in self.bilaterals[state_id] if usable(b.synthetic)),
            cooperation_source=Source(
                SourceKind.COOPERATION,
                f"cooperation:{request.state}",
                _("Cooperation records of %(state)s (cases, platform, meetings, needs)")
                % {"state": name},
                request.synthetic,
            ),
        )


def _state_facts(state_ids: set[int], who: Reader, facts: dict[int, RequestFacts]) -> _States:
    states = _States()
    for state_id, iso3, code_name in Actor.objects.filter(pk__in=state_ids).values_list(
        "pk", "iso3", "slug"
    ):
        states.ids[iso3 or code_name] = state_id
    names = {f.state: f.state_name for f in facts.values()}
    _reports(states, state_ids, names)
    states.received = received_by_year_pillar_of(state_ids, who)
    _needs(states, state_ids, who)
    _cooperation(states, state_ids, who)
    return states


def _reports(states: _States, state_ids: set[int], names: dict[str, str]) -> None:
    """The latest submitted version of each annual report (1 query) and its Form C and
    Form J rows (1 query)."""
    latest: dict[tuple[int, int], tuple[int, int, str, str]] = {}
    for pk, number, state_id, year, origin, iso3 in (
        ReportVersion.objects.filter(
            report__state_id__in=state_ids,
            report__kind=ReportKind.ANNUAL,
            status=ReportStatus.SUBMITTED,
        )
        .order_by("report__year", "-number")
        .values_list(
            "pk",
            "number",
            "report__state_id",
            "report__year",
            "report__origin",
            "report__state__iso3",
        )
    ):
        latest.setdefault((state_id, year), (pk, number, origin, iso3 or ""))
    rows: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for version_id, table, data in FormRow.objects.filter(
        version_id__in=[v[0] for v in latest.values()],
        table__in=[*FORM_C_TABLES, *FORM_J_TABLES],
    ).values_list("version_id", "table", "data"):
        rows[version_id][table].append(data if isinstance(data, dict) else {})
    for (state_id, year), (pk, number, origin, iso3) in latest.items():
        synthetic = origin == Origin.SYNTHETIC
        tables = rows.get(pk, {})
        released: dict[str, Decimal] = {}
        for data in tables.get("land_release", []):
            area = as_number(data.get("area_m2"))
            method = str(data.get("method") or "")
            if area is not None and method:
                released[method] = released.get(method, Decimal(0)) + area
        remaining = [as_number(d.get("area_m2")) for d in tables.get("mined_areas", [])]
        found = [as_number(d.get("area_m2")) for d in tables.get("newly_found", [])]
        national, unpriced = Decimal(0), 0
        national_rows = [
            d
            for d in tables.get("national_resources", [])
            if str(d.get("pillar") or "") in ("", CLEARANCE_PILLAR)
        ]
        for data in national_rows:
            amount = as_number(data.get("amount"))
            usd = (
                to_usd(amount, str(data.get("currency") or ""), year)
                if amount is not None
                else None
            )
            if usd is None:
                unpriced += 1
            else:
                national += usd
        name = names.get(iso3, iso3)
        states.reports[state_id][year] = ReportYear(
            year=year,
            report_version_id=pk,
            version_number=number,
            synthetic=synthetic,
            source=Source(
                SourceKind.ARTICLE7,
                f"report-version:{pk}",
                _("Article 7 report of %(state)s for %(year)s (version %(n)s)")
                % {"state": name, "year": year, "n": number},
                synthetic,
            ),
            has_form_c=any(tables.get(t) for t in FORM_C_TABLES),
            has_land_release=bool(released),
            released_m2=released,
            remaining_m2=sum((v for v in remaining if v is not None), Decimal(0))
            if any(v is not None for v in remaining)
            else None,
            newly_found_m2=sum((v for v in found if v is not None), Decimal(0)),
            challenges=tuple(
                (str(d.get("category") or ""), str(d.get("description") or ""))
                for d in tables.get("challenges", [])
            ),
            national_usd=national if national_rows and national else None,
            national_unpriced=unpriced,
        )


def _needs(states: _States, state_ids: set[int], who: Reader) -> None:
    """The states' needs the reader may see, with their coverage (2 queries)."""
    needs = list(
        visible(Need.objects.filter(state_id__in=state_ids), who, "state")
        .only(
            "pk",
            "state_id",
            "title",
            "pillar",
            "year_from",
            "year_to",
            "amount_usd",
            "origin",
            "source_kind",
            "source_ref",
        )
        .order_by("-year_from", "pk")
    )
    progress = need_progress(needs, who)
    for need in needs:
        p = progress[need.pk]
        states.needs[need.state_id].append(
            NeedFacts(
                need_id=need.pk,
                title=need.title,
                pillar=need.pillar,
                year_from=need.year_from,
                year_to=need.year_to,
                required_usd=need.amount_usd,
                committed_usd=p.committed_usd,
                paid_usd=p.paid_usd,
                status=p.status,
                source_kind=need.source_kind,
                source_ref=need.source_ref,
                synthetic=is_synthetic(need.origin),
            )
        )


def _cooperation(states: _States, state_ids: set[int], who: Reader) -> None:
    """Individualised approach cases, national platforms with their meetings and the
    committee's bilateral meetings the reader may see (4 queries)."""
    labels = dict(CaseStatus.choices)
    for pk, state_id, status, requested, pillars, summary, origin in (
        visible(IndividualisedApproachCase.objects.filter(state_id__in=state_ids), who, "state")
        .order_by("-requested_on", "pk")
        .values_list("pk", "state_id", "status", "requested_on", "pillars", "summary", "origin")
    ):
        states.cases[state_id].append(
            CaseFacts(
                pk,
                status,
                str(labels.get(status, status)),
                requested,
                tuple(pillars or ()),
                summary,
                is_synthetic(origin),
            )
        )
    meetings: dict[int, list[tuple[dt.date, Decimal | None]]] = defaultdict(list)
    for state_id, held_on, gap in (
        visible(
            PlatformMeeting.objects.filter(platform__state_id__in=state_ids), who, "platform__state"
        )
        .order_by("held_on", "pk")
        .values_list("platform__state_id", "held_on", "funding_gap_usd")
    ):
        meetings[state_id].append((held_on, gap))
    for state_id, established, members, origin in (
        visible(NationalPlatform.objects.filter(state_id__in=state_ids), who, "state")
        .annotate(member_count=Count("members"))
        .values_list("state_id", "established_on", "member_count", "origin")
    ):
        held = meetings.get(state_id, [])
        gaps = [gap for _day, gap in held if gap is not None]
        states.platforms[state_id] = PlatformFacts(
            established,
            members,
            tuple(day for day, _gap in held),
            gaps[-1] if gaps else None,
            is_synthetic(origin),
        )
    for pk, state_id, held_on, committee, topics, origin in (
        visible(
            BilateralMeeting.objects.filter(counterpart_id__in=state_ids),
            who,
            "counterpart",
            "counterpart__parent",
        )
        .order_by("-held_on", "pk")
        .values_list("pk", "counterpart_id", "held_on", "committee__name_en", "topics", "origin")
    ):
        states.bilaterals[state_id].append(
            BilateralFacts(pk, held_on, committee, tuple(topics or ()), is_synthetic(origin))
        )
