"""``minefree send-reminders``: its options and what it prints."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from smtplib import SMTPException
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError

from minefree.accounts.models import Role
from minefree.core.models import AuditEvent
from minefree.reminders.models import ReminderSent, Result
from minefree.reminders.tests.factories import member

pytestmark = pytest.mark.django_db

PERU_LINE = "Peru (PER): annual report 2025, due 2026-04-30, step due"


@pytest.fixture
def peru() -> None:
    member("fp_peru", Role.STATE_FOCAL_POINT, "PER")


def run(capture: Any, *args: str) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_sends_and_prints_a_summary(
    peru, mailoutbox, django_capture_on_commit_callbacks
):
    output = run(django_capture_on_commit_callbacks, "--today", "2026-04-30")
    assert output.startswith("Article 7 reminders for 2026-04-30\n")
    assert f"  {PERU_LINE}: sent to fp_peru@example.org\n" in output
    assert (
        "Chile (CHL): annual report 2025, due 2026-04-30, step due: no address, not sent" in output
    )
    no_address = ReminderSent.objects.filter(result=Result.NO_RECIPIENT).count()
    assert f"Sent: 1; failed: 0; no address: {no_address}; not yet delivered: 0." in output
    assert [m.to for m in mailoutbox] == [["fp_peru@example.org"]]
    events = AuditEvent.objects.filter(action="reminder.recorded")
    assert events.count() == no_address + 1
    assert {e.request_id[:4] for e in events} == {"cli-"}

    again = run(django_capture_on_commit_callbacks, "--today", "2026-04-30")
    assert again == "Article 7 reminders for 2026-04-30\nNothing to send.\n"
    assert len(mailoutbox) == 1


def test_dry_run_prints_what_would_be_sent(peru, mailoutbox, django_capture_on_commit_callbacks):
    output = run(django_capture_on_commit_callbacks, "--today", "2026-04-30", "--dry-run")
    assert "(dry run: nothing is sent or recorded)" in output
    assert f"  {PERU_LINE}: would send to fp_peru@example.org\n" in output
    assert "Would send: 1; no address:" in output
    assert mailoutbox == []
    assert ReminderSent.objects.count() == 0


def test_today_defaults_to_geneva_today(peru, django_capture_on_commit_callbacks, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 4, 30))
    output = run(django_capture_on_commit_callbacks, "--dry-run")
    assert output.startswith("Article 7 reminders for 2026-04-30 (dry run")


def test_a_bad_date_is_refused(django_capture_on_commit_callbacks):
    with pytest.raises(CommandError, match="not a date"):
        run(django_capture_on_commit_callbacks, "--today", "30/04/2026")
    assert ReminderSent.objects.count() == 0


class DownBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise SMTPException("connection refused")


def test_a_failed_delivery_fails_the_command(peru, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    out = StringIO()
    with (
        pytest.raises(CommandError, match="1 reminder"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_reminders", "--today", "2026-04-30", stdout=out)
    assert "FAILED to fp_peru@example.org (SMTPException: connection refused)" in out.getvalue()
    assert ReminderSent.objects.get(state__iso3="PER", year=2025).result == Result.FAILED
