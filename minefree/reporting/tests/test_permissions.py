"""Every reporting write endpoint × every role: allowed roles change data, the others change nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minefree.accounts.tests.factories import CAST, make_cast
from minefree.core.models import AuditEvent
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import (
    Attachment,
    Clarification,
    FormEntry,
    FormRow,
    ReportVersion,
    WarningExplanation,
)
from minefree.reporting.tests.factories import explain_warnings

pytestmark = pytest.mark.django_db

STATE_PEOPLE = {"focal_point_peru", "delegate_peru"}
STAFF = {"isu_staff", "administrator"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Endpoint:
    name: str
    allowed: set[str]
    url: Callable[[dict[str, Any]], str]
    data: Callable[[dict[str, Any]], dict[str, Any]]


def _explained_draft(user: Any, year: int) -> ReportVersion:
    draft = services.report_open(actor=user, state=Actor.objects.get(iso3="PER"), year=year)
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        values={"mine_type": "PMN", "quantity": 5},
    )
    explain_warnings(user, draft, text="ok")
    return draft


ENDPOINTS = [
    Endpoint(
        "open",
        STATE_PEOPLE,
        lambda c: "/reports/open/",
        lambda c: {
            "state": str(Actor.objects.get(iso3="PER").pk),
            "year": "2023",
            "kind": "annual",
        },
    ),
    Endpoint(
        "row add",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/forms/A/rows/",
        lambda c: {"_table": "measures", "kind": "legislation", "title": "Act"},
    ),
    Endpoint(
        "row edit",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/forms/B/rows/",
        lambda c: {
            "_table": "stockpile",
            "_row": str(c["row"].pk),
            "mine_type": "PMN",
            "quantity": "7",
        },
    ),
    Endpoint(
        "row delete",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/forms/B/rows/{c['row'].pk}/delete/",
        lambda c: {},
    ),
    Endpoint(
        "form status",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/forms/E/status/",
        lambda c: {"status": "not_applicable"},
    ),
    Endpoint(
        "form entry",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/forms/J/entry/",
        lambda c: {"n_victim_assistance": "Centres opened."},
    ),
    Endpoint(
        "explain",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/explain/",
        lambda c: {"code": "MF-W99", "target": "t", "text": "Because."},
    ),
    Endpoint(
        "contact",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/contact/",
        lambda c: {"name": "Focal point"},
    ),
    Endpoint(
        "attach",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/forms/A/attachments/",
        lambda c: {"file": SimpleUploadedFile("law.pdf", PDF, "application/pdf")},
    ),
    Endpoint(
        "detach",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/attachments/{c['attachment'].pk}/remove/",
        lambda c: {},
    ),
    Endpoint(
        "submit",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['draft'].pk}/submit/",
        lambda c: {"confirmed": "yes"},
    ),
    Endpoint(
        "clarify",
        STAFF,
        lambda c: f"/reports/v/{c['submitted'].pk}/clarifications/",
        lambda c: {"letter": "C", "question": "Which?"},
    ),
    Endpoint(
        "answer",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['submitted'].pk}/clarifications/{c['question'].pk}/answer/",
        lambda c: {"answer": "This one."},
    ),
    Endpoint(
        "amend",
        STATE_PEOPLE,
        lambda c: f"/reports/v/{c['submitted'].pk}/amend/",
        lambda c: {"reason": "Correction"},
    ),
]


def _state() -> list[Any]:
    """Everything a reporting write could change."""
    return [
        list(ReportVersion.objects.order_by("pk").values_list("pk", "status", "contact_name")),
        list(FormRow.objects.order_by("pk").values_list("pk", "data")),
        list(FormEntry.objects.order_by("pk").values_list("pk", "status", "narratives")),
        list(WarningExplanation.objects.order_by("pk").values_list("pk", "text")),
        list(Clarification.objects.order_by("pk").values_list("pk", "answer")),
        list(Attachment.objects.order_by("pk").values_list("pk")),
        AuditEvent.objects.count(),
    ]


@pytest.fixture
def scene(settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    users = make_cast()
    focal_point = users["focal_point_peru"]
    submitted = _explained_draft(focal_point, 2024)
    services.report_submit(actor=focal_point, version=submitted)
    question = services.clarification_request(
        actor=users["isu_staff"], version=submitted, letter="B", question="?"
    )
    draft = _explained_draft(focal_point, 2025)
    attachment = services.attachment_add(
        actor=focal_point, version=draft, letter="A", file=io.BytesIO(PDF), name="a.pdf"
    )
    return {
        "users": users,
        "submitted": submitted,
        "question": question,
        "draft": draft,
        "row": draft.rows.filter(table="stockpile").first(),
        "attachment": attachment,
    }


@pytest.mark.parametrize("role", list(CAST))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_reporting_write_allowed_only_to_its_roles(
    endpoint: Endpoint, role: str, scene: dict[str, Any]
):
    client = Client()
    user = scene["users"][role]
    if user is not None:
        client.force_login(user)
    before = _state()
    response = client.post(endpoint.url(scene), endpoint.data(scene))
    if role in endpoint.allowed:
        assert response.status_code in (200, 302), response.content[:300]
        assert _state() != before
    else:
        if user is None and response.status_code == 302:
            assert response["Location"].startswith("/sign-in/")
        else:  # signed in, or a draft anonymous readers may not even know exists
            assert response.status_code in (403, 404), (role, response.status_code)
        assert _state() == before


@pytest.mark.parametrize("role", list(CAST))
def test_drafts_are_visible_only_to_the_state_and_staff(role: str, scene: dict[str, Any]):
    client = Client()
    user = scene["users"][role]
    if user is not None:
        client.force_login(user)
    draft = scene["draft"]
    visible = role in STATE_PEOPLE | STAFF
    assert (client.get(f"/reports/v/{draft.pk}/").status_code == 200) is visible
    assert (client.get(f"/api/reports/{draft.pk}").status_code == 200) is visible
    assert client.get(f"/reports/v/{scene['submitted'].pk}/").status_code == 200
