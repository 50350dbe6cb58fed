"""A POST retried with the same ``Idempotency-Key`` gets the first answer and creates
nothing twice; a refused request gives its key back; a key is one user's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from minefree.accounts.tests.factories import bearer, make_cast
from minefree.assistance.models import Need
from minefree.cooperation.tests.test_api_writes import NEED
from minefree.core.models import AuditEvent, IdempotencyKey
from minefree.core.tests.upload_endpoints import ENDPOINTS, client_for, multipart
from minefree.reporting.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> dict[str, Any]:
    return make_cast()


def _post(auth: dict[str, str], body: dict[str, Any], key: str | None) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return Client().post(
        "/api/cooperation/needs",
        json.dumps(body),
        content_type="application/json",
        **auth,
        **headers,
    )


def test_a_retry_gets_the_first_answer_and_creates_nothing_twice(cast):
    auth = bearer(cast["focal_point_peru"])
    first = _post(auth, NEED, "3f0c7a52-2b9e-4b1a-9a51-6c0f3c1a7e11")
    again = _post(auth, NEED, "3f0c7a52-2b9e-4b1a-9a51-6c0f3c1a7e11")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"] and again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Need.objects.count() == 1
    assert AuditEvent.objects.filter(action="need.created").count() == 1
    other = _post(auth, NEED, "another key")
    assert other.status_code == 201 and Need.objects.count() == 2


def test_without_a_key_every_post_takes_effect(cast):
    auth = bearer(cast["focal_point_peru"])
    assert _post(auth, NEED, None).status_code == _post(auth, NEED, None).status_code == 201
    assert Need.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_request_is_refused(cast):
    auth = bearer(cast["focal_point_peru"])
    assert _post(auth, NEED, "k1").status_code == 201
    reused = _post(auth, NEED | {"title": "Something else"}, "k1")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert Need.objects.count() == 1


def test_a_refused_request_gives_its_key_back(cast):
    auth = bearer(cast["focal_point_peru"])
    refused = _post(auth, NEED | {"year_to": 2020}, "k2")
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"
    assert not IdempotencyKey.objects.exists()
    assert _post(auth, NEED | {"year_to": 2020}, "k2").status_code == 422  # run again, not replayed
    assert _post(auth, NEED | {"state": "COL"}, "k3").status_code == 403
    assert not IdempotencyKey.objects.exists() and not Need.objects.exists()


def test_keys_of_two_users_never_collide(cast):
    peru, isu = bearer(cast["focal_point_peru"]), bearer(cast["isu_staff"])
    assert _post(peru, NEED, "shared").status_code == 201
    assert _post(isu, NEED, "shared").status_code == 201
    assert Need.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
def test_a_malformed_key_is_a_clear_error(cast, key):
    response = _post(bearer(cast["focal_point_peru"]), NEED, key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert not Need.objects.exists()


def test_a_key_without_a_user_is_ignored_and_the_call_refused(cast):
    response = _post({}, NEED, "k4")
    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_an_upload_past_what_django_holds_whole_is_retried_with_a_new_boundary(
    cast, settings, tmp_path
):
    """A script's retry draws a new multipart boundary; the upload (3 MB, more than the
    2.5 MB Django reads into memory) is still the same request, replayed, not stored twice."""
    settings.MEDIA_ROOT = tmp_path
    endpoint = next(e for e in ENDPOINTS if e.name == "api attachment")
    ctx = cast | endpoint.setup(cast)
    client, auth = client_for(endpoint, ctx[endpoint.role])
    pdf = b"%PDF-1.4\n" + b"% padding to pass what Django reads whole\n" * 75_000 + b"%%EOF\n"
    assert len(pdf) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def send(data: bytes, boundary: bytes) -> Any:
        body = multipart({"description": "Map"}, "file", b"map.pdf", data, boundary)
        return client.post(
            endpoint.url(ctx),
            data=body,
            content_type=f"multipart/form-data; boundary={boundary.decode()}",
            HTTP_IDEMPOTENCY_KEY="upload-1",
            **auth,
        )

    first = send(pdf, b"boundaryOfTheFirstTry")
    assert first.status_code == 201, first.content
    again = send(pdf, b"boundaryOfTheRetry42")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Attachment.objects.count() == 1
    other = send(pdf.replace(b"padding", b"PADDING", 1), b"boundaryOfTheRetry42")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Attachment.objects.count() == 1


def test_an_upload_that_cannot_be_read_is_refused_before_its_key_is_claimed(cast):
    endpoint = next(e for e in ENDPOINTS if e.name == "api attachment")
    ctx = cast | endpoint.setup(cast)
    client, auth = client_for(endpoint, ctx[endpoint.role])
    response = client.generic(
        "POST",
        endpoint.url(ctx),
        b"x",
        content_type="multipart/form-data",  # no boundary: nothing can be read
        HTTP_IDEMPOTENCY_KEY="upload-2",
        **auth,
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert not IdempotencyKey.objects.exists()
