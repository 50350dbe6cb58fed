"""Each registered definition on a small world whose values are worked out by hand.

The world, in 2020 (today is 1 June 2026, so the 2020 reports are due):

* states 1-4 are party since 2000; 5 joins in 2021; 6 withdrew in 2019;
* Article 5 runs for 1 and 2; 3 completed it in 2018; 4 never had one;
* reports for 2020: 1 (on time; Forms A measures and J challenges), 2 (late; J needs,
  national resources, assistance received), 4 (on time; J assistance provided), and a
  synthetic report of 3 (no forms); 5 is no party in 2020 but reports anyway.
"""

from __future__ import annotations

import datetime as dt

import pytest

from minefree.indicators.definitions import (
    CASE_MEETING,
    DEFINITIONS,
    FLOW,
    REPORT,
    REQUEST,
    VISIT,
    Part,
)
from minefree.indicators.facts import Facts
from minefree.indicators.tests.factories import (
    flow,
    meeting,
    report,
    request,
    visit,
    world,
)

D = dt.date
SINCE_2000 = (D(2000, 3, 1), None)

R1 = report(1, 2020, on_time=True)
R2 = report(2, 2020, on_time=False)
R3 = report(3, 2020, synthetic=True)
R4 = report(4, 2020, on_time=True)
R5 = report(5, 2020, on_time=True)
CASE_2015 = meeting(1, D(2015, 5, 1))
CASES_2020 = [meeting(1, D(2020, 3, 2)), meeting(1, D(2020, 9, 9)), meeting(4, D(2020, 5, 5))]
SYNTHETIC_CASE = meeting(2, D(2020, 6, 1), synthetic=True)
FLOW_1 = flow(1, 2, 2020)
FLOW_6 = flow(6, 2, 2020)  # 6 is no longer party in 2020
SYNTHETIC_FLOW = flow(2, 1, 2020, synthetic=True)
VISIT_1_4 = visit(1, 4, D(2020, 11, 3))
VISIT_6_2 = visit(6, 2, D(2020, 2, 1))
REQ_1 = request(1, D(2020, 3, 31), milestones=4, budget=2)
REQ_2_THIN = request(2, D(2020, 3, 31), milestones=4, budget=1)
REQ_6 = request(6, D(2020, 3, 31), milestones=4, budget=4)
SYNTHETIC_REQ = request(3, D(2020, 4, 1), milestones=2, budget=2, synthetic=True)


def small_world() -> Facts:
    """The world described at the top of this module."""
    return world(
        parties={
            1: SINCE_2000,
            2: SINCE_2000,
            3: SINCE_2000,
            4: SINCE_2000,
            5: (D(2021, 2, 1), None),
            6: (D(2000, 3, 1), D(2019, 6, 30)),
        },
        article5={1: None, 2: None, 3: D(2018, 5, 1)},
        reports=[
            (R1, {("A", "measures", ""), ("J", "challenges", "")}),
            (
                R2,
                {
                    ("J", "needs", ""),
                    ("J", "national_resources", ""),
                    ("J", "assistance", "received"),
                },
            ),
            (R3, set()),
            (R4, {("J", "assistance", "provided")}),
            (R5, {("A", "measures", ""), ("J", "assistance", "provided")}),
        ],
        flows=[FLOW_1, FLOW_6, SYNTHETIC_FLOW],
        case_meetings=[CASE_2015, *CASES_2020, SYNTHETIC_CASE],
        visits=[VISIT_1_4, VISIT_6_2],
        requests=[REQ_1, REQ_2_THIN, REQ_6, SYNTHETIC_REQ],
    )


@pytest.fixture(scope="module")
def facts() -> Facts:
    return small_world()


def value(facts: Facts, name: str, year: int = 2020) -> tuple[Part, Part | None]:
    v = DEFINITIONS[name].value(facts, year)
    return v.reported, v.synthetic


