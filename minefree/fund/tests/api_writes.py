"""The fund's API writes in the allow/deny matrix (``api/tests/writes.py``).

ISU staff keep the books (contributions, calls, screening, grants, tranches, closing).
Peru's national body (``peru-contraminas``) is the applicant: its application is Peru's
focal point's and delegate's to draft, submit and report on (not ISU staff's: it is the
state's act); for the host's report Peru's body is the host of Nigeria's centre.

Scoring needs a member sitting for a state on the committee in the call's year; the
cast's committee member sits for no state, so no one in the cast scores as a member:
ISU staff record a member state's scores for it (``on_behalf_of``), and the same member
is denied. For the same reason the decision, which is the chair's (a seated member's), is
ISU staff's in this matrix.
"""

from __future__ import annotations

import io
from typing import Any

from minefree.api.tests.writes import PERU, STAFF, ApiWrite, Call, etag
from minefree.fund.models import (
    Application,
    ApplicationStatus,
    CallStatus,
    Contribution,
    ContributionStatus,
    FollowUpAction,
    HostProfile,
    Score,
    SupportLetter,
    VisitReport,
)
from minefree.fund.models import (
    Call as FundCall,
)
from minefree.fund.tests import factories as f

PERU_PEOPLE = frozenset({"focal_point_peru", "delegate_peru"})
BASE = "/api/fund"
APP = BASE + "/applications/{application_id}"


def _app(step: str, **kw: Any) -> Any:
    def setup(cast: dict[str, Any]) -> dict[str, Any]:
        application = f.application_at(step, **kw)
        return {"application": application, "path": f"{BASE}/applications/{application.pk}"}

    return setup


def _draft_with_etag(cast: dict[str, Any]) -> dict[str, Any]:
    ctx = _app("draft")(cast)
    return ctx | {"etag": etag(ctx["path"], cast["focal_point_peru"])}


def _status(ctx: dict[str, Any]) -> str:
    return Application.objects.get(pk=ctx["application"].pk).status


def _pledge(cast: dict[str, Any]) -> dict[str, Any]:
    from minefree.core.audit import SYSTEM
    from minefree.fund import services
    from minefree.registry.models import Actor

    pledge = services.contribution_record(
        actor=SYSTEM, donor=Actor.objects.get(iso3="NLD"), amount=None, currency=""
    )
    return {"contribution": pledge}


def _call(publish: bool) -> Any:
    def setup(cast: dict[str, Any]) -> dict[str, Any]:
        return {"call": f.call_open(publish=publish)}

    return setup


def _letter(cast: dict[str, Any]) -> dict[str, Any]:
    upload = io.BytesIO(f.PDF)
    upload.name = "letter.pdf"
    return _app("draft")(cast) | {"upload": upload}


def _hosting(cast: dict[str, Any]) -> dict[str, Any]:
    return _app("visit_held", applicant="nigeria-nmac", host="peru-contraminas")(cast)


def _step(
    name: str, operation: str, allowed: frozenset[str], body: Any, target: str, setup: Any
) -> ApiWrite:
    """A step of the application's process that moves it to ``target``."""
    suffix = operation.removeprefix(APP)
    return ApiWrite(
        name,
        ("POST", operation),
        allowed,
        lambda ctx: Call("POST", ctx["path"] + suffix, body),
        lambda ctx: _status(ctx) == target,
        setup,
    )


SCORES = {"relevance": 4, "host_fit": 4, "plan": 3, "value": 4, "follow_up": 5}

