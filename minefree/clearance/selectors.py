"""Reads of extension requests. Submitted versions, questions and published analyses are
public; drafts are their state's and, once submitted, the committees'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from minefree.assistance.selectors import reader
from minefree.clearance import loading
from minefree.clearance.analysis import DEFAULT_EXTRA_USD, Analysis
from minefree.clearance.models import (
    AnalysisStatus,
    AnalysisVersion,
    Decision,
    ExtensionRequest,
    Question,
    RequestStatus,
    RequestVersion,
    VersionStatus,
)
from minefree.core.queries import narrowed


def requests_for(
    user: Any, *, state: str = "", status: str = "", year: int | None = None
) -> QuerySet[ExtensionRequest]:
    """The requests ``user`` may see: every submitted one, and the drafts of their states
    (ISU staff see every draft). ``year``: the year of the latest submission."""
    who = reader(user)
    qs = ExtensionRequest.objects.select_related("state", "obligation", "decision")
    if not who.staff:
        qs = qs.exclude(status=RequestStatus.DRAFT) | qs.filter(
            status=RequestStatus.DRAFT, state_id__in=who.state_ids
        )
    qs = narrowed(qs, state__iso3=state.upper() if state else "", status=status)
    if year is not None:
        qs = qs.filter(
            versions__status=VersionStatus.SUBMITTED, versions__submitted_on__year=year
        ).distinct()
    return qs.order_by("state__name_en", "-created_at")


def get_request_for(user: Any, pk: int) -> ExtensionRequest:
    request = requests_for(user).filter(pk=pk).first()
    if request is None:
        raise Http404("No such extension request, or it is not shared with you.")
    return request


def versions_for(user: Any, request: ExtensionRequest) -> list[RequestVersion]:
    """The versions of a request ``user`` may read: submitted ones, and the draft for the
    state's people and ISU staff."""
    who = reader(user)
    qs = request.versions.all()
    if not (who.staff or request.state_id in who.state_ids):
        qs = qs.filter(status=VersionStatus.SUBMITTED)
    return list(qs.order_by("number"))


def analyses_for(user: Any, request: ExtensionRequest) -> list[AnalysisVersion]:
    """Published analyses for everyone; drafts for committee members and ISU staff."""
    who = reader(user)
    qs = request.analyses.all()
    if not (who.staff or who.committee):
        qs = qs.filter(status=AnalysisStatus.PUBLISHED)
    return list(qs.order_by("number"))


def with_tables(qs: QuerySet[RequestVersion]) -> QuerySet[RequestVersion]:
    """Versions with every table read in one query each."""
    return qs.prefetch_related(
        "remaining",
        "progress",
        "milestones",
        "budget",
        "capacity",
        Prefetch("questions"),
    )


def analyse(
    request: ExtensionRequest,
    user: Any,
    *,
    version: RequestVersion | None = None,
    extra_usd: Decimal = DEFAULT_EXTRA_USD,
    today: dt.date | None = None,
) -> Analysis | None:
    """The analysis of a request as ``user`` may read it: its current version (the latest
    submitted; before the first submission the draft, for the state's people and ISU staff)
    or ``version``; against the reports, flows, needs and cooperation records ``user`` may
    see. ``None`` when there is no version to analyse. A fixed number of queries."""
    chosen = {request.pk: version.pk} if version is not None else None
    found = loading.analyse_many([request], user, today=today, extra_usd=extra_usd, versions=chosen)
    return found.get(request.pk)


def analyse_many(
    requests: Iterable[ExtensionRequest],
    user: Any,
    *,
    extra_usd: Decimal = DEFAULT_EXTRA_USD,
    today: dt.date | None = None,
) -> dict[int, Analysis]:
    """The analyses of many requests at once (lists, the benchmark), by request id, in the
    same fixed number of queries as one."""
    return loading.analyse_many(requests, user, today=today, extra_usd=extra_usd)


