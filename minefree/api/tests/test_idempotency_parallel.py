"""Retries at once on a real server: the same POST sent six times in parallel with one
``Idempotency-Key`` creates one need, and every answer is the first one."""

from __future__ import annotations

import json

import pytest

from minefree.cooperation.tests.test_api_parallel import NEED
from minefree.site.tests.browser import LiveServer
from minefree.site.tests.web import WebClient

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("browser")]


def test_parallel_retries_with_one_key_create_one_record(live: LiveServer) -> None:
    peru = WebClient(live.url).sign_in("focal_point_peru")
    headers = {
        "Authorization": f"Bearer {peru.new_api_token('retries')}",
        "Content-Type": "application/json",
        "Idempotency-Key": "2d9b1f1e-parallel-retries",
    }
    title = "Idempotent API test: one need from six retries"
    body = json.dumps(NEED | {"state": "PER", "title": title}).encode()
    api = WebClient(live.url)
    answers = api.parallel(
        6, lambda: api.request("POST", "/api/cooperation/needs", body=body, headers=headers)
    )
    assert sorted(a.status for a in answers) == [201] * 6, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    ((count,),) = live.query("SELECT count(*) FROM assistance_need WHERE title = %s", title)
    assert count == 1
