"""The knowledge base's pages under /knowledge/ (the search page at /knowledge/ itself is
``knowledge.search``'s): the key challenges with their drill-down and CSV, a passage with
its labels and the decisions on them, documents, practices.

Thin: parse the filters, read through ``selectors`` and ``challenges`` (which apply the one
visibility rule), call one service, render or redirect. A refused form is shown again as
typed, with its errors; a refused action is a 403 page saying who may take it.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minefree.core import charts
from minefree.core.permissions import can
from minefree.core.upload_limits import upload_limit
from minefree.core.views import (
    denied_as_403,
    flash_errors,
    form_errors,
    int_param,
    or_404,
    paginate,
)
from minefree.core.workflow import AlreadyDone
from minefree.knowledge import services
from minefree.knowledge.challenges import (
    SYNTHETIC,
    ChallengeFilters,
    ChallengeTable,
    evidence,
    key_challenges,
)
from minefree.knowledge.forms import (
    ChallengeFilterForm,
    DocumentForm,
    FeedbackForm,
    LabelDecisionForm,
    PracticeForm,
)
from minefree.knowledge.models import Passage, PracticeStatus
from minefree.knowledge.selectors import (
    documents_for,
    passages_for,
    practices_for,
    state_choices,
)
from minefree.knowledge.taxonomy import BY_CODE, CATEGORIES, CHALLENGE_CODES, label
from minefree.registry.selectors import regions

PAGE_SIZE = 50
refused_as_403 = denied_as_403("knowledge/denied.html")


# --- the key challenges ----------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> ChallengeFilterForm:
    return ChallengeFilterForm(request.GET or None, regions=regions(), states=state_choices())


def _charts(tables: list[ChallengeTable]) -> list[Any]:
    """One small chart per category: how many States Parties named it, per year (a count
    needs no report to divide by); synthetic demo data as its own dashed line, labelled."""
    drawn = []
    for code in CHALLENGE_CODES:
        series = []
        for table in tables:
            line = next(item for item in table.lines if item.code == code)
            series.append(
                charts.Series(
                    _("States Parties"),
                    [(y.year, float(y.states)) for y in line.years],
                    synthetic=table.synthetic,
                )
            )
        drawn.append(
            charts.line_chart(
                title=label(code),
                series=series,
                unit=_("States Parties"),
                empty_text=_("No state named it in these years."),
                width=420,
                height=200,
                synthetic_label=_("synthetic demo data"),
                id_prefix=f"chart-{code}",
            )
        )
    return drawn


def _drill(code: str, filters: ChallengeFilters, **extra: Any) -> str:
    url = reverse("knowledge:challenge_passages", args=[code])
    return f"{url}?{urlencode(filters.query(**extra))}"


def _shown(table: ChallengeTable, filters: ChallengeFilters) -> dict[str, Any]:
    """A table as the page shows it: each number with the link to its passages."""
    return {
        "table": table,
        "reporting": [table.reporting.get(year, 0) for year in table.years],
        "lines": [
            {
                "line": line,
                "link": _drill(line.code, filters, data=table.origin),
                "cells": [
                    (y, _drill(line.code, filters, year=y.year, data=table.origin))
                    for y in line.years
                ],
            }
            for line in table.lines
        ],
    }


@require_GET
def challenges(request: HttpRequest) -> HttpResponse:
    """The categories of challenges ranked by how many States Parties reported them, per
    year, with the share of the reporting states and the trend."""
    form = _filter_form(request)
    chosen = form.filters()
    tables = key_challenges(request.user, chosen)
    context = {
        "form": form,
        "filters": chosen,
        "tables": [_shown(table, chosen) for table in tables],
        "charts": _charts(tables) if any(t.years for t in tables) else [],
        "csv_query": urlencode(chosen.query()),
        "categories": [c for c in CATEGORIES if c.code in CHALLENGE_CODES],
    }
    return render(request, "knowledge/challenges.html", context)


@require_GET
def challenges_csv(request: HttpRequest) -> HttpResponse:
    """The table of the key challenges, one line per data kind, category and year."""
    tables = key_challenges(request.user, _filter_form(request).filters())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="key-challenges.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "data",
            "category",
            "category_name",
            "year",
            "states",
            "reporting_states_naming_it",
            "reporting_states",
            "share",
            "rank_in_year",
            "rank_over_years",
        ]
    )
    for table in tables:
        for line in table.lines:
            for y in line.years:
                share = "" if y.share is None else f"{y.share:.4f}"
                writer.writerow(
                    [
                        table.origin,
                        line.code,
                        line.name,
                        y.year,
                        y.states,
                        y.reporting_named,
                        y.reporting,
                        share,
                        y.rank or "",
                        line.rank or "",
                    ]
                )
    return response


@require_GET
def challenge_passages(request: HttpRequest, category: str) -> HttpResponse:
    """The passages behind a number of the key challenges, with their sources."""
    if category not in CHALLENGE_CODES:
        raise Http404(_("Not a category of challenges."))
    form = _filter_form(request)
    chosen = form.filters()
    year = int_param(request.GET, "year")
    if year is not None:
        chosen = ChallengeFilters(year, year, chosen.region, chosen.state)
    data = request.GET.get("data", "")
    passages = evidence(request.user, category, chosen, data=data).prefetch_related("labels")
    page, query = paginate(request, passages, PAGE_SIZE)
    context = {
        "category": BY_CODE[category],
        "form": form,
        "year": year,
        "synthetic": data == SYNTHETIC,
        "page": page,
        "query": query,
        "back": reverse("knowledge:challenges") + "?" + urlencode(chosen.query()),
    }
    return render(request, "knowledge/challenge_passages.html", context)


# --- a passage and the decisions on its labels -------------------------------------------------


def _passage(request: HttpRequest, pk: int) -> Passage:
    found = passages_for(request.user).filter(pk=pk).prefetch_related("labels").first()
    return or_404(found, _("No passage with this number, or not shared with you."))


def _passage_page(
    request: HttpRequest, passage: Passage, form: LabelDecisionForm | None = None, status: int = 200
) -> HttpResponse:
    may_label = can(request.user, "challenge.label")
    labels = sorted(passage.labels.all(), key=lambda item: item.category)
    context = {
        "passage": passage,
        "labels": [(item, label(item.category)) for item in labels],
        "may_label": may_label,
        "add_form": (form or LabelDecisionForm(auto_id="add-%s")) if may_label else None,
        "categories": CATEGORIES,
    }
    return render(request, "knowledge/passage.html", context, status=status)


@require_GET
def passage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _passage_page(request, _passage(request, pk))


@login_required
@require_POST
@refused_as_403
def passage_label(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, reject or add a category of a passage (committee members, ISU staff)."""
    passage = _passage(request, pk)
    form = LabelDecisionForm(request.POST, auto_id="add-%s")
    if not form.is_valid():
        if not can(request.user, "challenge.label"):
            return render(request, "knowledge/denied.html", status=403)
        return _passage_page(request, passage, form, status=422)
    try:
        services.label_decide(
            actor=request.user,
            passage=passage,
            category=form.cleaned_data["category"],
            status=form.cleaned_data["status"],
        )
    except (AlreadyDone, ValidationError) as exc:
        flash_errors(request, exc.messages)
        return redirect("knowledge:passage", pk=passage.pk)
    messages.success(
        request,
        _("Your decision on “%(category)s” is recorded; the key challenges count it now.")
        % {"category": label(form.cleaned_data["category"])},
    )
    return redirect("knowledge:passage", pk=passage.pk)


