"""The cooperation part of a country page: needs, assistance by year and pillar, coverage,
the individualised approach and the national platform, as the reader may see them."""

from __future__ import annotations

from typing import Any

from minefree.cooperation import casework, funding
from minefree.cooperation.selectors import (
    NeedFilters,
    Reader,
    cases_list,
    may_edit_platform,
    needs_list,
)
from minefree.registry.models import Actor
from minefree.reporting.schema import PILLARS

PILLAR_LABELS = dict(PILLARS)


def _pillar_rows(totals: dict[tuple[int, str], funding.Amounts]) -> list[dict[str, Any]]:
    """One line per (year, pillar), newest first."""
    return [
        {"year": year, "pillar": PILLAR_LABELS.get(pillar, pillar) if pillar else "", "a": amounts}
        for (year, pillar), amounts in sorted(totals.items(), key=lambda i: (-i[0][0], i[0][1]))
    ]


def cooperation_section(actor: Actor, who: Reader) -> dict[str, Any]:
    needs = list(needs_list(who, NeedFilters(state=actor.iso3 or "")))
    progress = funding.need_progress(needs, who)
    received = funding.received_by_year_pillar(actor, who)
    provided = funding.provided_by_year_pillar(actor, who)
    coverage = funding.state_coverage(actor, who)
    return {
        "coop_needs": [casework.NeedLine(n, progress[n.pk]) for n in needs],
        "coop_received": _pillar_rows(received.real),
        "coop_received_synthetic": _pillar_rows(received.synthetic),
        "coop_provided": _pillar_rows(provided.real),
        "coop_provided_synthetic": _pillar_rows(provided.synthetic),
        "coop_coverage": coverage.real,
        "coop_coverage_synthetic": coverage.synthetic,
        "coop_cases": list(cases_list(who, actor.iso3 or "")) if actor.iso3 else [],
        "coop_platform": casework.platform_of(actor, who),
        "coop_may_edit_platform": bool(actor.iso3) and may_edit_platform(who, actor),
    }
