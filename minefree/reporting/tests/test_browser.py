"""An Article 7 report from the first draft to a public amendment, clicked in a real browser.

Debian's Chromium, driven by Playwright, against ``minefree runserver`` on a database of its
own with the reference data and the demo accounts (``minefree/site/tests/browser.py``); the
test never touches pytest-django's database. One browser page plays every person in turn:
Peru's focal point, the public, ISU staff, and the focal point again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import ConsoleMessage, Locator, Page, Response, expect

from minefree.site.tests.browser_fixtures import sign_in, sign_out

#: a year no other test of the live server drafts for Peru (the examples of docs/api.md draft
#: last year's report, the other live tests 2010-2016, 2020 and 2022)
YEAR = "2019"
QUESTION = "Please confirm the area in Amazonas"
REASON = "Re-survey of Amazonas"
EXPLANATION = "Figures from the national mine action centre (CONTRAMINAS)."
REMAINING_CHART = "Remaining mined area (Form C)"
RELEASED_CHART = "Land released by method (Form C)"


# --- helpers -------------------------------------------------------------------------------


def digits(text: str) -> str:
    """Only the digits: "20000", "20,000" and "20 000" (any space) all read 20000."""
    return re.sub(r"\D", "", text)


def watch_errors(page: Page) -> list[str]:
    """Uncaught exceptions and console errors of the page, as they happen.

    The one exception is the browser's own request for ``/favicon.ico``: the site has no
    icon, so that request is a 404 that no page of the site asked for.
    """
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if (message.location.get("url") or "").endswith("/favicon.ico"):
            return
        errors.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error on {page.url}: {exc}"))
    return errors


def row_post(letter: str) -> Callable[[Response], bool]:
    """Matches the htmx request that saves a row of this form."""

    def match(response: Response) -> bool:
        return (
            response.request.method == "POST"
            and response.request.headers.get("hx-request") == "true"
            and f"/forms/{letter}/rows/" in response.url
        )

    return match


def messages(page: Page) -> Locator:
    return page.locator("ul.messages")


def add_row(page: Page, letter: str, table: str, values: dict[str, str]) -> Locator:
    """Fill the "Add a row" line of a table, click it; the new row once htmx has swapped it in."""
    rows = page.locator(f"#rows-{table} tr.row")
    before = rows.count()
    add = page.locator(f"#add-{table}")
    for label, value in values.items():
        field = add.get_by_label(label, exact=True)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    with page.expect_response(row_post(letter)) as response:
        add.get_by_role("button", name="Add a row").click()
    assert response.value.status == 200
    expect(rows).to_have_count(before + 1)
    for label in values:  # the add line is reset for the next row
        expect(add.get_by_label(label, exact=True)).to_have_value("")
    row_id = rows.last.get_attribute("id")
    assert row_id and row_id.startswith("row-")
    return page.locator(f"#{row_id}")


def save_row(page: Page, letter: str, row: Locator, label: str, value: str) -> None:
    """Change one field of a row and click its Save button; returns once htmx has swapped it."""
    row.get_by_label(label, exact=True).fill(value)
    with page.expect_response(row_post(letter)) as response:
        row.get_by_role("button", name="Save").click()
    assert response.value.status == 200
    expect(row.get_by_label(label, exact=True)).to_have_value(value)


def explain_every_warning(page: Page) -> int:
    """On a draft's page, write an explanation for each warning listed; how many there were."""
    validation = page.locator("section#validation")
    expect(validation).to_be_visible()
    expect(validation.locator("ul.errors")).to_have_count(0)
    unexplained = validation.locator("ul.warnings > li.issue.warning:not(.explained)")
    count = unexplained.count()
    for remaining in range(count, 0, -1):
        warning = unexplained.first
        code = warning.locator("small.code").inner_text()
        assert re.fullmatch(r"MF-W\d\d", code), code
        warning.get_by_label("Explanation").fill(EXPLANATION)
        warning.get_by_role("button", name="Explain").click()
        expect(messages(page)).to_contain_text("Explanation saved.")
        expect(unexplained).to_have_count(remaining - 1)
    expect(unexplained).to_have_count(0)  # warnings left are explained (amendments copy them)
    expect(page.locator("section#submit p.error")).to_have_count(0)
    return count


