"""Extension requests for tests: a complete request of Peru as its focal point would file it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minefree.clearance import services
from minefree.clearance.content import checked
from minefree.clearance.models import RequestVersion
from minefree.registry.models import Actor

#: A request of Peru (current deadline 31 Dec 2029) for five more years; the figures are
#: invented for the tests.
PERU_REQUEST: dict[str, Any] = {
    "submitted_on": "2029-03-31",
    "requested_deadline": "2034-12-31",
    "language": "es",
    "narratives": {
        "impediments": "Difficult terrain in the Cordillera del Cóndor and a lack of funding.",
        "implications": "Communities of Amazonas cannot use their land.",
        "rationale": "Five years at the rate of 2026-2028.",
    },
    "remaining": [
        {"region": "Amazonas", "hazard": "CHA", "areas": 12, "area_m2": 150000},
        {"region": "Amazonas", "hazard": "SHA", "areas": 4, "area_m2": 40000},
    ],
    "previous_period": [
        {"year": 2025, "planned_m2": 40000, "achieved_m2": 30000},
        {"year": 2026, "planned_m2": 40000, "achieved_m2": 42000},
        {"year": 2027, "planned_m2": 40000, "achieved_m2": 20000},
    ],
    "milestones": [
        {"year": 2030, "method": "cleared", "area_m2": 40000},
        {"year": 2031, "method": "cleared", "area_m2": 40000},
        {"year": 2032, "method": "reduced", "area_m2": 60000},
        {"year": 2033, "method": "cancelled", "area_m2": 50000},
    ],
    "budget": [
        {"year": 2030, "source": "national", "amount": 500000, "currency": "USD"},
        {"year": 2030, "source": "international_sought", "amount": 1200000, "currency": "USD"},
        {"year": 2031, "source": "international_sought", "amount": 900000, "currency": "USD"},
    ],
    "capacity": [{"year": 2030, "teams": 4, "deminers": 60, "dogs": 6, "machines": 1}],
}


def peru() -> Actor:
    return Actor.objects.get(iso3="PER")


def filled_draft(user: Any, data: dict[str, Any] | None = None) -> RequestVersion:
    """Peru's draft request, filled by ``user`` (its focal point or delegate)."""
    draft = services.request_open(actor=user, state=peru())
    return services.version_fill(actor=user, version=draft, content=checked(data or PERU_REQUEST))


def submitted(user: Any) -> RequestVersion:
    return services.request_submit(actor=user, version=filled_draft(user))


DECIDED_ON = dt.date(2029, 11, 28)
