"""The reporting API's writes in the allow/deny matrix (``api/tests/writes.py``).

A draft is its state's to write: Peru's focal point and delegate (ISU staff read it but do
not draft it); staff ask clarifications and import workbooks for any state.
"""

from __future__ import annotations

import io
from typing import Any

from minefree.api.tests.writes import PERU, STAFF, ApiWrite, Call, etag
from minefree.core.audit import SYSTEM
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.exchange.xlsx import export_xlsx
from minefree.reporting.models import (
    Attachment,
    Clarification,
    FormEntry,
    FormRow,
    ReportVersion,
    VersionStatus,
    WarningExplanation,
)
from minefree.reporting.tests.factories import explain_warnings

#: who drafts Peru's reports (not ISU staff)
PERU_PEOPLE = frozenset({"focal_point_peru", "delegate_peru"})
REGION = {"region": "Cajamarca", "hazard_class": "CHA", "area_m2": 10000}
FORM_C = "/api/reports/{pk}/forms/C"
FORM_E = "/api/reports/{pk}/forms/E"
MINED_AREAS = FORM_C + "/tables/mined_areas"


def _peru() -> Actor:
    return Actor.objects.get(iso3="PER")


def _draft(cast: dict[str, Any], year: int = 2024) -> dict[str, Any]:
    version = services.report_open(actor=SYSTEM, state=_peru(), year=year)
    return {"version": version, "pk": version.pk}


