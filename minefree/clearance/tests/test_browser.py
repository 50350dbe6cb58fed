"""An Article 5 extension request from the first draft to the new deadline on the country
page, clicked in a real browser.

Peru's focal point fills the request on its pages (header and narratives, tables row by row
and whole, the signed PDF) and submits it; a committee member asks a question; the state
answers; the analysis is written and published; ISU staff record the decision; the public
country page shows the new deadline. Debian's Chromium, driven by Playwright, against
``minefree runserver`` on a database of this module's own (``site/tests/browser.py``): the
decision changes Peru's deadline, which the other browser tests read on the shared server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Response, expect

from minefree.site.tests.browser import LiveServer, live_server
from minefree.site.tests.browser_fixtures import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
QUESTION = "How many survey teams will work in Amazonas in 2031?"
ANSWER = "Four teams of the army engineers and two of a humanitarian operator."
SUMMARY = "Peru asks for five more years to clear 190,000 m² in Amazonas."


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


#: what Chromium logs for an htmx answer refusing a row (422) or a stale change (409): the
#: answer the page shows beside the row, not an error of the page
REFUSAL = re.compile(r"Failed to load resource: .* status of (422|409)\b")


def watch_errors(page: Page) -> list[str]:
    """Uncaught exceptions and console errors of the page (but the browser's own request for
    ``/favicon.ico``, and the refusals the page shows)."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error" or REFUSAL.search(message.text):
            return
        if not (message.location.get("url") or "").endswith("/favicon.ico"):
            errors.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error on {page.url}: {exc}"))
    return errors


def messages(page: Page) -> Locator:
    return page.locator("ul.messages")


def row_post(table: str) -> Callable[[Response], bool]:
    def match(response: Response) -> bool:
        return (
            response.request.method == "POST"
            and response.request.headers.get("hx-request") == "true"
            and f"/tables/{table}/rows/" in response.url
        )

    return match


def fill_row(row: Locator, values: dict[str, str]) -> None:
    for label, value in values.items():
        field = row.get_by_label(label, exact=True)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)


def add_row(page: Page, table: str, values: dict[str, str], status: int = 200) -> None:
    """Fill the line that adds a row and click it; returns once htmx has swapped the table."""
    rows = page.locator("#rows tr.row")
    before = rows.count()
    fill_row(page.locator("#row-new"), values)
    with page.expect_response(row_post(table)) as response:
        page.locator("#row-new").get_by_role("button", name="Add a row").click()
    assert response.value.status == status
    if status == 200:
        expect(rows).to_have_count(before + 1)


def open_table(page: Page, label: str) -> None:
    page.locator("nav.form-nav, section#tables").get_by_role("link", name=label).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(label)
    page.wait_for_load_state("load")  # htmx binds the forms once its script has run


