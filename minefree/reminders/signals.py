"""Signals of the reminders run, for apps above that keep calendars of their own."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent by ``minefree send-reminders`` after the Article 7 reminders, outside any
#: transaction, with ``actor``, ``today`` and ``dry_run``. A receiver sends (or with
#: ``dry_run`` lists) its own reminders due that day and returns a ``ReminderRun``.
reminders_run = Signal()


class ReminderRun:
    """What a receiver of ``reminders_run`` did: a line per reminder, and its failures."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.lines: list[str] = []
        self.failed = 0
