"""The action plans, the indicators' values and the committee's documents, read over the API.

Everything here is public but the committee's drafts, which only their editors (members
of the Committee on the Enhancement of Cooperation and Assistance and ISU staff, rule
``committee_document.edit``) see; to anyone else a draft is a 404. The values are those
the pages show (``indicators.selectors``): reported data and synthetic demo data apart, a
value that cannot be computed null with its reason, wording that is not the plan's text
marked ``reconstructed``. The writes (``indicators.api_writes``) join this router: they
share its paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, Query, Router, Schema

from minefree.core.api import with_version
from minefree.core.permissions import can
from minefree.core.schemas import ErrorOut, PageQuery, SourceOut
from minefree.core.views import or_404
from minefree.indicators import drafting, selectors, services
from minefree.indicators import facts as facts_module
from minefree.indicators.definitions import Part, YearValue
from minefree.indicators.facts import FIRST_YEAR, Facts
from minefree.indicators.models import (
    ActionPlan,
    CommitteeDocument,
    DocumentStatus,
    DocumentVersion,
    Indicator,
    PlanAction,
    PlanSection,
    PublishedFigure,
)
from minefree.indicators.schemas import (
    LANGUAGES,
    DocumentDetailOut,
    DocumentListOut,
    DocumentOut,
    DocumentVersionBriefOut,
    DocumentVersionOut,
    IndicatorBriefOut,
    IndicatorCountedStateOut,
    IndicatorDefinitionOut,
    IndicatorDetailOut,
    IndicatorDrillDownOut,
    IndicatorListOut,
    IndicatorPartOut,
    IndicatorRecordOut,
    IndicatorStateOut,
    IndicatorSummaryOut,
    IndicatorYearValueOut,
    PlanActionOut,
    PlanListOut,
    PlanOut,
    PlanSectionOut,
    PublishedFigureOut,
    StateProfileCellOut,
    StateProfileOut,
    StateProfileRowOut,
)
from minefree.registry.models import Actor
from minefree.registry.selectors import get_state

router = Router(tags=["indicators"])
HONEST = (
    "A value that cannot be computed is null with its `reason` (never 0); `synthetic` holds "
    "the value computed from synthetic demo data, apart; `wording_status` `reconstructed` "
    "marks reconstructed wording, not the plan's official text."
)
DRAFTS = (
    "Drafts are their editors' only (members of the Committee on the Enhancement of "
    "Cooperation and Assistance, ISU staff): to anyone else a draft is a 404."
)


# --- the plans ----------------------------------------------------------------------------------


def indicator_brief(item: Indicator, plan: str, action: int) -> dict[str, Any]:
    return {
        "code": item.code,
        "text": item.text(),
        "wording_status": item.wording_status,
        "kind": item.kind,
        "definition": item.definition,
        "plan": plan,
        "action": action,
        "source": SourceOut.of(item.source),
    }


def action_out(action: PlanAction, plan: str, items: Iterable[Indicator]) -> PlanActionOut:
    return PlanActionOut(
        number=action.number,
        text=action.text(),
        text_en=action.text_en,
        text_fr=action.text_fr,
        text_es=action.text_es,
        wording_status=action.wording_status,
        confirmed=action.confirmed,
        origin=action.origin,
        source=SourceOut.of(action.source),
        indicators=[IndicatorBriefOut(**indicator_brief(i, plan, action.number)) for i in items],
    )


def _section_out(section: PlanSection, plan: str) -> PlanSectionOut:
    return PlanSectionOut(
        number=section.number,
        title=section.title,
        first_action=section.first_action,
        last_action=section.last_action,
        range_status=section.range_status,
        notes=section.notes,
        source=SourceOut.of(section.source),
        actions=[action_out(a, plan, a.indicators.all()) for a in section.actions.all()],
    )


def plan_out(plan: ActionPlan) -> PlanOut:
    return PlanOut(
        code=plan.code,
        name=plan.name,
        first_year=plan.first_year,
        last_year=plan.last_year,
        adopted_on=plan.adopted_on,
        adopted_at=plan.adopted_at.code if plan.adopted_at else None,
        symbol=plan.symbol,
        actions_total=plan.actions_total,
        notes=plan.notes,
        origin=plan.origin,
        source=SourceOut.of(plan.source),
        sections=[_section_out(s, plan.code) for s in plan.sections.all()],
    )


@router.get(
    "/plans",
    response=PlanListOut,
    summary="The action plans: their sections, actions and indicators, with the wording's "
    "status and source",
    description=HONEST,
)
def plans(request: HttpRequest, query: Query[PageQuery]) -> PlanListOut:
    qs = selectors.plans()
    count = qs.count()
    page = qs[query.offset : query.offset + query.limit]
    return PlanListOut(
        count=count, limit=query.limit, offset=query.offset, items=[plan_out(p) for p in page]
    )


# --- values -------------------------------------------------------------------------------------


def part_out(part: Part) -> IndicatorPartOut:
    return IndicatorPartOut(
        numerator=part.numerator,
        denominator=part.denominator,
        percentage=part.percentage,
        reason=part.reason or None,
    )


def value_out(value: YearValue) -> IndicatorYearValueOut:
    return IndicatorYearValueOut(
        year=value.year,
        reported=part_out(value.reported),
        synthetic=part_out(value.synthetic) if value.synthetic is not None else None,
    )


def this_year() -> int:
    return selectors.today().year


class IndicatorYearsQuery(Schema):
    first: int | None = Field(
        None, ge=FIRST_YEAR, le=2100, description=f"From this year ({FIRST_YEAR} if not given)"
    )
    last: int | None = Field(None, ge=FIRST_YEAR, le=2100, description="To (this year if not)")


def _years(query: IndicatorYearsQuery, default_first: int = FIRST_YEAR) -> tuple[int, int]:
    last = this_year() if query.last is None else query.last
    first = default_first if query.first is None else query.first
    if first > last:
        raise ValidationError({"first": [f"{first} is after {last}."]})
    return first, last


class IndicatorListQuery(PageQuery, IndicatorYearsQuery):
    pass


def _brief(item: Indicator) -> dict[str, Any]:
    return indicator_brief(item, item.action.plan.code, item.action.number)


@router.get(
    "",
    response=IndicatorListOut,
    summary="The indicators of the action plans, each with its latest value",
    description="The latest value is that of the last year of `first`…`last` computed from "
    "reported data. " + HONEST,
)
def indicator_list(request: HttpRequest, query: Query[IndicatorListQuery]) -> IndicatorListOut:
    first, last = _years(query)
    qs = selectors.indicators()
    count = qs.count()
    page = list(qs[query.offset : query.offset + query.limit])
    lines = selectors.series(page, facts=facts_module.load(first, last)) if page else []
    items = [
        IndicatorSummaryOut(
            **_brief(line.indicator),
            latest=value_out(line.latest) if line.latest is not None else None,
            has_synthetic=line.has_synthetic,
        )
        for line in lines
    ]
    return IndicatorListOut(
        count=count, limit=query.limit, offset=query.offset, first=first, last=last, items=items
    )


def indicator_or_404(code: str) -> Indicator:
    return or_404(selectors.indicator(code), f"No indicator with the code {code}.")


def figure_out(figure: PublishedFigure) -> PublishedFigureOut:
    return PublishedFigureOut(
        year=figure.year,
        value=figure.value,
        unit=figure.unit,
        what=figure.what,
        origin=figure.origin,
        source=SourceOut.of(figure.source),
    )


def indicator_out(item: Indicator, first: int, last: int) -> IndicatorDetailOut:
    (line,) = selectors.series([item], facts=facts_module.load(first, last))
    rule = line.definition
    return IndicatorDetailOut(
        **_brief(item),
        notes=item.notes,
        action_text=item.action.text(),
        action_wording_status=item.action.wording_status,
        definition_rule=IndicatorDefinitionOut(
            name=rule.name,
            kind=rule.kind,
            population=str(rule.population),
            numerator=str(rule.numerator),
            year_rule=str(rule.year_rule),
        ),
        first=first,
        last=last,
        values=[value_out(v) for v in line.values],
        published=[figure_out(f) for f in item.published.all()],
    )


# --- the committee's documents (before /{code}/{year}, which "documents/1" would match) ------


def may_edit(user: Any, document: CommitteeDocument | None = None) -> bool:
    return can(user, "committee_document.edit", document)


def _documents(user: Any) -> QuerySet[CommitteeDocument]:
    versions = DocumentVersion.objects.defer("sections", "content").order_by("number")
    return selectors.documents(public_only=not may_edit(user)).prefetch_related(
        Prefetch("versions", queryset=versions)
    )


def _visible(user: Any, document: CommitteeDocument) -> list[DocumentVersion]:
    editor = may_edit(user, document)
    return [v for v in document.versions.all() if editor or not v.is_draft]


def _document_fields(user: Any, document: CommitteeDocument) -> dict[str, Any]:
    versions = _visible(user, document)
    published = [v.number for v in versions if v.status == DocumentStatus.PUBLISHED]
    drafts = [v.number for v in versions if v.is_draft]
    return {
        "id": document.pk,
        "kind": document.kind,
        "kind_label": str(document.get_kind_display()),
        "year": document.year,
        "meeting": document.meeting.code,
        "meeting_name": document.meeting.name,
        "committee": document.committee.code,
        "published_version": published[-1] if published else None,
        "draft_version": drafts[-1] if drafts else None,
    }


def _brief_version(version: DocumentVersion) -> DocumentVersionBriefOut:
    return DocumentVersionBriefOut(
        number=version.number,
        status=version.status,
        change_note=version.change_note,
        created_at=version.created_at,
        published_at=version.published_at,
    )


@router.get(
    "/documents",
    response=DocumentListOut,
    summary="The committee's documents: observations and conclusions, statements to meetings",
    description="Those with a published version; " + DRAFTS,
)
def document_list(request: HttpRequest, query: Query[PageQuery]) -> DocumentListOut:
    qs = _documents(request.user)
    count = qs.count()
    page = qs[query.offset : query.offset + query.limit]
    return DocumentListOut(
        count=count,
        limit=query.limit,
        offset=query.offset,
        items=[DocumentOut(**_document_fields(request.user, d)) for d in page],
    )


def document_or_404(request: HttpRequest, document_id: int) -> CommitteeDocument:
    """The document if ``request.user`` may see it: published, or theirs to edit."""
    document = _documents(request.user).filter(pk=document_id).first()
    if document is None or not _visible(request.user, document):
        document = None
    return or_404(document, "No such document, or it is not published.")


@router.get(
    "/documents/{int:document_id}",
    response={200: DocumentDetailOut, 404: ErrorOut},
    summary="A committee document and its versions",
    description=DRAFTS,
)
def document(request: HttpRequest, document_id: int) -> DocumentDetailOut:
    record = document_or_404(request, document_id)
    return DocumentDetailOut(
        **_document_fields(request.user, record),
        versions=[_brief_version(v) for v in _visible(request.user, record)],
    )


def version_or_404(request: HttpRequest, document_id: int, number: int) -> DocumentVersion:
    document = document_or_404(request, document_id)
    visible = {v.number for v in _visible(request.user, document)}
    found = None
    if number in visible:
        found = (
            DocumentVersion.objects.select_related(
                "document", "document__meeting", "document__committee"
            )
            .filter(document=document, number=number)
            .first()
        )
    return or_404(found, f"No version {number} of this document you may see.")


def version_out(
    request: HttpRequest, response: HttpResponse | None, version: DocumentVersion, lang: str
) -> DocumentVersionOut:
    """A version in ``lang``: a published one as it was frozen, a draft's content computed
    from today's records; a draft's version goes out as the ``ETag`` to its editors."""
    document = version.document
    etag = None
    with translation.override(lang):
        titles = drafting.section_titles()
        if version.is_draft:
            content = drafting.content(document)
            if may_edit(request.user, document):
                etag = services.version_etag(version)
        else:
            content = version.content.get(lang) or {}
    if etag is not None and response is not None:
        with_version(response, etag)
    order = drafting.SECTIONS.get(document.kind, [])
    sections = {k: version.sections[k] for k in order if k in version.sections}
    sections |= {k: v for k, v in version.sections.items() if k not in sections}
    return DocumentVersionOut(
        **_brief_version(version).model_dump(),
        document=document.pk,
        kind=document.kind,
        year=document.year,
        meeting=document.meeting.code,
        language=lang,
        sections=sections,
        section_titles={k: titles.get(k, k) for k in sections},
        content=content,
        live=version.is_draft,
        version=etag,
    )


class DocumentLanguageQuery(Schema):
    lang: str = Field(
        "en", pattern="^(en|fr|es)$", description="Language of the titles and content: en, fr, es"
    )


@router.get(
    "/documents/{int:document_id}/versions/{int:number}",
    response={200: DocumentVersionOut, 404: ErrorOut},
    summary="A version of a committee document: its sections and its figures, tables and "
    "chart, each figure with the records it rests on",
    description="A published version's content as frozen when it was published; a draft's "
    "computed from today's records, with its `ETag` (also `version`), which `PATCH` and "
    f"`…/publish` take as `If-Match`. Languages: {', '.join(LANGUAGES)}. " + DRAFTS,
)
def version(
    request: HttpRequest,
    response: HttpResponse,
    document_id: int,
    number: int,
    query: Query[DocumentLanguageQuery],
) -> DocumentVersionOut:
    record = version_or_404(request, document_id, number)
    return version_out(request, response, record, query.lang)


# --- a state's profile ----------------------------------------------------------------------------


def state_ref(state: Actor) -> IndicatorStateOut:
    return IndicatorStateOut(iso3=state.iso3 or None, name=state.name)


@router.get(
    "/states/{iso3}",
    response={200: StateProfileOut, 404: ErrorOut},
    summary="A state's profile: for each indicator and year, whether it was counted",
    description="`counted`; `not_counted` (in the population, not counted); `outside` (not "
    "in the population); `unknown` (no value). `synthetic` marks a cell read from synthetic "
    "demo data where no reported value exists. Default years: the last ten.",
)
def state_profile(
    request: HttpRequest, iso3: str, query: Query[IndicatorYearsQuery]
) -> StateProfileOut:
    state = or_404(get_state(iso3), f"No state with the ISO code {iso3}.")
    first, last = _years(query, default_first=max(FIRST_YEAR, this_year() - 9))
    rows = selectors.state_profile(state, first, last, facts_module.load(first, last))
    return StateProfileOut(
        state=state_ref(state),
        first=first,
        last=last,
        rows=[
            StateProfileRowOut(
                indicator=row.indicator.code,
                text=row.indicator.text(),
                wording_status=row.indicator.wording_status,
                kind=row.definition.kind,
                cells=[
                    StateProfileCellOut(year=c.year, status=c.status, synthetic=c.synthetic)
                    for c in row.cells
                ],
            )
            for row in rows
        ],
    )


# --- one indicator ----------------------------------------------------------------------------------


@router.get(
    "/{code}",
    response={200: IndicatorDetailOut, 404: ErrorOut},
    summary="An indicator: its definition, its values year by year, the figures sources published",
    description=HONEST,
)
def indicator(
    request: HttpRequest, code: str, query: Query[IndicatorYearsQuery]
) -> IndicatorDetailOut:
    item = indicator_or_404(code)
    first, last = _years(query)
    return indicator_out(item, first, last)


class IndicatorDrillDownQuery(Schema):
    data: str = Field(
        "reported",
        pattern="^(reported|synthetic)$",
        description="`reported`, or `synthetic` for the value of synthetic demo data",
    )


def value_at(item: Indicator, year: int, facts: Facts | None = None) -> YearValue:
    """The indicator's value for ``year``, computed as the list and the detail compute it;
    a year minefree computes nothing for (before 1999, or to come) is a 404."""
    if not FIRST_YEAR <= year <= this_year():
        raise Http404(
            f"No value for {year}: minefree computes the indicators for {FIRST_YEAR} to "
            f"{this_year()}."
        )
    (line,) = selectors.series([item], facts=facts or facts_module.load())
    found = line.at(year)
    assert found is not None
    return found


@router.get(
    "/{code}/{int:year}",
    response={200: IndicatorDrillDownOut, 404: ErrorOut},
    summary="The states behind an indicator's value for a year: those counted with their "
    "records, and the rest of the population",
    description=f"A year outside {FIRST_YEAR} to this year is a 404, as is `data=synthetic` "
    "for a year without synthetic demo data. " + HONEST,
)
def drill_down(
    request: HttpRequest, code: str, year: int, query: Query[IndicatorDrillDownQuery]
) -> IndicatorDrillDownOut:
    item = indicator_or_404(code)
    value = value_at(item, year)
    part = value.reported if query.data == "reported" else value.synthetic
    if part is None:
        raise Http404(f"No synthetic demo data for {item.code} in {year}.")
    lines = selectors.drill_down(part)
    return IndicatorDrillDownOut(
        indicator=item.code,
        year=year,
        data=query.data,
        numerator=part.numerator,
        denominator=part.denominator,
        percentage=part.percentage,
        reason=part.reason or None,
        counted=[
            IndicatorCountedStateOut(
                **state_ref(line.state).model_dump(),
                records=[
                    IndicatorRecordOut(
                        kind=r.record.kind,
                        id=r.record.pk,
                        label=r.label,
                        url=r.url,
                        synthetic=r.synthetic,
                    )
                    for r in line.records
                ],
            )
            for line in lines
            if line.counted
        ],
        not_counted=[state_ref(line.state) for line in lines if not line.counted],
    )
