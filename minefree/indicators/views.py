"""The pages of the action plans' indicators and of the committee's documents.

Thin: values come from ``selectors`` (a fixed number of queries whatever the data), the
documents' text and figures from ``drafting``, and every write goes through one service of
``services``, which decides who may. A draft the reader may not edit is not shown: a
document with no published version is a 404 to them.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minefree.core import charts
from minefree.core.audit import ALL_VERSION_KEY
from minefree.core.pagecache import cached_public_page
from minefree.core.permissions import can
from minefree.core.versions import VersionConflictError
from minefree.core.views import denied_as_403, int_param, or_404
from minefree.indicators import drafting, selectors, services
from minefree.indicators.definitions import Part, YearValue
from minefree.indicators.documents import blocks
from minefree.indicators.facts import FIRST_YEAR
from minefree.indicators.forms import DocumentOpenForm, SectionForm, VersionForm
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
from minefree.indicators.sparklines import sparkline

#: the years the plans' tree and an indicator's page show by default, ending this year
YEARS_SHOWN = 10
#: the years of a state's profile on its country page
PROFILE_YEARS = 6
SYNTHETIC_COLOUR = "#D55E00"


#: a refused write becomes a 403 page giving the service's reason
refused_as_403 = denied_as_403("indicators/denied.html")


def _years(request: HttpRequest) -> tuple[int, int]:
    """The years asked for (``?from=&to=``), by default the last ``YEARS_SHOWN``."""
    this_year = dt.date.today().year
    last = min(max(int_param(request.GET, "to") or this_year, FIRST_YEAR), this_year)
    first = int_param(request.GET, "from") or last - YEARS_SHOWN + 1
    return min(max(first, FIRST_YEAR), last), last


def _year_asked(request: HttpRequest) -> int | None:
    """The year of a drill-down (``?year=``): one minefree computes values for, or a 404."""
    year = int_param(request.GET, "year")
    if year is not None and not FIRST_YEAR <= year <= dt.date.today().year:
        raise Http404(_("No value for this year."))
    return year


# --- the plans' tree ---------------------------------------------------------------------------


@dataclass
class IndicatorLine:
    indicator: Indicator
    line: selectors.Series
    sparkline: SafeString
    synthetic_sparkline: SafeString
    latest_synthetic: YearValue | None


@dataclass
class ActionNode:
    action: PlanAction
    indicators: list[IndicatorLine]


@dataclass
class SectionNode:
    section: PlanSection
    actions: list[ActionNode]


@dataclass
class PlanNode:
    plan: ActionPlan
    sections: list[SectionNode] = field(default_factory=list)

    @property
    def has_actions(self) -> bool:
        return any(s.actions for s in self.sections)


def _points(line: selectors.Series, synthetic: bool) -> list[tuple[int, float | None]]:
    points: list[tuple[int, float | None]] = []
    for value in line.values:
        part = value.synthetic if synthetic else value.reported
        points.append((value.year, None if part is None else line.figure(part)))
    return points


def _latest_synthetic(line: selectors.Series) -> YearValue | None:
    found = [v for v in line.values if v.synthetic is not None]
    return found[-1] if found else None


@cached_public_page(lambda: [ALL_VERSION_KEY], params=["from", "to"])
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Both plans, section by section, each action with its indicators and their values."""
    first, last = _years(request)
    tree = list(selectors.plans())
    items = [
        item
        for plan in tree
        for section in plan.sections.all()
        for action in section.actions.all()
        for item in action.indicators.all()
    ]
    lines = {line.indicator.pk: line for line in selectors.series(items, first, last)}
    nodes = []
    for plan in tree:
        node = PlanNode(plan)
        for section in plan.sections.all():
            actions = []
            for action in section.actions.all():
                shown = []
                for item in action.indicators.all():
                    line = lines[item.pk]
                    shown.append(
                        IndicatorLine(
                            item,
                            line,
                            sparkline(_points(line, False)),
                            sparkline(_points(line, True), colour=SYNTHETIC_COLOUR, dashed=True),
                            _latest_synthetic(line),
                        )
                    )
                actions.append(ActionNode(action, shown))
            node.sections.append(SectionNode(section, actions))
        nodes.append(node)
    context = {"plans": nodes, "first": first, "last": last}
    return render(request, "indicators/home.html", context)


