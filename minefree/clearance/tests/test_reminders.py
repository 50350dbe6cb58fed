"""What a decision asks of a state is mailed to its people before it is due, on the day and
when overdue, each step once, until it is recorded as met (``minefree send-reminders``)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from minefree.accounts.tests.factories import make_cast
from minefree.clearance import services
from minefree.clearance.models import Outcome, RequirementReminder
from minefree.clearance.tests.factories import DECIDED_ON, submitted

pytestmark = pytest.mark.django_db

DUE = dt.date(2031, 4, 30)


@pytest.fixture
def requirement():
    cast = make_cast()
    for name in ("focal_point_peru", "delegate_peru"):
        cast[name].email = f"{name}@example.org"
        cast[name].save()
    request = submitted(cast["focal_point_peru"]).request
    decision = services.decision_record(
        actor=cast["isu_staff"],
        request=request,
        outcome=Outcome.GRANTED_WITH_REQUESTS,
        decided_on=DECIDED_ON,
        new_deadline=dt.date(2034, 12, 31),
        requirements=[("Submit an updated, costed workplan", DUE)],
    )
    return decision.requirements.get()


def _run(today: dt.date, *, dry_run: bool = False, out: io.StringIO | None = None) -> None:
    """The daily command on ``today`` (what it prints goes to ``out``, once committed)."""
    args = ["send_reminders", f"--today={today.isoformat()}"] + (["--dry-run"] if dry_run else [])
    call_command(*args, stdout=out or io.StringIO())


def _requirement_mails() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if "Article 5 extension" in m.subject]


def test_a_requirement_is_mailed_before_it_is_due_once(
    requirement, django_capture_on_commit_callbacks
):
    printed = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        _run(DUE - dt.timedelta(days=20), out=printed)
    sent = _requirement_mails()
    assert len(sent) == 1 and "updated, costed workplan" in sent[0].body
    assert set(sent[0].to) == {"focal_point_peru@example.org", "delegate_peru@example.org"}
    assert "is due on 2031-04-30" in sent[0].subject
    assert "Reminders of extension decisions" in printed.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        _run(DUE - dt.timedelta(days=19))
    assert len(_requirement_mails()) == 1  # that step is recorded: not sent again
    assert RequirementReminder.objects.get().result == "sent"


def test_the_next_steps_follow_until_it_is_met(requirement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _run(DUE)
        _run(DUE + dt.timedelta(days=15))
    subjects = [m.subject for m in _requirement_mails()]
    assert len(subjects) == 2 and "15 days ago" in subjects[1]
    services.requirement_met(actor=make_cast_user("isu_staff"), requirement=requirement, met_on=DUE)
    with django_capture_on_commit_callbacks(execute=True):
        _run(DUE + dt.timedelta(days=40))
    assert len(_requirement_mails()) == 2


def test_a_dry_run_lists_and_records_nothing(requirement, django_capture_on_commit_callbacks):
    printed = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        _run(DUE, dry_run=True, out=printed)
    assert "would send" in printed.getvalue() and "Peru" in printed.getvalue()
    assert not RequirementReminder.objects.exists() and not _requirement_mails()


def make_cast_user(name: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)
