"""The template on the site: the focal point downloads it (blank or filled), uploads it
into the draft, and is told every problem of a refused file; others may not upload."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minefree.accounts.tests.factories import CAST, make_cast
from minefree.clearance.models import RequestVersion
from minefree.clearance.tests.factories import filled_draft, submitted
from minefree.clearance.xlsx import TEMPLATE_VERSION, export_xlsx
from minefree.core.models import AuditEvent
from minefree.core.uploads import XLSX

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cover(data: bytes) -> dict[str, Any]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Cover"]
    return {row[0].value: row[1].value for row in sheet.iter_rows()}


def test_the_page_offers_the_focal_point_s_state_and_its_versions(cast):
    version = submitted(cast["focal_point_peru"])
    page = _signed_in(cast["delegate_peru"]).get("/clearance/template/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/clearance/template/PER.xlsx" in html
    assert f"/clearance/requests/{version.request_id}/v1.xlsx" in html
    other = _signed_in(cast["donor_japan"]).get("/clearance/template/")
    assert "You represent no state" in other.content.decode()
    assert Client().get("/clearance/template/").status_code == 302  # to sign in


def test_the_blank_template_is_public(cast):
    answer = Client().get("/clearance/template/PER.xlsx")
    assert answer.status_code == 200 and answer["Content-Type"] == XLSX.mime
    cover = _cover(answer.content)
    assert cover["template"] == TEMPLATE_VERSION and cover["state"] == "PER"
    assert Client().get("/clearance/template/XXX.xlsx").status_code == 404


def test_a_version_is_downloaded_by_whoever_may_read_it(cast):
    draft = filled_draft(cast["focal_point_peru"])
    url = f"/clearance/requests/{draft.request_id}/v1.xlsx"
    assert _signed_in(cast["delegate_peru"]).get(url).status_code == 200
    assert _signed_in(cast["isu_staff"]).get(url).status_code == 200
    for reader in (Client(), _signed_in(cast["focal_point_colombia"])):
        assert reader.get(url).status_code == 404  # a draft is the state's
    assert _signed_in(cast["delegate_peru"]).get(url.replace("v1", "v2")).status_code == 404


def _upload(client: Client, data: bytes, state: str = "PER") -> Any:
    upload = SimpleUploadedFile("peru.xlsx", data)
    return client.post("/clearance/template/import/", {"state": state, "file": upload}, follow=True)


def test_an_upload_fills_the_draft_or_lists_every_problem(cast):
    person = cast["focal_point_peru"]
    draft = filled_draft(person)
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx(draft)))
    wb["milestones"]["D4"] = "lots"
    wb["budget"]["C4"] = -1
    out = io.BytesIO()
    wb.save(out)
    events = AuditEvent.objects.count()
    refused = _upload(_signed_in(person), out.getvalue())
    shown = [str(m) for m in refused.context["messages"]]
    assert shown == [
        "sheet “milestones”, row 4, column D (area_m2): Enter a number.",
        "sheet “budget”, row 4, column C (amount): Enter a number from 0 to 1,000,000,000,000.",
    ]
    assert AuditEvent.objects.count() == events
    wb["milestones"]["D4"] = 45000
    wb["budget"]["C4"] = 100
    out = io.BytesIO()
    wb.save(out)
    done = _upload(_signed_in(person), out.getvalue())
    assert "imported into the draft (version 1)" in done.content.decode()
    assert RequestVersion.objects.get(pk=draft.pk).milestones.get(year=2031).area_m2 == 45000


@pytest.mark.parametrize("role", list(CAST))
def test_an_upload_is_the_state_s_people_s_alone(cast, role):
    """The upload form in the allow/deny matrix: Peru's people import, everyone else is
    refused and nothing changes."""
    draft = filled_draft(cast["focal_point_peru"])
    data = export_xlsx(draft)
    client = _signed_in(cast[role]) if cast[role] is not None else Client()
    events = AuditEvent.objects.count()
    answer = _upload(client, data)
    if role in ("focal_point_peru", "delegate_peru"):
        assert answer.status_code == 200
        assert AuditEvent.objects.filter(action="extension_request.imported").exists()
    elif role == "anonymous":
        assert answer.redirect_chain[0][0].startswith("/sign-in/")
        assert AuditEvent.objects.count() == events
    else:
        assert answer.status_code == 403
        assert "focal point and delegates" in answer.content.decode()
        assert AuditEvent.objects.count() == events
