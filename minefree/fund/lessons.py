"""A visit report's lessons reach the knowledge base: each lesson is proposed as a practice
(with the visit report as its source, the host body as the one to contact) and the
report's text becomes passages, searched and classified with the reports and requests.
Run after the report commits (``core.hooks``); running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from minefree.core.audit import service
from minefree.core.models import Origin, Visibility
from minefree.core.permissions import require
from minefree.fund.models import ReportRole, VisitReport
from minefree.knowledge.models import DocumentKind, Practice
from minefree.knowledge.services import PassageInput, passages_replace, practice_propose

SOURCE_KIND = "fund.visitreport"


def report_url(report: VisitReport) -> str:
    return f"/fund/applications/{report.application_id}/#report-{report.role}"


def report_passages(report: VisitReport) -> list[PassageInput]:
    application = report.application
    origin = Origin.SYNTHETIC if application.origin == Origin.SYNTHETIC else Origin.REPORTED
    state = (
        application.applicant.parent
        if report.role == ReportRole.APPLICANT
        else (application.host.parent if application.host else None)
    )
    year = (application.held_from or report.submitted_at).year
    parts = [
        (_("programme as held"), report.programme),
        (_("outputs"), report.outputs),
        *(
            (_("lesson: %(title)s") % {"title": lesson["title"]}, lesson["text"])
            for lesson in report.lessons
        ),
    ]
    return [
        PassageInput(
            text=text,
            locator=_("%(side)s's visit report, %(part)s")
            % {"side": report.get_role_display(), "part": part},
            kind=DocumentKind.VISIT_REPORT,
            state=state,
            year=year,
            language=report.language,
            url=report_url(report),
            visibility=Visibility.PUBLIC,
            origin=origin,
        )
        for part, text in parts
        if text.strip()
    ]


@service
def lessons_to_knowledge(*, actor: Any, report_id: int) -> int:
    """Propose the report's lessons as practices (once each) and index its text."""
    report = VisitReport.objects.select_related(
        "application__applicant__parent", "application__host__parent"
    ).get(pk=report_id)
    application = report.application
    body = application.applicant if report.role == ReportRole.APPLICANT else application.host
    # the reporting state's act carried on, run (and retried) as the person who submitted
    require(
        actor,
        "fund_application.draft"
        if report.role == ReportRole.APPLICANT
        else "fund_application.host_report",
        body,
    )
    origin = Origin.SYNTHETIC if application.origin == Origin.SYNTHETIC else Origin.ENTERED
    made = 0
    for n, lesson in enumerate(report.lessons):
        source_id = f"{report.pk}:{n}"
        if Practice.objects.filter(source_kind=SOURCE_KIND, source_id=source_id).exists():
            continue
        practice_propose(
            actor=actor,
            title=lesson["title"],
            what=lesson["text"],
            who=str(body),
            result=report.outputs[:2000],
            where=[
                s
                for s in (
                    application.applicant.parent,
                    application.host.parent if application.host else None,
                )
                if s
            ],
            contact=application.host
            if report.role == ReportRole.APPLICANT
            else application.applicant,
            language=report.language,
            origin=origin,
            source=(SOURCE_KIND, source_id, report_url(report)),
        )
        made += 1
    state = application.applicant.parent
    passages_replace(
        actor=actor,
        source_kind=SOURCE_KIND,
        source_id=str(report.pk),
        passages=report_passages(report),
        state_code=state.state_code if state else "",
    )
    return made
