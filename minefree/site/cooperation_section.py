"""The cooperation part of a country page: needs, assistance by year and pillar, coverage,
the individualised approach and the national platform, as the reader may see them."""

from __future__ import annotations

from typing import Any

from minefree.assistance.selectors import NeedFilters, Reader, needs_list
from minefree.casework import selectors as casework
from minefree.casework.rules import may_edit_platform
from minefree.casework.selectors import cases_list
from minefree.cooperation.selectors import NeedLine
from minefree.funding import totals as funding
from minefree.registry.models import Actor
from minefree.reporting.specification.schema import PILLARS

PILLAR_LABELS = dict(PILLARS)


def _lines(lines: list[funding.CounterpartLine]) -> list[dict[str, Any]]:
    """One line per (year, counterpart, pillar), newest first, with its sources."""
    return [
        {
            "year": line.year,
            "pillar": PILLAR_LABELS.get(line.pillar, line.pillar) if line.pillar else "",
            "counterpart": line.counterpart,
            "a": line.amounts,
            "sources": line.sources,
            "versions": line.report_version_ids,
        }
        for line in lines
    ]


def reader_key(who: Reader) -> str:
    """What decides which cooperation records a reader sees, as a cache key: readers with
    the same rights and the same represented actors see the same section."""
    return "reader:" + ",".join(
        [
            "staff" if who.staff else "",
            "committee" if who.committee else "",
            "states_parties" if who.states_parties else "",
            "states=" + ".".join(str(i) for i in sorted(who.state_ids)),
            "donors=" + ".".join(str(i) for i in sorted(who.donor_ids)),
        ]
    )


def cooperation_section(actor: Actor, who: Reader) -> dict[str, Any]:
    needs = list(needs_list(who, NeedFilters(state=actor.iso3 or "")))
    progress = funding.need_progress(needs, who)
    received = funding.received_by_donor(actor, who)
    provided = funding.provided_by_recipient(actor, who)
    coverage = funding.state_coverage(actor, who)
    return {
        "coop_needs": [NeedLine(n, progress[n.pk]) for n in needs],
        "coop_received": _lines(received.real),
        "coop_received_synthetic": _lines(received.synthetic),
        "coop_provided": _lines(provided.real),
        "coop_provided_synthetic": _lines(provided.synthetic),
        "coop_coverage": coverage.real,
        "coop_coverage_synthetic": coverage.synthetic,
        "coop_cases": list(cases_list(who, actor.iso3 or "")) if actor.iso3 else [],
        "coop_platform": casework.platform_of(actor, who),
        "coop_may_edit_platform": bool(actor.iso3) and may_edit_platform(who, actor),
    }