# --- one indicator -----------------------------------------------------------------------------


@dataclass
class YearRow:
    value: YearValue
    published: list[PublishedFigure]


def _chart(line: selectors.Series) -> SafeString:
    unit = "%" if line.definition.kind == "percentage" else _("States Parties")
    series = [charts.Series(_("computed from the records"), _points(line, False))]
    if line.has_synthetic:
        series.append(charts.Series(_("synthetic demo data"), _points(line, True), synthetic=True))
    return charts.line_chart(
        title=line.indicator.text(),
        series=series,
        unit=unit,
        empty_text=_("No value can be computed for these years."),
        synthetic_label=_("synthetic demo data"),
        id_prefix="indicator-chart",
    )


def _drill(
    line: selectors.Series, year: int | None, synthetic: bool
) -> tuple[YearValue | None, Part | None, list[selectors.StateLine]]:
    """The year's value asked for and the states behind it."""
    if year is None:
        return None, None, []
    value = line.at(year)
    if value is None:
        raise Http404(_("No value for this year."))
    part = value.synthetic if synthetic else value.reported
    if part is None or not part.computed:
        return value, part, []
    return value, part, selectors.drill_down(part)


@cached_public_page(lambda code: [ALL_VERSION_KEY], params=["from", "to", "year", "data"])
@require_GET
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    item = or_404(selectors.indicator(code), _("No indicator with this code."))
    first, last = _years(request)
    year = _year_asked(request)
    if year is not None:
        first, last = min(first, year), max(last, year)
    line = selectors.series([item], first, last)[0]
    published = selectors.published_figures(item)
    synthetic = request.GET.get("data") == "synthetic"
    value, part, states = _drill(line, year, synthetic)
    context = {
        "indicator": item,
        "definition": line.definition,
        "line": line,
        "rows": [YearRow(v, published.get(v.year, [])) for v in reversed(line.values)],
        "chart": _chart(line),
        "first": first,
        "last": last,
        "year": year,
        "synthetic": synthetic,
        "value": value,
        "part": part,
        "counted": [s for s in states if s.counted],
        "not_counted": [s for s in states if not s.counted],
        "percentage": line.definition.kind == "percentage",
    }
    return render(request, "indicators/indicator.html", context)


def _part_cells(part: Part | None) -> list[Any]:
    if part is None:
        return ["", "", "", ""]
    return [
        "" if part.numerator is None else part.numerator,
        "" if part.denominator is None else part.denominator,
        "" if part.percentage is None else part.percentage,
        part.reason,
    ]


@cached_public_page(lambda code: [ALL_VERSION_KEY], params=["from", "to", "year", "data"])
@require_GET
def indicator_csv(request: HttpRequest, code: str) -> HttpResponse:
    """Every year's value, reported and synthetic demo data in their own columns; with
    ``?year=`` the states and records behind that year's values instead."""
    item = or_404(selectors.indicator(code), _("No indicator with this code."))
    year = _year_asked(request)
    first, last = _years(request)
    if year is not None:
        first, last = min(first, year), max(last, year)
    else:
        first = FIRST_YEAR
    line = selectors.series([item], first, last)[0]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    if year is None:
        response["Content-Disposition"] = f'attachment; filename="{item.code}.csv"'
        published = selectors.published_figures(item)
        writer.writerow(
            [
                "year",
                "numerator",
                "denominator",
                "percentage",
                "cannot_be_computed_because",
                "synthetic_demo_numerator",
                "synthetic_demo_denominator",
                "synthetic_demo_percentage",
                "synthetic_demo_cannot_be_computed_because",
                "published_figures",
            ]
        )
        for value in line.values:
            figures = "; ".join(
                f"{p.value.normalize():f} {p.unit} ({p.what}; {p.source})"
                for p in published.get(value.year, [])
            )
            writer.writerow(
                [
                    value.year,
                    *_part_cells(value.reported),
                    *_part_cells(value.synthetic),
                    figures,
                ]
            )
        return response
    response["Content-Disposition"] = f'attachment; filename="{item.code}-{year}.csv"'
    writer.writerow(["year", "data", "state", "iso3", "counted", "record", "address"])
    found = line.at(year)
    if found is None:
        raise Http404(_("No value for this year."))
    for data, part in (("reported", found.reported), ("synthetic demo data", found.synthetic)):
        if part is None or not part.computed:
            continue
        for state_line in selectors.drill_down(part):
            base = [year, data, state_line.state.name, state_line.state.iso3 or ""]
            if not state_line.records:
                writer.writerow([*base, "yes" if state_line.counted else "no", "", ""])
            for record in state_line.records:
                writer.writerow(
                    [
                        *base,
                        "yes" if state_line.counted else "no",
                        record.label,
                        request.build_absolute_uri(record.url) if record.url else "",
                    ]
                )
    return response