def test_every_definition_is_tested_here() -> None:
    tested = {
        "report_submitted",
        "report_on_time",
        "article9_measures",
        "needs_reported",
        "national_resources",
        "assistance_reported",
        "assistance_provided",
        "individualised_approach",
        "national_platform",
        "exchange_visits",
        "costed_workplan",
    }
    assert set(DEFINITIONS) == tested


def test_the_year_population(facts: Facts) -> None:
    assert facts.parties(2020) == {1, 2, 3, 4}
    assert facts.article5(2020) == {1, 2}
    assert facts.article5(2018) == {1, 2, 3}  # completed in 2018: still runs that year
    assert facts.article5(2019) == {1, 2}


def test_report_submitted(facts: Facts) -> None:
    reported, synthetic = value(facts, "report_submitted")
    # 1, 2 and 4 of the four parties; 3's report is synthetic; 5 was no party in 2020
    assert set(reported.counted) == {1, 2, 4}
    assert (reported.numerator, reported.denominator, reported.percentage) == (3, 4, 75.0)
    assert reported.counted[1][0].pk == R1.latest.version_id
    assert all(not r.synthetic for r in reported.records)
    assert synthetic is not None
    assert set(synthetic.counted) == {3}
    assert (synthetic.numerator, synthetic.denominator, synthetic.percentage) == (1, 4, 25.0)
    assert all(r.synthetic for r in synthetic.records)


def test_report_on_time(facts: Facts) -> None:
    reported, _s = value(facts, "report_on_time")
    assert set(reported.counted) == {1, 4}  # 2 was late
    assert (reported.numerator, reported.denominator, reported.percentage) == (2, 4, 50.0)


def test_article9_measures(facts: Facts) -> None:
    reported, synthetic = value(facts, "article9_measures")
    assert set(reported.counted) == {1}
    assert reported.percentage == 25.0
    assert [r.detail for r in reported.counted[1]] == ["A/measures"]
    # the synthetic report has no Form A: computed, and zero
    assert synthetic is not None and synthetic.numerator == 0 and synthetic.percentage == 0.0


def test_needs_reported_counts_among_article5_states(facts: Facts) -> None:
    reported, _s = value(facts, "needs_reported")
    assert reported.population == {1, 2}
    assert set(reported.counted) == {1, 2}
    assert reported.percentage == 100.0
    assert [r.detail for r in reported.counted[1]] == ["J/challenges"]
    assert [r.detail for r in reported.counted[2]] == ["J/needs"]


def test_national_resources(facts: Facts) -> None:
    reported, _s = value(facts, "national_resources")
    assert set(reported.counted) == {2}
    assert (reported.numerator, reported.denominator, reported.percentage) == (1, 2, 50.0)


def test_assistance_reported(facts: Facts) -> None:
    reported, _s = value(facts, "assistance_reported")
    # provided (4) or received (2); 5 reports it but was no party
    assert set(reported.counted) == {2, 4}
    assert reported.percentage == 50.0


def test_assistance_provided_is_a_count_of_reports_and_flows(facts: Facts) -> None:
    reported, synthetic = value(facts, "assistance_provided")
    assert set(reported.counted) == {1, 4}  # 1 by a flow, 4 by its Form J; 6 no party
    assert reported.counted[1][0].kind == FLOW and reported.counted[1][0].pk == FLOW_1.pk
    assert reported.counted[4][0].kind == REPORT and reported.counted[4][0].detail == "J/assistance"
    assert (reported.numerator, reported.denominator, reported.percentage) == (2, None, None)
    assert synthetic is not None and set(synthetic.counted) == {2}


def test_individualised_approach(facts: Facts) -> None:
    reported, synthetic = value(facts, "individualised_approach")
    # 4 met too but has no Article 5 obligation
    assert set(reported.counted) == {1}
    assert [r.kind for r in reported.counted[1]] == [CASE_MEETING, CASE_MEETING]
    assert (reported.numerator, reported.denominator, reported.percentage) == (1, 2, 50.0)
    assert synthetic is not None and set(synthetic.counted) == {2}
    # after the first recorded meeting, a year without one is a real zero
    quiet, _s = value(facts, "individualised_approach", 2016)
    assert quiet.computed and quiet.percentage == 0.0


