"""The analysis's computations on hand-made data (no database): promise against result,
projection, money, flags; a state behind plan and a state on track."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from minefree.clearance.analysis import (
    BudgetEntry,
    DecisionFacts,
    FlagCode,
    MilestoneEntry,
    NeedFacts,
    Plausibility,
    ProgressEntry,
    ReceivedYear,
    RemainingEntry,
    ReportYear,
    RequestFacts,
    RequirementFacts,
    Source,
    StateFacts,
    analyse_facts,
    compare_period,
    completion_year,
    money_of,
    percent,
    project,
    statement_by_year,
)
from minefree.clearance.analysis.common import ends_by, median, ratio

D = Decimal  # short, for the many figures below

TODAY = dt.date(2030, 6, 1)


def request(**changes) -> RequestFacts:
    """A request of an invented state submitted in March 2029 for a deadline at the end of
    2034, with 190,000 m² left."""
    values = {
        "request_id": 2,
        "state": "XXX",
        "state_name": "Testland",
        "version_id": 20,
        "version_number": 1,
        "synthetic": False,
        "submitted_on": dt.date(2029, 3, 31),
        "requested_deadline": dt.date(2034, 12, 31),
        "remaining": (
            RemainingEntry("North", "CHA", D(150_000), 12),
            RemainingEntry("North", "SHA", D(40_000), 4),
        ),
        "previous_period": (),
        "milestones": (),
        "budget": (),
    }
    return RequestFacts(**(values | changes))


def report(year: int, released: dict[str, int], **changes) -> ReportYear:
    values = {
        "year": year,
        "report_version_id": 1000 + year,
        "version_number": 1,
        "synthetic": False,
        "source": Source("article7", f"report-version:{1000 + year}", f"Report {year}"),
        "has_form_c": True,
        "has_land_release": bool(released),
        "released_m2": {k: D(v) for k, v in released.items()},
    }
    return ReportYear(**(values | changes))


def progress(*rows: tuple[int, int | None, int | None]) -> tuple[ProgressEntry, ...]:
    return tuple(
        ProgressEntry(y, None if p is None else D(p), None if a is None else D(a))
        for y, p, a in rows
    )


# --- arithmetic --------------------------------------------------------------------------


def test_percent_median_and_deadlines():
    assert percent(D(79_961_756), D(39_400_173)) == D("202.9")
    assert percent(D(1), D(0)) is None and percent(None, D(5)) is None
    assert median([D(3), D(1), D(2)]) == D(2) and median([D(1), D(4)]) == D("2.5")
    assert median([]) is None
    end_of_year, first_of_march = dt.date(2034, 12, 31), dt.date(2034, 3, 1)
    assert ends_by(2034, end_of_year) is True and ends_by(2035, end_of_year) is False
    assert ends_by(2034, first_of_march) is None  # the day is not projected
    assert ends_by(2033, first_of_march) is True and ends_by(None, end_of_year) is None
    r = ratio([(2020, D(5), D(10)), (2021, None, D(10)), (2022, D(20), D(10))])
    assert (r.achieved_m2, r.planned_m2, r.percent, r.years) == (D(25), D(20), D(125), (2020, 2022))


def test_a_year_s_rows_add_up_without_counting_breakdowns_twice():
    rows = (
        ProgressEntry(2020, D(100), D(90)),
        ProgressEntry(2020, None, D(60), mine_type="APM"),
        ProgressEntry(2021, D(50), D(10), method="cancelled"),
        ProgressEntry(2021, D(50), D(30), method="cleared"),
        ProgressEntry(2022, D(20), D(5), mine_type="APM"),
        ProgressEntry(2022, D(30), D(15), mine_type="ATM"),
    )
    years = statement_by_year(rows)
    assert (years[2020].planned_m2, years[2020].achieved_m2) == (D(100), D(90))
    assert years[2020].achieved_by_mine_type == {"APM": D(60)}
    assert (years[2021].planned_m2, years[2021].achieved_m2) == (D(100), D(40))
    assert years[2021].achieved_by_method == {"cancelled": D(10), "cleared": D(30)}
    assert (years[2022].planned_m2, years[2022].achieved_m2) == (D(50), D(20))


# --- promise against result --------------------------------------------------------------


def test_promise_statement_and_article7_side_by_side_with_differences_flagged():
    earlier = request(
        request_id=1,
        version_id=10,
        submitted_on=dt.date(2024, 3, 1),
        milestones=(
            MilestoneEntry(2025, "cleared", D(30_000)),
            MilestoneEntry(2025, "reduced", D(10_000)),
            MilestoneEntry(2026, "cleared", D(40_000)),
            MilestoneEntry(2027, "cleared", D(40_000)),
            MilestoneEntry(2031, "cleared", D(99_000)),  # after the next request: superseded
        ),
    )
    current = request(previous_period=progress((2025, 40_000, 30_000), (2026, 40_000, 42_000)))
    reports = {
        2025: report(2025, {"cleared": 20_000, "reduced": 10_100}),  # within 5 % of 30,000
        2026: report(2026, {"cleared": 30_000}),  # 42,000 stated: differs
    }
    period = compare_period(statement=current, promise=earlier, reports=reports, until_year=2028)
    assert [r.year for r in period.rows] == [2025, 2026, 2027]
    y2025, y2026, y2027 = period.rows
    assert y2025.promised_m2 == D(40_000) and y2025.promised_by_method["reduced"] == D(10_000)
    assert y2025.percent_of_plan == D("75.0") and y2025.article7_m2 == D(30_100)
    assert y2025.differences == []
    assert [d.code for d in y2026.differences] == ["achieved_differs_from_article7"]
    assert y2026.differences[0].gap_m2 == D(-12_000)
    assert y2026.article7_percent_of_plan == D("75.0")
    # a promised year the request does not report on is still shown, unknown where unknown
    assert (y2027.promised_m2, y2027.achieved_m2, y2027.article7_m2) == (D(40_000), None, None)
    assert period.stated.percent == D("90.0") and period.stated.years == (2025, 2026)
    assert period.stated_against_promise.percent == D("90.0")
    assert period.article7_against_plan.achieved_m2 == D(60_100)
    assert period.behind_years == [2025, 2026]
    assert period.promise_request_id == 1
    assert {s.ref for s in y2025.sources} == {
        "extension-request:1/version:1/milestones",
        "extension-request:2/version:1/previous_period",
        "report-version:3025",
    }


def test_a_restated_plan_that_differs_from_the_earlier_milestones_is_flagged():
    earlier = request(request_id=1, milestones=(MilestoneEntry(2027, "cleared", D(80_000)),))
    current = request(previous_period=progress((2027, 40_000, 40_000)))
    row = compare_period(statement=current, promise=earlier, reports={}).rows[0]
    assert [d.code for d in row.differences] == ["plan_differs_from_milestones"]


# --- projection --------------------------------------------------------------------------


def rates(*pairs: tuple[int, int]) -> dict[int, ReportYear]:
    return {y: report(y, {"cleared": v}) for y, v in pairs}


def test_completion_years():
    assert completion_year(D(190_000), D(30_000), 2028) == 2035  # 6.33 years: into the 7th
    assert completion_year(D(0), D(30_000), 2028) == 2028
    assert completion_year(D(10), D(0), 2028) is None  # never at no release


def test_plausible_when_even_the_slowest_recent_year_is_enough():
    reports = rates((2024, 40_000), (2025, 50_000), (2026, 45_000), (2027, 60_000), (2028, 55_000))
    p = project(request(), reports)
    assert p.basis == "article7" and [r.year for r in p.rates] == [2024, 2025, 2026, 2027, 2028]
    assert (p.slowest_m2_per_year, p.median_m2_per_year, p.fastest_m2_per_year) == (
        D(40_000),
        D(50_000),
        D(60_000),
    )
    assert (p.completion_year_earliest, p.completion_year, p.completion_year_latest) == (
        2032,
        2032,
        2033,
    )
    assert p.status == Plausibility.PLAUSIBLE and p.remaining.as_of_year == 2028
    assert p.required_m2_per_year == D(31_674)  # 190,000 m² over the six years to 2034


def test_at_risk_when_only_the_median_rate_is_enough():
    p = project(request(), rates((2026, 20_000), (2027, 32_000), (2028, 45_000)))
    assert (p.completion_year, p.completion_year_latest) == (2034, 2038)
    assert p.status == Plausibility.AT_RISK
    assert "2038" in p.reason


def test_not_plausible_when_the_median_rate_ends_after_the_deadline():
    p = project(request(), rates((2026, 20_000), (2027, 25_000), (2028, 30_000)))
    assert p.completion_year == 2036 and p.status == Plausibility.NOT_PLAUSIBLE
    stopped = project(request(), rates((2027, 0), (2028, 0)))
    assert stopped.completion_year is None and stopped.status == Plausibility.NOT_PLAUSIBLE


def test_a_deadline_within_the_completion_year_is_at_risk_not_met():
    p = project(
        request(requested_deadline=dt.date(2034, 3, 1)),
        rates((2027, 31_667), (2028, 31_667)),
    )
    assert p.completion_year == 2034 and p.status == Plausibility.AT_RISK


def test_unknown_stays_unknown():
    one_year = project(request(), rates((2028, 50_000)))
    assert one_year.status == Plausibility.UNKNOWN and one_year.completion_year is None
    nothing_left_known = project(request(remaining=()), rates((2027, 1), (2028, 1)))
    assert nothing_left_known.status == Plausibility.UNKNOWN
    assert nothing_left_known.remaining is None
    no_deadline = project(request(requested_deadline=None), rates((2027, 1), (2028, 1)))
    assert no_deadline.status == Plausibility.UNKNOWN


def test_the_request_s_own_figures_serve_when_article7_gives_too_few_years():
    mine = request(previous_period=progress((2026, 40_000, 50_000), (2027, 40_000, 60_000)))
    p = project(mine, rates((2028, 10_000)))
    assert p.basis == "request" and p.median_m2_per_year == D(55_000)
    assert p.rates[0].source.ref == "extension-request:2/version:1/previous_period"


def test_old_rates_are_not_recent_and_later_reports_are_not_used():
    reports = rates((2010, 90_000), (2011, 90_000), (2027, 30_000), (2028, 30_000), (2029, 90_000))
    p = project(request(), reports)
    assert [r.year for r in p.rates] == [2027, 2028]


def test_remaining_from_the_latest_form_c_when_the_request_has_none():
    reports = rates((2026, 30_000), (2027, 30_000))
    reports[2027] = report(2027, {"cleared": 30_000}, remaining_m2=D(60_000))
    p = project(request(remaining=()), reports)
    assert p.remaining.area_m2 == D(60_000) and p.remaining.as_of_year == 2027
    assert p.remaining.source.ref == "report-version:3027"
    assert p.completion_year == 2029 and p.status == Plausibility.PLAUSIBLE


def test_newly_found_areas_slow_the_work_down():
    reports = {
        2027: report(2027, {"cleared": 50_000}, newly_found_m2=D(20_000)),
        2028: report(2028, {"cleared": 50_000}, newly_found_m2=D(0)),
    }
    p = project(request(), reports)
    assert p.newly_found_m2_per_year == D(10_000)
    assert p.completion_year == 2032 and p.completion_year_with_new_areas == 2033


def test_milestones_against_the_remaining_contamination():
    short = request(
        milestones=(
            MilestoneEntry(2030, "cleared", D(50_000)),
            MilestoneEntry(2031, "reduced", D(50_000)),
            MilestoneEntry(2036, "cleared", D(90_000)),  # after the deadline
        )
    )
    coverage = project(short, {}).milestones
    assert coverage.until_year == 2034 and coverage.total_m2 == D(100_000)
    assert coverage.covers is False and coverage.shortfall_m2 == D(90_000)
    assert coverage.after_deadline_m2 == D(90_000)
    assert coverage.by_method == {"cleared": D(50_000), "reduced": D(50_000)}


# --- money -------------------------------------------------------------------------------


def budget(*lines: tuple[int, str, int | None]) -> tuple[BudgetEntry, ...]:
    return tuple(
        BudgetEntry(y, s, D(a or 0), "USD" if a is not None else "XTS", None if a is None else D(a))
        for y, s, a in lines
    )


def test_money_per_year_national_share_and_gap():
    mine = request(
        budget=budget(
            (2030, "national", 500_000),
            (2030, "international_secured", 200_000),
            (2030, "international_sought", 800_000),
            (2031, "international_sought", 900_000),
            (2031, "international_sought", None),  # no rate known
        )
    )
    received = {2030: ReceivedYear(2030, D(300_000), D(100_000))}
    need = NeedFacts(
        7,
        "2030",
        "survey_clearance",
        2030,
        2030,
        D(800_000),
        D(300_000),
        D(100_000),
        "partly_met",
        "extension_request",
        "extension-request:2",
        False,
    )
    money = money_of(mine, received, None, [need], None, {})
    y2030, y2031 = money.years
    assert y2030.required_usd == D(1_500_000) and y2030.national_share == D("33.3")
    assert y2030.gap_usd == D(700_000)  # 1.5 M - 0.5 M national - 0.3 M committed (> secured)
    assert (y2030.needs_required_usd, y2030.needs_paid_usd) == (D(800_000), D(100_000))
    assert y2031.unpriced_lines == 1 and y2031.required_usd == D(900_000)
    assert money.unfunded_years == [2030, 2031] and money.national_share == D("20.8")
    assert money.gap_usd == D(1_600_000)


def test_cost_per_square_metre_and_what_an_extra_amount_would_release():
    reports = {
        2025: report(2025, {"cleared": 100_000}, national_usd=D(50_000)),
        2026: report(2026, {"cleared": 100_000}),
        2027: report(2027, {"cleared": 200_000}),
        2028: report(2028, {"cleared": 100_000}),  # no money on record: no cost
        2030: report(2030, {"cleared": 100_000}),  # after the request
    }
    received = {
        2025: ReceivedYear(2025, D(0), D(150_000)),
        2026: ReceivedYear(2026, D(0), D(100_000)),
        2027: ReceivedYear(2027, D(0), D(100_000)),
        2030: ReceivedYear(2030, D(0), D(900_000)),
    }
    money = money_of(request(), received, None, [], None, reports, D(1_000_000))
    assert [(c.year, c.spent_usd, c.usd_per_m2) for c in money.cost] == [
        (2025, D(200_000), D(2)),
        (2026, D(100_000), D(1)),
        (2027, D(100_000), D("0.5")),
    ]
    extra = money.extra
    assert (extra.least_m2, extra.median_m2, extra.most_m2) == (
        D(500_000),
        D(1_000_000),
        D(2_000_000),
    )
    assert money_of(request(), {}, None, [], None, {}).extra is None  # no cost known


# --- whole analyses: behind plan and on track --------------------------------------------


def earlier_request(**changes) -> RequestFacts:
    values = {
        "request_id": 1,
        "version_id": 10,
        "submitted_on": dt.date(2024, 3, 31),
        "requested_deadline": dt.date(2029, 12, 31),
        "remaining": (RemainingEntry("North", "CHA", D(300_000)),),
        "milestones": tuple(MilestoneEntry(y, "cleared", D(60_000)) for y in range(2024, 2029)),
        "decision": DecisionFacts(
            "granted_with_requests",
            dt.date(2024, 11, 28),
            dt.date(2029, 12, 31),
            (
                RequirementFacts("An updated workplan", dt.date(2026, 4, 30), None),
                RequirementFacts("A gender plan", dt.date(2031, 1, 1), None),  # not yet due
                RequirementFacts("A survey", dt.date(2025, 4, 30), dt.date(2025, 4, 1)),
            ),
        ),
    }
    return request(**(values | changes))


def test_a_state_behind_plan_gets_its_flags_and_an_implausible_projection():
    reports = {
        y: report(y, {"cleared": v, "cancelled": 5_000}, remaining_m2=D(r), newly_found_m2=D(f))
        for y, v, r, f in (
            (2024, 25_000, 280_000, 0),
            (2025, 20_000, 270_000, 10_000),
            (2026, 30_000, 250_000, 0),
            (2027, 25_000, 240_000, 30_000),
            (2028, 20_000, 230_000, 0),
        )
    }
    current = request(
        remaining=(RemainingEntry("North", "CHA", D(400_000)),),  # more than before
        previous_period=progress(*((y, 60_000, reports[y].released_total_m2) for y in reports)),
        milestones=(MilestoneEntry(2030, "cleared", D(100_000)),),
        budget=budget((2030, "international_sought", 2_000_000)),
    )
    result = analyse_facts(current, [earlier_request()], StateFacts(reports=reports), today=TODAY)
    assert result.previous_period.stated.percent == D("48.3")
    assert result.projection.status == Plausibility.NOT_PLAUSIBLE
    assert result.projection.completion_year == 2042  # 400,000 / 30,000 = 13.3 years from 2028
    assert set(result.flag_codes) == {
        FlagCode.BEHIND_PLAN,
        FlagCode.DEADLINE_BEFORE_COMPLETION,
        FlagCode.WORKPLAN_SHORT,
        FlagCode.CONTAMINATION_INCREASED,
        FlagCode.UNFUNDED_YEARS,
        FlagCode.NO_NATIONAL_FUNDING,
        FlagCode.REQUIREMENTS_NOT_MET,
    }
    flags = {f.code: f for f in result.flags}
    assert flags[FlagCode.CONTAMINATION_INCREASED].figures["before_m2"] == D(300_000)
    assert flags[FlagCode.CONTAMINATION_INCREASED].figures["newly_found_m2_in_recent_years"] == D(
        40_000
    )
    assert [r["text"] for r in flags[FlagCode.REQUIREMENTS_NOT_MET].figures["requirements"]] == [
        "An updated workplan"
    ]
    assert flags[FlagCode.WORKPLAN_SHORT].figures["shortfall_m2"] == D(300_000)
    for flag in result.flags:
        assert flag.label and flag.reason and flag.sources, flag.code
    assert result.past_requests[0].comparison.stated_against_promise.percent == D("48.3")
    assert not result.synthetic


def test_a_state_on_track_gets_no_flag_and_a_plausible_projection():
    reports = {
        y: report(y, {"cleared": 70_000}, remaining_m2=D(300_000 - 70_000 * (y - 2023)))
        for y in range(2024, 2029)
    }
    current = request(
        remaining=(RemainingEntry("North", "CHA", D(150_000)),),
        previous_period=progress(*((y, 60_000, 70_000) for y in range(2024, 2029))),
        milestones=(
            MilestoneEntry(2030, "cleared", D(80_000)),
            MilestoneEntry(2031, "cleared", D(70_000)),
        ),
        budget=budget((2030, "national", 400_000), (2030, "international_secured", 600_000)),
    )
    earlier = earlier_request(
        decision=DecisionFacts("granted", dt.date(2024, 11, 28), dt.date(2029, 12, 31))
    )
    result = analyse_facts(current, [earlier], StateFacts(reports=reports), today=TODAY)
    assert result.flags == []
    assert result.projection.status == Plausibility.PLAUSIBLE
    assert result.projection.completion_year_latest == 2031
    assert result.previous_period.stated.percent == D("116.7")
    assert result.previous_period.article7_against_plan.percent == D("116.7")


def test_synthetic_sources_make_the_result_synthetic():
    reports = {2027: report(2027, {"cleared": 1}, synthetic=True)}
    reports[2027] = report(
        2027,
        {"cleared": 1},
        synthetic=True,
        source=Source("article7", "report-version:1", "Report", True),
    )
    current = request(previous_period=progress((2027, 1, 1)))
    result = analyse_facts(current, [], StateFacts(reports=reports), today=TODAY)
    assert result.synthetic and result.synthetic_parts == ["article7"]
    demo = analyse_facts(request(synthetic=True), [], StateFacts(), today=TODAY)
    assert demo.synthetic and demo.synthetic_parts == ["request"]