def shown_versions(user: Any, requests: Iterable[ExtensionRequest]) -> dict[int, RequestVersion]:
    """The version each request shows ``user`` (one query): its draft for the state's people
    and ISU staff while there is one, else its latest submitted version."""
    who = reader(user)
    found = {r.pk: r for r in requests}
    shown: dict[int, RequestVersion] = {}
    for version in RequestVersion.objects.filter(request_id__in=list(found)).order_by("number"):
        request = found[version.request_id]
        if version.is_draft:
            if loading.may_see_draft(who, request):
                shown[request.pk] = version
        elif not (version.request_id in shown and shown[version.request_id].is_draft):
            shown[request.pk] = version
    return shown


def decision_of(request: ExtensionRequest) -> Decision | None:
    """The request's decision, if any (read with ``requests_for``'s ``select_related``)."""
    try:
        return request.decision
    except ExtensionRequest.decision.RelatedObjectDoesNotExist:
        return None


def version_with_tables(pk: int) -> RequestVersion:
    """A version with its tables, each read in one query."""
    return with_tables(RequestVersion.objects.filter(pk=pk)).get()


def questions_of(request: ExtensionRequest) -> QuerySet[Question]:
    """The committees' questions on a request and the state's answers (public)."""
    return request.questions.order_by("asked_at", "pk")


def get_version_for(user: Any, pk: int) -> RequestVersion:
    """A version of a request ``user`` may read (404 otherwise): a submitted version of a
    request they see, or a draft for the state's people and ISU staff."""
    version = (
        RequestVersion.objects.select_related("request__state", "request__obligation")
        .filter(pk=pk)
        .first()
    )
    if version is None or not requests_for(user).filter(pk=version.request_id).exists():
        raise Http404("No such version, or it is not shared with you.")
    who = reader(user)
    if version.is_draft and not (who.staff or version.request.state_id in who.state_ids):
        raise Http404("No such version, or it is not shared with you.")
    return version


def with_submissions(qs: QuerySet[ExtensionRequest]) -> QuerySet[ExtensionRequest]:
    """Requests with their submitted versions (``submitted_versions``, oldest first) and
    the decision's meeting, in a fixed number of queries whatever their number."""
    return qs.select_related("state", "decision__meeting").prefetch_related(
        Prefetch(
            "versions",
            queryset=RequestVersion.objects.filter(status=VersionStatus.SUBMITTED).order_by(
                "number"
            ),
            to_attr="submitted_versions",
        )
    )


def submission_years() -> list[int]:
    """The years in which a version of any request was submitted, newest first."""
    years = RequestVersion.objects.filter(
        status=VersionStatus.SUBMITTED, submitted_on__isnull=False
    ).dates("submitted_on", "year", order="DESC")
    return [d.year for d in years]


def state_history(state: Any) -> list[ExtensionRequest]:
    """The submitted requests of a state, oldest first, with their submissions, decision
    and the decision's requirements: the country page's history (three queries)."""
    qs = (
        ExtensionRequest.objects.filter(state=state)
        .exclude(status=RequestStatus.DRAFT)
        .order_by("created_at", "pk")
    )
    return list(with_submissions(qs).prefetch_related("decision__requirements"))


@dataclass(frozen=True)
class SubmittedRequest:
    """A submitted version of an extension request and what its workplan holds."""

    version_id: int
    request_id: int
    state_id: int
    submitted_on: dt.date
    origin: str
    milestone_years: int
    budget_years: int


def submitted_request_versions() -> list[SubmittedRequest]:
    """Every submitted version with a submission day, with how many years its milestones
    and its budget cover (one query)."""
    rows = (
        RequestVersion.objects.filter(status=VersionStatus.SUBMITTED, submitted_on__isnull=False)
        .annotate(
            milestone_years=Count("milestones__year", distinct=True),
            budget_years=Count("budget__year", distinct=True),
        )
        .values_list(
            "pk",
            "request_id",
            "request__state_id",
            "submitted_on",
            "request__origin",
            "milestone_years",
            "budget_years",
        )
        .order_by("submitted_on", "pk")
    )
    return [SubmittedRequest(*row) for row in rows]  # type: ignore[arg-type]  # submitted_on is not null here