# --- documents -------------------------------------------------------------------------------


@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    page, query = paginate(
        request, documents_for(request.user).prefetch_related("states"), PAGE_SIZE
    )
    context = {"page": page, "query": query, "may_add": can(request.user, "document.add")}
    return render(request, "knowledge/documents.html", context)


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = or_404(
        documents_for(request.user)
        .filter(pk=pk)
        .select_related("meeting")
        .prefetch_related("states")
        .first(),
        _("No document with this number, or not shared with you."),
    )
    passages = passages_for(request.user).filter(document=document).prefetch_related("labels")
    page, query = paginate(request, passages, PAGE_SIZE)
    return render(
        request,
        "knowledge/document.html",
        {"document": document, "page": page, "query": query},
    )


@require_GET
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded file, to those who may read the document."""
    document = or_404(documents_for(request.user).filter(pk=pk).first())
    if not document.file:
        raise Http404(_("This document has no file."))
    return FileResponse(document.file.open("rb"), as_attachment=True)


@login_required
@upload_limit(services.DOCUMENT_MAX_BYTES)
@refused_as_403
def document_add(request: HttpRequest) -> HttpResponse:
    """Add a document: a file (its text extracted into passages) or an address."""
    if not can(request.user, "document.add"):
        return render(request, "knowledge/denied.html", status=403)
    if request.method != "POST":
        return render(request, "knowledge/document_add.html", {"form": DocumentForm()})
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_add(
                actor=request.user,
                title=data["title"],
                kind=data["kind"],
                language=data["language"],
                file=data.get("file"),
                url=data.get("url") or "",
                states=list(data["states"]),
                year=data.get("year"),
                meeting=data.get("meeting"),
                articles=data["articles"],
                actions=data["actions"],
                pillars=data["pillars"],
                visibility=data["visibility"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The document is added; its text is searchable now."))
            return redirect("knowledge:document", pk=document.pk)
    context = {"form": form, "errors": form_errors(form)}
    return render(request, "knowledge/document_add.html", context, status=422)


# --- practices -------------------------------------------------------------------------------


@require_GET
def practices(request: HttpRequest) -> HttpResponse:
    """Published practices; ISU staff also see the proposals waiting for them."""
    found = practices_for(request.user).prefetch_related("where")
    page, query = paginate(request, found, PAGE_SIZE)
    context = {
        "page": page,
        "query": query,
        "may_propose": can(request.user, "practice.propose"),
        "proposed": PracticeStatus.PROPOSED,
    }
    return render(request, "knowledge/practices.html", context)


def _practice(request: HttpRequest, pk: int) -> Any:
    found = practices_for(request.user).filter(pk=pk).prefetch_related("where", "documents")
    return or_404(found.first(), _("No practice with this number, or not shared with you."))


def _practice_page(
    request: HttpRequest, practice: Any, form: FeedbackForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    context = {
        "practice": practice,
        "useful": practice.feedback.filter(useful=True).count(),
        "may_publish": practice.status == PracticeStatus.PROPOSED
        and can(user, "practice.publish", practice),
        "feedback_form": (form or FeedbackForm(auto_id="fb-%s"))
        if practice.status == PracticeStatus.PUBLISHED and can(user, "practice.feedback", practice)
        else None,
    }
    return render(request, "knowledge/practice.html", context, status=status)


@require_GET
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _practice_page(request, _practice(request, pk))


@login_required
@refused_as_403
def practice_propose(request: HttpRequest) -> HttpResponse:
    """Propose a practice (focal points, committee members, ISU staff)."""
    if not can(request.user, "practice.propose"):
        return render(request, "knowledge/denied.html", status=403)
    documents = documents_for(request.user).order_by("title")
    if request.method != "POST":
        form = PracticeForm(documents=documents)
        return render(request, "knowledge/practice_propose.html", {"form": form})
    form = PracticeForm(request.POST, documents=documents)
    if form.is_valid():
        data = form.cleaned_data
        try:
            practice = services.practice_propose(
                actor=request.user,
                title=data["title"],
                what=data["what"],
                who=data["who"],
                result=data["result"],
                where=list(data["where"]),
                contact=data.get("contact"),
                documents=list(data["documents"]),
                language=data["language"],
                visibility=data["visibility"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The practice is proposed; ISU staff will publish it."))
            if can(request.user, "practice.publish", practice):
                return redirect("knowledge:practice", pk=practice.pk)
            return redirect("knowledge:practices")
    context = {"form": form, "errors": form_errors(form)}
    return render(request, "knowledge/practice_propose.html", context, status=422)


@login_required
@require_POST
@refused_as_403
def practice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    practice = _practice(request, pk)
    try:
        services.practice_publish(actor=request.user, practice=practice)
    except AlreadyDone as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, _("The practice is published."))
    return redirect("knowledge:practice", pk=practice.pk)


@login_required
@require_POST
@refused_as_403
def practice_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    practice = _practice(request, pk)
    form = FeedbackForm(request.POST, auto_id="fb-%s")
    if not form.is_valid():
        return _practice_page(request, practice, form, status=422)
    try:
        services.practice_feedback(
            actor=request.user,
            practice=practice,
            useful=form.cleaned_data["useful"],
            follow_up=form.cleaned_data["follow_up"],
        )
    except (AlreadyDone, ValidationError) as exc:
        flash_errors(request, exc.messages)
    else:
        messages.success(request, _("Thank you: your feedback is recorded."))
    return redirect("knowledge:practice", pk=practice.pk)
