"""The Article 5 extension requests part of a country page: the history of the state's
requests (submitted, decided, outcome, deadline requested and granted), what the
decisions ask of the state until it is met, and the plan against the result of its latest
request. Public data only: drafts never show here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from minefree.clearance.documents import figures
from minefree.clearance.models import (
    Decision,
    DecisionRequirement,
    ExtensionRequest,
    RequestVersion,
)
from minefree.clearance.selectors import state_history
from minefree.registry.models import Actor


@dataclass
class RequestLine:
    request: ExtensionRequest
    first: RequestVersion | None
    latest: RequestVersion | None
    decision: Decision | None
    #: the decision's requirements not met yet, each with whether it is overdue
    open_items: list[tuple[DecisionRequirement, bool]] = field(default_factory=list)


def clearance_section(actor: Actor) -> dict[str, Any]:
    today = dt.date.today()
    lines = []
    for request in state_history(actor):
        submitted: list[RequestVersion] = getattr(request, "submitted_versions", [])
        decision: Decision | None = getattr(request, "decision", None)
        requirements = list(decision.requirements.all()) if decision is not None else []
        lines.append(
            RequestLine(
                request=request,
                first=submitted[0] if submitted else None,
                latest=submitted[-1] if submitted else None,
                decision=decision,
                open_items=[
                    (r, r.due_on is not None and r.due_on < today)
                    for r in requirements
                    if r.met_on is None
                ],
            )
        )
    # plan against result of the latest submitted request, as the public may read it
    latest = max(
        (line for line in lines if line.latest is not None),
        key=lambda line: line.request.created_at,
        default=None,
    )
    charts = []
    if latest is not None:
        _analysis, sections = figures(latest.request, None)
        if "contamination" in sections:
            charts = sections["contamination"].charts_html
    return {
        "extension_requests": lines,
        "extension_chart_request": latest.request if latest else None,
        "extension_charts": charts,
    }
