"""Read endpoints of Article 7 reports: submitted versions are public, drafts only for their state."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router

from minefree.core.schemas import PageQuery
from minefree.reporting import selectors
from minefree.reporting.models import ReportVersion
from minefree.reporting.schemas import (
    ExplanationOut,
    FormOut,
    RowOut,
    VersionDetailOut,
    VersionListOut,
    VersionSummaryOut,
)
from minefree.reporting.specification.content import load_content
from minefree.reporting.specification.schema import FORMS

router = Router(tags=["reporting"])


class VersionQuery(PageQuery):
    state: str = ""
    year: int | None = Field(None, ge=1999, le=2100)
    status: str = ""


def _summary(v: ReportVersion) -> VersionSummaryOut:
    return VersionSummaryOut(
        id=v.pk,
        state=v.report.state.iso3 or "",
        year=v.report.year,
        kind=v.report.kind,
        number=v.number,
        status=v.status,
        due_date=v.report.due_date,
        submitted_at=v.submitted_at,
        on_time=v.on_time,
        origin=v.report.origin,
    )


@router.get("/reports", response=VersionListOut, summary="Report versions you may see")
def list_versions(request: HttpRequest, query: Query[VersionQuery]) -> VersionListOut:
    qs = selectors.versions_for(request.user).order_by(
        "-report__year", "report__state__name_en", "number"
    )
    if query.state:
        qs = qs.filter(report__state__iso3__iexact=query.state)
    if query.year:
        qs = qs.filter(report__year=query.year)
    if query.status:
        qs = qs.filter(status=query.status)
    count = qs.count()
    items = [_summary(v) for v in qs[query.offset : query.offset + query.limit]]
    return VersionListOut(count=count, limit=query.limit, offset=query.offset, items=items)


@router.get(
    "/reports/{version_id}", response=VersionDetailOut, summary="One version, Forms A–J as data"
)
def get_version(request: HttpRequest, version_id: int) -> VersionDetailOut:
    version = selectors.get_version_for(request.user, version_id)
    content = load_content(version)
    forms = []
    for letter in FORMS:
        entry = content.entries.get(letter)
        rows = [
            RowOut(
                table=row.table,
                position=row.position,
                data=row.data,
                counterpart=row.counterpart.code if row.counterpart else None,
            )
            for form_table in FORMS[letter].tables
            for row in content.table(letter, form_table.code)
        ]
        forms.append(
            FormOut(
                letter=letter,
                status=content.status(letter),
                unchanged_since=entry.unchanged_since if entry else None,
                narratives=entry.narratives if entry else {},
                declared_totals=entry.declared_totals if entry else {},
                rows=rows,
            )
        )
    summary = _summary(version)
    return VersionDetailOut(
        **summary.model_dump(),
        period_start=version.report.period_start,
        period_end=version.report.period_end,
        amendment_reason=version.amendment_reason,
        based_on=version.based_on_id,
        forms=forms,
        explanations=[
            ExplanationOut(code=e.code, target=e.target, text=e.text)
            for e in version.explanations.all()
        ],
    )
