"""Year rules at their edges, on records in the database read by ``facts.load``.

The reference data's party periods are forgotten in each test, so the populations are the
few states the test makes party.
"""

from __future__ import annotations

import datetime as dt

import pytest

from minefree.indicators import facts as facts_module
from minefree.indicators.definitions import DEFINITIONS
from minefree.indicators.tests.factories import db_only_my_parties, db_report, db_state

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 1)


def test_entry_into_force_mid_year_or_on_31_december_counts_that_year_not_the_one_before() -> None:
    db_only_my_parties()
    mid = db_state(D(2005, 7, 1))
    new_year_eve = db_state(D(2005, 12, 31))
    facts = facts_module.load(2004, 2006, today=TODAY)
    assert {mid.pk, new_year_eve.pk} <= facts.parties(2005)
    assert not {mid.pk, new_year_eve.pk} & facts.parties(2004)
    assert {mid.pk, new_year_eve.pk} <= facts.parties(2006)


def test_withdrawal_mid_year_counts_that_year_not_the_next() -> None:
    db_only_my_parties()
    leaving = db_state(D(2000, 3, 1), D(2007, 7, 2))
    staying = db_state(D(2000, 3, 1))
    facts = facts_module.load(2006, 2008, today=TODAY)
    assert facts.parties(2007) == {leaving.pk, staying.pk}
    assert facts.parties(2008) == {staying.pk}


def test_population_of_report_values_follows_the_year_rule() -> None:
    db_only_my_parties()
    joined = db_state(D(2005, 12, 31))
    early = db_state(D(2000, 3, 1))
    db_report(early, 2004, [(D(2005, 4, 1), [])])
    db_report(early, 2005, [(D(2006, 4, 1), [])])
    facts = facts_module.load(2004, 2005, today=TODAY)
    v2004 = DEFINITIONS["report_submitted"].value(facts, 2004).reported
    v2005 = DEFINITIONS["report_submitted"].value(facts, 2005).reported
    assert (v2004.numerator, v2004.denominator) == (1, 1)
    # the state that joined on 31 December 2005 owes nothing yet but is of 2005's parties
    assert (v2005.numerator, v2005.denominator, v2005.percentage) == (1, 2, 50.0)
    assert joined.pk in v2005.population and joined.pk not in v2005.counted


def test_article5_completed_in_a_year_counts_that_year_not_the_next() -> None:
    db_only_my_parties()
    done = db_state(D(2000, 3, 1), article5_completed=D(2010, 6, 30))
    running = db_state(D(2000, 3, 1), article5=True)
    never = db_state(D(2000, 3, 1))
    facts = facts_module.load(2009, 2011, today=TODAY)
    assert facts.article5(2010) == {done.pk, running.pk}
    assert facts.article5(2011) == {running.pk}
    assert never.pk not in facts.article5(2010)
    db_report(done, 2010, [(D(2011, 4, 1), [("J", "needs", "")])])
    db_report(done, 2011, [(D(2012, 4, 1), [("J", "needs", "")])])
    db_report(running, 2011, [(D(2012, 4, 1), [])])
    facts = facts_module.load(2009, 2011, today=TODAY)
    v2010 = DEFINITIONS["needs_reported"].value(facts, 2010).reported
    v2011 = DEFINITIONS["needs_reported"].value(facts, 2011).reported
    assert (v2010.numerator, v2010.denominator) == (1, 2)
    # after its completion year the state is outside the group, its Form J notwithstanding
    assert (v2011.numerator, v2011.denominator) == (0, 1)
