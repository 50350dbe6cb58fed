"""What every write endpoint of the API shares: the 201 answer with its ``Location``,
versions as ``ETag`` / ``If-Match``, and the refusals it documents.

An endpoint stays thin: it parses the payload, finds the record through a selector, reads
the version the writer sent (``if_match``), calls the one service the page calls too, and
answers with ``created`` or ``with_version``. Refusals are raised, never built: the API
object maps each exception to its status and stable code in one place.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.responses import Status

from minefree.core.schemas import ErrorOut
from minefree.core.versions import VersionRequiredError

#: the refusals every write endpoint may answer (401 unauthenticated or bad token, 403
#: forbidden, 404 not found or not shared, 409 already done, 422 invalid)
WRITE_ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
#: and those of a change to a versioned record (412 changed since read, 428 no If-Match)
VERSIONED_WRITE_ERRORS: dict[int, type[Schema]] = {**WRITE_ERRORS, 412: ErrorOut, 428: ErrorOut}


def if_match(request: HttpRequest) -> str:
    """The version the writer read (``If-Match``); ``VersionRequiredError`` (428) if none."""
    version = request.headers.get("If-Match", "").strip()
    if not version or version == "*":
        raise VersionRequiredError()
    return version


def with_version(response: HttpResponse, version: str) -> None:
    """Send the record's current version as its ``ETag``."""
    response["ETag"] = f'"{version}"'


def created(response: HttpResponse, location: str, out: Any) -> Status[Any]:
    """201 Created with the new record's address."""
    response["Location"] = location
    return Status(201, out)