def test_individualised_approach_before_the_first_record_is_not_zero(facts: Facts) -> None:
    reported, synthetic = value(facts, "individualised_approach", 2014)
    assert not reported.computed
    assert reported.numerator is None and reported.percentage is None
    assert "before 2015" in reported.reason
    assert synthetic is None  # no synthetic meeting before 2020


def test_national_platform_without_any_record(facts: Facts) -> None:
    reported, synthetic = value(facts, "national_platform")
    assert not reported.computed and "no record" in reported.reason
    assert reported.percentage is None and synthetic is None


def test_national_platform_counts_meetings() -> None:
    facts = world(
        parties={1: SINCE_2000, 2: SINCE_2000, 3: SINCE_2000},
        article5={1: None, 2: None, 3: None},
        platform_meetings=[meeting(2, D(2021, 10, 1)), meeting(3, D(2020, 1, 1))],
    )
    reported, _s = value(facts, "national_platform", 2021)
    assert set(reported.counted) == {2}
    assert (reported.numerator, reported.denominator, reported.percentage) == (1, 3, 33.3)


def test_exchange_visits(facts: Facts) -> None:
    reported, synthetic = value(facts, "exchange_visits")
    assert set(reported.counted) == {1, 2, 4}  # 6 visited 2 but was no party
    assert [(r.kind, r.detail) for r in reported.counted[1]] == [(VISIT, "visited")]
    assert [(r.kind, r.detail) for r in reported.counted[4]] == [(VISIT, "hosted")]
    assert reported.denominator is None
    assert synthetic is None
    before, _s = value(facts, "exchange_visits", 2019)
    assert not before.computed and "before 2020" in before.reason


def test_costed_workplan(facts: Facts) -> None:
    reported, synthetic = value(facts, "costed_workplan")
    # 1 and 2 requested (6 no party); only 1's has two years of milestones and of budget
    assert reported.population == {1, 2}
    assert set(reported.counted) == {1}
    assert reported.counted[1][0].kind == REQUEST and reported.counted[1][0].pk == REQ_1.request_id
    assert reported.percentage == 50.0
    assert synthetic is not None and (synthetic.numerator, synthetic.denominator) == (1, 1)


def test_costed_workplan_in_a_year_without_requests(facts: Facts) -> None:
    reported, synthetic = value(facts, "costed_workplan", 2021)
    assert not reported.computed and "No extension request" in reported.reason
    assert reported.percentage is None and synthetic is None


@pytest.mark.parametrize(
    "name",
    [
        "report_submitted",
        "report_on_time",
        "article9_measures",
        "needs_reported",
        "national_resources",
        "assistance_reported",
    ],
)
def test_report_based_values_cannot_be_computed_without_reports(facts: Facts, name: str) -> None:
    none_held, synthetic = value(facts, name, 2019)
    assert not none_held.computed and none_held.numerator is None
    assert none_held.percentage is None and "No Article 7 report for 2019" in none_held.reason
    assert synthetic is None
    not_due, _s = value(facts, name, 2026)
    assert not not_due.computed and "30 April 2027" in not_due.reason


def test_reports_are_due_the_day_after_30_april() -> None:
    on_the_day = world(
        parties={1: SINCE_2000}, reports=[(report(1, 2025), set())], today=D(2026, 4, 30)
    )
    day_after = world(
        parties={1: SINCE_2000}, reports=[(report(1, 2025), set())], today=D(2026, 5, 1)
    )
    assert not value(on_the_day, "report_submitted", 2025)[0].computed
    assert value(day_after, "report_submitted", 2025)[0].percentage == 100.0


def test_a_group_nobody_is_in_is_not_zero() -> None:
    facts = world(parties={1: SINCE_2000}, reports=[(report(1, 2020), {("J", "needs", "")})])
    reported, _s = value(facts, "needs_reported")
    assert not reported.computed and reported.percentage is None
    assert "No State Party is in this indicator's group" in reported.reason