def submit(page: Page) -> None:
    page.locator("section#submit").get_by_role(
        "link", name="Review what will be published, then submit"
    ).click()
    expect(page.locator("h1")).to_contain_text("Check what will be published")
    page.locator("section#submit").get_by_role(
        "button", name="Submit: make it official and public"
    ).click()
    expect(messages(page)).to_contain_text(
        "The report is submitted: it is now official and public."
    )
    expect(page.locator("h1 .badge.submitted")).to_have_text("submitted")
    expect(page.locator("section#validation")).to_have_count(0)


def chart_numbers(page: Page, title: str, year: str) -> list[str]:
    """The digits of each cell of a chart's data table, in the line of one year."""
    figure = page.locator("section#reporting figure.chart").filter(
        has=page.locator("figcaption", has_text=title)
    )
    expect(figure).to_have_count(1)
    expect(figure.locator("svg")).to_have_count(1)
    line = figure.locator("table.chart-data tbody tr").filter(
        has=page.locator("th", has_text=re.compile(rf"^\s*{year}\s*$"))
    )
    expect(line).to_have_count(1)
    return [digits(cell) for cell in line.locator("td").all_inner_texts()]


def history_line(page: Page, year: str) -> Locator:
    line = page.locator("section#reporting table.reporting-history tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(rf"^\s*{year}\s*$"))
    )
    expect(line).to_have_count(1)
    return line


