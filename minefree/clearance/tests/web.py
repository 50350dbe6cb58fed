"""What the page tests of extension requests share: signed-in clients, the values a browser
would send back from a form, and a request at each step of its life."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client

from minefree.clearance import services
from minefree.clearance.models import ExtensionRequest, Outcome, RequestVersion
from minefree.clearance.tests.factories import DECIDED_ON, submitted


def client_of(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def form_values(html: str, form_id: str | None = None, action: str | None = None) -> dict[str, str]:
    """The values a browser would send back from one form of a page (picked by its id or
    its action): its inputs, selected options and text areas, those outside it that name
    it in their ``form`` attribute included."""
    if form_id is not None:
        match = re.search(rf'<form[^>]*id="{form_id}"[^>]*>(.*?)</form>', html, re.S)
    else:
        match = re.search(
            rf'<form[^>]*action="{re.escape(action or "")}"[^>]*>(.*?)</form>', html, re.S
        )
    assert match, (form_id, action)
    body = match[1]
    if form_id is not None:
        body += "".join(
            re.findall(
                rf'<(?:input|select)[^>]*form="{form_id}"[^>]*>(?:.*?</select>)?', html, re.S
            )
        )
    values = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if name and 'type="file"' not in tag:
            value = re.search(r'value="([^"]*)"', tag)
            values[name[1]] = value[1] if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        values[name] = chosen[1] if chosen else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S):
        values[name] = text.removeprefix("\n")
    values.pop("csrfmiddlewaretoken", None)
    return {
        k: v.replace("&amp;", "&").replace("&quot;", '"').replace("&#x27;", "'")
        for k, v in values.items()
    }


def decided(
    cast: dict[str, Any], *, requirements: list[tuple[str, dt.date | None]] | None = None
) -> ExtensionRequest:
    """Peru's request, submitted, questioned, answered, analysed, published and granted."""
    version: RequestVersion = submitted(cast["focal_point_peru"])
    request = version.request
    question = services.question_ask(
        actor=cast["committee_chair"], request=request, text="How many teams in 2031?"
    )
    services.question_answer(actor=cast["delegate_peru"], question=question, answer="Four teams.")
    services.analysis_save(
        actor=cast["committee_chair"],
        request=request,
        sections={"summary": "Peru asks five years."},
    )
    services.analysis_publish(actor=cast["isu_staff"], request=request)
    services.decision_record(
        actor=cast["isu_staff"],
        request=request,
        outcome=Outcome.GRANTED_WITH_REQUESTS,
        decided_on=DECIDED_ON,
        new_deadline=dt.date(2034, 12, 31),
        requirements=requirements or [],
    )
    request.refresh_from_db()
    return request
