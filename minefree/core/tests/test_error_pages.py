"""An unexpected error shows a page without a trace but with the request id, and its log
line carries the same id; an unknown address gets the site's "not found" page."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings

from minefree.core.logs import KeyValueFormatter, RequestIdFilter


@override_settings(DEBUG=False, ROOT_URLCONF="minefree.core.tests.urls_errors")
def test_an_error_page_has_no_trace_and_names_the_request(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/", headers={"X-Request-Id": "abc123"})
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and "abc123" in page
    assert "Traceback" not in page and "secret-internal-detail" not in page
    record = next(r for r in caplog.records if r.name == "django.request")
    RequestIdFilter().filter(record)  # the handler's filter, as the console handler runs it
    line = KeyValueFormatter().format(record)
    assert "level=ERROR logger=django.request" in line
    assert "\n" not in line and "secret-internal-detail" in line  # the trace stays in the log


def test_a_log_line_outside_a_request_says_so():
    record = logging.LogRecord(
        "minefree", logging.WARNING, __file__, 1, "reminders: %s sent", ("3",), None
    )
    RequestIdFilter().filter(record)
    assert (
        KeyValueFormatter()
        .format(record)
        .endswith('level=WARNING logger=minefree request_id=- message="reminders: 3 sent"')
    )


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_an_unknown_address_gets_the_sites_not_found_page():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "There is no page at this address" in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF="minefree.core.tests.urls_errors")
def test_a_database_out_of_reach_answers_503_with_a_retry_message():
    client = Client(raise_request_exception=False)
    response = client.get("/database-gone/", headers={"X-Request-Id": "dbgone1"})
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "try again in a minute" in page and "was not saved" in page and "dbgone1" in page
    assert "Traceback" not in page and "nonexistent-directory" not in page


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF="minefree.core.tests.urls_errors")
def test_an_api_client_gets_the_503_as_json_with_retry_after():
    response = Client(raise_request_exception=False).get("/api/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["code"] == "unavailable" and "Retry-After" in body["detail"]


@override_settings(DEBUG=False, ROOT_URLCONF="minefree.core.tests.urls_errors")
@pytest.mark.django_db
def test_other_errors_stay_500():
    client = Client(raise_request_exception=False)
    for address in ("/boom/", "/not-migrated/"):  # a missing table is no outage
        response = client.get(address)
        assert response.status_code == 500 and "Retry-After" not in response, address
