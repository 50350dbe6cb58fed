"""The synthetic demo requests: a few states, each at another step, made through the
services, consistent with the synthetic Article 7 history, labelled and kept apart from
real figures, and loaded once."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need, NeedSource
from minefree.clearance.demo import KEEP_FREE, demo_extensions_load, demo_states
from minefree.clearance.models import (
    AnalysisStatus,
    ExtensionRequest,
    Question,
    RequestStatus,
)
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Origin
from minefree.registry.models import DeadlineEvent, Obligation
from minefree.reporting.exchange.imports import reports_import_history
from minefree.reporting.exchange.synthetic import synthetic_history
from minefree.reporting.selectors import state_series

pytestmark = pytest.mark.django_db


def _load(django_capture_on_commit_callbacks, **options):
    with django_capture_on_commit_callbacks(execute=True):
        return demo_extensions_load(actor=SYSTEM, **options)


def test_a_few_states_each_at_another_step(django_capture_on_commit_callbacks):
    deadlines = dict(Obligation.objects.filter(article=5).values_list("pk", "current_deadline"))
    summary = _load(django_capture_on_commit_callbacks)
    assert (summary.requests, summary.decisions, summary.analyses_published) == (4, 1, 2)
    requests = list(ExtensionRequest.objects.select_related("state", "obligation"))
    assert {r.origin for r in requests} == {Origin.SYNTHETIC}
    assert not {r.state.iso3 for r in requests} & KEEP_FREE
    assert all(r.obligation and r.obligation.status == "open" for r in requests)
    statuses = sorted(r.status for r in requests)
    assert statuses == sorted(
        [
            RequestStatus.DECIDED,
            RequestStatus.ANALYSIS_PUBLISHED,
            RequestStatus.UNDER_ANALYSIS,
            RequestStatus.SUBMITTED,
        ]
    )
    decided = next(r for r in requests if r.status == RequestStatus.DECIDED)
    assert decided.decision.requirements.count() == 2
    assert decided.analyses.get().status == AnalysisStatus.PUBLISHED
    assert Question.objects.filter(request=decided).exclude(answer="").count() == 2
    under = next(r for r in requests if r.status == RequestStatus.UNDER_ANALYSIS)
    assert Question.objects.filter(request=under, answer="").count() == 1
    for request in requests:  # every request is labelled wherever its text is shown
        version = request.versions.get()
        assert all(t.startswith("Synthetic demo") for t in version.narratives.values())
        assert version.requested_deadline > request.obligation.current_deadline
        assert version.milestones.exists() and version.budget.exists()
    # never mixed with real figures: the registry's deadlines are as they were
    assert dict(Obligation.objects.filter(article=5).values_list("pk", "current_deadline")) == (
        deadlines
    )
    assert not DeadlineEvent.objects.exclude(origin="reference").exists()
    needs = Need.objects.filter(source_kind=NeedSource.EXTENSION_REQUEST)
    assert needs.exists() and set(needs.values_list("origin", flat=True)) == {Origin.SYNTHETIC}


def test_the_previous_period_is_what_the_synthetic_reports_say(django_capture_on_commit_callbacks):
    chosen = demo_states()
    codes = [o.actor.iso3 for o in chosen]
    history = synthetic_history(seed=1997, states=codes, last_year=2025)
    reports_import_history(actor=SYSTEM, reports=history, origin=Origin.SYNTHETIC)
    _load(django_capture_on_commit_callbacks)
    compared = 0
    for obligation in chosen:
        series = state_series(obligation.actor)
        request = ExtensionRequest.objects.get(state=obligation.actor)
        version = request.versions.get()
        for row in version.progress.all():
            released = sum(
                by_year.get(row.year, Decimal(0)) for by_year in series.released_m2.values()
            )
            if released:
                assert row.achieved_m2 == released, (obligation.actor.iso3, row.year)
                compared += 1
        reported = [y for y in series.remaining_m2 if y < version.submitted_on.year]
        if reported:
            total = sum(r.area_m2 for r in version.remaining.all())
            assert total == series.remaining_m2[max(reported)]
    assert compared >= 5


def test_loaded_once_and_only_by_staff(django_capture_on_commit_callbacks):
    _load(django_capture_on_commit_callbacks)
    events = AuditEvent.objects.count()
    again = _load(django_capture_on_commit_callbacks)
    assert again.requests == 0 and again.already_present == 4
    assert AuditEvent.objects.count() == events
    cast = make_cast()
    for name in ("focal_point_peru", "committee_chair"):
        with pytest.raises(PermissionDenied):
            demo_extensions_load(actor=cast[name])


def test_the_same_seed_gives_the_same_requests(django_capture_on_commit_callbacks):
    first = [o.actor.iso3 for o in demo_states(seed=7)]
    assert first == [o.actor.iso3 for o in demo_states(seed=7)]
    _load(django_capture_on_commit_callbacks, seed=7)
    contents = sorted(
        (r.state.iso3, [m.area_m2 for m in r.versions.get().milestones.all()])
        for r in ExtensionRequest.objects.all()
    )
    Question.objects.all().delete()  # test set-up: load again from nothing
    ExtensionRequest.objects.all().delete()
    _load(django_capture_on_commit_callbacks, seed=7)
    assert contents == sorted(
        (r.state.iso3, [m.area_m2 for m in r.versions.get().milestones.all()])
        for r in ExtensionRequest.objects.all()
    )


def test_the_command_says_what_it_added_and_then_that_nothing_was(
    django_capture_on_commit_callbacks,
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_extensions", stdout=out)
    assert "4 synthetic extension requests added" in out.getvalue()
    again = io.StringIO()
    call_command("load_demo_extensions", stdout=again)
    assert "already there: nothing added" in again.getvalue()