# --- a state's profile (for the country page) --------------------------------------------------


def state_section(state: Any) -> dict[str, Any]:
    """The country page's "Action-plan indicators": the last ``PROFILE_YEARS`` years."""
    last = dt.date.today().year
    first = last - PROFILE_YEARS + 1
    return {
        "indicator_years": list(range(first, last + 1)),
        "indicator_profile": selectors.state_profile(state, first, last),
    }


# --- the committee's documents -----------------------------------------------------------------


def _may_edit(user: Any, document: CommitteeDocument | None = None) -> bool:
    return can(user, "committee_document.edit", document)


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    editor = _may_edit(request.user)
    documents = list(selectors.documents(public_only=not editor).prefetch_related("versions"))
    rows = []
    for document in documents:
        versions = sorted(document.versions.all(), key=lambda v: v.number)
        published = [v for v in versions if v.status == DocumentStatus.PUBLISHED]
        draft = next((v for v in versions if v.is_draft), None)
        rows.append(
            {
                "document": document,
                "published": published[-1] if published else None,
                "draft": draft if editor else None,
            }
        )
    context = {"rows": rows, "editor": editor}
    return render(request, "indicators/documents.html", context)


def _document_or_404(request: HttpRequest, pk: int) -> CommitteeDocument:
    """The document, if the reader may see it: published, or theirs to edit."""
    document = or_404(
        CommitteeDocument.objects.select_related("meeting", "committee").filter(pk=pk).first(),
        _("No such document."),
    )
    if not _may_edit(request.user, document) and selectors.published_version(document) is None:
        raise Http404(_("No such document."))
    return document


def _chart_of(content: dict[str, Any], prefix: str) -> SafeString:
    chart = content.get("chart") or {}
    series = [
        charts.Series(str(s["name"]), [(int(y), v) for y, v in s["points"]])
        for s in chart.get("series", [])
    ]
    return charts.line_chart(
        title=str(chart.get("title", "")),
        series=series,
        unit=str(chart.get("unit", "")),
        empty_text=_("No value can be computed for these years."),
        id_prefix=prefix,
    )


