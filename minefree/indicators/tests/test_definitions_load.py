"""What ``facts.load`` reads from the database: the version of a report counted, when it
counts as on time, and synthetic reports kept apart."""

from __future__ import annotations

import datetime as dt

import pytest

from minefree.indicators import facts as facts_module
from minefree.indicators.definitions import DEFINITIONS
from minefree.indicators.tests.factories import db_only_my_parties, db_report, db_state

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 1)


def test_latest_submitted_version_counts_and_the_first_submission_decides_on_time() -> None:
    db_only_my_parties()
    amended, late, drafting, fake = (db_state() for _ in range(4))
    fake_state = db_state(synthetic=True)
    # first on time without Form J, amended late with needs: counted for both
    _v1, amendment = db_report(
        amended, 2020, [(D(2021, 4, 20), []), (D(2021, 9, 1), [("J", "needs", "")])]
    )
    # first submitted late, then amended: never on time
    db_report(late, 2020, [(D(2021, 5, 10), []), (D(2021, 5, 20), [("J", "needs", "")])])
    # a draft amendment with needs does not count; the submitted version has none
    db_report(drafting, 2020, [(D(2021, 4, 1), []), (None, [("J", "needs", "")])])
    # a synthetic report counts apart
    db_report(fake_state, 2020, [(D(2021, 3, 1), [("J", "needs", "")])], synthetic=True)
    for state in (amended, late, drafting, fake, fake_state):
        state.obligations.create(article=5, status="open")
    facts = facts_module.load(2020, 2020, today=TODAY)

    submitted = DEFINITIONS["report_submitted"].value(facts, 2020)
    assert set(submitted.reported.counted) == {amended.pk, late.pk, drafting.pk}
    assert (submitted.reported.numerator, submitted.reported.denominator) == (3, 5)
    assert submitted.reported.counted[amended.pk][0].pk == amendment.pk
    assert submitted.reported.counted[amended.pk][0].number == 2
    assert submitted.synthetic is not None
    assert set(submitted.synthetic.counted) == {fake_state.pk}

    on_time = DEFINITIONS["report_on_time"].value(facts, 2020).reported
    assert set(on_time.counted) == {amended.pk, drafting.pk}
    assert on_time.percentage == 40.0

    needs = DEFINITIONS["needs_reported"].value(facts, 2020)
    assert set(needs.reported.counted) == {amended.pk, late.pk}
    assert [r.pk for r in needs.reported.counted[amended.pk]] == [amendment.pk]
    assert needs.synthetic is not None and set(needs.synthetic.counted) == {fake_state.pk}


def test_a_report_submitted_on_the_due_day_is_on_time() -> None:
    db_only_my_parties()
    state = db_state()
    db_report(state, 2020, [(D(2021, 4, 30), [])])
    facts = facts_module.load(2020, 2020, today=TODAY)
    assert DEFINITIONS["report_on_time"].value(facts, 2020).reported.percentage == 100.0


def test_without_any_submitted_report_the_year_is_unknown_not_zero() -> None:
    db_only_my_parties()
    state = db_state()
    db_report(state, 2020, [(None, [("A", "measures", "")])])
    facts = facts_module.load(2020, 2020, today=TODAY)
    value = DEFINITIONS["article9_measures"].value(facts, 2020)
    assert value.reported.percentage is None and not value.reported.computed
    assert value.synthetic is None
