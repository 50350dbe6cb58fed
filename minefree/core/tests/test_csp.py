"""The Content-Security-Policy every response carries, and the scan that keeps the pages
within it: no inline script, style, event handler or ``javascript:`` address in a template
or in the HTML that Python builds.

API answers (JSON, the PDF and DOCX downloads) carry the same header: it costs nothing and a
response opened in a browser by mistake is held to the same policy.
"""

from __future__ import annotations

import io
import re
import runpy
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, override_settings
from pypdf import PdfReader

from minefree.accounts.tests.factories import make_user
from minefree.core.documents import html_pdf, static_file

PACKAGE = Path(__file__).resolve().parents[2]

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def directives(header: str) -> dict[str, list[str]]:
    """``"a x y; b z"`` as ``{"a": ["x", "y"], "b": ["z"]}``."""
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        assert name not in parsed, f"{name} twice in {header!r}"
        parsed[name] = values
    return parsed


def assert_protected(response: Any) -> None:
    assert "Content-Security-Policy-Report-Only" not in response
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


# The header


@pytest.mark.django_db
def test_a_public_page_carries_the_policy_also_from_the_page_cache():
    client = Client()
    first = client.get("/")
    again = client.get("/")  # a public page: the second answer may come from the page cache
    assert first.status_code == again.status_code == 200
    assert "text/html" in first["Content-Type"]
    assert_protected(first)
    assert_protected(again)


@pytest.mark.django_db
def test_a_signed_in_page_carries_the_policy():
    client = Client()
    client.force_login(make_user("peru-fp", "state_focal_point", scope="PER"))
    response = client.get("/account/")
    assert response.status_code == 200
    assert "peru-fp" in response.content.decode()
    assert_protected(response)


@pytest.mark.django_db
def test_the_not_found_and_refused_pages_carry_the_policy():
    client = Client()
    assert_protected(missing := client.get("/no-such-page/"))
    assert missing.status_code == 404
    client.force_login(make_user("no-role"))
    refused = client.get("/cooperation/workspace/")
    assert refused.status_code == 403
    assert_protected(refused)


@override_settings(ROOT_URLCONF="minefree.core.tests.urls_errors")
def test_the_error_page_carries_the_policy():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert_protected(response)


@pytest.mark.django_db
def test_api_answers_carry_the_policy_too():
    response = Client().get("/api/states/PER")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert_protected(response)


