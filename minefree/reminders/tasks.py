"""The daily reminders run as a background job (``core.jobs``).

``minefree send-reminders`` from cron stays the simple way. With a worker,
``minefree send-reminders --enqueue`` queues today's run once; each day's job, when done,
queues the next day's for the morning, so one job per day keeps the reminders going.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from minefree.core import jobs
from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.reminders.models import Result
from minefree.reminders.services import SendSummary, reminders_send
from minefree.reminders.signals import ReminderRun, reminders_run

GENEVA = ZoneInfo("Europe/Zurich")
#: When the day's job runs, Geneva time: mails arrive at the start of the working day.
RUN_AT = dt.time(7, 0)


class RemindersUndeliveredError(RuntimeError):
    """Some reminders of the day could not be delivered; running the job again retries them."""


def run_reminders(
    *, today: dt.date, dry_run: bool = False
) -> tuple[SendSummary, list[ReminderRun]]:
    """The Article 7 reminders due ``today``, then those of the apps above (their calendars).

    The mails leave once the run's transaction commits: at once where no transaction
    surrounds the call (the command, the job).
    """
    summary = reminders_send(actor=SYSTEM, today=today, dry_run=dry_run)
    answers: list[Any] = reminders_run.send(sender=None, actor=SYSTEM, today=today, dry_run=dry_run)
    return summary, [run for _receiver, run in answers if isinstance(run, ReminderRun)]


def undelivered(summary: SendSummary, others: list[ReminderRun]) -> int:
    return summary.count(Result.FAILED) + sum(run.failed for run in others)


def next_run(day: dt.date) -> dt.timedelta:
    """How long from now until the morning of ``day``, Geneva time (none if past)."""
    return max(dt.datetime.combine(day, RUN_AT, GENEVA) - timezone.now(), dt.timedelta(0))


@jobs.job("Article 7 reminders of the day")
def reminders_run_day(*, day: str) -> int:
    """Send the reminders due on ``day`` (YYYY-MM-DD) and queue the next day's run.

    A job that runs late (no worker for some days) acts as on today and queues tomorrow,
    as the command would: a missed step is sent once, the latest one. Idempotent: each reminder step is recorded once and sent once, so running a day twice
    sends only what failed the first time. Raises if some could not be delivered (the
    job is then shown to ISU staff; running it again retries them). Returns how many
    reminders were sent.
    """
    today = max(dt.date.fromisoformat(day), timezone.localdate())
    tomorrow = today + dt.timedelta(days=1)
    jobs.enqueue(reminders_run_day, delay=next_run(tomorrow), day=tomorrow.isoformat())
    outcome: list[int] = []
    with request_context(new_request_id("job-")):
        summary, others = run_reminders(today=today)
        transaction.on_commit(lambda: outcome.append(undelivered(summary, others)))
    if outcome and outcome[0]:
        raise RemindersUndeliveredError(
            f"{outcome[0]} reminder(s) of {day} could not be delivered."
        )
    return summary.count(Result.SENT)
