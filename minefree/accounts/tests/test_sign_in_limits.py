"""Repeated wrong passwords are refused for a while, per account and per address, with a
message that says when to try again; the password is not checked meanwhile."""

from __future__ import annotations

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client

from minefree.accounts.tests.factories import PASSWORD, make_user
from minefree.core.tests.rate_windows import wait_for_a_fresh_window

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str):
    return client.post("/sign-in/", {"username": username, "password": password})


def test_an_account_is_refused_after_its_failures_even_with_the_right_password(settings):
    settings.MINEFREE_SIGN_IN_RATE_ACCOUNT = "2/15m"
    make_user("guessed")
    make_user("other")
    client = Client()
    wait_for_a_fresh_window("sign-in-account", "guessed", "2/15m")
    assert [_sign_in(client, "guessed", "wrong").status_code for _ in range(2)] == [200, 200]
    checked: list[object] = []
    user_login_failed.connect(lambda **kw: checked.append(kw), weak=False, dispatch_uid="probe")
    try:
        refused = _sign_in(client, "Guessed", PASSWORD)
    finally:
        user_login_failed.disconnect(dispatch_uid="probe")
    assert checked == []  # refused before the password is looked at
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert _sign_in(Client(REMOTE_ADDR="10.1.1.1"), "other", PASSWORD).status_code == 302


def test_an_address_is_refused_after_its_failures_whatever_the_account(settings):
    settings.MINEFREE_SIGN_IN_RATE_ADDRESS = "3/15m"
    make_user("someone")
    client = Client(REMOTE_ADDR="10.2.2.2")
    wait_for_a_fresh_window("sign-in-address", "10.2.2.2", "3/15m")
    for name in ("a", "b", "c"):
        assert _sign_in(client, name, "wrong").status_code == 200
    assert _sign_in(client, "someone", PASSWORD).status_code == 429
    assert _sign_in(Client(REMOTE_ADDR="10.3.3.3"), "someone", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_limited_too(settings):
    settings.MINEFREE_SIGN_IN_RATE_ACCOUNT = "1/15m"
    make_user("admin_user", is_staff=True)
    client = Client()
    wait_for_a_fresh_window("sign-in-account", "admin_user", "1/15m")
    client.post("/admin/login/", {"username": "admin_user", "password": "wrong"})
    client.post("/admin/login/", {"username": "admin_user", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
