"""The indicators' web writes, for the allow/deny matrix of every web write
(``accounts/tests/test_permissions.py::ENDPOINTS``): the committee's documents (open,
edit a section, redraft it, publish, open a new version) and the admin's corrections of
the plans' wording. For each: what it needs first, the request a browser sends, and how
to see that it took effect.

The cast's committee member sits on the Committee on the Enhancement of Cooperation and
Assistance; ISU staff and administrators may do everything; no one else may.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from minefree.indicators import services
from minefree.indicators.models import (
    CommitteeDocument,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Indicator,
    PlanAction,
)
from minefree.registry.models import Meeting

STAFF = {"isu_staff", "administrator"}
EDITORS = STAFF | {"committee_chair"}
TYPED = "Text typed by hand in the matrix."
INDICATOR = "oap-48-report-submitted"


def meeting() -> Meeting:
    found = Meeting.objects.filter(start_date__isnull=False).order_by("-start_date").first()
    assert found is not None
    return found


def _version(ctx: dict[str, Any]) -> DocumentVersion:
    return DocumentVersion.objects.get(pk=ctx["version"].pk)


# --- set-ups -----------------------------------------------------------------------------------


def a_draft(ctx: dict[str, Any]) -> None:
    ctx["version"] = services.document_open(
        actor=ctx["isu_staff"], kind=DocumentKind.OBSERVATIONS, meeting=meeting(), year=2023
    )
    ctx["document"] = ctx["version"].document


def a_typed_draft(ctx: dict[str, Any]) -> None:
    a_draft(ctx)
    ctx["version"] = services.document_edit(
        actor=ctx["isu_staff"], version=ctx["version"], sections={"introduction": TYPED}
    )


def a_published(ctx: dict[str, Any]) -> None:
    a_draft(ctx)
    services.document_publish(actor=ctx["isu_staff"], version=ctx["version"])


# --- requests ----------------------------------------------------------------------------------


def open_document(client: Client, ctx: dict[str, Any]) -> Any:
    data = {"kind": DocumentKind.STATEMENT, "meeting": meeting().pk, "year": "2023"}
    return client.post("/indicators/documents/new/", data)


def edit(client: Client, ctx: dict[str, Any]) -> Any:
    data = {
        "section": "introduction",
        "text": TYPED,
        "change_note": "matrix",
        "version": services.version_etag(ctx["version"]),
    }
    return client.post(f"/indicators/documents/{ctx['document'].pk}/edit/", data)


def redraft(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        f"/indicators/documents/{ctx['document'].pk}/redraft/", {"section": "introduction"}
    )


def publish(client: Client, ctx: dict[str, Any]) -> Any:
    data = {"version": services.version_etag(ctx["version"])}
    return client.post(f"/indicators/documents/{ctx['document'].pk}/publish/", data)


def reopen(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(f"/indicators/documents/{ctx['document'].pk}/new-version/")


def admin_indicator(client: Client, ctx: dict[str, Any]) -> Any:
    item = Indicator.objects.get(code=INDICATOR)
    data = {
        "text_en": "Share of the States Parties that submitted a report (corrected)",
        "text_fr": item.text_fr,
        "text_es": item.text_es,
        "wording_status": item.wording_status,
        "notes": item.notes,
        "source_url": "",
        "source_title": "",
    }
    return client.post(f"/admin/indicators/indicator/{item.pk}/change/", data)


def admin_action(client: Client, ctx: dict[str, Any]) -> Any:
    action = PlanAction.objects.get(plan__code="oslo", number=48)
    data = {
        "text_en": action.text_en,
        "text_fr": action.text_fr,
        "text_es": action.text_es,
        "wording_status": "official",
        "confirmed": action.confirmed,
        "source_url": "https://www.apminebanconvention.org/oslo-action-plan",
        "source_title": "Oslo Action Plan (official text)",
    }
    return client.post(f"/admin/indicators/planaction/{action.pk}/change/", data)


# --- effects -----------------------------------------------------------------------------------


def opened(ctx: dict[str, Any]) -> bool:
    return CommitteeDocument.objects.filter(kind=DocumentKind.STATEMENT).exists()


def edited(ctx: dict[str, Any]) -> bool:
    return _version(ctx).sections.get("introduction") == TYPED


def redrafted(ctx: dict[str, Any]) -> bool:
    return _version(ctx).sections.get("introduction") != TYPED


def published(ctx: dict[str, Any]) -> bool:
    return _version(ctx).status == DocumentStatus.PUBLISHED


def reopened(ctx: dict[str, Any]) -> bool:
    return ctx["document"].versions.count() == 2


def indicator_corrected(ctx: dict[str, Any]) -> bool:
    return Indicator.objects.get(code=INDICATOR).text_en.endswith("(corrected)")


def action_corrected(ctx: dict[str, Any]) -> bool:
    return PlanAction.objects.get(plan__code="oslo", number=48).wording_status == "official"


WEB_WRITES = [
    ("web indicators document open", EDITORS, None, open_document, opened),
    ("web indicators document edit", EDITORS, a_draft, edit, edited),
    ("web indicators document redraft", EDITORS, a_typed_draft, redraft, redrafted),
    ("web indicators document publish", EDITORS, a_draft, publish, published),
    ("web indicators document new version", EDITORS, a_published, reopen, reopened),
    ("admin indicators indicator wording", STAFF, None, admin_indicator, indicator_corrected),
    ("admin indicators action wording", STAFF, None, admin_action, action_corrected),
]
