"""The indicators' API writes in the allow/deny matrix (``api/tests/writes.py``).

The committee's documents are drafted, edited and published by members of the Committee
on the Enhancement of Cooperation and Assistance (the cast's ``committee_chair``) and ISU
staff; to anyone else a draft is a 404. The plans' wording is corrected by ISU staff only.
"""

from __future__ import annotations

from typing import Any

from minefree.api.tests.writes import COMMITTEE, STAFF, ApiWrite, Call, etag
from minefree.core.audit import SYSTEM
from minefree.indicators import services
from minefree.indicators.models import CommitteeDocument, DocumentVersion, Indicator, PlanAction
from minefree.registry.models import Meeting

BASE = "/api/indicators"
VERSION = BASE + "/documents/{document_id}/versions/{number}"


def _draft(cast: dict[str, Any]) -> dict[str, Any]:
    version = services.document_open(
        actor=SYSTEM, kind="statement", meeting=Meeting.objects.get(code="22MSP"), year=2024
    )
    path = f"{BASE}/documents/{version.document_id}/versions/{version.number}"
    return {"version": version, "path": path}


def _draft_with_etag(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _draft(cast)
    return ctx | {"etag": etag(ctx["path"], cast["isu_staff"])}


def _draft_edited(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _draft(cast)
    services.document_edit(
        actor=SYSTEM, version=ctx["version"], sections={"closing": "To be written."}
    )
    return ctx


def _version(ctx: dict[str, Any]) -> DocumentVersion:
    return DocumentVersion.objects.get(pk=ctx["version"].pk)


def _action(cast: dict[str, Any]) -> dict[str, Any]:
    action = PlanAction.objects.select_related("plan").order_by("plan__first_year", "number")[0]
    return {"action": action}


def _indicator(cast: dict[str, Any]) -> dict[str, Any]:
    return {"indicator": Indicator.objects.order_by("code")[0]}


WRITES = [
    ApiWrite(
        "open the draft of a committee document",
        ("POST", BASE + "/documents"),
        COMMITTEE,
        lambda ctx: Call(
            "POST", BASE + "/documents", {"kind": "statement", "meeting": "22MSP", "year": 2024}
        ),
        lambda ctx: CommitteeDocument.objects.filter(meeting__code="22MSP").exists(),
    ),
    ApiWrite(
        "change sections of a committee document's draft",
        ("PATCH", VERSION),
        COMMITTEE,
        lambda ctx: Call(
            "PATCH",
            ctx["path"],
            {"sections": {"closing": "Thank you, Mr President."}, "change_note": "Closing"},
            {"If-Match": ctx["etag"]},
        ),
        lambda ctx: _version(ctx).sections["closing"] == "Thank you, Mr President.",
        _draft_with_etag,
    ),
    ApiWrite(
        "draft a section of a committee document afresh",
        ("POST", VERSION + "/redraft"),
        COMMITTEE,
        lambda ctx: Call("POST", ctx["path"] + "/redraft", {"section": "closing"}),
        lambda ctx: _version(ctx).sections["closing"] != "To be written.",
        _draft_edited,
    ),
    ApiWrite(
        "publish a committee document",
        ("POST", VERSION + "/publish"),
        COMMITTEE,
        lambda ctx: Call("POST", ctx["path"] + "/publish", None, {"If-Match": ctx["etag"]}),
        lambda ctx: _version(ctx).status == "published" and bool(_version(ctx).content),
        _draft_with_etag,
    ),
    ApiWrite(
        "correct an action's wording",
        ("PATCH", BASE + "/plans/{plan}/actions/{number}"),
        STAFF,
        lambda ctx: Call(
            "PATCH",
            f"{BASE}/plans/{ctx['action'].plan.code}/actions/{ctx['action'].number}",
            {"confirmed": "Number and subject confirmed by the plan's table of contents."},
        ),
        lambda ctx: PlanAction.objects.get(pk=ctx["action"].pk).confirmed.startswith("Number"),
        _action,
    ),
    ApiWrite(
        "correct an indicator's wording",
        ("PATCH", BASE + "/{code}"),
        STAFF,
        lambda ctx: Call(
            "PATCH",
            f"{BASE}/{ctx['indicator'].code}",
            {"notes": "The French text was checked against the plan."},
        ),
        lambda ctx: Indicator.objects.get(pk=ctx["indicator"].pk).notes.startswith("The French"),
        _indicator,
    ),
]
