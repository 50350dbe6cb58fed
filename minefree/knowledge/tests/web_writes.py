"""The knowledge base's web forms, for the allow/deny matrix of every web write
(``accounts/tests/test_permissions.py::ENDPOINTS``): what each needs first, the request a
browser sends, and how to see that it took effect."""

from __future__ import annotations

from typing import Any

from django.test import Client

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

COMMITTEE = {"committee_chair", "isu_staff", "administrator"}
STAFF = {"isu_staff", "administrator"}
SIGNED_IN = {
    "no_role",
    "focal_point_peru",
    "delegate_peru",
    "focal_point_colombia",
    "donor_japan",
    "committee_chair",
    "isu_staff",
    "administrator",
}
PROPOSERS = SIGNED_IN - {"no_role"}


def a_passage(ctx: dict[str, Any]) -> None:
    ctx["passage"] = passage("PER", 2024, "financial")


def a_proposal(ctx: dict[str, Any]) -> None:
    ctx["practice"] = services.practice_propose(actor=SYSTEM, title="Dogs", what="Dogs survey.")


def a_published_practice(ctx: dict[str, Any]) -> None:
    a_proposal(ctx)
    services.practice_publish(actor=SYSTEM, practice=ctx["practice"])


def label(client: Client, ctx: dict[str, Any]) -> Any:
    url = f"/knowledge/passages/{ctx['passage'].pk}/labels/"
    return client.post(url, {"category": "financial", "status": "rejected"})


def labelled(ctx: dict[str, Any]) -> bool:
    return PassageLabel.objects.filter(status=LabelStatus.REJECTED).exists()


def document(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        "/knowledge/documents/add/",
        {
            "title": "Land release guide",
            "kind": "guidance",
            "language": "en",
            "url": "https://example.org/guide.pdf",
            "visibility": "public",
        },
    )


def document_added(ctx: dict[str, Any]) -> bool:
    return Document.objects.filter(title="Land release guide").exists()


def propose(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(
        "/knowledge/practices/propose/",
        {
            "title": "Community liaison",
            "what": "Villagers report hazards.",
            "language": "en",
            "visibility": "public",
        },
    )


def proposed(ctx: dict[str, Any]) -> bool:
    return Practice.objects.filter(title="Community liaison").exists()


def publish(client: Client, ctx: dict[str, Any]) -> Any:
    return client.post(f"/knowledge/practices/{ctx['practice'].pk}/publish/")


def published(ctx: dict[str, Any]) -> bool:
    return Practice.objects.get(pk=ctx["practice"].pk).status == PracticeStatus.PUBLISHED


def feedback(client: Client, ctx: dict[str, Any]) -> Any:
    url = f"/knowledge/practices/{ctx['practice'].pk}/feedback/"
    return client.post(url, {"useful": "on", "follow_up": "Costs?"})


def fed_back(ctx: dict[str, Any]) -> bool:
    return PracticeFeedback.objects.exists()


#: (name, who may, set-up, request, took effect) of every web form of the knowledge base
WEB_WRITES = [
    ("web knowledge label decision", COMMITTEE, a_passage, label, labelled),
    ("web knowledge document add", COMMITTEE, None, document, document_added),
    ("web knowledge practice propose", PROPOSERS, None, propose, proposed),
    ("web knowledge practice publish", STAFF, a_proposal, publish, published),
    ("web knowledge practice feedback", SIGNED_IN, a_published_practice, feedback, fed_back),
]
