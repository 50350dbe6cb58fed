"""Sending Article 7 reminders: the only writes of this app.

A run records first, then sends. ``reminders_send`` writes one ``ReminderSent`` row
per step (a second run finds it and sends nothing; a concurrent one fails on the
unique constraint and sends nothing) and hands the messages to
``transaction.on_commit``. The mails leave only once the rows are committed, outside
the transaction, so a slow mail server never holds the database;
``reminders_delivery_record`` then records each result. A failed delivery is
retried by the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from minefree.core.audit import audit_events, service, snapshot
from minefree.core.permissions import require
from minefree.reminders import emails, selectors
from minefree.reminders.models import ReminderSent, Result
from minefree.reminders.selectors import DueReminder

logger = logging.getLogger(__name__)

AUDITED_FIELDS = [
    "state",
    "year",
    "kind",
    "step",
    "due_date",
    "recipients",
    "sent_at",
    "result",
    "error",
    "attempts",
]
ERROR_MAX = 500


@dataclass
class SentLine:
    """One step of one report in a run, and what became of it."""

    reminder: DueReminder
    result: str
    error: str = ""
    message: EmailMessage | None = None
    row: ReminderSent | None = None


@dataclass
class SendSummary:
    """What a run found due and did; the command prints it."""

    today: dt.date
    dry_run: bool
    lines: list[SentLine] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for line in self.lines if line.result == result)


def _snapshot(row: ReminderSent) -> dict[str, Any]:
    data = snapshot(row, AUDITED_FIELDS)
    data["recipients"] = list(row.recipients)  # a list, not its repr
    return data


def _require_staff(actor: Any) -> None:
    require(actor, "reminder.send")


@service
def reminders_send(*, actor: Any, today: dt.date, dry_run: bool = False) -> SendSummary:
    """Record and send the steps due on ``today``; with ``dry_run``, only list them.

    The mails go out when the transaction commits (at once when called outside
    any other transaction, as the command does); the summary's lines then hold
    each delivery's result.
    """
    _require_staff(actor)
    summary = SendSummary(today=today, dry_run=dry_run)
    for reminder in selectors.reminders_due(today):
        if reminder.recipients:
            line = SentLine(reminder, Result.PENDING)
            line.message = emails.build(reminder, today)  # a template error rolls back here
        else:
            line = SentLine(reminder, Result.NO_RECIPIENT)
        summary.lines.append(line)
    if dry_run or not summary.lines:
        return summary

    now = timezone.now()
    retried = ReminderSent.objects.select_related("state").in_bulk(
        [line.reminder.retry_of for line in summary.lines if line.reminder.retry_of]
    )
    created: list[ReminderSent] = []
    updated: list[tuple[ReminderSent, dict[str, Any]]] = []
    for line in summary.lines:
        reminder = line.reminder
        if reminder.retry_of is not None:
            row = retried[reminder.retry_of]
            before = _snapshot(row)
            row.recipients = list(reminder.recipients)
            row.result, row.error, row.sent_at = line.result, "", now
            updated.append((row, before))
        else:
            row = ReminderSent(
                state=reminder.state,
                year=reminder.report.year,
                kind=reminder.report.kind,
                step=reminder.step,
                due_date=reminder.report.due_date,
                recipients=list(reminder.recipients),
                sent_at=now,
                result=line.result,
            )
            created.append(row)
        line.row = row
    ReminderSent.objects.bulk_create(created)
    ReminderSent.objects.bulk_update(
        [row for row, _ in updated], ["recipients", "result", "error", "sent_at"]
    )
    audit_events(
        actor=actor,
        action="reminder.recorded",
        changes=[(row, None, _snapshot(row), row.state.iso3 or "") for row in created],
    )
    audit_events(
        actor=actor,
        action="reminder.retried",
        changes=[(row, before, _snapshot(row), row.state.iso3 or "") for row, before in updated],
    )
    if summary.count(Result.PENDING):
        transaction.on_commit(lambda: _deliver(actor, summary))
    return summary


def _deliver(actor: Any, summary: SendSummary) -> None:
    """Send the recorded messages over one connection, then record each result.

    Runs after commit, outside any transaction: one bad address or a mail server
    that is down fails that message (recorded, retried next run), not the run.
    """
    lines = [line for line in summary.lines if line.result == Result.PENDING]
    connection = mail.get_connection()
    try:
        connection.open()
    except Exception:  # each message below retries the connection and records the error
        logger.exception("Could not open the mail connection")
    outcomes: dict[int, tuple[str, str]] = {}
    for line in lines:
        assert line.message is not None and line.row is not None
        line.message.connection = connection
        try:
            line.message.send()
            line.result, line.error = Result.SENT, ""
        except Exception as exc:
            logger.exception("Reminder %s could not be delivered", line.row.pk)
            line.result, line.error = Result.FAILED, f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        outcomes[line.row.pk] = (line.result, line.error)
    try:
        connection.close()
    except Exception:
        logger.exception("Could not close the mail connection")
    reminders_delivery_record(actor=actor, outcomes=outcomes)


@service
def reminders_delivery_record(*, actor: Any, outcomes: dict[int, tuple[str, str]]) -> int:
    """Record what became of each message: ``{reminder id: (result, error)}``."""
    _require_staff(actor)
    rows = ReminderSent.objects.select_related("state").in_bulk(list(outcomes))
    now = timezone.now()
    changes = []
    for pk, (result, error) in outcomes.items():
        row = rows[pk]
        before = _snapshot(row)
        row.result, row.error = result, error
        row.attempts += 1
        row.sent_at = now
        changes.append((row, before, _snapshot(row), row.state.iso3 or ""))
    ReminderSent.objects.bulk_update(
        [row for row, *_ in changes], ["result", "error", "attempts", "sent_at"]
    )
    return audit_events(actor=actor, action="reminder.delivered", changes=changes)
