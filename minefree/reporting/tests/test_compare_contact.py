"""The compare page (versions and years) and the point-of-contact form."""

from __future__ import annotations

import pytest
from django.test import Client

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import CAST, make_cast, make_user
from minefree.core.models import AuditEvent
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_user("fp_nor", Role.STATE_FOCAL_POINT, scope="NOR")


def _submitted(user, year, quantity):
    draft = services.report_open(actor=user, state=Actor.objects.get(iso3="NOR"), year=year)
    row = draft.rows.filter(table="stockpile").first()
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        row=row,
        values={"mine_type": "PMN", "quantity": quantity},
    )
    return submit_explained(user, draft)


def test_anyone_compares_two_submitted_versions(client: Client, user):
    v1 = _submitted(user, 2024, 100)
    draft = services.amendment_open(actor=user, report=v1.report, reason="recount")
    services.row_save(
        actor=user,
        version=draft,
        letter="B",
        table="stockpile",
        row=draft.rows.get(table="stockpile"),
        values={"mine_type": "PMN", "quantity": 80},
    )
    v2 = services.report_submit(actor=user, version=draft)
    html = client.get(f"/reports/compare/?from={v1.pk}&to={v2.pk}").content.decode()
    assert "<del>100</del>" in html and "<ins>80</ins>" in html and "recount" in html
    version_page = client.get(f"/reports/v/{v2.pk}/").content.decode()
    assert f"?from={v1.pk}&amp;to={v2.pk}" in version_page


def test_two_years_compare_and_drafts_stay_private(client: Client, user):
    v2024 = _submitted(user, 2024, 100)
    v2025 = _submitted(user, 2025, 60)
    assert (
        "<ins>60</ins>"
        in client.get(f"/reports/compare/?from={v2024.pk}&to={v2025.pk}").content.decode()
    )
    draft = services.amendment_open(actor=user, report=v2025.report, reason="x")
    assert client.get(f"/reports/compare/?from={v2025.pk}&to={draft.pk}").status_code == 404
    assert client.get("/reports/compare/?from=x&to=1").status_code == 404


def test_focal_point_saves_the_point_of_contact_others_cannot(client: Client, user):
    draft = services.report_open(actor=user, state=Actor.objects.get(iso3="NOR"), year=2025)
    url = f"/reports/v/{draft.pk}/contact/"
    donor = make_user("donor", Role.DONOR_FOCAL_POINT, scope="JPN")
    client.force_login(donor)
    audits = AuditEvent.objects.count()
    assert client.post(url, {"name": "Intruder"}).status_code in (403, 404)
    assert AuditEvent.objects.count() == audits
    client.force_login(user)
    assert client.post(url, {"name": "Kari Nordmann", "email": "not-an-email"}).status_code == 302
    draft.refresh_from_db()
    assert draft.contact_name == ""
    client.post(url, {"name": "Kari Nordmann", "organisation": "MFA", "email": "kari@example.org"})
    draft.refresh_from_db()
    assert (draft.contact_name, draft.contact_email) == ("Kari Nordmann", "kari@example.org")
    assert "Kari Nordmann" not in Client().get(f"/reports/v/{draft.pk}/").content.decode()


CONTACT_READERS = {"focal_point_peru", "delegate_peru", "committee_chair", "isu_staff"}


@pytest.mark.parametrize("who", sorted(CAST))
def test_the_point_of_contact_is_shown_only_to_those_who_follow_the_report_up(who: str):
    cast = make_cast()
    peru = cast["focal_point_peru"]
    draft = services.report_open(actor=peru, state=Actor.objects.get(iso3="PER"), year=2024)
    services.version_contact_save(
        actor=peru, version=draft, name="Ana Quispe", email="ana@example.pe", phone="+51 1 555"
    )
    version = submit_explained(peru, draft)
    client = Client()
    if cast[who] is not None:
        client.force_login(cast[who])
    html = client.get(f"/reports/v/{version.pk}/").content.decode()
    shown = who in CONTACT_READERS or who == "administrator"
    assert ("ana@example.pe" in html) is shown, who
    assert ("+51 1 555" in html) is shown, who
