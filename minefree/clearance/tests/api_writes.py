"""The extension requests' API writes in the allow/deny matrix (``api/tests/writes.py``).

A request is its state's to draft, submit, revise and answer on: Peru's focal point and
delegate (not ISU staff). Committee members and ISU staff ask questions, write and
publish the analysis and record what a decision's requests became; ISU staff record the
decision.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from minefree.api.tests.writes import COMMITTEE, STAFF, ApiWrite, Call, etag
from minefree.clearance import services
from minefree.clearance.content import checked
from minefree.clearance.models import (
    AnalysisStatus,
    AnalysisVersion,
    DecisionRequirement,
    ExtensionRequest,
    Outcome,
    Question,
    RequestVersion,
    VersionStatus,
)
from minefree.clearance.tests.factories import DECIDED_ON, PERU_REQUEST, filled_draft, submitted
from minefree.clearance.xlsx import export_xlsx
from minefree.core.audit import SYSTEM

#: who drafts Peru's requests (not ISU staff: the request is the state's act)
PERU_PEOPLE = frozenset({"focal_point_peru", "delegate_peru"})
BASE = "/api/extension-requests"
CHANGED = PERU_REQUEST | {"language": "fr"}


def _draft(cast: dict[str, Any]) -> dict[str, Any]:
    draft = filled_draft(SYSTEM)
    path = f"{BASE}/{draft.request_id}"
    return {"draft": draft, "path": path, "etag": etag(f"{path}/draft", cast["isu_staff"])}


def _submitted(cast: dict[str, Any]) -> dict[str, Any]:
    version = submitted(SYSTEM)
    return {"version": version, "request": version.request, "path": f"{BASE}/{version.request_id}"}


def _asked(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _submitted(cast)
    question = services.question_ask(actor=SYSTEM, request=ctx["request"], text="How many teams?")
    return ctx | {"question": question}


def _analysed(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _submitted(cast)
    services.analysis_save(
        actor=SYSTEM, request=ctx["request"], sections={"summary": "Five years."}
    )
    return ctx


def _decided(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _submitted(cast)
    decision = services.decision_record(
        actor=SYSTEM,
        request=ctx["request"],
        outcome=Outcome.GRANTED_WITH_REQUESTS,
        decided_on=DECIDED_ON,
        new_deadline=dt.date(2034, 12, 31),
        requirements=[("An updated workplan", dt.date(2031, 4, 30))],
    )
    return ctx | {"requirement": decision.requirements.get()}


def _workbook(cast: dict[str, Any]) -> dict[str, Any]:
    """Peru's draft exported, then its milestones emptied: the import puts them back."""
    draft = filled_draft(SYSTEM)
    workbook = export_xlsx(draft)
    services.version_fill(actor=SYSTEM, version=draft, content=checked({"milestones": []}))
    upload = io.BytesIO(workbook)
    upload.name = "peru-request.xlsx"
    return {"draft": draft, "upload": upload}


def _version(ctx: dict[str, Any], key: str = "draft") -> RequestVersion:
    return RequestVersion.objects.get(pk=ctx[key].pk)


WRITES = [
    ApiWrite(
        "file an extension request",
        ("POST", "/api/extension-requests"),
        PERU_PEOPLE,
        lambda ctx: Call("POST", BASE, PERU_REQUEST | {"state": "PER"}),
        lambda ctx: ExtensionRequest.objects.filter(state__iso3="PER").exists(),
    ),
    ApiWrite(
        "replace a request's draft",
        ("PUT", "/api/extension-requests/{request_id}/draft"),
        PERU_PEOPLE,
        lambda ctx: Call("PUT", f"{ctx['path']}/draft", CHANGED, {"If-Match": ctx["etag"]}),
        lambda ctx: _version(ctx).language == "fr",
        _draft,
    ),
    ApiWrite(
        "submit a request",
        ("POST", "/api/extension-requests/{request_id}/submit"),
        PERU_PEOPLE,
        lambda ctx: Call("POST", f"{ctx['path']}/submit"),
        lambda ctx: _version(ctx).status == VersionStatus.SUBMITTED,
        _draft,
    ),
    ApiWrite(
        "open a revision of a request",
        ("POST", "/api/extension-requests/{request_id}/revisions"),
        PERU_PEOPLE,
        lambda ctx: Call("POST", f"{ctx['path']}/revisions", {"reason": "Answers to questions"}),
        lambda ctx: ctx["request"].versions.count() == 2,
        _submitted,
    ),
    ApiWrite(
        "ask a question on a request",
        ("POST", "/api/extension-requests/{request_id}/questions"),
        COMMITTEE,
        lambda ctx: Call("POST", f"{ctx['path']}/questions", {"text": "How many teams in 2031?"}),
        lambda ctx: Question.objects.filter(request=ctx["request"]).exists(),
        _submitted,
    ),
    ApiWrite(
        "answer a question on a request",
        ("POST", "/api/extension-requests/{request_id}/questions/{question_id}/answer"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST",
            f"{ctx['path']}/questions/{ctx['question'].pk}/answer",
            {"answer": "Four teams."},
        ),
        lambda ctx: Question.objects.get(pk=ctx["question"].pk).answer == "Four teams.",
        _asked,
    ),
    ApiWrite(
        "save the analysis of a request",
        ("PUT", "/api/extension-requests/{request_id}/analysis"),
        COMMITTEE,
        lambda ctx: Call(
            "PUT",
            f"{ctx['path']}/analysis",
            {"sections": {"summary": "Peru asks five years."}},
            {"If-Match": '""'},
        ),
        lambda ctx: AnalysisVersion.objects.filter(request=ctx["request"]).exists(),
        _submitted,
    ),
    ApiWrite(
        "publish the analysis of a request",
        ("POST", "/api/extension-requests/{request_id}/analysis/publish"),
        COMMITTEE,
        lambda ctx: Call("POST", f"{ctx['path']}/analysis/publish"),
        lambda ctx: (
            AnalysisVersion.objects.get(request=ctx["request"]).status == AnalysisStatus.PUBLISHED
        ),
        _analysed,
    ),
    ApiWrite(
        "record the decision on a request",
        ("POST", "/api/extension-requests/{request_id}/decision"),
        STAFF,
        lambda ctx: Call(
            "POST",
            f"{ctx['path']}/decision",
            {
                "outcome": "granted_with_requests",
                "decided_on": DECIDED_ON.isoformat(),
                "new_deadline": "2034-12-31",
                "requirements": [{"text": "An updated workplan", "due_on": "2031-04-30"}],
            },
        ),
        lambda ctx: ExtensionRequest.objects.get(pk=ctx["request"].pk).status == "decided",
        _submitted,
    ),
    ApiWrite(
        "record a decision's requirement as met",
        ("POST", "/api/extension-requests/{request_id}/requirements/{requirement_id}/met"),
        COMMITTEE,
        lambda ctx: Call(
            "POST",
            f"{ctx['path']}/requirements/{ctx['requirement'].pk}/met",
            {"met_on": "2031-04-15", "note": "Workplan received."},
        ),
        lambda ctx: DecisionRequirement.objects.get(pk=ctx["requirement"].pk).met_on is not None,
        _decided,
    ),
    ApiWrite(
        "import an extension request workbook",
        ("POST", "/api/extension-requests/imports"),
        PERU_PEOPLE,
        lambda ctx: Call("POST", f"{BASE}/imports", files={"state": "PER", "file": ctx["upload"]}),
        lambda ctx: _version(ctx).milestones.count() == 4,
        _workbook,
    ),
]