def settings_with(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """minefree's settings as they are read with these environment variables."""
    for name in ("MINEFREE_CSP_REPORT_ONLY", "MINEFREE_CSP_REPORT_URI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(PACKAGE / "settings.py"))


@pytest.mark.django_db
def test_report_only_mode_reports_the_same_policy_and_blocks_nothing(monkeypatch):
    enforced = settings_with(monkeypatch)
    assert enforced["CONTENT_SECURITY_POLICY"] == {"DIRECTIVES": POLICY}
    assert enforced["CONTENT_SECURITY_POLICY_REPORT_ONLY"] is None
    rollout = settings_with(
        monkeypatch, MINEFREE_CSP_REPORT_ONLY="1", MINEFREE_CSP_REPORT_URI="/csp-reports/"
    )
    assert rollout["CONTENT_SECURITY_POLICY"] is None
    with override_settings(
        CONTENT_SECURITY_POLICY=None,
        CONTENT_SECURITY_POLICY_REPORT_ONLY=rollout["CONTENT_SECURITY_POLICY_REPORT_ONLY"],
    ):
        response = Client().get("/")
    assert "Content-Security-Policy" not in response
    reported = directives(response["Content-Security-Policy-Report-Only"])
    assert reported == {**POLICY, "report-uri": ["/csp-reports/"]}


def test_the_running_settings_enforce_the_policy():
    assert settings.CONTENT_SECURITY_POLICY == {"DIRECTIVES": POLICY}
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE


# The print pages: their stylesheets are linked, and the PDF still reads them


def test_a_printed_document_reads_its_linked_stylesheet():
    doc = {"language": "en", "title": "Title", "subtitle": "Sub", "footer": "Printed for CSP"}
    html = render_to_string("core/print.html", {"doc": doc})
    assert "<style" not in html and "/static/core/print.css" in html
    page = PdfReader(io.BytesIO(html_pdf(html))).pages[0]
    # the footer and the page number come from core/print.css's @page rules
    assert "Printed for CSP" in page.extract_text() and "1 / 1" in page.extract_text()


@pytest.mark.parametrize(
    "name", ["core/print.css", "reporting/print.css", "clearance/print.css", "indicators/print.css"]
)
def test_the_print_stylesheets_are_found_where_weasyprint_asks(name):
    found = static_file(f"file:///static/{name}")
    assert found is not None and found.is_file()
    assert found.as_posix().endswith(f"/static/{name}")
    assert static_file("file:///etc/passwd") is None
    assert static_file(f"https://example.org/static/{name}") is None


# The scan: what a policy without 'unsafe-inline' and 'unsafe-eval' would block

#: an inline script (a JSON data block is not run, so the policy lets it be)
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*[\"']application/(ld\+)?json)[^>]*>", re.I
)
#: a tag's own style, event handler, or htmx handler (run with eval)
ATTRIBUTES = {
    "inline style attribute": re.compile(r"\sstyle\s*=", re.I),
    "inline event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on handler (needs eval)": re.compile(r"\shx-on[:-]", re.I),
}
ANYWHERE = {
    "inline <script>": INLINE_SCRIPT,
    "inline <style>": re.compile(r"<style\b", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
}
TAG = re.compile(r"<[a-z][^<>]*>", re.I | re.S)


def findings(text: str) -> Iterator[tuple[int, str]]:
    """(offset, what) of each inline script, style or handler in HTML or a piece of it."""
    for what, pattern in ANYWHERE.items():
        for match in pattern.finditer(text):
            yield match.start(), what
    for tag in TAG.finditer(text):
        for what, pattern in ATTRIBUTES.items():
            for match in pattern.finditer(tag.group()):
                yield tag.start() + match.start(), what


def python_findings(text: str) -> Iterator[tuple[int, str]]:
    """Findings in a Python module's string literals, which may hold a piece of a tag
    (``' width="{1}" style="..."'``): attributes count there outside a whole tag too."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.STRING:
            continue
        offset = starts[token.start[0] - 1] + token.start[1]
        seen = set()
        for at, what in findings(token.string):
            seen.add(at)
            yield offset + at, what
        for what, pattern in ATTRIBUTES.items():
            for match in pattern.finditer(token.string):
                if match.start() not in seen:
                    yield offset + match.start(), what


def scanned_files() -> Iterator[Path]:
    """Every template, and every module outside the tests (HTML is built with
    ``format_html``, ``mark_safe`` or plain strings)."""
    for path in sorted(PACKAGE.rglob("*")):
        parts = set(path.relative_to(PACKAGE).parts)
        if not path.is_file() or "tests" in parts or "migrations" in parts:
            continue
        if path.suffix in {".html", ".svg"} or (path.suffix == ".py"):
            yield path


def scan(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    """``file:line: what`` of each finding in one file."""
    text = path.read_text(encoding="utf-8")
    found = python_findings(text) if path.suffix == ".py" else findings(text)
    return sorted(
        {f"{path.relative_to(root)}:{text.count(chr(10), 0, at) + 1}: {what}" for at, what in found}
    )


def test_no_template_or_python_builds_html_the_policy_would_block():
    files = list(scanned_files())
    assert len([f for f in files if f.suffix == ".html"]) > 100
    problems = [problem for path in files for problem in scan(path)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "suffix", "expected"),
    [
        ('<p>\n<a href="javascript:go()">x</a>', ".html", "2: javascript: address"),
        ("<div\n  class=x\n  style='color:red'>", ".html", "3: inline style attribute"),
        ('<button type="button" onclick="go()">', ".html", "1: inline event handler"),
        ('<form hx-on::after-request="this.reset()">', ".html", "1: hx-on handler (needs eval)"),
        ("<script>alert(1)</script>", ".html", "1: inline <script>"),
        ("<style>p { color: red }</style>", ".html", "1: inline <style>"),
        ('svg = (\n    "<svg"\n    \' style="max-width:100%"\'\n)\n', ".py", "3: inline style"),
        ("x = '<img src=x onerror=\"go()\">'\n", ".py", "1: inline event handler"),
    ],
)
def test_the_scan_names_the_file_and_line(tmp_path, source, suffix, expected):
    path = tmp_path / f"sample{suffix}"
    path.write_text(source, encoding="utf-8")
    problems = scan(path, root=tmp_path)
    assert [p for p in problems if p.startswith(f"sample{suffix}:{expected}")], problems


@pytest.mark.parametrize(
    "source",
    [
        '<script src="/static/site/minefree.js" defer></script>',
        '<script type="application/json" id="data">{}</script>',
        '<p class="only">a stylesheet, no style; a one=two in text</p>',
        '<a href="{% url "x" %}" data-swap-statuses="422">',
    ],
)
def test_the_scan_lets_what_the_policy_allows(source):
    assert list(findings(source)) == []
