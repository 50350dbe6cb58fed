"""Test set-up for reminders: people who answer for a state, and submitted reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minefree.accounts.models import Membership
from minefree.accounts.tests.factories import make_user
from minefree.core.models import Origin
from minefree.registry.models import Actor
from minefree.reporting.models import Article7Report, ReportKind, ReportVersion, VersionStatus

#: Memberships start long before any day the tests act on.
LONG_AGO = dt.date(2000, 1, 1)


def member(
    username: str,
    role: str,
    iso3: str,
    *,
    email: str | None = None,
    starts_on: dt.date = LONG_AGO,
    ends_on: dt.date | None = None,
) -> Any:
    """A user holding ``role`` for a state over a period (``make_user`` starts it 30 days ago)."""
    user = make_user(
        username, role, scope=iso3, email=f"{username}@example.org" if email is None else email
    )
    Membership.objects.filter(user=user).update(starts_on=starts_on, ends_on=ends_on)
    return user


def submitted_report(
    iso3: str,
    year: int,
    kind: str = ReportKind.ANNUAL,
    *,
    contact_email: str = "",
    submitted_on: dt.date | None = None,
) -> ReportVersion:
    """A submitted version of a state's report (created directly: test set-up)."""
    state = Actor.objects.get(iso3=iso3)
    due = Article7Report.annual_due_date(year)
    report = Article7Report.objects.create(
        state=state,
        year=year,
        kind=kind,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        due_date=due,
        origin=Origin.SYNTHETIC,
    )
    day = submitted_on or due
    return ReportVersion.objects.create(
        report=report,
        number=1,
        status=VersionStatus.SUBMITTED,
        contact_email=contact_email,
        submitted_at=timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12)),
    )