WRITES = [
    ApiWrite(
        "record a contribution to the fund",
        ("POST", BASE + "/contributions"),
        STAFF,
        lambda ctx: Call(
            "POST",
            BASE + "/contributions",
            {"donor": "NLD", "amount": "25000", "currency": "EUR", "received_on": "2025-02-01"},
        ),
        lambda ctx: Contribution.objects.filter(amount=25000).exists(),
    ),
    ApiWrite(
        "record a pledge received",
        ("POST", BASE + "/contributions/{contribution_id}/receive"),
        STAFF,
        lambda ctx: Call(
            "POST",
            f"{BASE}/contributions/{ctx['contribution'].pk}/receive",
            {"received_on": "2025-02-01", "amount": "10000", "currency": "EUR"},
        ),
        lambda ctx: (
            Contribution.objects.get(pk=ctx["contribution"].pk).status
            == ContributionStatus.RECEIVED
        ),
        _pledge,
    ),
    ApiWrite(
        "draft a call for applications",
        ("POST", BASE + "/calls"),
        STAFF,
        lambda ctx: Call(
            "POST",
            BASE + "/calls",
            {
                "title": "Exchange visits 2027",
                "opens_on": "2027-01-15",
                "closes_on": "2027-03-31",
                "budget": "40000",
                "max_amount": "15000",
                "currency": "EUR",
            },
        ),
        lambda ctx: FundCall.objects.filter(title="Exchange visits 2027").exists(),
    ),
    ApiWrite(
        "publish a call",
        ("POST", BASE + "/calls/{call_id}/publish"),
        STAFF,
        lambda ctx: Call("POST", f"{BASE}/calls/{ctx['call'].pk}/publish"),
        lambda ctx: FundCall.objects.get(pk=ctx["call"].pk).status == CallStatus.PUBLISHED,
        _call(publish=False),
    ),
    ApiWrite(
        "close a call",
        ("POST", BASE + "/calls/{call_id}/close"),
        STAFF,
        lambda ctx: Call("POST", f"{BASE}/calls/{ctx['call'].pk}/close"),
        lambda ctx: FundCall.objects.get(pk=ctx["call"].pk).status == CallStatus.CLOSED,
        _call(publish=True),
    ),
    ApiWrite(
        "describe a host body",
        ("PUT", BASE + "/host-profiles/{body}"),
        PERU,
        lambda ctx: Call(
            "PUT",
            f"{BASE}/host-profiles/peru-contraminas",
            {"capabilities": ["non_technical_survey"], "languages": ["es"]},
        ),
        lambda ctx: HostProfile.objects.filter(body__slug="peru-contraminas").exists(),
    ),
    ApiWrite(
        "draft an application to the fund",
        ("POST", BASE + "/applications"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST",
            BASE + "/applications",
            {"call": ctx["call"].pk, "applicant": "peru-contraminas", "theme": "clearance"},
        ),
        lambda ctx: Application.objects.filter(applicant__slug="peru-contraminas").exists(),
        _call(publish=True),
    ),
    ApiWrite(
        "change a draft application",
        ("PATCH", APP),
        PERU_PEOPLE,
        lambda ctx: Call(
            "PATCH", ctx["path"], {"agenda": "Two days only."}, {"If-Match": ctx["etag"]}
        ),
        lambda ctx: Application.objects.get(pk=ctx["application"].pk).agenda == "Two days only.",
        _draft_with_etag,
    ),
    ApiWrite(
        "replace a draft's budget",
        ("PUT", APP + "/budget"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "PUT",
            ctx["path"] + "/budget",
            {"lines": [{"category": "visas", "amount": "300"}]},
            {"If-Match": ctx["etag"]},
        ),
        lambda ctx: Application.objects.get(pk=ctx["application"].pk).budget_lines.count() == 1,
        _draft_with_etag,
    ),
    ApiWrite(
        "attach a letter of support",
        ("POST", APP + "/letters"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST",
            ctx["path"] + "/letters",
            files={"title": "Letter of TURMAC", "file": ctx["upload"]},
        ),
        lambda ctx: SupportLetter.objects.filter(application=ctx["application"]).exists(),
        _letter,
    ),
    _step(
        "submit an application",
        APP + "/submit",
        PERU_PEOPLE,
        None,
        ApplicationStatus.SUBMITTED,
        _app("draft"),
    ),
    _step(
        "return an application",
        APP + "/return",
        STAFF,
        {"reason": "Attach the host's letter."},
        ApplicationStatus.DRAFT,
        _app("submitted"),
    ),
    _step(
        "screen an application",
        APP + "/screening",
        STAFF,
        {
            "checks": dict.fromkeys(
                ("eligible", "host_agreed", "complete", "within_ceiling", "letters"), True
            )
        },
        ApplicationStatus.IN_REVIEW,
        _app("submitted"),
    ),
    ApiWrite(
        "score an application",
        ("POST", APP + "/scores"),
        STAFF,
        lambda ctx: Call(
            "POST", ctx["path"] + "/scores", {"values": SCORES, "on_behalf_of": "JPN"}
        ),
        lambda ctx: Score.objects.filter(
            application=ctx["application"], member_state__iso3="JPN"
        ).exists(),
        _app("in_review"),
    ),
    _step(
        "record the decision on an application",
        APP + "/decision",
        STAFF,
        {"selected": False, "reasons": "Another application covers the theme."},
        ApplicationStatus.NOT_SELECTED,
        _app("in_review"),
    ),
    _step(
        "sign a grant",
        APP + "/grant",
        STAFF,
        {"amount": "6500", "signed_on": "2024-10-01"},
        ApplicationStatus.GRANTED,
        _app("selected"),
    ),
    ApiWrite(
        "pay a tranche of a grant",
        ("POST", APP + "/grant/disbursements"),
        STAFF,
        lambda ctx: Call(
            "POST",
            ctx["path"] + "/grant/disbursements",
            {"amount": "5000", "paid_on": "2024-10-07"},
        ),
        lambda ctx: Application.objects.get(pk=ctx["application"].pk).grant.disbursed == 5000,
        _app("granted"),
    ),
    ApiWrite(
        "release a grant",
        ("POST", APP + "/grant/release"),
        STAFF,
        lambda ctx: Call(
            "POST", ctx["path"] + "/grant/release", {"reason": "The visit was cancelled."}
        ),
        lambda ctx: Application.objects.get(pk=ctx["application"].pk).grant.released > 0,
        _app("granted"),
    ),
    _step(
        "record that a visit was held",
        APP + "/visit-held",
        PERU,
        {"held_from": "2024-11-03", "held_until": "2024-11-06"},
        ApplicationStatus.VISIT_HELD,
        _app("paid"),
    ),
    _step(
        "report on a visit (the visiting body)",
        APP + "/visit-reports",
        PERU_PEOPLE,
        {"role": "applicant", "programme": "Briefings and a field visit."},
        ApplicationStatus.REPORTED,
        _app("visit_held"),
    ),
    ApiWrite(
        "report on a visit (the host)",
        ("POST", APP + "/visit-reports"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST",
            ctx["path"] + "/visit-reports",
            {"role": "host", "programme": "We received the delegation for three days."},
        ),
        lambda ctx: VisitReport.objects.filter(
            application=ctx["application"], role="host"
        ).exists(),
        _hosting,
    ),
    ApiWrite(
        "mark a follow-up action done",
        ("PATCH", APP + "/follow-ups/{follow_up_id}"),
        PERU | {"committee_chair"},
        lambda ctx: Call(
            "PATCH",
            f"{ctx['path']}/follow-ups/{f.follow_up_of(ctx['application']).pk}",
            {"status": "done"},
        ),
        lambda ctx: FollowUpAction.objects.get(application=ctx["application"]).status == "done",
        _app("reported"),
    ),
    ApiWrite(
        "submit the financial report",
        ("POST", APP + "/financial-report"),
        PERU_PEOPLE,
        lambda ctx: Call(
            "POST",
            ctx["path"] + "/financial-report",
            {"actuals": {str(line.pk): "3000" for line in ctx["application"].budget_lines.all()}},
        ),
        lambda ctx: _status(ctx) == ApplicationStatus.ACCOUNTED,
        _app("reported"),
    ),
    _step(
        "close a grant",
        APP + "/close",
        STAFF,
        {"closed_on": "2025-01-31"},
        ApplicationStatus.CLOSED,
        _app("accounted"),
    ),
]
