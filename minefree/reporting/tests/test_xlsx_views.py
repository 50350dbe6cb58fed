"""Downloading a version as XLSX and importing a filled template through the pages."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import FormRow, ReportVersion
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db


def test_download_then_import_into_another_year(client: Client):
    user = make_user("fp_nor", Role.STATE_FOCAL_POINT, scope="NOR")
    norway = Actor.objects.get(iso3="NOR")
    draft = services.report_open(actor=user, state=norway, year=2024)
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        values={"mine_type": "PMN", "quantity": 42},
    )
    version = submit_explained(user, draft)

    response = Client().get(f"/reports/v/{version.pk}/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="NOR-2024-v1.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cover = workbook["Cover"]
    for row in cover.iter_rows():
        if row[0].value == "year":
            row[1].value = 2023
    buffer = io.BytesIO()
    workbook.save(buffer)

    client.force_login(user)
    upload = SimpleUploadedFile("nor-2023.xlsx", buffer.getvalue())
    response = client.post("/reports/import/", {"state": norway.pk, "file": upload})
    assert response.status_code == 302
    imported = ReportVersion.objects.get(report__state=norway, report__year=2023)
    assert FormRow.objects.get(version=imported, table="stockpile").data["quantity"] == 42

    refused = client.post(
        "/reports/import/",
        {"state": norway.pk, "file": SimpleUploadedFile("x.xlsx", b"not a workbook")},
    )
    assert refused.status_code == 302
    assert ReportVersion.objects.filter(report__state=norway).count() == 2


def test_only_the_states_people_import(client: Client):
    donor = make_user("donor", Role.DONOR_FOCAL_POINT, scope="JPN")
    client.force_login(donor)
    response = client.post(
        "/reports/import/",
        {"state": Actor.objects.get(iso3="NOR").pk, "file": SimpleUploadedFile("x.xlsx", b"x")},
    )
    assert response.status_code == 403
    assert not ReportVersion.objects.exists()
