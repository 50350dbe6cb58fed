"""``minefree load-demo-documents``: the 2024 statement and observations for the Fifth
Review Conference, the statement's first version published, nothing added a second time."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from minefree.core.audit import SYSTEM
from minefree.fund.scenario import demo_fund_load
from minefree.indicators.models import CommitteeDocument, DocumentKind, DocumentStatus

pytestmark = pytest.mark.django_db


def test_the_demo_documents_are_drafted_once_and_the_statement_published():
    demo_fund_load(SYSTEM)
    out = io.StringIO()
    call_command("load_demo_documents", stdout=out)
    assert "published" in out.getvalue()
    statement = CommitteeDocument.objects.get(kind=DocumentKind.STATEMENT, meeting__code="5RC")
    observations = CommitteeDocument.objects.get(
        kind=DocumentKind.OBSERVATIONS, meeting__code="5RC"
    )
    assert statement.year == observations.year == 2024
    [published] = statement.versions.all()
    assert published.status == DocumentStatus.PUBLISHED
    assert set(published.content) == {"en", "fr", "es"}
    assert "synthetic demo data" in published.sections["fund"]
    assert [v.status for v in observations.versions.all()] == [DocumentStatus.DRAFT]
    again = io.StringIO()
    call_command("load_demo_documents", stdout=again)
    assert "nothing added" in again.getvalue()
    assert statement.versions.count() == 1 and observations.versions.count() == 1