def _with_row(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _draft(cast)
    row = services.row_save(
        actor=SYSTEM, version=ctx["version"], letter="C", table="mined_areas", values=REGION
    )
    url = MINED_AREAS.format(pk=ctx["pk"]) + f"/rows/{row.pk}"
    return ctx | {"row": row, "url": url, "etag": etag(url, cast["isu_staff"])}


def _etag_of(path: str) -> Any:
    def setup(cast: dict[str, Any]) -> dict[str, Any]:
        ctx = _draft(cast)
        return ctx | {"etag": etag(path.format(pk=ctx["pk"]), cast["isu_staff"])}

    return setup


def _ready(version: ReportVersion) -> None:
    services.version_contact_save(
        actor=SYSTEM, version=version, name="Ana Torres", email="ana@example.org"
    )
    explain_warnings(SYSTEM, version)


def _ready_draft(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _draft(cast)
    _ready(ctx["version"])
    return ctx


def _submitted(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _ready_draft(cast)
    services.report_submit(actor=SYSTEM, version=ctx["version"])
    return ctx


def _asked(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _submitted(cast)
    question = services.clarification_request(
        actor=cast["isu_staff"], version=ctx["version"], letter="C", question="Which region?"
    )
    return ctx | {"question": question}


def _released_land(cast: dict[str, Any]) -> dict[str, Any]:
    """Last year's report with a region's remaining area; this year's land released there."""
    last = _draft(cast, 2023)["version"]
    services.row_save(actor=SYSTEM, version=last, letter="C", table="mined_areas", values=REGION)
    _ready(last)
    services.report_submit(actor=SYSTEM, version=last)
    ctx = _draft(cast, 2024)
    services.row_save(
        actor=SYSTEM,
        version=ctx["version"],
        letter="C",
        table="land_release",
        values={"region": "Cajamarca", "method": "cleared", "area_m2": 2500},
    )
    return ctx


def _attached(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _draft(cast)
    text = io.BytesIO(b"Ley 28824.\n")
    attachment = services.attachment_add(
        actor=SYSTEM, version=ctx["version"], letter="A", file=text, name="ley.txt"
    )
    return ctx | {"attachment": attachment}


def _workbook(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _draft(cast)
    services.row_save(
        actor=SYSTEM, version=ctx["version"], letter="C", table="mined_areas", values=REGION
    )
    workbook = export_xlsx(ctx["version"])
    FormRow.objects.filter(version=ctx["version"]).delete()  # test set-up: back to empty
    return ctx | {"workbook": workbook}


def _file(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _rows(ctx: dict[str, Any], table: str = "mined_areas") -> list[dict[str, Any]]:
    return [r.data for r in FormRow.objects.filter(version_id=ctx["pk"], table=table)]


def _entry(ctx: dict[str, Any], letter: str) -> FormEntry:
    return FormEntry.objects.get(version_id=ctx["pk"], letter=letter)


def _status(ctx: dict[str, Any]) -> str:
    return ReportVersion.objects.get(pk=ctx["pk"]).status


WRITES = [
    ApiWrite(
        "open a draft",
        ("POST", "/api/reports/drafts"),
        PERU_PEOPLE,
        lambda ctx: Call("POST", "/api/reports/drafts", {"state": "PER", "year": 2024}),
        lambda ctx: ReportVersion.objects.filter(report__year=2024, report__state=_peru()).exists(),
    ),
    ApiWrite(
        "replace a form's narratives and totals",
        ("PUT", "/api/reports/{version_id}/forms/{letter}"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "PUT",
            FORM_C.format(pk=ctx["pk"]),
            {"declared_totals": {"mined_areas": 0}},
            {"If-Match": ctx["etag"]},
        ),
        lambda ctx: _entry(ctx, "C").declared_totals == {"mined_areas": 0},
        _etag_of(FORM_C),
    ),
    ApiWrite(
        "mark a form",
        ("POST", "/api/reports/{version_id}/forms/{letter}/mark"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST",
            FORM_E.format(pk=ctx["pk"]) + "/mark",
            {"status": "not_applicable"},
            {"If-Match": ctx["etag"]},
        ),
        lambda ctx: _entry(ctx, "E").status == "not_applicable",
        _etag_of(FORM_E),
    ),
    ApiWrite(
        "replace a table",
        ("PUT", "/api/reports/{version_id}/forms/{letter}/tables/{table}"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "PUT", MINED_AREAS.format(pk=ctx["pk"]), [REGION], {"If-Match": ctx["etag"]}
        ),
        lambda ctx: _rows(ctx) == [REGION],
        _etag_of(MINED_AREAS),
    ),
    ApiWrite(
        "add a row",
        ("POST", "/api/reports/{version_id}/forms/{letter}/tables/{table}/rows"),
        PERU_PEOPLE,
        lambda ctx: Call("POST", MINED_AREAS.format(pk=ctx["pk"]) + "/rows", REGION),
        lambda ctx: _rows(ctx) == [REGION],
        _draft,
    ),
    ApiWrite(
        "change a row",
        ("PATCH", "/api/reports/{version_id}/forms/{letter}/tables/{table}/rows/{row_id}"),
        PERU_PEOPLE,
        lambda ctx: Call("PATCH", ctx["url"], {"area_m2": 9000}, {"If-Match": ctx["etag"]}),
        lambda ctx: _rows(ctx) == [REGION | {"area_m2": 9000}],
        _with_row,
    ),
    ApiWrite(
        "delete a row",
        ("DELETE", "/api/reports/{version_id}/forms/{letter}/tables/{table}/rows/{row_id}"),
        PERU_PEOPLE,
        lambda ctx: Call("DELETE", ctx["url"], headers={"If-Match": ctx["etag"]}),
        lambda ctx: _rows(ctx) == [],
        _with_row,
    ),
    ApiWrite(
        "update remaining areas",
        ("POST", "/api/reports/{version_id}/remaining-areas"),
        PERU_PEOPLE,
        lambda ctx: Call("POST", f"/api/reports/{ctx['pk']}/remaining-areas"),
        lambda ctx: [r["area_m2"] for r in _rows(ctx)] == [7500],
        _released_land,
    ),
    ApiWrite(
        "attach a file",
        ("POST", "/api/reports/{version_id}/forms/{letter}/attachments"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST",
            f"/api/reports/{ctx['pk']}/forms/A/attachments",
            files={"file": _file(b"Ley 28824.\n", "ley.txt"), "description": "The law"},
        ),
        lambda ctx: Attachment.objects.filter(version_id=ctx["pk"], name="ley.txt").exists(),
        _draft,
    ),
    ApiWrite(
        "remove an attachment",
        ("DELETE", "/api/reports/{version_id}/attachments/{attachment_id}"),
        PERU_PEOPLE,
        lambda ctx: Call("DELETE", f"/api/reports/{ctx['pk']}/attachments/{ctx['attachment'].pk}"),
        lambda ctx: not Attachment.objects.filter(version_id=ctx["pk"]).exists(),
        _attached,
    ),
    ApiWrite(
        "set the point of contact",
        ("PUT", "/api/reports/{version_id}/contact"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "PUT", f"/api/reports/{ctx['pk']}/contact", {"name": "Ana", "email": "ana@example.org"}
        ),
        lambda ctx: ReportVersion.objects.get(pk=ctx["pk"]).contact_name == "Ana",
        _draft,
    ),
    ApiWrite(
        "explain a warning",
        ("POST", "/api/reports/{version_id}/explanations"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST",
            f"/api/reports/{ctx['pk']}/explanations",
            {"code": "MF-W07", "target": "contact", "text": "Named in the covering letter."},
        ),
        lambda ctx: WarningExplanation.objects.filter(version_id=ctx["pk"], code="MF-W07").exists(),
        _draft,
    ),
    ApiWrite(
        "submit",
        ("POST", "/api/reports/{version_id}/submit"),
        PERU_PEOPLE,
        lambda ctx: Call("POST", f"/api/reports/{ctx['pk']}/submit"),
        lambda ctx: _status(ctx) == VersionStatus.SUBMITTED,
        _ready_draft,
    ),
    ApiWrite(
        "open an amendment",
        ("POST", "/api/reports/{version_id}/amendments"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST", f"/api/reports/{ctx['pk']}/amendments", {"reason": "Form C corrected."}
        ),
        lambda ctx: ReportVersion.objects.filter(report__state=_peru(), number=2).exists(),
        _submitted,
    ),
    ApiWrite(
        "ask a clarification",
        ("POST", "/api/reports/{version_id}/clarifications"),
        STAFF,
        lambda ctx: Call(
            "POST",
            f"/api/reports/{ctx['pk']}/clarifications",
            {"letter": "C", "question": "Which region?"},
        ),
        lambda ctx: Clarification.objects.filter(version_id=ctx["pk"]).exists(),
        _submitted,
    ),
    ApiWrite(
        "answer a clarification",
        ("POST", "/api/reports/{version_id}/clarifications/{clarification_id}/answer"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST",
            f"/api/reports/{ctx['pk']}/clarifications/{ctx['question'].pk}/answer",
            {"answer": "Cajamarca."},
        ),
        lambda ctx: Clarification.objects.get(pk=ctx["question"].pk).answer == "Cajamarca.",
        _asked,
    ),
    ApiWrite(
        "import a workbook",
        ("POST", "/api/reports/imports"),
        PERU,
        lambda ctx: Call(
            "POST",
            "/api/reports/imports",
            files={"state": "PER", "file": _file(ctx["workbook"], "per-2024.xlsx")},
        ),
        lambda ctx: _rows(ctx) == [REGION],
        _workbook,
    ),
]
