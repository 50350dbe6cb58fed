"""Accessibility: axe-core finds no serious or critical WCAG 2.1 A/AA problem on any page type.

One server for the module, its database filled once with the synthetic demo (the same loaders
as ``bin/demo``) plus a draft report and a draft extension request of Peru's focal point.
Each page is loaded in a browser context already signed in as the person who sees it, then
axe-core (the npm package of ``package.json``, installed into ``node_modules/`` by
``bin/test``) checks it against the WCAG 2.0/2.1 A and AA rules.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from minefree.site.tests.browser import (
    DEMO_PASSWORD,
    REPO_ROOT,
    LiveServer,
    live_server,
    run_command,
    server_env,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

#: the demo loaders of ``bin/demo``
DEMO = [
    "load-demo-history",
    "load-demo-cooperation",
    "load-demo-extensions",
    "load-demo-fund",
    "load-demo-documents",
]
#: then what only a focal point's drafting shows, and a published practice
DRAFTS = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from minefree.clearance.services import request_open
from minefree.knowledge.models import Practice
from minefree.knowledge.services import practice_publish
from minefree.registry.models import Actor
from minefree.reporting.services import report_open
users = get_user_model().objects
focal_point = users.get(username="focal_point_peru")
peru = Actor.objects.get(iso3="PER")
report_open(actor=focal_point, state=peru, year=timezone.localdate().year)
request_open(actor=focal_point, state=peru)
practice_publish(actor=users.get(username="isu_staff"), practice=Practice.objects.order_by("pk").first())
"""

#: axe's run over the whole document; what it reports, reduced to what a failure names
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  const brief = (rule) => ({
    id: rule.id, impact: rule.impact, help: rule.help,
    targets: rule.nodes.map((node) => node.target.join(" ")),
  });
  return {violations: result.violations.map(brief), incomplete: result.incomplete.map(brief)};
}"""


@dataclass(frozen=True)
class PageType:
    """A page type: who looks at it and how its address is found in the module's database."""

    role: str | None  # a demo account, None for the public
    path: Callable[[LiveServer], str]
    #: an unknown address: the server (in DEBUG) answers 404 with Django's technical page, so
    #: the page checked is the site's own, as a server in production renders it
    not_found: bool = False


def fixed(path: str) -> Callable[[LiveServer], str]:
    return lambda server: path


def first(sql: str, template: str) -> Callable[[LiveServer], str]:
    """The address of the first row an SQL query finds, put into ``template``."""

    def path(server: LiveServer) -> str:
        rows = server.query(sql)
        assert rows, f"the demo data has no row for {sql!r}"
        return template.format(*rows[0])

    return path


PERU_VERSIONS = (
    "SELECT v.id FROM reporting_reportversion v"
    " JOIN reporting_article7report r ON r.id = v.report_id"
    " JOIN registry_actor a ON a.id = r.state_id"
    " WHERE a.iso3 = 'PER' AND v.status = '{}' ORDER BY r.year DESC, v.number DESC"
)
PUBLISHED_REPORT = first(PERU_VERSIONS.format("submitted"), "/reports/v/{}/")
DRAFT = PERU_VERSIONS.format("draft")
REQUESTS = "SELECT id FROM clearance_extensionrequest WHERE status = '{}' ORDER BY id"

NOT_FOUND = "/no-such-page/"

PAGES: dict[str, PageType] = {
    # the public
    "home": PageType(None, fixed("/")),
    "country list": PageType(None, fixed("/states/")),
    "country page": PageType(None, fixed("/states/PER/")),
    "Article 7 report": PageType(None, PUBLISHED_REPORT),
    "open data": PageType(None, fixed("/reports/data/")),
    "cooperation needs": PageType(None, fixed("/cooperation/needs/")),
    "cooperation offers": PageType(None, fixed("/cooperation/offers/")),
    "knowledge search": PageType(None, fixed("/knowledge/?q=clearance")),
    "practice": PageType(
        None,
        first(
            "SELECT id FROM knowledge_practice WHERE status = 'published'",
            "/knowledge/practices/{}/",
        ),
    ),
    "fund": PageType(None, fixed("/fund/")),
    "indicators tree": PageType(None, fixed("/indicators/")),
    "indicator drill-down": PageType(None, fixed("/indicators/oap-48-report-submitted/?year=2024")),
    "extension request analysis": PageType(
        None, first(REQUESTS.format("analysis_published"), "/clearance/{}/")
    ),
    "knowledge documents": PageType(None, fixed("/knowledge/documents/")),
    "knowledge document": PageType(
        None, first("SELECT id FROM knowledge_document ORDER BY id", "/knowledge/documents/{}/")
    ),
    "committee documents": PageType(None, fixed("/indicators/documents/")),
    "committee document": PageType(
        None,
        first(
            "SELECT id FROM indicators_committeedocument ORDER BY id", "/indicators/documents/{}/"
        ),
    ),
    "sign-in": PageType(None, fixed("/sign-in/")),
    "not found": PageType(None, fixed(NOT_FOUND), not_found=True),
    # Peru's focal point
    "focal point dashboard": PageType("focal_point_peru", fixed("/account/")),
    "focal point reports and import": PageType("focal_point_peru", fixed("/reports/")),
    "report draft": PageType("focal_point_peru", first(DRAFT, "/reports/v/{}/")),
    "report form with entries": PageType(
        "focal_point_peru", first(DRAFT, "/reports/v/{}/forms/A/")
    ),
    "report form with tables and attachments": PageType(
        "focal_point_peru", first(DRAFT, "/reports/v/{}/forms/C/")
    ),
    "report review before submission": PageType(
        "focal_point_peru", first(DRAFT, "/reports/v/{}/submit/")
    ),
    "extension request template import": PageType(
        "focal_point_peru", fixed("/clearance/template/")
    ),
    "extension request drafting": PageType(
        "focal_point_peru",
        first(
            "SELECT id FROM clearance_requestversion WHERE status = 'draft' ORDER BY id",
            "/clearance/v/{}/",
        ),
    ),
    "need form": PageType("focal_point_peru", fixed("/cooperation/needs/new/PER/")),
    # a committee member
    "committee workspace": PageType("committee_chair", fixed("/cooperation/workspace/")),
    "individualised approach cases": PageType("committee_chair", fixed("/cooperation/cases/")),
    "individualised approach case": PageType(
        "committee_chair",
        first(
            "SELECT id FROM casework_individualisedapproachcase ORDER BY id",
            "/cooperation/cases/{}/",
        ),
    ),
    "extension request workspace": PageType(
        "committee_chair", first(REQUESTS.format("under_analysis"), "/clearance/{}/workspace/")
    ),
    "fund review": PageType("committee_chair", fixed("/fund/review/")),
    "fund application in review": PageType(
        "committee_chair",
        first(
            "SELECT id FROM fund_application WHERE status = 'in_review' ORDER BY id",
            "/fund/applications/{}/",
        ),
    ),
    # ISU staff
    "follow-ups": PageType("isu_staff", fixed("/follow-ups/")),
    "bulk import": PageType("isu_staff", fixed("/reports/import/batches/")),
    "compliance": PageType("isu_staff", fixed("/reports/compliance/")),
}

