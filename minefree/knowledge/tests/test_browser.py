"""The knowledge base clicked in a real browser: a committee member adds a visit report,
finds it with the search (other forms of the words, highlighted, a facet), opens the key
challenges, follows a number to its passage and the passage to its source,
adds a category the classifier missed, and sees the table and the chart count it.

Debian's Chromium, driven by Playwright, against ``minefree runserver`` on a database of
this module's own (``site/tests/browser.py``), so that Peru's challenges added here never
show on the pages the other browser tests read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from minefree.clearance.tests.test_browser import messages, sign_in, watch_errors
from minefree.site.tests.browser import LiveServer, live_server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

REPORT = (
    "The lack of funding remains the main obstacle: the survey teams in Amazonas "
    "stopped work for four months in 2024."
)


@pytest.fixture(scope="module")
def own_server() -> Iterator[LiveServer]:
    with live_server() as server:
        yield server


@pytest.fixture
def page(chromium_browser: Browser, own_server: LiveServer) -> Iterator[Page]:
    context = chromium_browser.new_context(base_url=own_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def cell(page: Page, category: str, year: int) -> Locator:
    return page.locator(f'#table-reported tr[data-category="{category}"] td[data-year="{year}"]')


def test_a_number_leads_to_its_passage_and_a_decision_changes_the_count(
    page: Page, own_server: LiveServer
) -> None:
    errors = watch_errors(page)

    # 1. A committee member adds a visit report about Peru (its text becomes passages).
    sign_in(page, "committee_chair")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Knowledge").click()
    expect(page).to_have_url(re.compile(r"/knowledge/$"))
    page.locator("nav.subnav").get_by_role("link", name="Key challenges").click()
    expect(page.locator("p.empty")).to_be_visible()
    page.get_by_role("link", name="Documents", exact=True).click()
    page.get_by_role("link", name="Add a document").click()
    form = page.locator("#document-form")
    form.get_by_label("Title").fill("Exchange visit to Peru, 2024")
    form.get_by_label("Kind").select_option(label="exchange visit report")
    form.get_by_label("Language").select_option(label="English")
    form.get_by_label("File").set_input_files(
        {"name": "visit.txt", "mimeType": "text/plain", "buffer": REPORT.encode()}
    )
    form.get_by_label("States").select_option(label="Peru")
    form.get_by_label("Year").fill("2024")
    form.get_by_role("button", name="Add the document").click()
    expect(messages(page)).to_contain_text("The document is added")
    expect(page.locator("ol.passages li.passage")).to_have_count(1)

    # 2. Search finds it in the words' other forms, highlighted, with its facets.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Knowledge").click()
    page.get_by_label("Search", exact=True).fill("FUNDS amazonas")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/knowledge/\?q=FUNDS"))
    hit = page.locator("article.hit")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark")).to_have_text([re.compile("funding", re.I), "Amazonas"])
    expect(page.locator("p.ranking")).to_have_attribute("data-ranking", "full-text")
    kind = page.locator('section.facet[data-facet="kind"] a[data-value="visit_report"]')
    kind.click()
    expect(kind).to_have_attribute("aria-current", "true")
    expect(hit).to_have_count(1)
    hit.locator("a.passage-link").click()
    expect(page).to_have_url(re.compile(r"/knowledge/passages/\d+/$"))

    # 3. The key challenges count Peru once for financial resources in 2024.
    page.locator("nav.subnav").get_by_role("link", name="Key challenges").click()
    expect(cell(page, "financial", 2024)).to_have_attribute("data-states", "1")
    expect(cell(page, "capacity", 2024)).to_have_attribute("data-states", "0")
    expect(page.locator("#table-reported p.leader, p.leader").first).to_have_attribute(
        "data-leader", "financial"
    )
    capacity_chart = page.locator("figure.chart", has_text="capacity").locator("table.chart-data")
    expect(capacity_chart.locator("tbody td")).to_have_text(["0"])
    expect(page.locator("figure.chart svg").first).to_be_attached()

    # 4. The number leads to the passage, the passage to its source.
    cell(page, "financial", 2024).get_by_role("link", name="1").click()
    expect(page).to_have_url(re.compile(r"/knowledge/challenges/financial/\?.*year=2024"))
    expect(page.locator("p.count")).to_have_attribute("data-count", "1")
    page.locator("a.passage-link").first.click()
    expect(page).to_have_url(re.compile(r"/knowledge/passages/\d+/$"))
    passage_url = page.url
    expect(page.locator("blockquote.passage-text")).to_contain_text("lack of funding")
    expect(page.locator('tr[data-label="financial"]')).to_contain_text("lack of funding")
    page.get_by_role("link", name="Exchange visit to Peru, 2024").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exchange visit to Peru, 2024")
    page.goto(passage_url)

    # 5. The committee member adds the category the classifier missed, and confirms one.
    add = page.locator("#add-label")
    add.get_by_label("Category").select_option(label="capacity")
    add.get_by_label("Decision").select_option(label="confirm")
    add.get_by_role("button", name="Record the decision").click()
    expect(messages(page)).to_contain_text("Your decision on “capacity” is recorded")
    expect(page.locator('tr[data-label="capacity"]')).to_have_attribute("data-status", "confirmed")
    page.locator('[data-action="confirm-financial"]').click()
    expect(page.locator('tr[data-label="financial"]')).to_have_attribute("data-status", "confirmed")
    audited = own_server.query(
        "SELECT action FROM core_auditevent WHERE action LIKE %s ORDER BY id",
        "challenge_label.%",
    )
    assert [a for (a,) in audited] == ["challenge_label.added", "challenge_label.decided"]

    # 6. The key challenges count it now: in the table and in the chart.
    page.goto("/knowledge/challenges/")
    expect(cell(page, "capacity", 2024)).to_have_attribute("data-states", "1")
    expect(capacity_chart.locator("tbody td")).to_have_text(["1"])

    # 7. Rejected, it is not counted any more.
    page.goto(passage_url)
    page.locator('[data-action="reject-financial"]').click()
    page.goto("/knowledge/challenges/")
    expect(cell(page, "financial", 2024)).to_have_attribute("data-states", "0")
    assert errors == []
