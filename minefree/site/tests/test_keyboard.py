"""The Article 7 reporting flow with the keyboard alone, the focus always visible.

Peru's focal point signs in, opens the draft of a report, fills a narrative of Form J, saves it,
explains the warnings, reviews what will be published and submits: Tab, Shift+Tab, Enter,
Space and typing only (``page.keyboard``; no click, no fill). At each stop of the focus the
focused element shows it (an outline or a box shadow), and on each page the first Tab reaches
the "skip to content" link, shown on screen. The submission is then in the server's database.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from minefree.site.tests.browser import DEMO_PASSWORD, MINEFREE, REPO_ROOT, LiveServer, server_env

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

#: a year of Peru's that no other test of the shared live server drafts
YEAR = 2005
NARRATIVE = "Victims receive care in the regional hospitals of Amazonas and Cajamarca."
EXPLANATION = "Figures from the national mine action centre (CONTRAMINAS)."
#: most Tab presses to reach an element before the test gives up
MOST_TABS = 150
#: how long a page may take after a form is sent (submission publishes the report; the
#: machine running the tests may be busy)
AFTER_POST = 60_000

#: what the focused element is and whether it shows its focus
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";
  // Tab into a date field focuses one of its parts (day, month, year) inside the field, which
  // Chrome highlights itself; the field is then active without matching :focus
  const part = el.matches("input[type=date], input[type=time], input[type=datetime-local]")
    && !el.matches(":focus");
  const box = el.getBoundingClientRect();
  return {
    html: el.outerHTML.slice(0, 160),
    style: `outline: ${style.outlineStyle} ${style.outlineWidth}; box-shadow: ${style.boxShadow}`,
    shown: outline || shadow || part,
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && box.left < window.innerWidth,
  };
}"""


def focus_shown(page: Page) -> str | None:
    """The focused element's start tag if it is focused visibly; fails if it is not."""
    focused = page.evaluate(FOCUSED)
    if focused is None:
        return None
    assert focused["shown"], (
        f"the focus is not visible on {focused['html']} ({focused['style']}, {page.url})"
    )
    assert focused["onScreen"], f"the focused element is off screen: {focused['html']}"
    return str(focused["html"])


def is_focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate("(s) => document.activeElement.matches(s)", selector))


