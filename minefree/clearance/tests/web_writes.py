"""The web forms of extension requests, for the allow/deny matrix of every web write
(``accounts/tests/test_permissions.py::ENDPOINTS``): for each, what it needs in the
database first, the request a browser sends, and how to see that it took effect.

The state's focal point and delegate draft, submit, revise and answer; committee members
and ISU staff question and analyse; ISU staff decide; nobody edits a submitted version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minefree.clearance import services
from minefree.clearance.models import (
    AnalysisStatus,
    Decision,
    ExtensionRequest,
    Outcome,
    Question,
    RequestVersion,
    VersionStatus,
)
from minefree.clearance.tests.factories import DECIDED_ON, filled_draft, submitted

PERU_PEOPLE = {"focal_point_peru", "delegate_peru"}
COMMITTEE = {"committee_chair", "isu_staff", "administrator"}
STAFF = {"isu_staff", "administrator"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- set-ups: ``ctx`` holds the cast by name; each adds what its form needs -----------------


def a_draft(ctx: dict[str, Any]) -> None:
    ctx["draft"] = filled_draft(ctx["focal_point_peru"])


def a_submitted_request(ctx: dict[str, Any]) -> None:
    ctx["version"] = submitted(ctx["focal_point_peru"])
    ctx["request"] = ctx["version"].request


def a_question(ctx: dict[str, Any]) -> None:
    a_submitted_request(ctx)
    ctx["question"] = services.question_ask(
        actor=ctx["committee_chair"], request=ctx["request"], text="How many teams?"
    )


def a_draft_analysis(ctx: dict[str, Any]) -> None:
    a_submitted_request(ctx)
    services.analysis_save(
        actor=ctx["committee_chair"], request=ctx["request"], sections={"summary": "Draft."}
    )


def a_requirement(ctx: dict[str, Any]) -> None:
    a_submitted_request(ctx)
    decision = services.decision_record(
        actor=ctx["isu_staff"],
        request=ctx["request"],
        outcome=Outcome.GRANTED_WITH_REQUESTS,
        decided_on=DECIDED_ON,
        new_deadline=dt.date(2034, 12, 31),
        requirements=[("An updated workplan", dt.date(2031, 4, 30))],
    )
    ctx["requirement"] = decision.requirements.get()


# --- the requests a browser sends ------------------------------------------------------------


def open_request(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post("/clearance/open/", {"state": "PER"})


def header(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        f"/clearance/v/{ctx['draft'].pk}/header/",
        {
            "submitted_on": "2029-03-31",
            "requested_deadline": "2034-12-31",
            "language": "es",
            "n_rationale": "Written on the page.",
        },
    )


def row_add(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        f"/clearance/v/{ctx['draft'].pk}/tables/milestones/rows/",
        {"year": "2040", "method": "cleared", "area_m2": "1000"},
    )


def row_delete(client: Client, ctx: dict[str, Any]) -> Any:
    row = ctx["draft"].milestones.first()
    return client.post(f"/clearance/v/{ctx['draft'].pk}/tables/milestones/rows/{row.pk}/delete/")


def table_replace(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        f"/clearance/v/{ctx['draft'].pk}/tables/remaining/replace/", {"rows": "Cusco\tCHA\t1\t5"}
    )


def document(client: Client, ctx: dict[str, Any]) -> Any:
    upload = SimpleUploadedFile("request.pdf", PDF, "application/pdf")
    return client.post(f"/clearance/v/{ctx['draft'].pk}/document/", {"file": upload})


def submit(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(f"/clearance/v/{ctx['draft'].pk}/submit/", {"confirmed": "yes"})


def submitted_header(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        f"/clearance/v/{ctx['version'].pk}/header/",
        {"language": "fr", "n_rationale": "Changed after submission."},
    )


def submitted_row(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        f"/clearance/v/{ctx['version'].pk}/tables/milestones/rows/",
        {"year": "2040", "method": "cleared", "area_m2": "1000"},
    )


def revise(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(f"/clearance/{ctx['request'].pk}/revise/", {"reason": "Answers"})


def answer(client: Client, ctx: dict[str, Any]) -> Any:
    question = ctx["question"]
    return client.post(
        f"/clearance/{question.request_id}/questions/{question.pk}/answer/",
        {"answer": "Four teams."},
    )


def ask(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(f"/clearance/{ctx['request'].pk}/questions/", {"text": "Why 2034?"})


def analysis(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        f"/clearance/{ctx['request'].pk}/analysis/", {"s_summary": "Peru asks five years."}
    )


def publish(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(f"/clearance/{ctx['request'].pk}/analysis/publish/")


def decide(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        f"/clearance/{ctx['request'].pk}/decision/",
        {"outcome": "granted", "decided_on": "2029-11-28", "new_deadline": "2034-12-31"},
    )


def requirement_met(client: Client, ctx: dict[str, Any]) -> Any:
    requirement = ctx["requirement"]
    return client.post(
        f"/clearance/{ctx['request'].pk}/requirements/{requirement.pk}/met/",
        {"met_on": "2031-04-01"},
    )


# --- what took effect ---------------------------------------------------------------------


def opened(ctx: dict[str, Any]) -> bool:
    return ExtensionRequest.objects.filter(state__iso3="PER").exists()


def header_saved(ctx: dict[str, Any]) -> bool:
    version = RequestVersion.objects.get(pk=ctx["draft"].pk)
    return version.narratives.get("rationale") == "Written on the page."


def row_added(ctx: dict[str, Any]) -> bool:
    return ctx["draft"].milestones.filter(year=2040).exists()


def row_deleted(ctx: dict[str, Any]) -> bool:
    return ctx["draft"].milestones.count() == 3


def table_replaced(ctx: dict[str, Any]) -> bool:
    return list(ctx["draft"].remaining.values_list("region", flat=True)) == ["Cusco"]


def document_attached(ctx: dict[str, Any]) -> bool:
    return bool(RequestVersion.objects.get(pk=ctx["draft"].pk).document)


def draft_submitted(ctx: dict[str, Any]) -> bool:
    return RequestVersion.objects.get(pk=ctx["draft"].pk).status == VersionStatus.SUBMITTED


def submitted_changed(ctx: dict[str, Any]) -> bool:
    version = RequestVersion.objects.get(pk=ctx["version"].pk)
    return version.language == "fr" or version.milestones.filter(year=2040).exists()


def revised(ctx: dict[str, Any]) -> bool:
    return ctx["request"].versions.filter(number=2).exists()


def answered(ctx: dict[str, Any]) -> bool:
    return Question.objects.get(pk=ctx["question"].pk).answer == "Four teams."


def asked(ctx: dict[str, Any]) -> bool:
    return Question.objects.filter(text="Why 2034?").exists()


def analysed(ctx: dict[str, Any]) -> bool:
    latest = services.latest_analysis(ctx["request"])
    return latest is not None and latest.sections.get("summary") == "Peru asks five years."


def published(ctx: dict[str, Any]) -> bool:
    latest = services.latest_analysis(ctx["request"])
    return latest is not None and latest.status == AnalysisStatus.PUBLISHED


def decided(ctx: dict[str, Any]) -> bool:
    return Decision.objects.filter(request=ctx["request"]).exists()


def met(ctx: dict[str, Any]) -> bool:
    requirement = ctx["requirement"]
    requirement.refresh_from_db()
    return requirement.met_on is not None


#: (name, who may, set-up, request, took effect) of every web form of extension requests
WEB_WRITES = [
    ("web extension request open", PERU_PEOPLE, None, open_request, opened),
    ("web extension request header", PERU_PEOPLE, a_draft, header, header_saved),
    ("web extension request row", PERU_PEOPLE, a_draft, row_add, row_added),
    ("web extension request row delete", PERU_PEOPLE, a_draft, row_delete, row_deleted),
    ("web extension request table", PERU_PEOPLE, a_draft, table_replace, table_replaced),
    ("web extension request document", PERU_PEOPLE, a_draft, document, document_attached),
    ("web extension request submit", PERU_PEOPLE, a_draft, submit, draft_submitted),
    (
        "web submitted version header",
        set(),
        a_submitted_request,
        submitted_header,
        submitted_changed,
    ),
    ("web submitted version row", set(), a_submitted_request, submitted_row, submitted_changed),
    ("web extension request revise", PERU_PEOPLE, a_submitted_request, revise, revised),
    ("web extension request answer", PERU_PEOPLE, a_question, answer, answered),
    ("web extension request question", COMMITTEE, a_submitted_request, ask, asked),
    ("web extension request analysis", COMMITTEE, a_submitted_request, analysis, analysed),
    ("web extension request publish", COMMITTEE, a_draft_analysis, publish, published),
    ("web extension request decision", STAFF, a_submitted_request, decide, decided),
    ("web extension request requirement met", COMMITTEE, a_requirement, requirement_met, met),
]
