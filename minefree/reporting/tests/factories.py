"""Shared steps of the reporting tests."""

from __future__ import annotations

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
