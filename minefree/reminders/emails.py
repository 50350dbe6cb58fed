"""The text of a reminder: subject and body from templates, always in English.

A user's language is not stored, and one message goes to everyone who answers for
the state; the strings are marked for translation so that can change later.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation

from minefree.reminders.selectors import CONTACT_STEPS, RECIPIENT_ROLES, DueReminder

LANGUAGE = "en"


def render(reminder: DueReminder, today: dt.date) -> tuple[str, str]:
    """Subject (one line) and body of one step's message."""
    report = reminder.report
    context = {
        "state": report.state.name_en,
        "report": report.label,
        "kind": report.kind,
        "year": report.year,
        "due": report.due_date,
        "step": reminder.step,
        "days_late": (today - report.due_date).days,
        "days_left": (report.due_date - today).days,
        "with_delegates": len(RECIPIENT_ROLES[reminder.step]) > 1,
        "with_contact": reminder.step in CONTACT_STEPS,
    }
    with translation.override(LANGUAGE):
        subject = render_to_string("reminders/email/subject.txt", context)
        body = render_to_string("reminders/email/body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def build(
    reminder: DueReminder, today: dt.date, connection: BaseEmailBackend | None = None
) -> EmailMessage:
    subject, body = render(reminder, today)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(reminder.recipients),
        connection=connection,
    )
