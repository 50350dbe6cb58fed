"""``minefree send-reminders``: mail the Article 7 reminders due today (run it daily)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from minefree.core import jobs
from minefree.core.audit import new_request_id, request_context
from minefree.reminders.models import Result
from minefree.reminders.services import SendSummary, SentLine
from minefree.reminders.signals import ReminderRun
from minefree.reminders.tasks import next_run, reminders_run_day, run_reminders, undelivered


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Send the Article 7 reminders due today: before, on and after the due date of each "
        "annual and initial report a State Party has not submitted. Each step is sent once; "
        "a step missed on its day is sent on the next run, but only the latest one. Meant "
        "to run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Act as on this day, YYYY-MM-DD (default: today in Geneva time).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be sent; send and record nothing.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=(
                "Instead of sending now, queue the day's run for the background worker "
                "(MINEFREE_TASKS=database); each day's run queues the next day's."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date = options["today"] or timezone.localdate()
        dry_run: bool = options["dry_run"]
        if options["enqueue"]:
            if not jobs.runs_in_background():
                raise CommandError("--enqueue needs a background worker: MINEFREE_TASKS=database.")
            result = jobs.enqueue(reminders_run_day, delay=next_run(today), day=today.isoformat())
            self.stdout.write(
                f"Reminders of {today.isoformat()} queued (job {result and result.id})."
            )
            return
        with request_context(new_request_id("cli-")):
            # then the calendars of apps above (e.g. what extension decisions asked of states)
            summary, others = run_reminders(today=today, dry_run=dry_run)
            # The mails leave when the run's transaction commits: at once here, where no
            # transaction surrounds the command; later when one does (as in the tests).
            transaction.on_commit(lambda: self._finish(summary, others))

    def _finish(self, summary: SendSummary, others: list[ReminderRun]) -> None:
        self._print(summary)
        for run in others:
            if run.lines:
                self.stdout.write(run.title)
                self.stdout.write("\n".join(run.lines))
        failed = undelivered(summary, others)
        if failed:
            # A non-zero exit makes cron report it; the next run retries these steps.
            raise CommandError(f"{failed} reminder(s) could not be delivered.")

    def _print(self, summary: SendSummary) -> None:
        head = f"Article 7 reminders for {summary.today.isoformat()}"
        if summary.dry_run:
            head += " (dry run: nothing is sent or recorded)"
        self.stdout.write(head)
        if not summary.lines:
            self.stdout.write(self.style.SUCCESS("Nothing to send."))
            return
        for line in summary.lines:
            self.stdout.write(self._line(line, summary.dry_run))
        if summary.dry_run:
            self.stdout.write(
                f"Would send: {summary.count(Result.PENDING)}; "
                f"no address: {summary.count(Result.NO_RECIPIENT)}."
            )
            return
        counts = (
            f"Sent: {summary.count(Result.SENT)}; failed: {summary.count(Result.FAILED)}; "
            f"no address: {summary.count(Result.NO_RECIPIENT)}; "
            f"not yet delivered: {summary.count(Result.PENDING)}."
        )
        style = self.style.ERROR if summary.count(Result.FAILED) else self.style.SUCCESS
        self.stdout.write(style(counts))

    def _line(self, line: SentLine, dry_run: bool) -> str:
        reminder = line.reminder
        report = reminder.report
        where = (
            f"{report.state.name_en} ({report.state.iso3}): {report.kind} report {report.year}, "
            f"due {report.due_date.isoformat()}, step {reminder.step}"
        )
        if not reminder.recipients:
            return f"  {where}: no address, not sent"
        to = ", ".join(reminder.recipients)
        if dry_run:
            return f"  {where}: would send to {to}"
        if line.result == Result.FAILED:
            return f"  {where}: FAILED to {to} ({line.error})"
        return f"  {where}: {line.result} to {to}"
