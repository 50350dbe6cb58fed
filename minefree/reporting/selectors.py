"""Reads of Article 7 reports, scoped by who asks.

Submitted versions are public. Drafts are visible to the state's focal point and
delegates and to ISU staff; only the state's focal point and delegates edit them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from minefree.accounts.models import Role
from minefree.accounts.selectors import active_memberships, is_staff_member
from minefree.registry.models import Article as ObligationArticle
from minefree.registry.models import Obligation, ObligationStatus
from minefree.reporting.content import Content, load_content
from minefree.reporting.models import Article7Report, ReportVersion, VersionStatus
from minefree.reporting.validation import Context

DRAFTING_ROLES = {Role.STATE_FOCAL_POINT, Role.STATE_DELEGATE}


def drafting_state_ids(user: Any) -> set[int]:
    return set(
        active_memberships(user).filter(role__in=DRAFTING_ROLES).values_list("actor_id", flat=True)
    )


def versions_for(user: Any) -> QuerySet[ReportVersion]:
    qs = ReportVersion.objects.select_related("report", "report__state")
    if is_staff_member(user):
        return qs
    return qs.filter(
        Q(status=VersionStatus.SUBMITTED) | Q(report__state_id__in=drafting_state_ids(user))
    )


def get_version_for(user: Any, pk: int, action: str = "view") -> ReportVersion:
    """A version the user may see (404 otherwise); ``edit`` also needs a draft of their state."""
    version = versions_for(user).filter(pk=pk).first()
    if version is None:
        raise Http404("No such report version")
    if action == "edit":
        if not version.is_draft:
            raise PermissionDenied("A submitted report cannot be changed; amend it instead.")
        if version.report.state_id not in drafting_state_ids(user):
            raise PermissionDenied("Only the state's focal point and delegates edit its drafts.")
    return version


def reports_of_state(state_id: int) -> QuerySet[Article7Report]:
    return Article7Report.objects.filter(state_id=state_id).order_by("-year", "kind")


def latest_submitted(report: Article7Report) -> ReportVersion | None:
    return report.versions.filter(status=VersionStatus.SUBMITTED).order_by("-number").first()


def previous_submitted(report: Article7Report) -> ReportVersion | None:
    """The latest submitted version of the state's most recent earlier report."""
    return (
        ReportVersion.objects.filter(
            report__state_id=report.state_id,
            report__year__lt=report.year,
            status=VersionStatus.SUBMITTED,
        )
        .select_related("report")
        .order_by("-report__year", "-number")
        .first()
    )


def validation_context(version: ReportVersion) -> Context:
    open_articles = set(
        Obligation.objects.filter(
            actor_id=version.report.state_id, status=ObligationStatus.OPEN
        ).values_list("article", flat=True)
    )
    previous = previous_submitted(version.report)
    prior: Content | None = None
    if previous is not None and previous.report.year == version.report.year - 1:
        prior = load_content(previous)
    return Context(
        open_article4=ObligationArticle.STOCKPILES in open_articles,
        open_article5=ObligationArticle.MINED_AREAS in open_articles,
        previous=prior,
    )
