"""Every write endpoint × every role: allowed roles change data (audited), others change nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from minefree.accounts import services as accounts_services
from minefree.accounts.models import ApiToken, Membership, Role
from minefree.accounts.tests.factories import CAST, make_cast, make_user
from minefree.assistance.models import Need, Offer, Partnership
from minefree.casework.cases import case_request
from minefree.casework.models import FollowUpAction, IndividualisedApproachCase
from minefree.clearance.tests import web_writes as clearance_web_writes
from minefree.cooperation.tests.form_data import OFFER_FORM
from minefree.core import hooks
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, HookFailure
from minefree.fund.tests import web_writes as fund_web_writes
from minefree.indicators.models import Indicator
from minefree.indicators.tests import web_writes as indicators_web_writes
from minefree.knowledge.tests import web_writes as knowledge_web_writes
from minefree.registry.models import Actor
from minefree.reporting.services import report_open

pytestmark = pytest.mark.django_db

STAFF = {"isu_staff", "administrator"}
PERU_FOCAL = STAFF | {"focal_point_peru"}


@dataclass
class Endpoint:
    name: str
    allowed: set[str]
    call: Callable[[Client, dict[str, Any]], Any]
    changed: Callable[[dict[str, Any]], bool]
    #: what the endpoint needs in the database first, added to the context (which holds
    #: the cast by name)
    setup: Callable[[dict[str, Any]], None] | None = None


def _api_post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def _new_delegate(ctx: dict[str, Any]) -> bool:
    return Membership.objects.filter(user=ctx["colleague"], role=Role.STATE_DELEGATE).exists()


def _new_focal_point(ctx: dict[str, Any]) -> bool:
    return Membership.objects.filter(user=ctx["colleague"], role=Role.STATE_FOCAL_POINT).exists()


def _granted(ctx: dict[str, Any]) -> bool:
    return Membership.objects.filter(user=ctx["colleague"], role=Role.DONOR_FOCAL_POINT).exists()


def _ended(ctx: dict[str, Any]) -> bool:
    return Membership.objects.get(pk=ctx["target"].pk).ends_on is not None


def _renamed(ctx: dict[str, Any]) -> bool:
    return Actor.objects.get(iso3="PER").name_en == "Peru (corrected)"


def _admin_actor_change(client: Client, ctx: dict[str, Any]) -> Any:
    peru = Actor.objects.get(iso3="PER")
    data = {
        "kind": peru.kind,
        "iso3": "PER",
        "iso2": "PE",
        "slug": "per",
        "name_en": "Peru (corrected)",
        "name_fr": peru.name_fr,
        "name_es": peru.name_es,
        "region": peru.region,
        "subregion": peru.subregion,
        "parent": "",
        "origin": peru.origin,
        "source": peru.source_id or "",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    return client.post(f"/admin/registry/actor/{peru.pk}/change/", data)


SIGNED_IN = set(CAST) - {"anonymous"}
COMMITTEE = STAFF | {"committee_chair"}
PERU_PEOPLE = {"focal_point_peru", "delegate_peru"}


def _japan_token(ctx: dict[str, Any]) -> None:
    ctx["token"], _secret = accounts_services.api_token_create(
        actor=SYSTEM, user=ctx["donor_japan"], name="sync", expires_in_days=30
    )


def _failed_follow_up(ctx: dict[str, Any]) -> None:
    def broken(**_ids: Any) -> None:
        raise RuntimeError("still broken")

    hook = hooks.Hook("matrix.event", "matrix.handler", broken)
    ctx["failure"] = hooks.follow_up_failed(
        actor=SYSTEM, hook=hook, payload={"n": 1}, error="broken"
    )


def _retried(ctx: dict[str, Any]) -> bool:
    return HookFailure.objects.get(pk=ctx["failure"].pk).attempts > 1


def _requested_case(ctx: dict[str, Any]) -> None:
    ctx["case"] = case_request(
        actor=SYSTEM,
        state=Actor.objects.get(iso3="PER"),
        requested_on=dt.date(2024, 3, 1),
        summary="Support to finish clearance.",
        pillars=["survey_clearance"],
    )


def _open_action(ctx: dict[str, Any]) -> None:
    case = IndividualisedApproachCase.objects.create(
        state=Actor.objects.get(iso3="PER"), requested_on=dt.date(2024, 3, 1)
    )
    ctx["action"] = FollowUpAction.objects.create(
        case=case,
        description="Send the workplan",
        owner=Actor.objects.get(iso3="PER"),
        due_on=dt.date(2024, 9, 1),
    )


def _japan_offer(ctx: dict[str, Any]) -> None:
    ctx["offer"] = Offer.objects.create(
        provider=Actor.objects.get(iso3="JPN"),
        title="Demining support",
        assistance_types=["financial"],
        pillars=["survey_clearance"],
        year_from=2025,
        year_to=2027,
    )


def _report_draft(ctx: dict[str, Any]) -> None:
    ctx["report_draft"] = report_open(
        actor=ctx["focal_point_peru"], state=Actor.objects.get(iso3="PER"), year=2024
    )


def _draft_path(ctx: dict[str, Any], tail: str) -> str:
    return f"/reports/v/{ctx['report_draft'].pk}/{tail}"


def _peru_need(ctx: dict[str, Any]) -> None:
    ctx["need"] = Need.objects.create(
        state=Actor.objects.get(iso3="PER"),
        pillar="survey_clearance",
        assistance_type="financial",
        title="Clearance of the Cordillera del Cóndor",
        year_from=2025,
        year_to=2026,
    )


def _a_partnership(ctx: dict[str, Any]) -> None:
    _peru_need(ctx)
    _japan_offer(ctx)
    ctx["partnership"] = Partnership.objects.create(
        need=ctx["need"], offer=ctx["offer"], score=5.0, reasons=[]
    )


def _an_indicator(ctx: dict[str, Any]) -> None:
    ctx["code"] = Indicator.objects.order_by("code").values_list("code", flat=True)[0]


ENDPOINTS = [
    Endpoint(
        "web api token create",
        SIGNED_IN,
        lambda c, ctx: c.post(
            "/account/tokens/", {"t-name": "web matrix", "t-expires_in_days": "30"}
        ),
        lambda ctx: ApiToken.objects.filter(name="web matrix").exists(),
    ),
    Endpoint(
        "web api token revoke",
        {"donor_japan"},
        lambda c, ctx: c.post(f"/account/tokens/{ctx['token'].pk}/revoke/"),
        lambda ctx: ApiToken.objects.get(pk=ctx["token"].pk).revoked_at is not None,
        _japan_token,
    ),
    Endpoint(
        "web follow-up retry",
        STAFF,
        lambda c, ctx: c.post(f"/follow-ups/{ctx['failure'].pk}/retry/"),
        _retried,
        _failed_follow_up,
    ),
    Endpoint(
        "web case request",
        PERU_PEOPLE | COMMITTEE,
        lambda c, ctx: c.post(
            "/cooperation/cases/new/",
            {"state": "PER", "requested_on": "2024-03-01", "summary": "x", "visibility": "public"},
        ),
        lambda ctx: IndividualisedApproachCase.objects.filter(summary="x").exists(),
    ),
    Endpoint(
        "web case step",
        COMMITTEE,
        lambda c, ctx: c.post(
            f"/cooperation/cases/{ctx['case'].pk}/schedule/",
            {"schedule-on": "2024-06-19", "schedule-setting": "Geneva"},
        ),
        lambda ctx: IndividualisedApproachCase.objects.get(pk=ctx["case"].pk).status == "scheduled",
        _requested_case,
    ),
    Endpoint(
        "web follow-up action done",
        PERU_PEOPLE | COMMITTEE,
        lambda c, ctx: c.post(f"/cooperation/actions/{ctx['action'].pk}/done/"),
        lambda ctx: FollowUpAction.objects.get(pk=ctx["action"].pk).status == "done",
        _open_action,
    ),
    Endpoint(
        "web offer edit",
        {"donor_japan"} | STAFF,
        lambda c, ctx: c.post(f"/cooperation/offers/{ctx['offer'].pk}/edit/", OFFER_FORM),
        lambda ctx: Offer.objects.get(pk=ctx["offer"].pk).title == OFFER_FORM["title"],
        _japan_offer,
    ),
    Endpoint(
        "api delegate",
        PERU_FOCAL,
        lambda c, ctx: _api_post(
            c, "/api/accounts/delegations", {"state": "PER", "colleague": "colleague"}
        ),
        _new_delegate,
    ),
    Endpoint(
        "api hand-over",
        PERU_FOCAL,
        lambda c, ctx: _api_post(
            c, "/api/accounts/hand-overs", {"state": "PER", "successor": "colleague"}
        ),
        _new_focal_point,
    ),
    Endpoint(
        "api grant",
        STAFF,
        lambda c, ctx: _api_post(
            c,
            "/api/accounts/memberships",
            {"username": "colleague", "role": "donor_focal_point", "actor": "NOR"},
        ),
        _granted,
    ),
    Endpoint(
        "api end",
        STAFF,
        lambda c, ctx: _api_post(c, f"/api/accounts/memberships/{ctx['target'].pk}/end", {}),
        _ended,
    ),
    Endpoint(
        "web delegate",
        PERU_FOCAL,
        lambda c, ctx: c.post("/account/states/PER/delegate/", {"d-PER-colleague": "colleague"}),
        _new_delegate,
    ),
    Endpoint(
        "web hand-over",
        PERU_FOCAL,
        lambda c, ctx: c.post("/account/states/PER/hand-over/", {"h-PER-successor": "colleague"}),
        _new_focal_point,
    ),
    Endpoint("admin registry edit", STAFF, _admin_actor_change, _renamed),
    *(
        Endpoint(name, allowed, call, changed, setup)
        for name, allowed, setup, call, changed in clearance_web_writes.WEB_WRITES
    ),
    *(
        Endpoint(name, allowed, call, changed, setup)
        for name, allowed, setup, call, changed in knowledge_web_writes.WEB_WRITES
    ),
    *(
        Endpoint(name, allowed, call, changed, setup)
        for name, allowed, setup, call, changed in fund_web_writes.WEB_WRITES
    ),
    *(
        Endpoint(name, allowed, call, changed, setup)
        for name, allowed, setup, call, changed in indicators_web_writes.WEB_WRITES
    ),
]


@pytest.fixture
def cast(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path  # files a form uploads
    users = make_cast()
    users["colleague"] = make_user("colleague")
    return users


@pytest.mark.parametrize("role", list(CAST))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_write_is_allowed_only_to_its_roles(endpoint: Endpoint, role: str, cast: dict[str, Any]):
    client = Client()
    if cast[role] is not None:
        client.force_login(cast[role])
    ctx = {
        **cast,
        "colleague": cast["colleague"],
        "target": Membership.objects.get(user=cast["delegate_peru"]),
    }
    if endpoint.setup is not None:
        endpoint.setup(ctx)
    memberships = list(Membership.objects.order_by("pk").values_list("pk", "ends_on", "role"))
    audits = AuditEvent.objects.count()
    response = endpoint.call(client, ctx)
    if role in endpoint.allowed:
        assert response.status_code in (200, 201, 302), response.content[:300]
        assert endpoint.changed(ctx)
        assert AuditEvent.objects.count() > audits
    else:
        assert response.status_code in (302, 401, 403, 404), response.status_code
        if response.status_code == 302:
            assert "/sign-in/" in response["Location"] or "/admin/login/" in response["Location"]
        assert not endpoint.changed(ctx)
        assert (
            list(Membership.objects.order_by("pk").values_list("pk", "ends_on", "role"))
            == memberships
        )
        assert AuditEvent.objects.count() == audits


def test_hand_over_keeps_history_and_moves_delegations(cast: dict[str, Any]):
    client = Client()
    client.force_login(cast["focal_point_peru"])
    delegate = Membership.objects.get(user=cast["delegate_peru"])
    response = _api_post(
        client, "/api/accounts/hand-overs", {"state": "PER", "successor": "colleague"}
    )
    assert response.status_code == 201
    old = Membership.objects.get(user=cast["focal_point_peru"], role=Role.STATE_FOCAL_POINT)
    new = Membership.objects.get(user=cast["colleague"], role=Role.STATE_FOCAL_POINT)
    assert old.ends_on is not None and new.succeeded == old
    delegate.refresh_from_db()
    assert delegate.delegated_by == new and delegate.ends_on is None
    actions = set(AuditEvent.objects.filter(state_code="PER").values_list("action", flat=True))
    assert {"focal_point.handed_over", "focal_point.taken_over"} <= actions


def test_bad_input_is_a_clear_error(cast: dict[str, Any]):
    client = Client()
    client.force_login(cast["focal_point_peru"])
    response = _api_post(
        client, "/api/accounts/delegations", {"state": "PER", "colleague": "nobody"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    response = _api_post(
        client, "/api/accounts/delegations", {"state": "XXX", "colleague": "colleague"}
    )
    assert response.status_code == 404


@dataclass
class Page:
    """A page behind sign-in: who of the cast reads it (200); the others are sent to sign
    in, refused (403) or told it does not exist (404)."""

    name: str
    allowed: set[str]
    path: Callable[[dict[str, Any]], str]
    setup: Callable[[dict[str, Any]], None] | None = None


PAGES: list[Page] = [
    Page("account", SIGNED_IN, lambda ctx: "/account/"),
    Page("follow-ups", STAFF, lambda ctx: "/follow-ups/"),
    Page("reminders", STAFF, lambda ctx: "/reports/reminders/"),
    Page("import batches", STAFF, lambda ctx: "/reports/import/batches/"),
    Page("cooperation workspace", COMMITTEE, lambda ctx: "/cooperation/workspace/"),
    Page("bilateral meetings", COMMITTEE, lambda ctx: "/cooperation/bilateral-meetings/"),
    Page("fund review", COMMITTEE, lambda ctx: "/fund/review/"),
    Page("fund contributions", COMMITTEE, lambda ctx: "/fund/contributions/"),
    Page("fund ledger", COMMITTEE, lambda ctx: "/fund/ledger/"),
    # forms that open a record
    Page("need new", PERU_PEOPLE | STAFF, lambda ctx: "/cooperation/needs/new/PER/"),
    Page("offer new", {"donor_japan"} | STAFF, lambda ctx: "/cooperation/offers/new/JPN/"),
    Page("platform", PERU_PEOPLE | STAFF, lambda ctx: "/cooperation/platforms/PER/"),
    Page(
        "case new",
        PERU_PEOPLE | COMMITTEE | {"focal_point_colombia"},
        lambda ctx: "/cooperation/cases/new/",
    ),
    Page("knowledge document add", COMMITTEE, lambda ctx: "/knowledge/documents/add/"),
    Page("practice propose", SIGNED_IN - {"no_role"}, lambda ctx: "/knowledge/practices/propose/"),
    Page("committee document new", COMMITTEE, lambda ctx: "/indicators/documents/new/"),
    Page("fund call new", STAFF, lambda ctx: "/fund/calls/new/"),
    # a record's pages: drafts are their authors' and ISU staff's
    Page(
        "report version draft", PERU_PEOPLE | STAFF, lambda ctx: _draft_path(ctx, ""), _report_draft
    ),
    Page(
        "report form draft",
        PERU_PEOPLE | STAFF,
        lambda ctx: _draft_path(ctx, "forms/A/"),
        _report_draft,
    ),
    Page(
        "report submission review",
        PERU_PEOPLE,
        lambda ctx: _draft_path(ctx, "submit/"),
        _report_draft,
    ),
    Page(
        "report workbook draft",
        PERU_PEOPLE | STAFF,
        lambda ctx: _draft_path(ctx, "report.xlsx"),
        _report_draft,
    ),
    Page(
        "extension request draft",
        PERU_PEOPLE | STAFF,
        lambda ctx: f"/clearance/v/{ctx['draft'].pk}/",
        clearance_web_writes.a_draft,
    ),
    Page(
        "extension request draft table",
        PERU_PEOPLE | STAFF,
        lambda ctx: f"/clearance/v/{ctx['draft'].pk}/tables/milestones/",
        clearance_web_writes.a_draft,
    ),
    Page(
        "extension request submission review",
        PERU_PEOPLE,
        lambda ctx: f"/clearance/v/{ctx['draft'].pk}/submit/",
        clearance_web_writes.a_draft,
    ),
    Page(
        "extension request workspace",
        COMMITTEE,
        lambda ctx: f"/clearance/{ctx['request'].pk}/workspace/",
        clearance_web_writes.a_submitted_request,
    ),
    Page(
        "extension request",
        set(CAST),
        lambda ctx: f"/clearance/{ctx['request'].pk}/",
        clearance_web_writes.a_submitted_request,
    ),
    Page(
        "extension request workbook",
        set(CAST),
        lambda ctx: f"/clearance/requests/{ctx['request'].pk}/v1.xlsx",
        clearance_web_writes.a_submitted_request,
    ),
    Page(
        "passage",
        set(CAST),
        lambda ctx: f"/knowledge/passages/{ctx['passage'].pk}/",
        knowledge_web_writes.a_passage,
    ),
    Page(
        "practice published",
        set(CAST),
        lambda ctx: f"/knowledge/practices/{ctx['practice'].pk}/",
        knowledge_web_writes.a_published_practice,
    ),
    Page(
        "committee document draft",
        COMMITTEE,
        lambda ctx: f"/indicators/documents/{ctx['document'].pk}/",
        indicators_web_writes.a_draft,
    ),
    # a draft is its state's and its host's (Colombia), and ISU staff's; committee members
    # read it once submitted
    Page(
        "fund application draft",
        PERU_PEOPLE | STAFF | {"focal_point_colombia"},
        lambda ctx: f"/fund/applications/{ctx['application'].pk}/",
        fund_web_writes.a_draft,
    ),
    Page(
        "fund application submitted",
        PERU_PEOPLE | COMMITTEE | {"focal_point_colombia"},
        lambda ctx: f"/fund/applications/{ctx['application'].pk}/",
        fund_web_writes.a_submitted,
    ),
    Page(
        "fund application edit",
        PERU_PEOPLE,
        lambda ctx: f"/fund/applications/{ctx['application'].pk}/edit/",
        fund_web_writes.a_draft,
    ),
    Page(
        "fund call draft",
        STAFF,
        lambda ctx: f"/fund/calls/{ctx['call'].pk}/",
        fund_web_writes.a_draft_call,
    ),
    Page("need", set(CAST), lambda ctx: f"/cooperation/needs/{ctx['need'].pk}/", _peru_need),
    Page(
        "need edit",
        PERU_PEOPLE | STAFF,
        lambda ctx: f"/cooperation/needs/{ctx['need'].pk}/edit/",
        _peru_need,
    ),
    Page("offer", set(CAST), lambda ctx: f"/cooperation/offers/{ctx['offer'].pk}/", _japan_offer),
    Page(
        "offer edit",
        {"donor_japan"} | STAFF,
        lambda ctx: f"/cooperation/offers/{ctx['offer'].pk}/edit/",
        _japan_offer,
    ),
    Page("fund applications", SIGNED_IN, lambda ctx: "/fund/applications/"),
    Page(
        "fund application new",
        PERU_PEOPLE,  # Colombia has no national body in the reference data
        lambda ctx: "/fund/applications/new/",
    ),
    Page(
        "fund host profile edit", PERU_PEOPLE | STAFF, lambda ctx: "/fund/hosts/peru-contraminas/"
    ),
    Page("extension request template", SIGNED_IN, lambda ctx: "/clearance/template/"),
    Page(
        "partnership",
        set(CAST),
        lambda ctx: f"/cooperation/partnerships/{ctx['partnership'].pk}/",
        _a_partnership,
    ),
    Page("case", set(CAST), lambda ctx: f"/cooperation/cases/{ctx['case'].pk}/", _requested_case),
    Page("indicator", set(CAST), lambda ctx: f"/indicators/{ctx['code']}/", _an_indicator),
    Page("indicator csv", set(CAST), lambda ctx: f"/indicators/{ctx['code']}.csv", _an_indicator),
]

#: pages anyone reads, signed in or not: (name, address); each answers an anonymous 200
PUBLIC_PAGES: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    (name, lambda ctx, path=path: path)
    for name, path in [
        ("home", "/"),
        ("states", "/states/"),
        ("country", "/states/PER/"),
        ("meetings", "/meetings/"),
        ("committees", "/committees/"),
        ("reports", "/reports/"),
        ("compliance", "/reports/compliance/"),
        ("compliance csv", "/reports/compliance.csv"),
        ("compliance states csv", "/reports/compliance/states.csv"),
        ("open data", "/reports/data/"),
        ("challenges", "/knowledge/challenges/"),
        ("challenges csv", "/knowledge/challenges.csv"),
        ("challenge passages", "/knowledge/challenges/financial/"),
        ("knowledge documents", "/knowledge/documents/"),
        ("practices", "/knowledge/practices/"),
        ("knowledge search", "/knowledge/"),
        ("cooperation", "/cooperation/"),
        ("needs", "/cooperation/needs/"),
        ("offers", "/cooperation/offers/"),
        ("flows", "/cooperation/flows/"),
        ("flows export", "/cooperation/flows/export.csv"),
        ("published totals", "/cooperation/flows/published-totals/"),
        ("cases", "/cooperation/cases/"),
        ("extension requests", "/clearance/"),
        ("fund", "/fund/"),
        ("fund hosts", "/fund/hosts/"),
        ("fund report", "/fund/report/"),
        ("indicators", "/indicators/"),
        ("committee documents", "/indicators/documents/"),
        ("sign-in", "/sign-in/"),
        ("open data file", "/reports/data/reports.csv"),
        ("reference file", "/sources/reference/README.md"),
        ("extension request template", "/clearance/template/PER.xlsx"),
        ("fund year report", f"/fund/report/{dt.date.today().year}/"),
    ]
]


@pytest.mark.parametrize("role", list(CAST))
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_is_read_only_by_its_roles(page: Page, role: str, cast: dict[str, Any]):
    client = Client()
    if cast[role] is not None:
        client.force_login(cast[role])
    ctx = dict(cast)
    if page.setup is not None:
        page.setup(ctx)
    response = client.get(page.path(ctx))
    if role in page.allowed:
        assert response.status_code == 200, (role, response.status_code)
    else:
        assert response.status_code in (302, 403, 404), (role, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(("/sign-in/", "/admin/login/"))


@pytest.mark.parametrize("name, path", PUBLIC_PAGES, ids=[n for n, _p in PUBLIC_PAGES])
def test_public_page_answers_anyone(name: str, path: Callable[[dict[str, Any]], str]):
    response = Client().get(path({}))
    assert response.status_code == 200, (name, response.status_code)


def admin_forms() -> list[str]:
    """The admin's add and change forms ISU staff may send (one record each)."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = SYSTEM
    paths = []
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
        if model_admin.has_add_permission(request):
            paths.append(f"{base}/add/")
        record = model._default_manager.order_by("pk").first()
        if record is not None and model_admin.has_change_permission(request):
            paths.append(f"{base}/{record.pk}/change/")
    return paths


@pytest.mark.parametrize("role", [r for r in CAST if r not in STAFF])
def test_admin_forms_refuse_everyone_but_staff(role: str, cast: dict[str, Any]):
    """Every admin form opens for ISU staff; anybody else sending it is sent to the admin's
    sign-in or refused, and nothing is written."""
    staff = Client()
    staff.force_login(cast["isu_staff"])
    client = Client()
    if cast[role] is not None:
        client.force_login(cast[role])
    paths = admin_forms()
    assert len(paths) > 10
    audits = AuditEvent.objects.count()
    for path in paths:
        assert staff.get(path).status_code == 200, path
        response = client.post(path, {"name_en": "Changed"})
        assert response.status_code in (302, 403), (path, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/"), path
    assert AuditEvent.objects.count() == audits
