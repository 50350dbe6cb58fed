"""``Idempotency-Key``: a POST retried with the same key gets the first answer again.

A script that times out does not know whether its POST took effect. Sent again with the
same ``Idempotency-Key``, the request is not run a second time: the first answer (status,
body, ``Location``, ``ETag``) comes back, marked ``Idempotent-Replayed: true``.

The key is claimed, the request runs and its answer is kept in one transaction, so either
all three are saved or none is. A request that was refused (any answer but 2xx) gives its
key back, and sending it again runs it again. Of two requests with the same key at once,
the second waits for the first (the unique index on PostgreSQL, the write lock on SQLite)
and then gets its answer. A key is one user's:
two users' keys never collide. The same key with another request (method, address or body;
an upload's fields and files) is refused (422 ``idempotency_key_reused``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from minefree.core.audit import service
from minefree.core.models import IdempotencyKey
from minefree.core.upload_limits import read_form
from minefree.core.workflow import actor_label

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
#: answer headers a replay gives again
KEPT_HEADERS = ("Content-Type", "Location", "ETag")


def _refusal(status: int, code: str, detail: str) -> JsonResponse:
    response = JsonResponse({"code": code, "detail": detail})
    response.status_code = status
    return response


def _fingerprint(request: HttpRequest) -> str:
    """What makes two requests the same: method, address and body. A multipart body counts
    by its fields and files, not its bytes: a client's retry draws a new boundary, and a
    body past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is never held whole (the files are hashed
    where the upload handlers put them)."""
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.content_type or ""):
        digest.update(part.encode() + b"\0")
    if request.content_type != "multipart/form-data":
        digest.update(request.body)
        return digest.hexdigest()
    files = []
    for field, uploads in sorted(request.FILES.lists()):
        for upload in uploads:
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            files.append([field, upload.name, upload.size, content.hexdigest()])
    form = {"fields": sorted(request.POST.lists()), "files": files}
    digest.update(json.dumps(form, ensure_ascii=False).encode())
    return digest.hexdigest()


@service
def api_request_claim(*, actor: Any, key: str, fingerprint: str, action: str) -> None:
    """Claim ``key`` for this request; a twin's claim fails on the unique index."""
    with transaction.atomic():
        IdempotencyKey.objects.create(
            actor_label=actor_label(actor), key=key, action=action, fingerprint=fingerprint
        )


@service
def api_answer_keep(*, actor: Any, key: str, response: HttpResponse) -> None:
    """Keep the first answer to the request that claimed ``key``."""
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    body = b"" if response.streaming else response.content
    IdempotencyKey.objects.filter(actor_label=actor_label(actor), key=key).update(
        status_code=response.status_code,
        answer={"headers": headers, "body": body.decode()},
    )


@service
def api_request_release(*, actor: Any, key: str) -> None:
    """Give the key back: the request was refused, so a retry must run it again."""
    IdempotencyKey.objects.filter(actor_label=actor_label(actor), key=key).delete()


def _replay(claim: IdempotencyKey, fingerprint: str) -> HttpResponse:
    if claim.fingerprint != fingerprint:
        return _refusal(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for another request. Use a new key for "
            "each operation.",
        )
    answer: dict[str, Any] = claim.answer or {"headers": {}, "body": ""}
    response = HttpResponse(answer["body"], status=claim.status_code)
    for name, value in answer["headers"].items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    """Run a signed-in API POST that carries an ``Idempotency-Key`` at most once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.headers.get(HEADER)
        user = getattr(request, "user", None)
        if (
            raw is None
            or request.method != "POST"
            or not request.path.startswith("/api/")
            or user is None
            or not user.is_authenticated
        ):
            return self.get_response(request)
        if not (0 < len(raw) <= MAX_KEY_LENGTH and raw.isascii() and raw.isprintable()):
            return _refusal(
                400,
                "bad_request",
                f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable ASCII characters, "
                "e.g. a UUID.",
            )
        if request.content_type == "multipart/form-data":
            refused = read_form(request)
            if refused is not None:
                return refused
        key = hashlib.sha256(raw.encode()).hexdigest()
        fingerprint = _fingerprint(request)
        claims = IdempotencyKey.objects.filter(actor_label=actor_label(user), key=key)
        found = claims.first()
        if found is not None:
            return _replay(found, fingerprint)
        action = f"api {request.path}"[: IdempotencyKey._meta.get_field("action").max_length]
        try:
            with transaction.atomic():
                api_request_claim(actor=user, key=key, fingerprint=fingerprint, action=action)
                response = self.get_response(request)
                if 200 <= response.status_code < 300:
                    api_answer_keep(actor=user, key=key, response=response)
                elif response.status_code >= 500:
                    transaction.set_rollback(True)  # a fault keeps nothing, its key included
                else:
                    api_request_release(actor=user, key=key)
                return response
        except IntegrityError:  # a twin claimed the key first and has committed
            found = claims.first()
            if found is None:
                raise
            return _replay(found, fingerprint)