# --- the scenario --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_draft_fix_submit_publish_clarify_amend_and_compare(browser_page: Page) -> None:
    page = browser_page
    errors = watch_errors(page)

    # 1. Peru's focal point signs in and opens the report for 2025.
    sign_in(page, "focal_point_peru")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Article 7 reports"
    ).click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    own = page.locator("section#own")
    own.get_by_label("Open the report for year").fill(YEAR)
    own.get_by_role("button", name="Open", exact=True).click()
    expect(messages(page)).to_contain_text("The draft is open.")
    expect(page).to_have_url(re.compile(r"/reports/v/\d+/$"))
    v1_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Peru: Article 7 report {YEAR}")
    expect(page.locator("h1 small.code")).to_have_text("version 1")
    expect(page.locator("h1 .badge.draft")).to_have_text("draft")
    # Peru has an open Article 5 obligation and Form C is still empty: MF-W05 says so.
    validation = page.locator("section#validation")
    expect(validation.locator("li.issue.warning").filter(has_text="MF-W05")).to_have_count(2)

    # 2. Form B: the stockpile.
    forms = page.locator("section#forms")
    forms.get_by_role("link", name="Form B: Stockpiled anti-personnel mines").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Form B")
    stockpile = add_row(page, "B", "stockpile", {"Type of mine": "PMN-2", "Quantity": "120"})
    expect(stockpile.get_by_label("Type of mine", exact=True)).to_have_value("PMN-2")
    expect(stockpile.get_by_label("Quantity", exact=True)).to_have_value("120")
    expect(stockpile.locator(".issue")).to_have_count(0)
    expect(page.locator("#issue-count")).to_have_attribute("data-issues", "0")

    # Form C: a mined area, then land released, first with a negative area.
    page.locator("nav.form-nav").get_by_role("link", name="Form C →").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Form C")
    mined = add_row(
        page,
        "C",
        "mined_areas",
        {
            "Administrative region": "Amazonas",
            "Hazard class": "confirmed hazardous area (CHA)",
            "Number of areas": "3",
            "Area (m²)": "150000",
        },
    )
    expect(mined.get_by_label("Hazard class", exact=True)).to_have_value("CHA")
    expect(mined.get_by_label("Area (m²)", exact=True)).to_have_value("150000")
    expect(mined.locator(".issue")).to_have_count(0)
    # Validation while typing: leaving a field saves the row and shows its problems at once.
    mined.get_by_label("Number of areas", exact=True).fill("-3")
    with page.expect_response(row_post("C")):
        mined.get_by_label("Number of areas", exact=True).press("Tab")
    expect(mined.locator(".issue.error[data-code='MF-E01']")).to_have_count(1)
    mined.get_by_label("Number of areas", exact=True).fill("3")
    with page.expect_response(row_post("C")):
        mined.get_by_label("Number of areas", exact=True).press("Tab")
    expect(mined.locator(".issue")).to_have_count(0)

    released = add_row(
        page,
        "C",
        "land_release",
        {
            "Administrative region": "Amazonas",
            "Method": "cleared",
            "Area (m²)": "-20000",
            "AP mines destroyed": "12",
        },
    )
    negative = released.locator("td.has-issues .issue.error[data-code='MF-E01']")
    expect(negative).to_have_count(1)
    expect(negative).to_contain_text("cannot be negative")
    expect(negative).to_contain_text("Area (m²)")
    expect(released.locator("td.has-issues")).to_have_count(1)
    expect(page.locator("#issue-count")).to_have_attribute("data-issues", "1")  # out of band
    expect(page.locator("#issue-count")).to_contain_text("1 issue on this form")

    save_row(page, "C", released, "Area (m²)", "20000")
    expect(released.locator("[data-code='MF-E01']")).to_have_count(0)
    expect(released.locator(".issue")).to_have_count(0)
    expect(released.locator("td.has-issues")).to_have_count(0)
    expect(released.get_by_label("AP mines destroyed", exact=True)).to_have_value("12")
    expect(page.locator("#issue-count")).to_have_attribute("data-issues", "0")

    # A wrong declared total: the finding is beside its field, which keeps the focus.
    entry = page.locator("section#entry")
    total = page.locator("#total-mined_areas")
    total.fill("100000")
    entry.get_by_role("button", name="Save").click()
    expect(messages(page)).to_contain_text("Saved.")
    expect(total).to_be_focused()
    expect(total).to_be_in_viewport()
    expect(total).to_have_attribute("aria-invalid", "true")
    beside = total.locator("xpath=..").locator("ul.field-issues li.issue.error")
    expect(beside).to_contain_text("differs from the sum of the rows")
    summary = page.locator("#issue-count ul.summary a[href='#total-mined_areas']")
    expect(summary).to_contain_text("differs from the sum of the rows")
    total.fill("150000")
    entry.get_by_role("button", name="Save").click()
    expect(page.locator("#issue-count")).to_have_attribute("data-issues", "0")
    expect(page.locator("ul.field-issues")).to_have_count(0)

    # Form D: retained mines that do not balance (100 − 10 used ≠ 95): a warning, not an error.
    page.locator("nav.form-nav").get_by_role("link", name="Form D →").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Form D")
    retained = add_row(
        page,
        "D",
        "retained",
        {
            "Institution authorised": "Army engineers",
            "Type of mine": "PMN-2",
            "Quantity": "95",
            "Purpose": "retained for training and development",
            "At the start of the year": "100",
            "Used or consumed": "10",
            "At the end of the year": "95",
        },
    )
    expect(retained.locator(".issue.error")).to_have_count(0)

    # 3. Back on the version page: explain what it lists, then submit.
    page.locator("p.crumbs").get_by_role("link", name=f"Peru, {YEAR}, version 1").click()
    expect(page).to_have_url(v1_url)
    expect(
        page.locator("section#forms tr").filter(has_text="Form C: Mined areas").locator("td.num")
    ).to_have_text("2")
    expect(validation.locator("li.issue.warning").filter(has_text="MF-W05")).to_have_count(0)
    expect(validation.locator("li.issue.warning").filter(has_text="MF-W02")).to_have_count(1)
    assert explain_every_warning(page) >= 1
    submit(page)
    expect(page.locator("dd.submitted-at")).to_contain_text("by focal_point_peru")

    # 4. The public sees it at once on Peru's page.
    sign_out(page)
    page.goto("/states/PER/")
    reporting = page.locator("section#reporting")
    expect(reporting).to_be_visible()
    line = history_line(page, YEAR)
    expect(line.get_by_role("link", name=re.compile(r"^version \d+$"))).to_have_count(1)
    expect(line.get_by_role("link", name="version 1", exact=True)).to_have_count(1)
    assert "20000" in chart_numbers(page, RELEASED_CHART, YEAR)
    assert "150000" in chart_numbers(page, REMAINING_CHART, YEAR)

    # 5. ISU staff ask for clarification on Form C.
    sign_in(page, "isu_staff")
    page.goto("/reports/")
    latest = page.locator("section#latest table.latest-versions tbody tr").filter(has_text="Peru")
    latest.filter(has_text=YEAR).get_by_role("link", name="version 1", exact=True).click()
    expect(page).to_have_url(v1_url)
    ask = page.locator("section#clarifications form.ask")
    ask.get_by_label("Ask for clarification on Form").select_option("C")
    ask.get_by_label("Question").fill(QUESTION)
    ask.get_by_role("button", name="Send the question").click()
    expect(messages(page)).to_contain_text("The question has been sent to the state.")
    question = page.locator("section#clarifications article.clarification.open")
    expect(question).to_have_count(1)
    expect(question.locator("blockquote")).to_have_text(QUESTION)
    expect(question.get_by_role("link", name="Form C")).to_be_visible()
    sign_out(page)

    # 6. The focal point amends the report to answer the question.
    sign_in(page, "focal_point_peru")
    page.goto("/reports/")
    # the line of this year's report: the live server may hold Peru's reports of other
    # years, opened by the live tests that ran before on it
    own_line = page.locator("section#own table.own-reports tbody tr").filter(
        has=page.locator("td:nth-child(2)", has_text=re.compile(rf"^\s*{YEAR}\b"))
    )
    own_line.get_by_role("link", name="version 1", exact=True).click()
    expect(page).to_have_url(v1_url)
    question = page.locator("section#clarifications article.clarification.open")
    expect(question.locator("blockquote")).to_have_text(QUESTION)
    amend = question.locator("form").filter(
        has=page.get_by_role("button", name="Amend to answer this question")
    )
    amend.get_by_label("Or amend the report to answer it; reason for the amendment").fill(REASON)
    amend.get_by_role("button", name="Amend to answer this question").click()
    expect(messages(page)).to_contain_text("An amendment is open as a draft")
    expect(page).to_have_url(re.compile(r"/reports/v/\d+/$"))
    assert page.url != v1_url
    v2_url = page.url
    expect(page.locator("h1 small.code")).to_have_text("version 2")
    expect(page.locator("h1 .badge.draft")).to_have_text("draft")
    expect(page.locator("dd.amendment-reason")).to_have_text(REASON)

    page.locator("section#forms").get_by_role("link", name="Form C: Mined areas").click()
    mined = page.locator("#rows-mined_areas tr.row")
    expect(mined).to_have_count(1)  # copied from version 1
    expect(mined.get_by_label("Area (m²)", exact=True)).to_have_value("150000")
    save_row(page, "C", mined, "Area (m²)", "140000")
    expect(mined.locator(".issue")).to_have_count(0)
    # the declared total copied from version 1 no longer matches: the summary links to it
    expect(page.locator("#issue-count")).to_have_attribute("data-issues", "1")
    page.locator("#issue-count ul.summary a[href='#total-mined_areas']").click()
    expect(page.locator("#total-mined_areas")).to_be_focused()
    page.locator("#total-mined_areas").fill("140000")
    page.locator("section#entry").get_by_role("button", name="Save").click()
    expect(page.locator("#issue-count")).to_have_attribute("data-issues", "0")

    page.locator("nav.form-nav").get_by_role("link", name="All forms").click()
    expect(page).to_have_url(re.compile(re.escape(v2_url) + "#forms$"))
    explain_every_warning(page)
    submit(page)
    expect(page.locator("h1 small.code")).to_have_text("version 2")
    page.goto(v1_url)  # the question on version 1 is answered by the amendment
    answered = page.locator("section#clarifications article.clarification")
    expect(answered).not_to_have_class(re.compile(r"\bopen\b"))
    expect(answered).to_contain_text("Answered by an amendment:")
    expect(answered.get_by_role("link", name="version 2", exact=True)).to_have_attribute(
        "href", re.compile(r"/reports/v/\d+/$")
    )

    # 7. The public sees version 2, and what changed since version 1.
    sign_out(page)
    page.goto("/states/PER/")
    remaining = chart_numbers(page, REMAINING_CHART, YEAR)
    assert "140000" in remaining
    assert "150000" not in remaining
    assert "20000" in chart_numbers(page, RELEASED_CHART, YEAR)
    line = history_line(page, YEAR)
    expect(line.get_by_role("link", name=re.compile(r"^version \d+$"))).to_have_text(
        ["version 1", "version 2"]
    )

    line.get_by_role("link", name="version 2", exact=True).click()
    expect(page).to_have_url(v2_url)
    expect(page.locator("h1 .badge.submitted")).to_have_text("submitted")
    expect(page.locator("dd.amendment-reason")).to_have_text(REASON)
    page.locator("section#versions").get_by_role("link", name="differences from version 1").click()
    expect(page).to_have_url(re.compile(r"/reports/compare/\?from=\d+&to=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Differences")
    expect(page.locator("main")).to_contain_text(REASON)
    form_c = page.locator("section.diff").filter(
        has=page.get_by_role("heading", name=re.compile(r"^Form C"))
    )
    changed = form_c.locator("tr.diff-changed li").filter(has_text="Area")
    expect(changed).to_have_count(1)
    assert digits(changed.locator("del").inner_text()) == "150000"
    assert digits(changed.locator("ins").inner_text()) == "140000"

    assert errors == []


# Text in an input or a choice that is wider than its box: cut off for the reader.
CUT_OFF = """element => {
  const style = getComputedStyle(element);
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  if (element.tagName !== "SELECT") { return element.scrollWidth > element.clientWidth; }
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = element.options[element.selectedIndex].text;
  return canvas.measureText(text).width + padding > element.clientWidth;
}"""


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_form_c_shows_whole_values_and_grouped_figures_on_a_laptop_screen(
    browser_page: Page,
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "delegate_peru")
    page.goto("/reports/")
    own = page.locator("section#own")
    own.get_by_label("Open the report for year").fill("2022")
    own.get_by_role("button", name="Open", exact=True).click()
    expect(page).to_have_url(re.compile(r"/reports/v/\d+/$"))
    page.locator("section#forms").get_by_role("link", name="Form C: Mined areas").click()
    row = add_row(
        page,
        "C",
        "mined_areas",
        {
            "Administrative region": "Huancavelica, provincia de Tayacaja",
            "Hazard class": "confirmed hazardous area (CHA)",
            "Number of areas": "12",
            "Area (m²)": "1250000",
        },
    )
    for label in ("Administrative region", "Hazard class", "Area (m²)"):
        field = row.get_by_label(label, exact=True)
        assert not field.evaluate(CUT_OFF), f"{label} is cut off at 1366 px"
    expect(row.locator("small.grouped")).to_have_text(re.compile(r"^1\D250\D000$"))
    # the table still fits the screen: no horizontal scrolling needed to reach "Save"
    save = row.get_by_role("button", name="Save")
    box = save.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1366


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_a_row_added_to_a_form_marked_not_applicable_is_no_conflict_for_its_total(
    browser_page: Page,
) -> None:
    """Adding a row marks the form changed, a new version of the form's entry: the page's
    mark and totals forms take it out of band, so the writer's own row is no conflict."""
    page = browser_page
    errors = watch_errors(page)
    sign_in(page, "delegate_peru")
    page.goto("/reports/")
    own = page.locator("section#own")
    own.get_by_label("Open the report for year").fill("2020")
    own.get_by_role("button", name="Open", exact=True).click()
    expect(page).to_have_url(re.compile(r"/reports/v/\d+/$"))
    page.locator("section#forms").get_by_role("link", name="Form B: Stockpiled").click()
    status = page.locator("#form-status")
    status.get_by_label("not applicable").check()
    status.get_by_role("button", name="Save the mark").click()
    expect(messages(page)).to_contain_text("The mark of the form is saved.")
    held = page.locator("#entry-version").input_value()

    add_row(page, "B", "stockpile", {"Type of mine": "PMN-2", "Quantity": "120"})
    expect(status.get_by_label("changed", exact=True)).to_be_checked()
    expect(page.locator("#entry-version")).not_to_have_value(held)
    expect(page.locator("#mark-version")).to_have_value(
        page.locator("#entry-version").input_value()
    )
    page.locator("#total-stockpile").fill("120")
    page.locator("section#entry").get_by_role("button", name="Save").click()
    expect(messages(page)).to_contain_text("Saved.")
    expect(page.locator("#total-stockpile")).to_have_value("120")
    expect(page.locator("section#entry p.error")).to_have_count(0)
    assert errors == []
