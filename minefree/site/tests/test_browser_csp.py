"""The pages keep their Content-Security-Policy in a real browser: Chromium reports no
violation on one page of each kind, and htmx still swaps (without eval and inline handlers).

Debian's Chromium, driven by Playwright, against ``minefree runserver`` on a database of this
module's own (``site/tests/browser.py``) with the synthetic extension requests and Peru's
report for last year. A violation is caught twice: the page's ``securitypolicyviolation``
event (an init script hands it to the test) and Chromium's console message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect

from minefree.site.tests.browser import LiveServer
from minefree.site.tests.browser_fixtures import server_set_up_with, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

YEAR = dt.date.today().year - 1
SETUP = (
    "from django.core.management import call_command; "
    "from minefree.core.models import Origin; "
    "from minefree.reminders.tests.factories import submitted_report; "
    "from minefree.reporting.models import Article7Report; "
    "call_command('load_demo_extensions'); "
    f"v = submitted_report('PER', {YEAR}); "
    "Article7Report.objects.filter(pk=v.report_id).update(origin=Origin.REPORTED)"
)
#: a year no other browser test drafts for Peru
DRAFT_YEAR = "2017"

WATCH_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || document.location.href}:${event.lineNumber}) ${event.sample}`
  );
});
"""


@pytest.fixture(scope="module")
def own_server() -> Iterator[LiveServer]:
    """A server of this module's own: extension requests at each step, Peru's report."""
    with server_set_up_with(SETUP) as server:
        yield server


@pytest.fixture
def violations() -> list[str]:
    return []


@pytest.fixture
def page(
    chromium_browser: Browser, own_server: LiveServer, violations: list[str]
) -> Iterator[Page]:
    context = chromium_browser.new_context(base_url=own_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    context.expose_binding(
        "reportCspViolation",
        lambda source, text: violations.append(f"{source['page'].url}: {text}"),
    )
    context.add_init_script(WATCH_VIOLATIONS)
    opened = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"console on {opened.url}: {message.text}")

    opened.on("console", on_console)
    try:
        yield opened
    finally:
        context.close()


def visit(page: Page, path: str) -> Response:
    """Open a page, wait until its scripts, styles and images are in; it must be under the policy."""
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, (path, policy)
    page.wait_for_load_state("networkidle")
    return response


def settle(page: Page) -> None:
    """Let the page run its scripts once more, so a late violation reaches the test."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 50)))")


def request_in(own_server: LiveServer, status: str) -> int:
    rows = own_server.query(
        "SELECT id FROM clearance_extensionrequest WHERE status = %s ORDER BY id", status
    )
    assert rows, f"no synthetic request {status}"
    return int(str(rows[0][0]))


def test_public_pages_keep_the_policy(page: Page, own_server: LiveServer, violations: list[str]):
    published = request_in(own_server, "analysis_published")
    visit(page, "/")
    visit(page, "/states/PER/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Peru")
    visit(page, "/knowledge/?q=clearance")
    visit(page, "/fund/")
    visit(page, "/indicators/oap-48-report-submitted/")
    expect(page.locator("figure.chart svg.chart-svg").first).to_be_visible()
    visit(page, f"/clearance/{published}/")
    expect(page.locator("main")).to_contain_text("Synthetic demo analysis")
    visit(page, "/api/docs")
    visit(page, "/admin/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    settle(page)
    assert violations == []


def test_htmx_swaps_under_the_policy(page: Page, violations: list[str]):
    visit(page, "/states/")
    with page.expect_response(
        lambda r: "region=Europe" in r.url and r.request.is_navigation_request() is False
    ):
        page.get_by_label("Region", exact=True).select_option(label="Europe")
    expect(page.locator("#results")).to_contain_text("Bosnia and Herzegovina")
    settle(page)
    assert violations == []


def row_post(response: Response) -> bool:
    return response.request.method == "POST" and "/forms/B/rows/" in response.url


def test_the_focal_points_draft_editor_keeps_the_policy(page: Page, violations: list[str]):
    sign_in(page, "focal_point_peru")
    visit(page, "/reports/")
    own = page.locator("section#own")
    own.get_by_label("Open the report for year").fill(DRAFT_YEAR)
    own.get_by_role("button", name="Open", exact=True).click()
    expect(page.locator("h1 .badge.draft")).to_have_text("draft")
    page.locator("section#forms").get_by_role(
        "link", name="Form B: Stockpiled anti-personnel mines"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Form B")
    page.wait_for_load_state("networkidle")
    add = page.locator("#add-stockpile")
    rows = page.locator("#rows-stockpile tr.row")
    before = rows.count()

    # a saved row is added by htmx and the add line emptied (data-reset-on-success)
    add.get_by_label("Type of mine", exact=True).fill("PMN-2")
    add.get_by_label("Quantity", exact=True).fill("120")
    with page.expect_response(row_post) as saved:
        add.get_by_role("button", name="Add a row").click()
    assert saved.value.status == 200
    expect(rows).to_have_count(before + 1)
    expect(add.get_by_label("Type of mine", exact=True)).to_have_value("")
    expect(add.get_by_label("Quantity", exact=True)).to_have_value("")

    # a refused row (422) is swapped in with its reason (data-swap-statuses, minefree.js)
    too_long = add.get_by_label("Type of mine", exact=True)
    too_long.evaluate("field => field.removeAttribute('maxlength')")  # as a script could send
    too_long.fill("P" * 1001)
    with page.expect_response(row_post) as refused:
        add.get_by_role("button", name="Add a row").click()
    assert refused.value.status == 422
    expect(add.locator("[role=alert]")).to_contain_text("at most 1000 characters")
    expect(rows).to_have_count(before + 1)
    settle(page)
    assert violations == []


def test_the_committees_pages_keep_the_policy(
    page: Page, own_server: LiveServer, violations: list[str]
):
    under_analysis = request_in(own_server, "under_analysis")
    sign_in(page, "committee_chair")
    visit(page, "/cooperation/workspace/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    visit(page, f"/clearance/{under_analysis}/workspace/")
    expect(page.get_by_role("button", name="Save the draft analysis")).to_be_visible()
    settle(page)
    assert violations == []
