"""A visit report's lessons reach the knowledge base once, with the visit as their source."""

from __future__ import annotations

import pytest
from django.test import Client

from minefree.fund.lessons import SOURCE_KIND, lessons_to_knowledge
from minefree.fund.models import ReportRole, VisitReport
from minefree.fund.scenario import seed_visit_load
from minefree.fund.tests.world import fund_cast, scenario_cast
from minefree.knowledge.models import Passage, Practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(django_capture_on_commit_callbacks):
    users = fund_cast()
    with django_capture_on_commit_callbacks(execute=True):
        scenario = seed_visit_load(scenario_cast(users))
    return users, scenario.application


def test_running_the_hook_again_adds_nothing(reported):
    users, application = reported
    report = VisitReport.objects.get(application=application, role=ReportRole.APPLICANT)
    practices = Practice.objects.filter(source_kind=SOURCE_KIND).count()
    passages = Passage.objects.filter(source_kind=SOURCE_KIND).count()
    assert lessons_to_knowledge(actor=users["nigeria"], report_id=report.pk) == 0
    assert Practice.objects.filter(source_kind=SOURCE_KIND).count() == practices == 2
    assert Passage.objects.filter(source_kind=SOURCE_KIND).count() == passages


def test_the_host_report_has_no_lessons_and_proposes_no_practice(reported):
    _users, application = reported
    host = VisitReport.objects.get(application=application, role=ReportRole.HOST)
    assert not Practice.objects.filter(source_id__startswith=f"{host.pk}:").exists()
    # its programme is still searchable text
    assert Passage.objects.filter(source_kind=SOURCE_KIND, source_id=str(host.pk)).exists()


def test_a_practice_says_which_visit_report_it_was_drawn_from(reported):
    users, application = reported
    practice = Practice.objects.filter(source_kind=SOURCE_KIND).first()
    assert practice.source_url.startswith(f"/fund/applications/{application.pk}/")
    client = Client()
    client.force_login(users["isu"])  # proposed practices are seen by ISU staff
    page = client.get(f"/knowledge/practices/{practice.pk}/")
    assert page.status_code == 200
    assert practice.source_url in page.content.decode()
    data = client.get(f"/api/knowledge/practices/{practice.pk}").json()
    assert data["drawn_from"] == practice.source_url
    assert data["origin"] == "synthetic"


def test_a_pledge_received_with_its_amount_records_the_amount_in_the_audit_log():
    import datetime as dt
    from decimal import Decimal

    from minefree.core.models import AuditEvent
    from minefree.fund import services
    from minefree.fund.tests.world import fund_cast
    from minefree.registry.models import Actor

    isu = fund_cast()["isu"]
    pledge = services.contribution_record(
        actor=isu, donor=Actor.objects.get(iso3="NLD"), amount=None, currency=""
    )
    services.contribution_receive(
        actor=isu,
        contribution=pledge,
        received_on=dt.date(2025, 3, 1),
        amount="5000",
        currency="EUR",
    )
    event = AuditEvent.objects.get(action="fund_contribution.changed", object_id=str(pledge.pk))
    assert event.before["amount"] is None and Decimal(event.after["amount"]) == Decimal("5000")
