"""A fund exchange visit from the call to the lesson in the knowledge base, clicked in a
real browser.

ISU staff record the Netherlands' contribution, describe the host and open and publish a
call; Nigeria's focal point applies for its centre, choosing the Turkish centre among the
suggested hosts, fills the budget and submits; ISU staff screen it; the committee's
members score it (Türkiye's member is shown why it may not), the chair decides; ISU staff
sign the grant, pay a tranche and record the visit held; Nigeria reports with a lesson,
which the knowledge search then finds. Debian's Chromium against ``minefree runserver``
on a database of this module's own (``site/tests/browser.py``), with the fund's test
people (``fund/tests/world.py``) and the committee seated this year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from minefree.site.tests.browser import (
    LiveServer,
)
from minefree.site.tests.browser_fixtures import english_page, server_set_up_with, sign_out
from minefree.site.tests.browser_fixtures import sign_in as shared_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "a-long-test-password"  # ``accounts.tests.factories.PASSWORD``
LESSON = "Keep one quagmire-proof register of every hazardous area from the first day"
SETUP = (
    "from minefree.fund.tests.world import fund_cast; "
    "from minefree.fund.tests.pages import seat_committee; "
    "fund_cast(); seat_committee()"
)


@pytest.fixture(scope="module")
def own_server() -> Iterator[LiveServer]:
    """A server of this module's own, with the fund's people on it."""
    with server_set_up_with(SETUP) as server:
        yield server


@pytest.fixture
def page(chromium_browser: Browser, own_server: LiveServer) -> Iterator[Page]:
    with english_page(chromium_browser, own_server) as opened:
        yield opened


def sign_in(page: Page, username: str) -> None:
    shared_sign_in(page, username, PASSWORD)


def said(page: Page, message: str) -> None:
    expect(page.locator("ul.messages")).to_contain_text(message)


def test_an_exchange_visit_from_the_call_to_the_lesson(page: Page, own_server: LiveServer):
    day = dt.date.today()
    start = day - dt.timedelta(days=5)
    end = max(day, min(day + dt.timedelta(days=20), dt.date(day.year, 12, 31)))

    # ISU staff: the money, the host's profile, the call
    sign_in(page, "fund_isu")
    page.goto("/fund/contributions/")
    page.get_by_label("Donor").select_option(label="Netherlands")
    page.get_by_label("Amount", exact=True).fill("60000")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Received on").fill(str(day))
    page.get_by_role("button", name="Record the contribution").click()
    said(page, "The contribution is recorded.")
    page.goto("/fund/hosts/turkiye-turmac/")
    page.get_by_label("information management").check()
    page.get_by_label("Working languages").fill("en")
    page.get_by_role("button", name="Save").click()
    said(page, "The host profile is saved.")
    page.goto("/fund/")
    page.get_by_role("link", name="Open a new call").click()
    page.get_by_label("Title").fill("Exchange visits between national centres (browser)")
    page.get_by_label("Opens on").fill(str(start))
    page.get_by_label("Closes on").fill(str(end))
    page.get_by_label("Budget of the call").fill("40000")
    page.get_by_label("Maximum per application").fill("15000")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Who may apply").select_option("national_bodies")
    page.get_by_role("button", name="Save the draft call").click()
    said(page, "The call is saved as a draft")
    page.get_by_role("button", name="Publish the call").click()
    said(page, "The call is published.")
    call_url = page.url
    sign_out(page)

    # Nigeria's focal point applies, choosing the host among the suggestions
    sign_in(page, "fp_nigeria")
    page.goto(call_url)
    page.get_by_role("link", name="Apply for Nigerian Mine Action Centre").click()
    page.get_by_label("Theme").select_option("information_management")
    page.get_by_role("button", name="Open the draft").click()
    said(page, "The draft is open")
    suggestion = page.locator("#suggestions li.match").filter(has_text="Turkish Mine Action Centre")
    expect(suggestion.locator('[data-component="theme"]')).to_contain_text(
        "offers information management"
    )
    host_id = suggestion.get_attribute("data-body")
    assert host_id
    page.get_by_label("Host body").select_option(host_id)
    page.get_by_label("Objectives").fill("Learn how a national centre sets up its database.")
    page.get_by_label("5", exact=True).check()
    page.get_by_label("Visit from").fill(str(day + dt.timedelta(days=30)))
    page.get_by_label("Visit until").fill(str(day + dt.timedelta(days=34)))
    page.get_by_label("Agenda").fill("Day 1 structure; day 2 database; day 3 field visit.")
    page.locator("[name=people-0-function]").fill("Information management officer")
    page.locator("[name=people-0-gender]").select_option("woman")
    page.locator("[name=people-0-age_band]").select_option("30-44")
    page.locator("[name=budget-0-category]").select_option("travel")
    page.locator("[name=budget-0-amount]").fill("2800")
    page.locator("[name=budget-1-category]").select_option("accommodation")
    page.locator("[name=budget-1-amount]").fill("2400")
    page.get_by_role("button", name="Save the draft").click()
    said(page, "The draft is saved.")
    expect(page.locator("#budget-total")).to_contain_text("5,200.00 EUR")
    page.get_by_role("button", name="Submit the application").click()
    said(page, "The application is submitted")
    application_url = page.url
    sign_out(page)

    # ISU staff screen it
    sign_in(page, "fund_isu")
    page.goto(application_url)
    for label in (
        "The applicant is an eligible national body",
        "The host body agreed to receive the delegation",
        "Objectives, delegation, dates, agenda and budget are complete",
        "The amount asked is within the call's maximum",
        "Letters of support are attached and readable",
    ):
        page.get_by_label(label).check()
    page.get_by_role("button", name="Screening").click()
    said(page, "The application is screened")
    sign_out(page)

    # Türkiye's member is told why it does not score; the others score
    sign_in(page, "member_tur")
    page.goto(application_url)
    expect(page.locator("#conflict")).to_contain_text("Your state is the host")
    expect(page.locator("#step-score")).to_have_count(0)
    sign_out(page)
    for member in ("member_dnk", "member_jpn"):
        sign_in(page, member)
        page.goto(application_url)
        for label in (
            "Relevance to the applicant's Convention obligations",
            "What the host can teach on the theme",
            "Quality of the objectives, agenda and delegation",
            "Cost for what is expected",
            "Follow-up and sharing of what is learned",
        ):
            page.get_by_label(label).fill("4")
        page.get_by_role("button", name="Your scores").click()
        said(page, "Your scores are recorded.")
        sign_out(page)

    # the chair decides
    sign_in(page, "member_dza")
    page.goto(application_url)
    page.get_by_label("selected", exact=True).check()
    page.get_by_label("Reasons").fill("A new centre learning from an experienced one.")
    page.get_by_role("button", name="The chair's decision").click()
    said(page, "The decision is recorded.")
    sign_out(page)

    # ISU staff sign the grant, pay a tranche, record the visit held
    sign_in(page, "fund_isu")
    page.goto(application_url)
    page.get_by_label("Amount of the grant").fill("5200")
    page.get_by_label("Signed on").fill(str(day))
    page.get_by_role("button", name="Grant agreement").click()
    said(page, "The grant is agreed")
    page.get_by_label("Tranche amount").fill("4000")
    page.get_by_label("Paid on").fill(str(day))
    page.get_by_role("button", name="Pay a tranche").click()
    said(page, "The tranche is recorded.")
    expect(page.locator("ol.tranches")).to_contain_text("4,000.00 EUR")
    page.get_by_label("Visit held from").fill(str(day))
    page.get_by_label("Visit held until").fill(str(day))
    page.get_by_role("button", name="Record the visit held").click()
    said(page, "The visit is recorded as held.")
    sign_out(page)

    # Nigeria reports, with a lesson; the knowledge search finds it
    sign_in(page, "fp_nigeria")
    page.goto(application_url)
    page.get_by_role("link", name="Report on the visit (visiting body)").click()
    page.get_by_label("Programme as held").fill("Briefings at TURMAC and a field visit.")
    page.locator("[name=lessons-0-title]").fill(LESSON)
    page.locator("[name=lessons-0-text]").fill(
        "TURMAC keeps a quagmire-proof register: every hazardous area in one national "
        "database from the start."
    )
    page.locator("[name=follow_ups-0-action]").fill("Adopt the national database")
    page.locator("[name=follow_ups-0-owner]").fill("Nigerian Mine Action Centre")
    page.get_by_role("button", name="Submit the report").click()
    said(page, "The report is submitted")
    expect(page.locator("#report-applicant")).to_contain_text(LESSON)
    page.goto("/knowledge/?q=quagmire-proof+register")
    hit = page.locator("article.hit").filter(
        has=page.locator(f'a[href^="{urlsplit(application_url).path}"]')
    )
    expect(hit.first).to_be_visible()
    expect(page.locator("article.hit .snippet").first).to_contain_text("quagmire")
