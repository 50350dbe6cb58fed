"""The ISU page of reminders: staff only, filters, and the link from the reports page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import CAST, make_cast
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent
from minefree.reminders.models import ReminderSent
from minefree.reminders.services import reminders_send
from minefree.reminders.tests.factories import member

pytestmark = pytest.mark.django_db

URL = "/reports/reminders/"
STAFF = {"isu_staff", "administrator"}


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any) -> None:
    member("fp_peru_mail", Role.STATE_FOCAL_POINT, "PER", email="fp-peru@example.org")
    member("fp_chile_mail", Role.STATE_FOCAL_POINT, "CHL", email="fp-chile@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(actor=SYSTEM, today=dt.date(2025, 4, 30))
        reminders_send(actor=SYSTEM, today=dt.date(2026, 4, 30))


def _client(users: dict[str, Any], name: str) -> Client:
    client = Client()
    if users[name] is not None:
        client.force_login(users[name])
    return client


def test_the_url_is_under_reports():
    assert reverse("reminders:list") == URL


@pytest.mark.parametrize("name", list(CAST))
def test_only_isu_staff_see_the_page_and_denial_changes_nothing(name, sent):
    users = make_cast()
    rows, events = ReminderSent.objects.count(), AuditEvent.objects.count()
    response = _client(users, name).get(URL)
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif name in STAFF:
        assert response.status_code == 200
        assert b"fp-peru@example.org" in response.content
    else:
        assert response.status_code == 403
        assert b"fp-peru@example.org" not in response.content
        assert b"Only ISU staff" in response.content
    assert (ReminderSent.objects.count(), AuditEvent.objects.count()) == (rows, events)


def test_the_page_does_not_accept_posts(sent):
    users = make_cast()
    rows = ReminderSent.objects.count()
    response = _client(users, "isu_staff").post(URL, {"year": "2025"})
    assert response.status_code == 405
    assert ReminderSent.objects.count() == rows


def test_filter_by_year_and_state(sent):
    client = _client(make_cast(), "isu_staff")
    everything = client.get(URL).context["page"].paginator.count
    both_years = client.get(URL, {"state": "PER"}).context["page"]
    assert [(r.state.iso3, r.year) for r in both_years] == [("PER", 2025), ("PER", 2024)]
    one = client.get(URL, {"state": "PER", "year": "2025"})
    (row,) = one.context["page"]
    assert (row.state.iso3, row.year, row.step, row.result) == ("PER", 2025, "due", "sent")
    assert row.recipients == ["fp-peru@example.org"]
    year_only = client.get(URL, {"year": "2024"}).context["page"].paginator.count
    assert 0 < year_only < everything
    sent_table = one.content.decode().split('id="sent"', 1)[1]
    assert "fp-peru@example.org" in sent_table
    assert "fp-chile@example.org" not in sent_table
    # An unknown filter value shows everything rather than failing.
    assert client.get(URL, {"year": "1850"}).context["page"].paginator.count == everything


def test_the_page_shows_who_could_not_be_reached_and_what_comes_next(sent):
    response = _client(make_cast(), "isu_staff").get(URL)
    content = response.content.decode()
    assert "not sent: no address" in content
    assert response.context["upcoming"], "the next steps are listed"
    assert "Next steps" in content


def test_the_reports_page_links_to_reminders_for_staff_only():
    users = make_cast()
    staff = _client(users, "isu_staff").get(reverse("reporting:home"))
    focal = _client(users, "focal_point_peru").get(reverse("reporting:home"))
    assert URL.encode() in staff.content
    assert URL.encode() not in focal.content
