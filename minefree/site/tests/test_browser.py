"""Browser tests: Debian's Chromium, driven by Playwright, against a real minefree server.

The server (``minefree runserver``) runs on a database of its own, prepared with the
migrations, the reference data and the demo accounts (see ``browser.py``); these tests
never touch pytest-django's database. They share one xdist worker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import Page, Response, expect

from minefree.site.tests.browser import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOT = "/tmp/peru.png"


def htmx_response(**params: str) -> Callable[[Response], bool]:
    """Matches the htmx request of the states list carrying these filter values."""

    def match(response: Response) -> bool:
        if response.request.headers.get("hx-request") != "true":
            return False
        query = parse_qs(urlsplit(response.url).query)
        return all(query.get(name) == [value] for name, value in params.items())

    return match


def count_of(page: Page) -> int:
    return int(page.locator("p.count[data-count]").get_attribute("data-count") or "-1")


def french(message: str) -> str | None:
    """The French of a message if the project's catalogue has it, else None."""
    with translation.override("fr"):
        translated = translation.gettext(message)
    return translated if translated != message else None


def test_filter_states_open_peru_and_switch_to_french(browser_page: Page) -> None:
    page = browser_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="States Parties").click()
    expect(page).to_have_url(re.compile(r"/states/$"))
    page.wait_for_load_state("load")  # htmx binds the filters only once its script has run
    count = page.locator("p.count[data-count]")
    expect(count).to_be_visible()
    everyone = count_of(page)
    assert everyone > 100, "the unfiltered list shows every State Party"

    with page.expect_response(htmx_response(region="Americas")):
        page.get_by_label("Region", exact=True).select_option(label="Americas")
    expect(count).not_to_have_attribute("data-count", str(everyone))
    americas = count_of(page)
    assert 0 < americas < everyone

    with page.expect_response(htmx_response(region="Americas", open_article="5")):
        page.get_by_label("Open obligation").select_option(label="Article 5 (mined areas)")
    expect(count).not_to_have_attribute("data-count", str(americas))
    assert 0 < count_of(page) < americas
    expect(page).to_have_url(re.compile(r"open_article=5"))  # hx-push-url
    rows = page.locator("#results table.states tbody tr")
    expect(rows).to_have_count(count_of(page))
    expect(page.locator("#results")).not_to_contain_text("Bosnia and Herzegovina")  # Europe
    expect(page.locator("#results")).not_to_contain_text("Mexico")  # no Article 5 obligation

    page.locator("#results").get_by_role("link", name="Peru", exact=True).click()
    expect(page).to_have_url(re.compile(r"/states/PER/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Peru")
    article5 = page.locator("section#article5")
    current = article5.locator("dd.current-deadline time")
    expect(current).to_have_attribute("datetime", "2029-12-31")
    expect(current).to_contain_text("2029")
    expect(current).to_contain_text("31")
    history = article5.locator("table.history tbody")
    granted = history.locator("tr.event-extension_granted").filter(has_text="Review Conference")
    expect(granted).to_have_count(1)
    expect(granted.locator("time")).to_have_attribute("datetime", "2029-12-31")
    original = history.locator("tr.event-original_deadline")
    expect(original).to_have_count(1)
    expect(original.locator("time")).to_have_attribute("datetime", "2009-03-01")
    expect(article5.locator(".source a").first).to_have_attribute("href", re.compile("^https?://"))

    page.locator("nav.lang a[data-lang=fr]").click()
    expect(page).to_have_url(re.compile(r"/fr/states/PER/$"))
    assert urlsplit(page.url).path.startswith("/fr/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("nav.lang strong")).to_have_attribute("lang", "fr")
    expect(page.locator("nav.lang a[data-lang=en]")).to_have_attribute("href", "/states/PER/")
    expect(page.locator("section#article5 dd.current-deadline time")).to_have_attribute(
        "datetime", "2029-12-31"
    )
    states_parties_fr = french("States Parties")
    if states_parties_fr:  # the French catalogue is being written; assert once it has this
        expect(page.get_by_role("navigation").first).to_contain_text(states_parties_fr)
    page.screenshot(path=SCREENSHOT, full_page=True)


@pytest.mark.parametrize("typed", ["Turquie", "Turkey"])
def test_search_by_french_name_and_alias(browser_page: Page, typed: str) -> None:
    page = browser_page
    page.goto("/states/")
    everyone = count_of(page)
    with page.expect_response(htmx_response(q=typed)):
        page.get_by_label("Name", exact=True).press_sequentially(typed, delay=20)
    count = page.locator("p.count[data-count]")
    expect(count).not_to_have_attribute("data-count", str(everyone))
    expect(
        page.locator("#results").get_by_role("link", name="Türkiye", exact=True)
    ).to_have_attribute("href", "/states/TUR/")
    assert count_of(page) == 1


def test_focal_point_signs_in_sees_role_and_signs_out(browser_page: Page) -> None:
    page = browser_page
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("focal_point_peru")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))  # LOGIN_REDIRECT_URL: home
    user = page.locator("header .user")
    expect(user.get_by_role("link", name="focal_point_peru")).to_be_visible()

    page.goto("/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    membership = page.locator("main table").first.locator("tbody tr")
    expect(membership.filter(has_text="state focal point").filter(has_text="Peru")).to_have_count(1)
    delegate_form = page.locator("form").filter(
        has=page.get_by_role("heading", name="Delegate to a colleague")
    )
    expect(delegate_form).to_have_count(1)
    expect(delegate_form).to_have_attribute("action", "/account/states/PER/delegate/")

    user.get_by_role("button", name="Sign out").click()
    expect(user.get_by_role("link", name="Staff sign in")).to_be_visible()
    expect(page.get_by_role("link", name="focal_point_peru")).to_have_count(0)
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next="))


def test_no_javascript_errors(browser_page: Page, js_errors: list[str]) -> None:
    page = browser_page
    for path in ("/", "/states/", "/states/PER/", "/fr/states/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/states/")
    with page.expect_response(htmx_response(region="Europe")):
        page.get_by_label("Region", exact=True).select_option(label="Europe")
    expect(page.locator("#results")).to_contain_text("Bosnia and Herzegovina")
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert js_errors == []


CHART_TEXT_SIZES = """() => [...document.querySelectorAll('.chart svg')].map(svg => {
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    const texts = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height);
    return {font: scale * parseFloat(svg.getAttribute('font-size')), width: box.width,
            smallest: Math.min(...texts)};
})"""


@pytest.mark.parametrize(("width", "least"), [(1366, 12.0), (390, 11.0)])
def test_chart_text_is_readable_on_a_laptop_and_a_phone(
    browser_page: Page, width: int, least: float
) -> None:
    """Axis labels and legends are drawn at about their size, not shrunk to fit three in a row.

    A country page's charts are drawn from figures made here (the browser's database holds no
    submitted report) and put in the page in place of its empty ones, under the site's styles.
    """
    from decimal import Decimal

    from minefree.reporting.selectors import Series as StateSeries
    from minefree.site.reporting_section import country_charts

    years = range(2015, 2025)
    figures = StateSeries(
        stockpile={y: Decimal(12_000 - 900 * (y - 2015)) for y in years},
        remaining_m2={y: Decimal(48_500_000 - 2_100_000 * (y - 2015)) for y in years},
        released_m2={
            "cancelled": {y: Decimal(900_000) for y in years},
            "reduced": {y: Decimal(450_000) for y in years},
            "cleared": {y: Decimal(750_000) for y in years},
        },
        synthetic=True,
    )
    charts = "".join(country_charts(figures))
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/states/PER/")
    page.locator("#reporting .charts").evaluate(
        "(node, html) => { node.innerHTML = html; }", charts
    )
    drawn = page.evaluate(CHART_TEXT_SIZES)
    assert len(drawn) == 3
    for chart in drawn:
        assert chart["font"] >= least, chart
        assert chart["smallest"] >= least, chart  # every label, legend and tick
    if width >= 1366:
        tops = page.locator("#reporting .chart").evaluate_all(
            "nodes => nodes.map(n => Math.round(n.getBoundingClientRect().top))"
        )
        assert len(set(tops)) == 2, tops  # two to a row, the third below

    page.goto("/reports/compliance/")
    (dashboard,) = page.evaluate(CHART_TEXT_SIZES)
    assert least <= dashboard["font"] <= 20, dashboard
    chart_top = page.locator("#chart").bounding_box()
    table_top = page.locator("table").first.bounding_box()
    assert chart_top and table_top and chart_top["y"] < table_top["y"]
