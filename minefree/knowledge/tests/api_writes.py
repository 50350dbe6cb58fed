"""The knowledge base's API writes in the allow/deny matrix (``api/tests/writes.py``).

Committee members and ISU staff decide on challenge labels and add documents; anyone who
represents a state or a donor, committee members and ISU staff propose practices; ISU
staff publish them; any signed-in reader gives feedback on a published practice.
"""

from __future__ import annotations

from typing import Any

from minefree.api.tests.writes import COMMITTEE, SIGNED_IN, STAFF, ApiWrite, Call
from minefree.core.audit import SYSTEM
from minefree.knowledge import services
from minefree.knowledge.models import (
    Document,
    LabelStatus,
    PassageLabel,
    Practice,
    PracticeFeedback,
    PracticeStatus,
)
from minefree.knowledge.tests.factories import passage

BASE = "/api/knowledge"
#: who proposes practices: the people of a state or donor, committee members, ISU staff
PROPOSERS = SIGNED_IN - {"no_role"}


def _passage(cast: dict[str, Any]) -> dict[str, Any]:
    return {"passage": passage("PER", 2024, "financial")}


def _proposed(cast: dict[str, Any]) -> dict[str, Any]:
    practice = services.practice_propose(
        actor=SYSTEM, title="Dogs in the Andes", what="Dogs survey high areas."
    )
    return {"practice": practice}


def _published(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _proposed(cast)
    services.practice_publish(actor=SYSTEM, practice=ctx["practice"])
    return ctx


WRITES = [
    ApiWrite(
        "knowledge label decision",
        ("POST", f"{BASE}/passages/{{passage_id}}/labels"),
        COMMITTEE,
        lambda ctx: Call(
            "POST",
            f"{BASE}/passages/{ctx['passage'].pk}/labels",
            {"category": "financial", "status": "rejected"},
        ),
        lambda ctx: PassageLabel.objects.filter(
            passage=ctx["passage"], status=LabelStatus.REJECTED
        ).exists(),
        _passage,
    ),
    ApiWrite(
        "knowledge document add",
        ("POST", f"{BASE}/documents"),
        COMMITTEE,
        lambda ctx: Call(
            "POST",
            f"{BASE}/documents",
            files={
                "title": "Land release guide",
                "kind": "guidance",
                "language": "en",
                "url": "https://example.org/guide.pdf",
                "states": "PER",
            },
        ),
        lambda ctx: Document.objects.filter(title="Land release guide").exists(),
    ),
    ApiWrite(
        "knowledge practice propose",
        ("POST", f"{BASE}/practices"),
        PROPOSERS,
        lambda ctx: Call(
            "POST",
            f"{BASE}/practices",
            {"title": "Community liaison", "what": "Villagers report hazards.", "where": ["PER"]},
        ),
        lambda ctx: Practice.objects.filter(title="Community liaison").exists(),
    ),
    ApiWrite(
        "knowledge practice publish",
        ("POST", f"{BASE}/practices/{{practice_id}}/publish"),
        STAFF,
        lambda ctx: Call("POST", f"{BASE}/practices/{ctx['practice'].pk}/publish"),
        lambda ctx: Practice.objects.get(pk=ctx["practice"].pk).status == PracticeStatus.PUBLISHED,
        _proposed,
    ),
    ApiWrite(
        "knowledge practice feedback",
        ("POST", f"{BASE}/practices/{{practice_id}}/feedback"),
        SIGNED_IN,
        lambda ctx: Call(
            "POST", f"{BASE}/practices/{ctx['practice'].pk}/feedback", {"follow_up": "Costs?"}
        ),
        lambda ctx: PracticeFeedback.objects.filter(practice=ctx["practice"]).exists(),
        _published,
    ),
]

#: called by every role with a read-write token (and anonymously): each changes nothing
STORES_NOTHING: list[Call] = [
    Call(
        "POST",
        "/api/knowledge/classify",
        {"text": "La falta de fondos retrasa el desminado.", "lang": "es"},
    ),
]
