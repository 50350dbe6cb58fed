"""A need is matched, confirmed as a partnership and funded, in a real browser.

Peru's focal point records a need, Japan's donor focal point an offer; a committee
member reviews the suggested offers with their reasons and confirms one; the donor
records a pledge, then a commitment; Peru's country page shows the need partly met.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from minefree.reporting.tests.test_browser import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEED_TITLE = "Clearance of the last minefields in the Cordillera del Cóndor"
OFFER_TITLE = "Support to humanitarian demining in the Americas"


def test_a_need_is_matched_confirmed_pledged_and_committed(browser_page: Page) -> None:
    page = browser_page

    # Peru's focal point records what Peru needs.
    sign_in(page, "focal_point_peru")
    page.goto("/cooperation/needs/")
    page.get_by_role("link", name="Add a need of Peru").click()
    page.get_by_label("Pillar").select_option("survey_clearance")
    page.get_by_label("Type of assistance").select_option("financial")
    page.get_by_label("Title").fill(NEED_TITLE)
    page.get_by_label("Amount").fill("2000000")
    page.get_by_label("Currency").fill("USD")
    page.get_by_label("From year").select_option("2025")
    page.get_by_label("To year").select_option("2026")
    page.get_by_label("Working languages").fill("es")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEED_TITLE)
    expect(page.locator("#need-status [data-status]")).to_have_attribute("data-status", "open")
    need_url = page.url
    sign_out(page)

    # Japan's donor focal point records what Japan offers.
    sign_in(page, "donor_japan")
    page.goto("/cooperation/offers/")
    page.get_by_role("link", name="Add an offer of Japan").click()
    page.get_by_label("Title").fill(OFFER_TITLE)
    page.get_by_label("financial").check()
    page.get_by_label("survey and clearance").check()
    page.get_by_label("Priority states").fill("PER")
    page.get_by_label("Languages", exact=True).fill("es, en")
    page.get_by_label("From (USD)").fill("100000")
    page.get_by_label("Up to (USD)").fill("5000000")
    page.get_by_label("From year").select_option("2025")
    page.get_by_label("To year").select_option("2027")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OFFER_TITLE)
    sign_out(page)

    # A committee member reviews the suggestions with their reasons and confirms one.
    sign_in(page, "committee_chair")
    page.goto(need_url)
    suggestion = page.locator("#suggestions li.match").filter(has_text=OFFER_TITLE)
    expect(suggestion).to_be_visible()
    for component in ("type", "pillar", "geography"):
        expect(suggestion.locator(f'[data-component="{component}"]')).to_be_visible()
    expect(suggestion.locator(".score")).to_contain_text("score")
    suggestion.get_by_role("button", name="Confirm as a partnership").click()
    expect(page.locator("ul.messages")).to_contain_text("The partnership is confirmed.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Partnership: Japan with Peru")
    )
    partnership_url = page.url
    sign_out(page)

    # The donor pledges, then commits.
    sign_in(page, "donor_japan")
    page.goto(partnership_url)
    pledge = page.locator("#pledge")
    pledge.get_by_label("Status").select_option("pledge")
    pledge.get_by_label("Amount").fill("500000")
    pledge.get_by_label("Currency").fill("USD")
    pledge.get_by_label("Calendar year").select_option("2025")
    pledge.get_by_role("button", name="Record").click()
    expect(page.locator("ul.messages")).to_contain_text("Recorded: pledge of 500000")
    flows = page.locator("#flows table.flows tbody")
    expect(flows.locator('tr[data-status="pledge"]')).to_have_count(1)
    expect(page.locator("#need-status [data-status]")).to_have_attribute("data-status", "open")

    advance = flows.locator("tr.advance").first
    advance.get_by_label("Becomes").select_option("commitment")
    advance.get_by_role("button", name="Record").click()
    expect(flows.locator('tr[data-status="commitment"]')).to_have_count(1)
    expect(flows.locator('tr[data-status="pledge"]')).to_have_count(1)
    expect(page.locator("#need-status [data-status]")).to_have_attribute(
        "data-status", "partly_met"
    )
    sign_out(page)

    # Peru's country page shows the need partly met.
    page.goto("/states/PER/")
    need_line = page.locator("#cooperation-needs tr").filter(has_text=NEED_TITLE)
    expect(need_line.locator("[data-status]")).to_have_attribute("data-status", "partly_met")


@pytest.mark.parametrize(
    ("username", "section"),
    [
        ("", "What is public"),
        ("donor_japan", "Your offers and the needs they match"),
        ("focal_point_peru", "Your state's needs"),
        ("committee_chair", "The committee's work"),
        ("isu_staff", "The committee's work"),
    ],
)
def test_every_reader_follows_the_cooperation_menu_link_to_a_page_of_theirs(
    browser_page: Page, username: str, section: str
) -> None:
    page = browser_page
    if username:
        sign_in(page, username)
    page.goto("/")
    with page.expect_navigation() as navigation:
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Cooperation", exact=True
        ).click()
    response = navigation.value
    assert response is not None and response.status == 200
    expect(page).to_have_url(re.compile(r"/cooperation/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cooperation and assistance")
    expect(page.get_by_role("heading", level=2, name=section)).to_be_visible()
    # every link of the cooperation menu answers this reader without an error
    links = page.locator("nav.form-nav a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(links) >= 5
    for href in links:
        answer = page.request.get(href)
        assert answer.status == 200, (username, href, answer.status)
    if username:
        sign_out(page)
