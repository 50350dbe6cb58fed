"""Attachments: checked by content and size, only on drafts, copied into amendments."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.core.models import AuditEvent
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.models import Attachment
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = make_user("fp_nor", Role.STATE_FOCAL_POINT, scope="NOR")
    return user, services.report_open(actor=user, state=Actor.objects.get(iso3="NOR"), year=2025)


def test_a_checked_file_is_attached_and_audited(draft):
    user, version = draft
    attachment = services.attachment_add(
        actor=user, version=version, letter="A", file=io.BytesIO(PDF), name="law.pdf"
    )
    assert attachment.kind == "PDF" and attachment.size == len(PDF)
    assert attachment.file.read() == PDF
    assert AuditEvent.objects.filter(
        action="report.attachment_added", object_id=str(attachment.pk)
    ).exists()


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.pdf", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 40, "photo.pdf", "extension_mismatch"),
        (b"MZ\x90\x00binary", "tool.exe", "unknown_type"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_saved(draft, content, name, code):
    user, version = draft
    with pytest.raises(ValidationError) as raised:
        services.attachment_add(
            actor=user, version=version, letter="H", file=io.BytesIO(content), name=name
        )
    assert raised.value.code == code
    assert not Attachment.objects.exists()


def test_oversized_files_are_refused(draft, monkeypatch):
    user, version = draft
    monkeypatch.setattr(services.attachments, "ATTACHMENT_MAX_BYTES", 20)  # where it is read
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=user, version=version, letter="A", file=io.BytesIO(PDF), name="law.pdf"
        )


def test_others_cannot_attach(draft):
    _user, version = draft
    donor = make_user("donor", Role.DONOR_FOCAL_POINT, scope="JPN")
    with pytest.raises(PermissionDenied):
        services.attachment_add(
            actor=donor, version=version, letter="A", file=io.BytesIO(PDF), name="law.pdf"
        )


def test_amendments_keep_the_attachments(draft):
    user, version = draft
    services.attachment_add(
        actor=user, version=version, letter="A", file=io.BytesIO(PDF), name="law.pdf"
    )
    submitted = submit_explained(user, version)
    amendment = services.amendment_open(actor=user, report=submitted.report, reason="add a decree")
    copied = amendment.attachments.get()
    assert copied.file.name == submitted.attachments.get().file.name


def test_upload_download_and_remove_through_the_pages(draft, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user, version = draft
    client.force_login(user)
    url = f"/reports/v/{version.pk}/forms/A/attachments/"
    response = client.post(url, {"file": SimpleUploadedFile("law.pdf", PDF, "application/pdf")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    refused = client.post(
        url, {"file": SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 40)}
    )
    assert refused.status_code == 302 and Attachment.objects.count() == 1
    page = client.get(f"/reports/v/{version.pk}/forms/A/").content.decode()
    assert "law.pdf" in page
    download = client.get(f"/reports/v/{version.pk}/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == PDF
    from django.test import Client

    assert Client().get(f"/reports/v/{version.pk}/attachments/{attachment.pk}/").status_code == 404
    client.post(f"/reports/v/{version.pk}/attachments/{attachment.pk}/remove/")
    assert not Attachment.objects.exists()
