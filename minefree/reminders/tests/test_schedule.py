"""Which reminder goes to whom on which day: the Article 7 calendar, run by the service.

The annual report covering 2025 is due on 30 April 2026; with the default 30 days,
its steps fall on 31 March (before), 30 April (due), 14 May (overdue) and 14 June
(escalated). Mails go through Django's locmem backend (``mailoutbox``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from smtplib import SMTPException
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.models import Role
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent
from minefree.registry.selectors import parties_in_year
from minefree.reminders import selectors
from minefree.reminders.models import ReminderSent, Result, Step
from minefree.reminders.services import SendSummary, reminders_send
from minefree.reminders.tests.factories import member, submitted_report
from minefree.reporting.models import ReportKind

pytestmark = pytest.mark.django_db

YEAR = 2025
DUE = dt.date(2026, 4, 30)
BEFORE = dt.date(2026, 3, 31)
OVERDUE = dt.date(2026, 5, 14)
ESCALATED = dt.date(2026, 6, 14)

FP = "fp_peru@example.org"
DELEGATE = "delegate_peru@example.org"
CONTACT = "contact@peru.example"

Send = Callable[..., SendSummary]


@pytest.fixture
def send(django_capture_on_commit_callbacks: Any) -> Send:
    """Run the service as the command does: the mails leave when the transaction commits."""

    def run(today: dt.date, *, dry_run: bool = False) -> SendSummary:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send(actor=SYSTEM, today=today, dry_run=dry_run)

    return run


@pytest.fixture
def peru() -> dict[str, Any]:
    return {
        "fp": member("fp_peru", Role.STATE_FOCAL_POINT, "PER"),
        "delegate": member("delegate_peru", Role.STATE_DELEGATE, "PER"),
    }


def rows(iso3: str = "PER", year: int = YEAR, kind: str = ReportKind.ANNUAL) -> list[ReminderSent]:
    return list(ReminderSent.objects.filter(state__iso3=iso3, year=year, kind=kind).order_by("pk"))


def mails_to(outbox: list[Any], address: str) -> list[Any]:
    return [m for m in outbox if address in m.to]


def test_before_step_fires_30_days_before_the_due_date_not_31(send, peru, mailoutbox):
    send(BEFORE - dt.timedelta(days=1))
    assert rows() == []
    assert not [m for m in mails_to(mailoutbox, FP) if "covering 2025" in m.subject]

    send(BEFORE)
    (row,) = rows()
    assert (row.step, row.result, row.recipients) == (Step.BEFORE, Result.SENT, [FP])
    (mail,) = [m for m in mails_to(mailoutbox, FP) if "covering 2025" in m.subject]
    assert mail.subject == "Peru: annual Article 7 report covering 2025 due on 30 April 2026"
    assert "which is due on 30 April 2026, in 30 days." in mail.body
    assert mail.to == [FP]


def test_days_before_follows_the_setting(send, peru, settings):
    settings.MINEFREE_REMINDER_DAYS_BEFORE = 29
    send(BEFORE)  # 30 days before: too early now
    assert rows() == []
    send(BEFORE + dt.timedelta(days=1))
    assert [r.step for r in rows()] == [Step.BEFORE]


@pytest.mark.parametrize(
    ("today", "step", "recipients"),
    [
        (BEFORE, Step.BEFORE, [FP]),
        (DUE - dt.timedelta(days=1), Step.BEFORE, [FP]),
        (DUE, Step.DUE, [FP]),
        (OVERDUE - dt.timedelta(days=1), Step.DUE, [FP]),
        (OVERDUE, Step.OVERDUE, [FP, DELEGATE]),
        (ESCALATED - dt.timedelta(days=1), Step.OVERDUE, [FP, DELEGATE]),
        (ESCALATED, Step.ESCALATED, [FP, DELEGATE, CONTACT]),
    ],
)
def test_each_step_fires_on_its_day_and_widens_the_circle(
    send, peru, mailoutbox, today, step, recipients
):
    # The designated contact is the one on Peru's latest submitted report, whatever its year.
    submitted_report("PER", 2023, contact_email="old-contact@peru.example")
    submitted_report("PER", 2024, contact_email=CONTACT)
    send(today)
    (row,) = rows()
    assert (row.step, row.recipients, row.result) == (step, recipients, Result.SENT)
    (mail,) = [m for m in mailoutbox if "covering 2025" in m.subject]
    assert mail.to == recipients


def test_no_contact_when_no_report_names_one(send, peru):
    submitted_report("PER", 2024, contact_email="")
    send(ESCALATED)
    assert rows()[0].recipients == [FP, DELEGATE]


def test_recipients_are_active_members_with_an_address(send, peru):
    member("former_fp", Role.STATE_FOCAL_POINT, "PER", ends_on=DUE - dt.timedelta(days=1))
    member("future_fp", Role.STATE_FOCAL_POINT, "PER", starts_on=DUE + dt.timedelta(days=1))
    member("no_mail_fp", Role.STATE_FOCAL_POINT, "PER", email="")
    member("colombia_fp", Role.STATE_FOCAL_POINT, "COL")
    member("donor", Role.DONOR_FOCAL_POINT, "PER")
    inactive = member("inactive_fp", Role.STATE_FOCAL_POINT, "PER")
    inactive.is_active = False
    inactive.save()
    send(DUE)
    assert rows()[0].recipients == [FP]


def test_a_submitted_report_stops_the_reminders(send, peru, mailoutbox):
    submitted_report("PER", YEAR, submitted_on=DUE - dt.timedelta(days=5))
    for day in (DUE, OVERDUE, ESCALATED):
        send(day)
    assert rows() == []
    assert not [m for m in mailoutbox if "covering 2025" in m.subject]


def test_a_draft_does_not_stop_the_reminders(send, peru):
    version = submitted_report("PER", YEAR)
    version.status = "draft"
    version.submitted_at = None
    version.save()
    send(DUE)
    assert [r.step for r in rows()] == [Step.DUE]


def test_each_step_is_sent_once(send, peru, mailoutbox):
    send(DUE)
    sent = len(mailoutbox)
    events = AuditEvent.objects.count()
    assert [r.step for r in rows()] == [Step.DUE]

    again = send(DUE)
    later = send(DUE + dt.timedelta(days=3))
    assert again.lines == [] and later.lines == []
    assert len(mailoutbox) == sent
    assert AuditEvent.objects.count() == events
    assert [r.step for r in rows()] == [Step.DUE]


def test_a_missed_step_is_caught_up_but_only_the_latest(send, peru, mailoutbox):
    send(BEFORE)
    # The command did not run on the due date nor on the overdue date.
    send(OVERDUE + dt.timedelta(days=3))
    assert [r.step for r in rows()] == [Step.BEFORE, Step.OVERDUE]
    subjects = [m.subject for m in mailoutbox if "covering 2025" in m.subject]
    assert subjects == [
        "Peru: annual Article 7 report covering 2025 due on 30 April 2026",
        "Peru: annual Article 7 report covering 2025 overdue since 30 April 2026",
    ]
    assert "17 days ago" in mailoutbox[-1].body

    # Months later, the escalation alone is caught up; then nothing more for this report.
    send(dt.date(2026, 11, 1))
    send(dt.date(2026, 12, 1))
    assert [r.step for r in rows()] == [Step.BEFORE, Step.OVERDUE, Step.ESCALATED]


def test_a_report_is_followed_for_one_year_only(send, peru):
    # A system switched on in 2026 does not mail about the report covering 2023.
    send(dt.date(2026, 4, 30))
    assert rows(year=2023) == [] and rows(year=2024) == []
    assert [r.step for r in rows()] == [Step.DUE]
    # The day before the 2026 report's first step, the 2025 report is still followed ...
    assert selectors.annual_cycle_year(dt.date(2027, 3, 30)) == 2025
    # ... and from that step on, only the 2026 report is.
    assert selectors.annual_cycle_year(dt.date(2027, 3, 31)) == 2026


def test_dry_run_lists_but_sends_and_records_nothing(send, peru, mailoutbox):
    events = AuditEvent.objects.count()
    summary = send(DUE, dry_run=True)
    assert summary.dry_run
    (line,) = [
        x
        for x in summary.lines
        if x.reminder.state.iso3 == "PER" and x.reminder.report.year == YEAR
    ]
    assert (line.reminder.step, line.reminder.recipients, line.result) == (
        Step.DUE,
        (FP,),
        Result.PENDING,
    )
    assert mailoutbox == []
    assert ReminderSent.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_state_nobody_can_be_written_to_is_recorded_once(send, peru, mailoutbox):
    summary = send(DUE)
    (chile,) = rows("CHL")
    assert (chile.step, chile.result, chile.recipients) == (Step.DUE, Result.NO_RECIPIENT, [])
    assert summary.count(Result.NO_RECIPIENT) >= 100  # most parties have no account here
    assert all(m.to for m in mailoutbox)
    event = AuditEvent.objects.get(action="reminder.recorded", object_id=str(chile.pk))
    assert event.state_code == "CHL"
    assert event.after["result"] == Result.NO_RECIPIENT
    send(DUE + dt.timedelta(days=1))
    assert len(rows("CHL")) == 1


def test_sending_is_audited_with_the_result(send, peru):
    send(DUE)
    (row,) = rows()
    recorded = AuditEvent.objects.get(action="reminder.recorded", object_id=str(row.pk))
    delivered = AuditEvent.objects.get(action="reminder.delivered", object_id=str(row.pk))
    assert recorded.state_code == delivered.state_code == "PER"
    assert recorded.actor_label == "system"
    assert recorded.after["recipients"] == [FP]
    assert (recorded.after["result"], delivered.before["result"]) == (Result.PENDING,) * 2
    assert (delivered.after["result"], delivered.after["attempts"]) == (Result.SENT, 1)


def test_only_staff_send_reminders(peru, mailoutbox):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        reminders_send(actor=peru["fp"], today=DUE)
    assert ReminderSent.objects.count() == 0 and mailoutbox == []


def test_a_non_party_year_sends_nothing(send, mailoutbox):
    # Tonga became a party on 1 December 2025: it owes no report covering 2024.
    member("fp_tonga", Role.STATE_FOCAL_POINT, "TON")
    # Estonia's withdrawal took effect on 27 December 2025: a party in 2025, not in 2026.
    member("fp_estonia", Role.STATE_FOCAL_POINT, "EST")
    send(dt.date(2025, 4, 30))
    assert rows("TON", 2024) == []
    send(DUE)
    assert [r.step for r in rows("TON", 2025)] == [Step.DUE]
    assert [r.step for r in rows("EST", 2025)] == [Step.DUE]
    send(dt.date(2027, 4, 30))
    assert rows("EST", 2026) == []
    assert [r.step for r in rows("TON", 2026)] == [Step.DUE]
    assert not [m for m in mailoutbox if m.to == ["fp_tonga@example.org"] and "2024" in m.subject]
    assert not [m for m in mailoutbox if m.to == ["fp_estonia@example.org"] and "2026" in m.subject]


def test_the_initial_report_follows_its_own_due_date(send, mailoutbox):
    # Tonga: entry into force 1 December 2025, initial report due 30 May 2026.
    member("fp_tonga", Role.STATE_FOCAL_POINT, "TON")
    member("delegate_tonga", Role.STATE_DELEGATE, "TON")
    send(dt.date(2026, 4, 29))
    assert rows("TON", 2025, ReportKind.INITIAL) == []
    send(dt.date(2026, 4, 30))
    (row,) = rows("TON", 2025, ReportKind.INITIAL)
    assert (row.step, row.due_date, row.recipients) == (
        Step.BEFORE,
        dt.date(2026, 5, 30),
        ["fp_tonga@example.org"],
    )
    (mail,) = [m for m in mailoutbox if "initial" in m.subject]
    assert mail.subject == "Tonga: initial Article 7 report due on 30 May 2026"
    assert "Article 7.1" in mail.body
    send(dt.date(2026, 6, 13))
    assert [r.step for r in rows("TON", 2025, ReportKind.INITIAL)] == [Step.BEFORE, Step.OVERDUE]
    assert rows("TON", 2025, ReportKind.INITIAL)[-1].recipients == [
        "fp_tonga@example.org",
        "delegate_tonga@example.org",
    ]


def test_a_submitted_initial_report_stops_its_reminders(send):
    member("fp_tonga", Role.STATE_FOCAL_POINT, "TON")
    submitted_report("TON", 2025, ReportKind.INITIAL)
    send(dt.date(2026, 5, 30))
    assert rows("TON", 2025, ReportKind.INITIAL) == []
    assert [r.step for r in rows("TON", 2025)] == [Step.OVERDUE]  # the annual report is apart


def test_no_initial_report_reminder_without_a_known_day_of_entry_into_force(send):
    # Lebanon's entry into force is known only as an interval: no due day to count from.
    send(dt.date(2027, 6, 1))
    assert not ReminderSent.objects.filter(kind=ReportKind.INITIAL, state__iso3="LBN").exists()


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise SMTPException("mail server down")


def test_a_failed_delivery_is_recorded_and_retried_next_run(send, peru, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    summary = send(DUE)
    (row,) = rows()
    assert (row.result, row.attempts) == (Result.FAILED, 1)
    assert "mail server down" in row.error
    assert summary.count(Result.FAILED) >= 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send(DUE + dt.timedelta(days=1))
    (row,) = rows()
    assert (row.step, row.result, row.error, row.attempts) == (Step.DUE, Result.SENT, "", 2)
    assert len([m for m in mailoutbox if "covering 2025" in m.subject]) == 1
    assert AuditEvent.objects.filter(action="reminder.retried", object_id=str(row.pk)).exists()


def test_rolled_back_run_sends_nothing(peru, mailoutbox):
    # Without a commit (the test's transaction never commits), no mail leaves.
    reminders_send(actor=SYSTEM, today=DUE)
    assert mailoutbox == []
    assert rows()[0].result == Result.PENDING


@pytest.mark.parametrize("today", [DUE, ESCALATED])
def test_query_count_does_not_grow_with_the_states(today):
    states = list(parties_in_year(YEAR)[:20])
    for i, state in enumerate(states[:2]):
        member(f"fp{i}", Role.STATE_FOCAL_POINT, state.iso3 or "")
    with CaptureQueriesContext(connection) as few:
        due = selectors.reminders_due(today)
    assert sum(1 for d in due if d.recipients) == 2

    for i, state in enumerate(states[2:], start=2):
        member(f"fp{i}", Role.STATE_FOCAL_POINT, state.iso3 or "")
        member(f"dl{i}", Role.STATE_DELEGATE, state.iso3 or "")
        submitted_report(state.iso3 or "", 2024, contact_email=f"c{i}@example.org")
    with CaptureQueriesContext(connection) as many:
        due = selectors.reminders_due(today)
    assert sum(1 for d in due if d.recipients) == 20
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_upcoming_steps_are_grouped_by_day(peru):
    upcoming = selectors.reminders_upcoming(DUE)
    first = upcoming[0]
    assert (first.day, first.step, first.kind, first.year) == (
        dt.date(2026, 5, 14),
        Step.OVERDUE,
        ReportKind.ANNUAL,
        YEAR,
    )
    assert any(s.iso3 == "PER" for s in first.states)
    assert any(
        (u.day, u.step, u.year) == (dt.date(2027, 3, 31), Step.BEFORE, 2026) for u in upcoming
    )
    assert [u.day for u in upcoming] == sorted(u.day for u in upcoming)
