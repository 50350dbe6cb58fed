"""Shared steps of the reporting tests."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from minefree.reporting import services
from minefree.reporting.models import ReportVersion
from minefree.reporting.selectors import validation_context
from minefree.reporting.specification.content import load_content
from minefree.reporting.specification.validation import before_submission


def explain_warnings(user: Any, version: ReportVersion, text: str = "Explained.") -> None:
    """Write an explanation for every warning the version has now (errors must be fixed first)."""
    for issue in before_submission(load_content(version), validation_context(version)):
        assert not issue.is_error, issue
        services.warning_explain(
            actor=user, version=version, code=issue.code, target=issue.target, text=text
        )


def submit_explained(user: Any, version: ReportVersion) -> ReportVersion:
    explain_warnings(user, version)
    return services.report_submit(actor=user, version=version)


class _TiedInputs(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.values, self._select = form_id, dict[str, str](), ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("input", "select", "textarea") and a.get("form") == self.form_id:
            self.values[a["name"]] = a.get("value", "")
            self._select = a["name"] if tag == "select" else ""
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = ""


def tied_inputs(html: str, form_id: str) -> dict[str, str]:
    """The values of the inputs tied to a ``<form>`` by their ``form`` attribute (a row's
    inputs sit in its table cells, outside its form), as a browser sends them."""
    parser = _TiedInputs(form_id)
    parser.feed(html)
    return parser.values
