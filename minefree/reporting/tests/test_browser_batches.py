"""ISU staff import a folder of workbooks in a real browser and watch the batch finish."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from minefree.reporting.exchange.xlsx import TEMPLATE_VERSION
from minefree.reporting.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def workbook(state: str, year: int, quantity: int) -> bytes:
    """A minimal MINEFREE-A7-1 workbook, as a state would fill it offline."""
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "Cover"
    for key, value in (("template", TEMPLATE_VERSION), ("state", state), ("year", year)):
        cover.append([key, value])
    cover.append(["kind", "annual"])
    cover.append(["submitted_at", f"{year + 1}-04-20T09:30:00+00:00"])
    sheet = wb.create_sheet("B.stockpile")
    sheet.append(["mine_type", "quantity"])
    sheet.append(["Type of mine", "Quantity"])
    sheet.append(["PMN-2", quantity])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_isu_staff_import_an_archive_and_see_each_file_result(browser_page: Page) -> None:
    page = browser_page
    sign_in(page, "isu_staff")
    page.goto("/reports/")
    page.get_by_role("link", name=re.compile("Bulk import")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulk import of Article 7 reports")
    page.get_by_label("Workbooks (.xlsx)").set_input_files(
        [
            {
                "name": "col-2016.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": workbook("COL", 2016, 120),
            },
            {
                "name": "sen-2016.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": workbook("SEN", 2016, 40),
            },
            {
                "name": "notes.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": b"minutes of the meeting",
            },
        ]
    )
    page.get_by_label(re.compile("as submitted reports of the past")).check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Import batch \d+"))
    # htmx asks for the next files by itself until the batch is done
    expect(page.locator("#batch-bar")).to_have_attribute("value", "3")
    expect(page.get_by_role("status")).to_have_text("3 of 3 files: 2 imported, 1 rejected")
    rejected = page.locator("tr.file-rejected")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("notes.xlsx")
    imported = page.locator("tr.file-imported")
    expect(imported).to_have_count(2)
    imported.filter(has_text="col-2016.xlsx").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Colombia: Article 7 report 2016")
    expect(page.locator("h1 .badge.submitted")).to_be_visible()
    expect(page.locator("dd.submitted-at")).to_contain_text("20 April 2017")