#: public pages checked once more in French
FRENCH = ["/", "/states/PER/", "/knowledge/?q=d%C3%A9minage", "/sign-in/", NOT_FOUND]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` at the repository's root (bin/test does)")
    # one command at a time, not server_set_up_with: on a busy machine the whole demo takes
    # longer than the 120 s that gives its one command
    with live_server() as server, tempfile.TemporaryDirectory() as tmp:
        env, log = server_env(server.database_url, Path(tmp)), Path(tmp) / "setup.log"
        for command in DEMO:
            run_command([command], env, log)
        run_command(["shell", "-c", DRAFTS], env, log)
        yield server


@pytest.fixture(scope="module")
def context_of(
    chromium_browser: Browser, server: LiveServer
) -> Iterator[Callable[[str | None], BrowserContext]]:
    """One browser context per person, each signed in once (the public's is not)."""
    made: dict[str | None, BrowserContext] = {}

    def of(role: str | None) -> BrowserContext:
        if role not in made:
            # axe is injected as an inline script, which the site's CSP (rightly) blocks
            context = chromium_browser.new_context(
                base_url=server.url, locale="en-GB", bypass_csp=True
            )
            context.set_default_timeout(10_000)
            if role is not None:
                page = context.new_page()
                page.goto("/sign-in/")
                page.get_by_label("Username").fill(role)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in", exact=True).click()
                expect(page.locator("header .user").get_by_role("link", name=role)).to_be_visible()
                page.close()
            made[role] = context
        return made[role]

    yield of
    for context in made.values():
        context.close()


def open_page(page: Page, path: str, *, not_found: bool = False) -> None:
    """Go to ``path``; for an unknown address, show the site's "not found" page in its place."""
    response = page.goto(path)
    assert response is not None, path
    if not not_found:
        assert response.status == 200, (path, response.status)
        return
    assert response.status == 404, (path, response.status)
    page.set_content(site_not_found_page(path))


def site_not_found_page(path: str) -> str:
    """The page Django's ``page_not_found`` (``DEBUG`` off) renders for ``path``: the site's
    ``404.html``, in the language of the address."""
    from django.http import Http404
    from django.test import RequestFactory
    from django.utils import translation
    from django.views.defaults import page_not_found

    request = RequestFactory().get(path)
    with translation.override(translation.get_language_from_path(path) or "en"):
        return page_not_found(request, Http404()).content.decode()


def axe_problems(page: Page) -> list[str]:
    """Each serious or critical WCAG A/AA violation axe finds on the page, one line a rule.

    Also a failure: an ARIA attribute naming an id the page does not have (axe leaves it
    "incomplete" in case a script adds it later; no script of minefree does), such as the
    ``aria-describedby`` Django gives a field with help text that the template did not show.
    """
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE, WCAG_TAGS)
    blocking = [rule for rule in found["violations"] if rule["impact"] in BLOCKING]
    blocking += [rule for rule in found["incomplete"] if rule["id"] == "aria-valid-attr-value"]
    return [
        f"{rule['impact']} {rule['id']}: {rule['help']} at {', '.join(rule['targets'][:8])}"
        for rule in blocking
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_violation(
    name: str, server: LiveServer, context_of: Callable[[str | None], BrowserContext]
) -> None:
    kind = PAGES[name]
    page = context_of(kind.role).new_page()
    try:
        path = kind.path(server)
        open_page(page, path, not_found=kind.not_found)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        problems = axe_problems(page)
        assert not problems, f"{name} ({path}):\n" + "\n".join(problems)
    finally:
        page.close()


def test_french_pages_say_they_are_french(
    server: LiveServer, context_of: Callable[[str | None], BrowserContext]
) -> None:
    page = context_of(None).new_page()
    try:
        failures: list[str] = []
        for path in FRENCH:
            open_page(page, f"/fr{path}", not_found=path == NOT_FOUND)
            lang = page.locator("html").get_attribute("lang")
            if lang != "fr":
                failures.append(f"/fr{path}: html lang={lang!r}")
            failures += [f"/fr{path}: {problem}" for problem in axe_problems(page)]
        assert not failures, "\n".join(failures)
    finally:
        page.close()
