"""The indicators' and the committee's documents' pages: who reads what, who writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.indicators.models import ActionPlan, Indicator
from minefree.reminders.tests.factories import submitted_report

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year - 1


def client_of(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_smoke():
    print(ActionPlan.objects.count(), Indicator.objects.count())
    submitted_report("PER", YEAR)
    c = client_of()
    r = c.get("/indicators/")
    assert r.status_code == 200
    open("/tmp/wt/home.html", "w").write(r.content.decode())
    r = c.get(f"/indicators/oap-48-report-submitted/?year={YEAR}&data=synthetic")
    open("/tmp/wt/ind.html", "w").write(r.content.decode())
    assert r.status_code == 200
    r = c.get("/states/PER/")
    open("/tmp/wt/per.html", "w").write(r.content.decode())
    assert r.status_code == 200