def _shown(version: DocumentVersion, content: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A version as read: its sections with their titles, tables, chart and annex."""
    titles = drafting.section_titles()
    keys = drafting.SECTIONS.get(version.document.kind, list(version.sections))
    return {
        "version": version,
        "sections": [
            {
                "key": key,
                "title": titles.get(key, key),
                "text": version.sections.get(key, ""),
                "blocks": blocks(version.sections.get(key, "")),
            }
            for key in keys
        ],
        "content": content,
        "chart": _chart_of(content, prefix) if content else SafeString(""),
    }


def _frozen(version: DocumentVersion) -> dict[str, Any]:
    language = (translation.get_language() or "en")[:2]
    content = version.content or {}
    found = content.get(language) or content.get("en") or {}
    return dict(found)


def _document_page(
    request: HttpRequest,
    document: CommitteeDocument,
    bound: SectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    versions = list(
        document.versions.select_related("created_by", "published_by").order_by("-number")
    )
    editor = _may_edit(request.user, document)
    published = next((v for v in versions if v.status == DocumentStatus.PUBLISHED), None)
    draft = next((v for v in versions if v.is_draft), None) if editor else None
    context: dict[str, Any] = {
        "document": document,
        "editor": editor,
        "published": _shown(published, _frozen(published), "published") if published else None,
        "older": [v for v in versions if v != published and not v.is_draft],
        "languages": services.LANGUAGES,
    }
    if draft is not None:
        shown = _shown(draft, drafting.content(document), "draft")
        etag = services.version_etag(draft)
        for section in shown["sections"]:
            if bound is not None and bound.data.get("section") == section["key"]:
                section["form"] = bound
            else:
                section["form"] = SectionForm(
                    initial={
                        "section": section["key"],
                        "text": section["text"],
                        "version": etag,
                        "change_note": draft.change_note,
                    }
                )
        context["draft"] = shown
        context["publish_form"] = VersionForm(initial={"version": etag})
    return render(request, "indicators/document.html", context, status=status)


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_page(request, _document_or_404(request, pk))


def _draft_or_404(document: CommitteeDocument) -> DocumentVersion:
    return or_404(selectors.draft_version(document), _("This document has no draft."))


@login_required
@require_POST
@refused_as_403
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one section of the draft; a change made meanwhile by someone else is refused
    and the text typed is shown again for the writer to merge."""
    document = _document_or_404(request, pk)
    draft = _draft_or_404(document)
    form = SectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The section was not saved: check the text."))
        return _document_page(request, document, form, status=400)
    try:
        services.document_edit(
            actor=request.user,
            version=draft,
            sections={form.cleaned_data["section"]: form.cleaned_data["text"]},
            change_note=form.cleaned_data["change_note"],
            expected_version=form.cleaned_data["version"],
        )
    except VersionConflictError as exc:
        messages.error(
            request,
            _("%(who)s Your text is kept below: compare it with the current one, then save again.")
            % {"who": exc.last_change},
        )
        data = request.POST.copy()
        data["version"] = exc.current
        return _document_page(request, document, SectionForm(data), status=409)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _document_page(request, document, form, status=400)
    messages.success(request, _("The section is saved."))
    return redirect("indicators:document", document.pk)


@login_required
@require_POST
@refused_as_403
def document_redraft(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_or_404(request, pk)
    draft = _draft_or_404(document)
    return _step(
        request,
        document,
        lambda: services.document_redraft(
            actor=request.user, version=draft, section=request.POST.get("section", "")
        ),
        _("The section is drafted again from the records."),
    )


@login_required
@require_POST
@refused_as_403
def document_publish(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_or_404(request, pk)
    draft = _draft_or_404(document)
    form = VersionForm(request.POST)
    expected = form.cleaned_data["version"] or None if form.is_valid() else None
    return _step(
        request,
        document,
        lambda: services.document_publish(
            actor=request.user, version=draft, expected_version=expected
        ),
        _("The version is published: it is public and never changes."),
    )


@login_required
@require_POST
@refused_as_403
def document_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a new version, copied from the last published one, to correct it."""
    document = _document_or_404(request, pk)
    return _step(
        request,
        document,
        lambda: services.document_open(
            actor=request.user, kind=document.kind, meeting=document.meeting
        ),
        _("A new version is open as a draft."),
    )


def _step(
    request: HttpRequest, document: CommitteeDocument, call: Callable[[], Any], done: str
) -> HttpResponse:
    """Take one step of a document through its service: say what was done, or why not."""
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("indicators:document", document.pk)


@login_required
@refused_as_403
def document_new(request: HttpRequest) -> HttpResponse:
    if not _may_edit(request.user):
        raise PermissionDenied(
            _("Only members of the committee and ISU staff draft its documents.")
        )
    form = DocumentOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_open(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                meeting=form.cleaned_data["meeting"],
                year=form.cleaned_data["year"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The document is open as a draft."))
            return redirect("indicators:document", version.document_id)
    return render(request, "indicators/document_new.html", {"form": form})
