"""From the plans' indicators to the record behind a value, clicked in a real browser.

A reader opens the indicators, follows the share of States Parties that submitted their
Article 7 report, the year's drill-down, and the counted state's report version. Debian's
Chromium against ``minefree runserver`` on a database of this module's own
(``site/tests/browser.py``), where Peru's report for last year is held as reported data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from minefree.site.tests.browser import LiveServer
from minefree.site.tests.browser_fixtures import english_page, server_set_up_with

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

YEAR = dt.date.today().year - 1
SETUP = (
    "from minefree.core.models import Origin; "
    "from minefree.reminders.tests.factories import submitted_report; "
    "from minefree.reporting.models import Article7Report; "
    f"v = submitted_report('PER', {YEAR}); "
    "Article7Report.objects.filter(pk=v.report_id).update(origin=Origin.REPORTED)"
)


@pytest.fixture(scope="module")
def own_server() -> Iterator[LiveServer]:
    """A server of this module's own, holding Peru's report."""
    with server_set_up_with(SETUP) as server:
        yield server


@pytest.fixture
def page(chromium_browser: Browser, own_server: LiveServer) -> Iterator[Page]:
    with english_page(chromium_browser, own_server) as opened:
        yield opened


def test_from_an_indicator_to_the_report_behind_its_value(page: Page):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Indicators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicators of the action plans")
    expect(page.locator(".not-loaded")).to_contain_text("not yet loaded")
    indicator = page.locator('[data-indicator="oap-48-report-submitted"]')
    expect(indicator).to_contain_text(f"{YEAR}:")
    expect(indicator.locator("svg.sparkline")).to_have_count(1)
    indicator.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/indicators/oap-48-report-submitted/$"))
    expect(page.locator("#definition")).to_contain_text("all States Parties of the year")
    row = page.locator(f'tr[data-year="{YEAR}"]')
    row.get_by_role("link", name="see the states").click()
    drill = page.locator("#drill-down")
    expect(drill).to_contain_text(f"The states behind {YEAR}'s value")
    expect(drill.locator(".not-counted")).to_contain_text("France")
    peru = drill.locator('.counted li[data-state="PER"]')
    peru.get_by_role("link", name=f"Article 7 report for {YEAR}, version 1").click()
    expect(page).to_have_url(re.compile(r"/reports/v/\d+/$"))
    expect(page.locator("main")).to_contain_text("Peru")