def tab_to(page: Page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the element matching ``selector`` has the focus,
    checking at each stop that the focus is visible."""
    key = "Shift+Tab" if backwards else "Tab"
    passed: list[str] = []
    for _ in range(MOST_TABS):
        page.keyboard.press(key)
        html = focus_shown(page)
        if html is not None and is_focused(page, selector):
            return
        passed.append(html or "(nothing)")
    raise AssertionError(f"{selector} not reached by {key} on {page.url}; passed: {passed[-20:]}")


#: the first element of the page that Tab can reach, in the order of the document
FIRST_TABBABLE = """() => [...document.querySelectorAll(
  "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]")]
  .find((el) => !el.disabled && el.tabIndex >= 0)?.outerHTML.slice(0, 160)"""


def skip_link_first(page: Page) -> None:
    """The page's first focusable element is the skip link to its main content."""
    first = page.evaluate(FIRST_TABBABLE)
    assert first and 'class="skip"' in first and 'href="#main"' in first, first


def skip_to_main(page: Page) -> None:
    """On a newly loaded page: the first Tab reaches the skip link, shown on screen; Enter
    follows it, so that the next Tab goes to the page's own content. A page opened at an
    anchor (``#warnings`` after an explanation) starts the Tabs from there instead.

    The page is first let finish loading: the address changes as soon as the new page
    starts, and keys pressed while it still loads may reach a field that loses them."""
    page.wait_for_load_state()
    skip_link_first(page)
    if urlsplit(page.url).fragment not in ("", "main"):
        return
    page.keyboard.press("Tab")
    assert is_focused(page, "a.skip[href='#main']"), (
        f"the first focusable element is not the skip link: {page.evaluate(FOCUSED)}"
    )
    focus_shown(page)  # on screen once focused, not only present
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def unexplained_warnings(page: Page) -> int:
    return page.locator("section#validation li.issue.warning:not(.explained)").count()


def submitted_version(server: LiveServer) -> str:
    """Status and submitter of Peru's report for YEAR, read through the ORM by ``minefree
    shell`` on the server's database."""
    code = (
        "from minefree.reporting.models import ReportVersion\n"
        "v = ReportVersion.objects.select_related('submitted_by').get("
        f"report__state__iso3='PER', report__year={YEAR}, number=1)\n"
        "print('version:', v.status, v.submitted_by.username if v.submitted_by else None)\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [*MINEFREE, "shell", "-c", code],
            cwd=REPO_ROOT,
            env={**os.environ, **server_env(server.database_url, Path(tmp))},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith("version:")]
    assert lines, done.stdout + done.stderr
    return lines[-1].removeprefix("version: ")


def test_report_drafted_and_submitted_with_the_keyboard_alone(
    browser_page: Page, live: LiveServer
) -> None:
    page = browser_page
    keyboard = page.keyboard

    # Sign in: the page puts the focus in its first field (the skip link is still first).
    page.goto("/sign-in/")
    skip_link_first(page)
    assert is_focused(page, "input[name='username']")
    focus_shown(page)
    keyboard.type("focal_point_peru")
    tab_to(page, "input[name='password']")
    keyboard.type(DEMO_PASSWORD)
    keyboard.press("Enter")
    expect(page.locator("header .user")).to_contain_text("focal_point_peru", timeout=AFTER_POST)

    # The main navigation: Article 7 reports; open the draft for YEAR.
    skip_to_main(page)
    tab_to(page, "header nav a[href$='/reports/']", backwards=True)
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/reports/$"))
    skip_to_main(page)
    keyboard.press("Tab")  # the skip link leaves the focus to the browser: main's first field
    assert is_focused(page, "section#own input[name='year']"), page.evaluate(FOCUSED)
    keyboard.press("Control+A")
    keyboard.type(str(YEAR))
    expect(page.locator("section#own input[name='year']")).to_have_value(str(YEAR))
    tab_to(page, "section#own form.open-report button[type='submit']")
    keyboard.press("Enter")
    expect(page.locator("ul.messages")).to_contain_text("The draft is open.", timeout=AFTER_POST)
    expect(page).to_have_url(re.compile(r"/reports/v/\d+/$"))
    draft_url = page.url
    version_path = re.sub(r"^https?://[^/]+", "", draft_url)

    # Form J: a narrative typed and saved.
    skip_to_main(page)
    tab_to(page, "section#forms a[href$='/forms/J/']")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Form J")
    skip_to_main(page)
    tab_to(page, "section#entry form.entry textarea")
    field_id = page.evaluate("document.activeElement.id")
    keyboard.type(NARRATIVE)
    tab_to(page, "section#entry form.entry button[type='submit']")
    keyboard.press("Enter")
    expect(page.locator("ul.messages")).to_contain_text("Saved.", timeout=AFTER_POST)
    expect(page.locator(f"#{field_id}")).to_have_value(NARRATIVE)

    # Back to the draft, no attachment: each warning explained in turn. (The saved page keeps
    # the focus on the field saved, so Shift+Tab goes back from there.)
    skip_link_first(page)
    tab_to(page, f"p.crumbs a[href='{version_path}']", backwards=True)
    keyboard.press("Enter")
    expect(page).to_have_url(draft_url)
    expect(page.locator("section#validation ul.errors")).to_have_count(0)
    while (remaining := unexplained_warnings(page)) > 0:
        skip_to_main(page)
        tab_to(page, "section#validation li.issue.warning:not(.explained) textarea")
        keyboard.type(EXPLANATION)
        tab_to(page, "section#validation li.issue.warning:not(.explained) button[type='submit']")
        keyboard.press("Enter")
        expect(page.locator("ul.messages")).to_contain_text(
            "Explanation saved.", timeout=AFTER_POST
        )
        assert unexplained_warnings(page) == remaining - 1

    # Review what will be published, then submit with the space bar.
    skip_to_main(page)
    tab_to(page, "section#submit a.button.submit")
    keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Check what will be published")
    skip_to_main(page)
    tab_to(page, "section#submit button.submit")
    keyboard.press("Space")
    expect(page.locator("ul.messages")).to_contain_text(
        "The report is submitted: it is now official and public.", timeout=AFTER_POST
    )
    expect(page.locator("h1 .badge.submitted")).to_have_text("submitted")

    assert submitted_version(live) == "submitted focal_point_peru"
