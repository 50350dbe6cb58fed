"""A focal point files an Article 5 extension request from the spreadsheet template, in a
real browser: downloads the empty template of their state, fills it as a spreadsheet is
filled, uploads it, fixes what the upload refuses, reviews and submits; the request is then
public. (The rest of the process, questions to decision, is ``test_browser.py``'s.)

On a server of this module's own: the request it submits is Peru's, which other browser
tests open as a draft on the shared server.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect

from minefree.clearance.tests.test_browser import messages, sign_in, watch_errors
from minefree.site.tests.browser import LiveServer, live_server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def own_server() -> Iterator[LiveServer]:
    with live_server() as server:
        yield server


@pytest.fixture
def page(chromium_browser: Browser, own_server: LiveServer) -> Iterator[Page]:
    context = chromium_browser.new_context(
        base_url=own_server.url, locale="en-GB", accept_downloads=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _fill(blank: Path, filled: Path, *, area: str) -> None:
    """What a mine action centre types into the template (``area`` of the first milestone
    as typed, so that a mistake can be made)."""
    wb = openpyxl.load_workbook(blank)
    cover = wb["Cover"]
    values = {row[0].value: row[1] for row in cover.iter_rows()}
    values["submitted_on"].value = dt.datetime(2029, 3, 31)
    values["requested_deadline"].value = "2034-12-31"
    for row in wb["Narratives"].iter_rows():
        if row[0].value == "impediments":
            row[2].value = "Difficult terrain in the Cordillera del Cóndor; a lack of funding."
        if row[0].value == "implications":
            row[2].value = "Communities of Amazonas cannot use their land."
    wb["remaining"].append(["Amazonas", "CHA", 12, 150000])
    wb["milestones"].append([2030, "cleared", 4, area])
    wb["milestones"].append([2031, "reduced", None, 110000])
    wb["budget"].append([2030, "international_sought", 1200000, "USD"])
    wb.save(filled)


def test_a_request_filed_from_the_template(page: Page, tmp_path: Path) -> None:
    errors = watch_errors(page)
    sign_in(page, "focal_point_peru")
    page.goto("/clearance/template/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the empty template for this state (XLSX)").click()
    blank = tmp_path / "blank.xlsx"
    download.value.save_as(blank)
    assert download.value.suggested_filename == "PER-extension-request-template.xlsx"

    # A value that is no number: the whole file is refused, the problem named by its place.
    wrong = tmp_path / "wrong.xlsx"
    _fill(blank, wrong, area="forty thousand")
    page.get_by_label("Filled XLSX template").set_input_files(wrong)
    page.get_by_role("button", name="Import into the draft").click()
    expect(messages(page)).to_contain_text("milestones")
    expect(messages(page)).to_contain_text("Enter a number.")

    # Corrected, it fills the draft; the focal point reviews it and submits it.
    right = tmp_path / "right.xlsx"
    _fill(blank, right, area="40 000")
    page.get_by_label("Filled XLSX template").set_input_files(right)
    page.get_by_role("button", name="Import into the draft").click()
    expect(messages(page)).to_contain_text("The workbook was imported into the draft")
    expect(page).to_have_url(re.compile(r"/clearance/v/\d+/$"))
    expect(page.locator("body")).to_contain_text("Cordillera del Cóndor")
    page.get_by_role("link", name="Review what will be published, then submit").click()
    page.get_by_role("button", name="Submit: make it public").click()
    expect(messages(page)).to_contain_text("submitted")

    # Public at once: anyone reads it, with the figures of the workbook.
    page.context.clear_cookies()
    page.goto("/clearance/")
    page.get_by_role("link", name=re.compile("Peru")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Peru: Article 5 extension request"
    )
    expect(page.locator("body")).to_contain_text("150\u202f000")
    assert errors == []
