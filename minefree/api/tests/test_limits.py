"""The API counts calls per token and per address, and answers 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.test import Client

from minefree.accounts.models import ApiToken
from minefree.accounts.tests.factories import bearer, make_user
from minefree.core.tests.rate_windows import wait_for_a_fresh_window

pytestmark = pytest.mark.django_db


def test_an_address_past_its_limit_waits_and_a_token_counts_apart(settings):
    settings.MINEFREE_API_RATE_ANONYMOUS = "3/m"
    settings.MINEFREE_API_RATE_TOKEN = "5/m"
    client = Client()
    wait_for_a_fresh_window("api", "address:127.0.0.1", "3/m")
    assert [client.get("/api/meetings").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/meetings")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="10.0.0.9").get("/api/meetings").status_code == 200
    user = make_user("script_owner")
    auth = bearer(user, "nightly")
    prefix = ApiToken.objects.get(name="nightly").prefix
    wait_for_a_fresh_window("api", f"token:{prefix}", "5/m")
    codes = [client.get("/api/meetings", **auth).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_pages_are_not_counted_as_api_calls(settings):
    settings.MINEFREE_API_RATE_ANONYMOUS = "1/m"
    client = Client()
    assert all(client.get("/states/").status_code == 200 for _ in range(3))