def test_a_request_filled_submitted_questioned_analysed_and_decided(page: Page) -> None:
    errors = watch_errors(page)

    # 1. Peru's focal point opens a request from the list of requests.
    sign_in(page, "focal_point_peru")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Article 5 extensions"
    ).click()
    expect(page).to_have_url(re.compile(r"/clearance/$"))
    page.get_by_role("button", name="Open an extension request of Peru").click()
    expect(messages(page)).to_contain_text("The draft is open.")
    expect(page).to_have_url(re.compile(r"/clearance/v/\d+/$"))
    draft_url = page.url
    checks = page.locator("section#checks li.issue")
    expect(checks.first).to_be_visible()

    # 2. The header and the narratives; a date that does not exist is refused beside it.
    header = page.locator("section#header")
    header.get_by_label("Date of the request").fill("2029-03-31")
    header.get_by_label("Deadline requested").fill("2029-06-30")
    header.get_by_label("Language of the request").select_option(label="Spanish")
    header.get_by_label("Circumstances impeding compliance").fill(
        "Difficult terrain in the Cordillera del Cóndor and a lack of funding."
    )
    header.get_by_label("Humanitarian, economic, social and environmental implications").fill(
        "Communities of Amazonas cannot use their land."
    )
    header.get_by_role("button", name="Save").click()
    expect(messages(page)).to_contain_text("Saved.")
    deadline = page.locator("#id_requested_deadline")
    expect(deadline).to_be_focused()  # the first problem left: a deadline before the current one
    expect(deadline).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_requested_deadline-issues")).to_contain_text(
        "must come after the current one"
    )
    deadline.fill("2034-12-31")
    page.locator("section#header").get_by_role("button", name="Save").click()
    expect(messages(page)).to_contain_text("Saved.")
    expect(page.locator("#id_requested_deadline")).not_to_have_attribute("aria-invalid", "true")

    # 3. The remaining contamination, row by row.
    open_table(page, "Remaining contamination at submission")
    add_row(
        page,
        "remaining",
        {
            "Region": "Amazonas",
            "Hazard class": "confirmed hazardous area (CHA)",
            "Number of areas": "12",
            "Area (m²)": "150 000",
        },
    )
    add_row(
        page,
        "remaining",
        {"Region": "Amazonas", "Hazard class": "suspected hazardous area (SHA)", "Area (m²)": "x"},
        status=422,
    )
    beside = page.locator("#row-new-area_m2-errors")
    expect(beside).to_contain_text("Enter a number.")
    expect(page.locator("#row-new-area_m2")).to_have_value("x")  # what was typed stays
    page.locator("#row-new-area_m2").fill("40000")
    with page.expect_response(row_post("remaining")):
        page.locator("#row-new").get_by_role("button", name="Add a row").click()
    expect(page.locator("#rows tr.row")).to_have_count(2)
    first = page.locator("#rows tr.row").first
    first.get_by_label("Number of areas", exact=True).fill("13")
    with page.expect_response(row_post("remaining")) as changed:
        first.get_by_role("button", name="Save").click()
    assert changed.value.status == 200
    expect(
        page.locator("#rows tr.row").first.get_by_label("Number of areas", exact=True)
    ).to_have_value("13")

    # 4. The workplan's milestones, pasted whole from a spreadsheet.
    open_table(page, "Workplan milestones")
    page.get_by_role("textbox", name="The whole table").fill(
        "Year\tMethod\tNumber of areas\tArea (m²)\n"
        "2030\tcleared\t4\t40000\n2031\tcleared\t4\t40000\n"
        "2032\treduced\t\t60000\n2033\tcancelled\t\t50000\n"
    )
    page.get_by_role("button", name="Replace the table with these rows").click()
    expect(messages(page)).to_contain_text("The table now holds the 4 rows given.")
    expect(page.locator("#rows tr.row")).to_have_count(4)

    # 5. The budget, one row at a time.
    open_table(page, "Budget")
    add_row(
        page,
        "budget",
        {"Year": "2030", "Source": "national", "Amount": "500,000", "Currency": "USD"},
    )
    add_row(
        page,
        "budget",
        {
            "Year": "2030",
            "Source": "international, sought",
            "Amount": "1,200,000",
            "Currency": "usd",
        },
    )

    # 6. The signed request, then the review and the submission.
    page.goto(draft_url)
    expect(page.locator("section#checks")).to_contain_text(
        "Nothing keeps this draft from being submitted."
    )
    page.locator("section#document").get_by_label("The request as submitted (PDF)").set_input_files(
        {"name": "Solicitud de prórroga.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.locator("section#document").get_by_role("button", name="Attach").click()
    expect(messages(page)).to_contain_text("The document is attached.")
    page.get_by_role("link", name="Review what will be published, then submit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check what will be published")
    expect(page.locator("#summary-request")).to_contain_text("150\u202f000")
    page.get_by_role("button", name="Submit: make it public").click()
    expect(messages(page)).to_contain_text("The request is submitted")
    expect(page).to_have_url(re.compile(r"/clearance/\d+/$"))
    request_url = page.url
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "submitted")
    sign_out(page)

    # 7. A committee member asks a question in the workspace.
    sign_in(page, "committee_chair")
    page.goto(request_url)
    page.get_by_role("link", name="Analysis workspace").click()
    page.get_by_label("Question to the state").fill(QUESTION)
    page.get_by_role("button", name="Send the question").click()
    expect(messages(page)).to_contain_text("The question is sent to the state")
    sign_out(page)

    # 8. The state answers on the request's page.
    sign_in(page, "focal_point_peru")
    page.goto(request_url)
    question = page.locator("article.question").filter(has_text=QUESTION)
    question.get_by_label("Answer").fill(ANSWER)
    question.get_by_role("button", name="Send the answer").click()
    expect(messages(page)).to_contain_text("The answer is sent")
    sign_out(page)

    # 9. The committee member writes the analysis and publishes it.
    sign_in(page, "committee_chair")
    page.goto(request_url + "workspace/")
    analysis = page.locator("section#analysis")
    analysis.get_by_label("Summary of the request").fill(SUMMARY)
    analysis.get_by_label("Observations of the Committee").fill(
        "The workplan covers the remaining contamination by 2033."
    )
    analysis.get_by_role("button", name="Save the draft analysis").click()
    expect(messages(page)).to_contain_text("Version 1 of the analysis is saved as a draft")
    page.get_by_role("button", name="Publish version 1 of the analysis").click()
    expect(messages(page)).to_contain_text("Version 1 of the analysis is published")
    sign_out(page)

    # 10. ISU staff record the decision of the Meeting.
    sign_in(page, "isu_staff")
    page.goto(request_url + "workspace/")
    decision = page.locator("form.decision-form")
    decision.get_by_label("Outcome").select_option(label="granted with requests")
    meeting = decision.get_by_label("Meeting")
    options = meeting.locator("option").all_inner_texts()
    assert any("Meeting of the States Parties" in o for o in options), options
    meeting.select_option(index=1)
    decision.get_by_label("Decided on").fill("2029-11-28")
    decision.get_by_label("New deadline").fill("2034-12-31")
    decision.get_by_label("What the decision asks of the state").fill(
        "2031-04-30 An updated workplan with yearly milestones"
    )
    decision.get_by_role("button", name="Record the decision").click()
    expect(messages(page)).to_contain_text("The decision is recorded")
    expect(page.locator("#decision .new-deadline time")).to_have_attribute("datetime", "2034-12-31")
    sign_out(page)

    # 11. The public: the request with its answer and analysis, and the new deadline.
    page.goto(request_url)
    expect(page.locator("section#questions")).to_contain_text(ANSWER)
    expect(page.locator("section#analysis")).to_contain_text(SUMMARY)
    expect(page.locator("#decision .requirement")).to_contain_text("An updated workplan")
    page.locator("dl.request-facts").get_by_role("link", name="Peru").click()
    expect(page).to_have_url(re.compile(r"/states/PER/$"))
    current = page.locator("section#article5 dd.current-deadline time")
    expect(current).to_have_attribute("datetime", "2034-12-31")
    section = page.locator("section#extension-requests")
    expect(section.locator("td.outcome")).to_have_text("granted with requests")
    expect(section.locator("td.granted time")).to_have_attribute("datetime", "2034-12-31")
    expect(section.locator("li.requirement")).to_contain_text("An updated workplan")
    assert not errors, errors
