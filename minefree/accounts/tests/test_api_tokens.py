"""Personal API tokens: made once, stored as a fingerprint, refused with a stable code when
wrong, revoked or expired; a token acts with its user's memberships at the time of the call."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from minefree.accounts import services
from minefree.accounts.models import ApiToken, Membership
from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Visibility
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return make_cast()


def _token(user, name="script", days=30, read_only=False):
    return services.api_token_create(
        actor=user, user=user, name=name, expires_in_days=days, read_only=read_only
    )


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _secret_need(state: str = "PER") -> Need:
    return Need.objects.create(
        state=Actor.objects.get(iso3=state),
        pillar="clearance",
        assistance_type="financial",
        title="Survey of the border area",
        year_from=2026,
        year_to=2027,
        visibility=Visibility.PRIVATE,
    )


def test_a_token_is_shown_once_and_stored_only_as_a_fingerprint(cast):
    token, secret = _token(cast["donor_japan"])
    assert secret.startswith(f"mf_{token.prefix}_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.digest, stored.prefix, stored.name}
    assert stored.expires_at - timezone.now() > dt.timedelta(days=29)
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.object_id == str(token.pk) and secret not in str(event.after)


def test_bad_input_is_refused_with_a_reason(cast):
    user = cast["donor_japan"]
    with pytest.raises(ValidationError, match="name"):
        _token(user, name="  ")
    with pytest.raises(ValidationError, match="366"):
        _token(user, days=400)
    _token(user, name="grants")
    with pytest.raises(ValidationError, match="already"):
        _token(user, name="grants")
    with pytest.raises(PermissionDenied):
        services.api_token_create(
            actor=cast["focal_point_peru"], user=user, name="x", expires_in_days=1
        )


def test_a_token_reads_what_its_user_may_read_and_nothing_more(cast):
    need = _secret_need()
    url = f"/api/cooperation/needs/{need.pk}"
    assert Client().get(url).status_code == 404
    _token_japan, japan = _token(cast["donor_japan"])
    assert Client().get(url, **_bearer(japan)).status_code == 404
    _token_peru, peru = _token(cast["focal_point_peru"])
    response = Client().get(url, **_bearer(peru))
    assert response.status_code == 200 and response.json()["title"] == need.title


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (lambda t, s: (t, s[:-2] + "xx"), "token_invalid"),
        (lambda t, s: (t, "mf_000000000000_nothing"), "token_invalid"),
        (lambda t, s: (services.api_token_revoke(actor=SYSTEM, token=t), s), "token_revoked"),
        (
            lambda t, s: (ApiToken.objects.filter(pk=t.pk).update(expires_at=timezone.now()), s),
            "token_expired",
        ),
    ],
)
def test_a_wrong_revoked_or_expired_token_answers_401_with_its_code(cast, spoil, code):
    token, secret = _token(cast["focal_point_peru"])
    _ignored, secret = spoil(token, secret)
    response = Client().get("/api/accounts/memberships", **_bearer(secret))
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_writes_without_csrf_and_the_audit_names_it(cast):
    _token_imsma, secret = _token(cast["focal_point_peru"], name="imsma")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/accounts/delegations",
        {"state": "PER", "colleague": "no_role"},
        content_type="application/json",
        **_bearer(secret),
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(action="focal_point.delegated")
    assert event.api_token == "imsma" and event.actor == cast["focal_point_peru"]
    session = Client(enforce_csrf_checks=True)
    session.force_login(cast["focal_point_peru"])
    refused = session.post(
        "/api/accounts/delegations",
        {"state": "PER", "colleague": "no_role"},
        content_type="application/json",
    )
    assert refused.status_code == 403  # a browser session still needs its CSRF token


def test_a_read_only_token_reads_but_never_writes(cast):
    _t, secret = _token(cast["focal_point_peru"], read_only=True)
    assert Client().get("/api/accounts/memberships", **_bearer(secret)).status_code == 200
    response = Client().post(
        "/api/accounts/delegations",
        {"state": "PER", "colleague": "no_role"},
        content_type="application/json",
        **_bearer(secret),
    )
    assert response.status_code == 403 and response.json()["code"] == "token_read_only"
    assert not Membership.objects.filter(user=cast["no_role"]).exists()


def test_an_ended_membership_takes_effect_on_the_next_call(cast):
    need = _secret_need()
    _t, secret = _token(cast["focal_point_peru"])
    url = f"/api/cooperation/needs/{need.pk}"
    assert Client().get(url, **_bearer(secret)).status_code == 200
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Membership.objects.filter(user=cast["focal_point_peru"]).update(starts_on=dt.date(2020, 1, 1))
    for membership in Membership.objects.filter(user=cast["focal_point_peru"]):
        services.membership_end(actor=SYSTEM, membership=membership, ends_on=yesterday)
    assert Client().get(url, **_bearer(secret)).status_code == 404


def test_use_is_noted_to_the_hour(cast):
    token, secret = _token(cast["donor_japan"])
    for _ in range(3):
        assert Client().get("/api/accounts/memberships", **_bearer(secret)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEvent.objects.filter(action="api_token.used").count() == 1
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - dt.timedelta(hours=2))
    Client().get("/api/accounts/memberships", **_bearer(secret))
    assert AuditEvent.objects.filter(action="api_token.used").count() == 2


def test_the_account_page_makes_shows_once_and_revokes_a_token(cast):
    client = Client()
    client.force_login(cast["donor_japan"])
    response = client.post(
        "/account/tokens/", {"t-name": "grants system", "t-expires_in_days": "30"}, follow=True
    )
    html = response.content.decode()
    token = ApiToken.objects.get(user=cast["donor_japan"], name="grants system")
    assert f"mf_{token.prefix}_" in html and "not be shown again" in html
    again = client.get("/account/").content.decode()
    assert f"mf_{token.prefix}_" not in again and "grants system" in again
    bad = client.post("/account/tokens/", {"t-name": "x", "t-expires_in_days": "999"}, follow=True)
    assert ApiToken.objects.filter(name="x").count() == 0 and bad.status_code == 200
    other = Client()
    other.force_login(cast["focal_point_peru"])
    assert other.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_command_prints_a_working_token_and_revokes_it(cast):
    out = io.StringIO()
    call_command("api_token", "isu_staff", "--name", "nightly", "--read-only", stdout=out)
    secret = out.getvalue().strip()
    assert Client().get("/api/accounts/memberships", **_bearer(secret)).status_code == 200
    call_command("api_token", "isu_staff", "--revoke", "nightly", stdout=io.StringIO())
    assert Client().get("/api/accounts/memberships", **_bearer(secret)).status_code == 401
    with pytest.raises(CommandError, match="No user"):
        call_command("api_token", "nobody", stdout=io.StringIO())


def test_a_script_makes_lists_and_revokes_its_tokens_over_the_api(cast):
    user = cast["donor_japan"]
    _token_row, secret = _token(user, name="grants system")
    client = Client()
    made = client.post(
        "/api/accounts/tokens",
        {"name": "nightly", "expires_in_days": 7, "read_only": True},
        content_type="application/json",
        **_bearer(secret),
    )
    assert made.status_code == 201, made.content
    new = made.json()
    assert new["token"].startswith("mf_") and made["Cache-Control"] == "no-store"
    assert made["Location"] == f"/api/accounts/tokens/{new['id']}"
    listed = client.get("/api/accounts/tokens", **_bearer(new["token"])).json()
    assert [t["name"] for t in listed] == ["nightly", "grants system"]
    assert all("token" not in t and "digest" not in t for t in listed)
    shown = client.get(made["Location"], **_bearer(secret)).json()
    assert shown["read_only"] is True and shown["revoked_at"] is None
    revoked = client.post(f"/api/accounts/tokens/{new['id']}/revoke", **_bearer(secret))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = client.get("/api/accounts/tokens", **_bearer(new["token"]))
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"


def test_nobody_reads_or_revokes_another_user_s_token_over_the_api(cast):
    theirs, _secret = _token(cast["donor_japan"])
    _mine, secret = _token(cast["isu_staff"])
    client = Client()
    assert client.get(f"/api/accounts/tokens/{theirs.pk}", **_bearer(secret)).status_code == 404
    refused = client.post(f"/api/accounts/tokens/{theirs.pk}/revoke", **_bearer(secret))
    assert refused.status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    too_long = client.post(
        "/api/accounts/tokens",
        {"name": "x", "expires_in_days": 400},
        content_type="application/json",
        **_bearer(secret),
    )
    assert too_long.status_code == 422 and "366" in too_long.json()["detail"]
