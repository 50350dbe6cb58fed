"""The audit log alone tells who changed what: a realistic sequence of work through pages
and services, then each record's history rebuilt from its events gives its values now, each
event names its actor and the request it came in, and no change goes without an event."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.models import Need, Offer, Partnership
from minefree.cooperation.tests.form_data import NEED_FORM, OFFER_FORM
from minefree.core.audit import new_request_id, request_context, snapshot
from minefree.core.audit_history import history, inconsistencies, replay
from minefree.core.models import AuditEvent
from minefree.indicators import services as indicators
from minefree.indicators.models import PlanAction
from minefree.registry.models import Actor
from minefree.reporting.models import Article7Report, FormRow, ReportVersion
from minefree.reporting.tests.factories import explain_warnings

pytestmark = pytest.mark.django_db


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, path: str, data: dict[str, Any]) -> str:
    """Send a form as a browser would; the request id the site gave it."""
    response = client.post(path, data)
    assert response.status_code in (200, 302), (path, response.status_code)
    return str(response["X-Request-Id"])


@pytest.fixture
def sequence(settings: Any, tmp_path: Any) -> dict[str, Any]:
    """A year of work: Peru's focal point drafts and submits its Article 7 report, ISU staff
    ask a question, Peru's delegate amends it by a new version, Peru states a need, Japan
    offers training, the committee's chair pairs them, ISU staff correct a plan's wording."""
    settings.MEDIA_ROOT = tmp_path
    cast = make_cast()
    focal, delegate, staff = cast["focal_point_peru"], cast["delegate_peru"], cast["isu_staff"]
    peru = Actor.objects.get(iso3="PER")
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    web: list[str] = []

    fp = _as(focal)
    web.append(_post(fp, "/reports/open/", {"state": peru.pk, "year": "2023", "kind": "annual"}))
    report = Article7Report.objects.get(state=peru, year=2023)
    first = report.versions.get(number=1)
    rows = f"/reports/v/{first.pk}/forms/B/rows/"
    web.append(_post(fp, rows, {"_table": "stockpile", "mine_type": "PMN", "quantity": "5"}))
    row = FormRow.objects.get(version=first, table="stockpile")
    web.append(
        _post(
            fp, rows, {"_table": "stockpile", "_row": row.pk, "mine_type": "PMN", "quantity": "7"}
        )
    )
    web.append(_post(fp, f"/reports/v/{first.pk}/contact/", {"name": "Ana Quispe"}))
    with request_context(new_request_id("cli-")):  # explained at a terminal
        explain_warnings(focal, first, text="Checked with the army.")
    web.append(_post(fp, f"/reports/v/{first.pk}/submit/", {"confirmed": "yes"}))

    question = {"letter": "B", "question": "Which type are the 7 mines?"}
    web.append(_post(_as(staff), f"/reports/v/{first.pk}/clarifications/", question))
    dp = _as(delegate)
    web.append(_post(dp, f"/reports/v/{first.pk}/amend/", {"reason": "Stockpile corrected"}))
    second = report.versions.get(number=2)
    web.append(_post(dp, f"/reports/v/{second.pk}/contact/", {"name": "Luis Rojas"}))

    web.append(_post(fp, "/cooperation/needs/new/PER/", NEED_FORM))
    web.append(_post(_as(cast["donor_japan"]), "/cooperation/offers/new/JPN/", OFFER_FORM))
    need, offer = (
        Need.objects.get(title=NEED_FORM["title"]),
        Offer.objects.get(title=OFFER_FORM["title"]),
    )
    chair = _as(cast["committee_chair"])
    web.append(_post(chair, f"/cooperation/needs/{need.pk}/confirm/", {"offer": offer.pk}))

    action = PlanAction.objects.get(plan__code="oslo", number=48)
    with request_context(new_request_id("cli-")):
        indicators.action_correct(
            actor=staff,
            action=action,
            values={"text_en": action.text_en.replace("  ", " ").strip() + " (corrected)"},
        )
    return {
        "start": start,
        "web": web,
        "records": [
            ReportVersion.objects.get(pk=first.pk),
            ReportVersion.objects.get(pk=second.pk),
            FormRow.objects.get(pk=row.pk),
            Need.objects.get(pk=need.pk),
            Offer.objects.get(pk=offer.pk),
            Partnership.objects.get(need=need, offer=offer),
            PlanAction.objects.get(pk=action.pk),
        ],
    }


#: records whose events hold the values of one JSON field rather than the record's columns:
#: a form's row is audited as its values (``{"mine_type": ..., "quantity": ...}``)
VALUES_IN = {"reporting.formrow": "data"}


def _now(record: models.Model) -> dict[str, Any]:
    """The record's values now, as its audit events write them."""
    field = VALUES_IN.get(record._meta.label_lower)
    return dict(getattr(record, field)) if field else snapshot(record)


def test_replaying_each_record_s_history_gives_its_values_now(sequence: dict[str, Any]):
    for record in sequence["records"]:
        changes = history(record)
        assert changes, f"{record._meta.label} {record.pk} has no audit event"
        assert inconsistencies(changes) == [], (record._meta.label, inconsistencies(changes))
        replayed, now = replay(changes), _now(record)
        fields = set(replayed) & set(now)
        assert fields, (record._meta.label, sorted(replayed))
        assert {n: replayed[n] for n in fields} == {n: now[n] for n in fields}, record._meta.label


def test_every_change_of_a_record_has_an_event(sequence: dict[str, Any]):
    """Each field that differs from its first audited value was changed by an event."""
    for record in sequence["records"]:
        changes = history(record)
        first = changes[0]
        changed = {name for c in changes[1:] for name in c.fields}
        now = _now(record)
        start = first.after or {}
        drift = {n for n in start if n in now and start[n] != now[n]} - changed
        assert drift == set(), (record._meta.label, sorted(drift))


def test_every_event_names_its_actor_and_request(sequence: dict[str, Any]):
    events = list(AuditEvent.objects.filter(id__gt=sequence["start"]).order_by("id"))
    users = {u.pk: u.username for u in get_user_model().objects.all()}
    assert len(events) >= len(sequence["web"])
    for event in events:
        if event.actor_id is None:
            assert event.actor_label == "system", event
        else:
            assert event.actor_label == users[event.actor_id], event
        assert event.request_id, f"{event} names no request"
    by_request = {e.request_id for e in events}
    assert set(sequence["web"]) <= by_request, "a request of the sequence left no event"


def test_the_history_tells_who_did_what(sequence: dict[str, Any]):
    first, second, row, need, offer, partnership, action = sequence["records"]
    assert [(c.actor_label, c.action, c.fields.get("quantity")) for c in history(row)] == [
        ("focal_point_peru", "report.row_saved", (None, 5)),
        ("focal_point_peru", "report.row_saved", (5, 7)),
    ]
    assert [(c.actor_label, c.action) for c in history(first)][-1] == (
        "focal_point_peru",
        "report.submitted",
    )
    assert [(c.actor_label, c.action) for c in history(second)] == [
        ("delegate_peru", "report.amendment_opened"),
        ("delegate_peru", "report.contact_saved"),
    ]
    assert history(second)[-1].fields["contact_name"] == ("Ana Quispe", "Luis Rojas")
    assert [c.actor_label for c in history(need)] == ["focal_point_peru"]
    assert [c.actor_label for c in history(offer)] == ["donor_japan"]
    assert history(partnership)[0].actor_label == "committee_chair"
    corrected = history(action)[-1]
    assert corrected.actor_label == "isu_staff" and corrected.request_id.startswith("cli-")
    assert "text_en" in corrected.fields


def test_a_change_the_log_does_not_hold_shows(sequence: dict[str, Any]):
    """A write around the services (here a plain UPDATE) breaks the replay: the log's values
    are no longer the record's, and the next audited change finds an unexpected ``before``."""
    second = sequence["records"][1]
    ReportVersion.objects.filter(pk=second.pk).update(contact_name="Someone else")
    second.refresh_from_db()
    replayed, now = replay(history(second)), snapshot(second)
    assert replayed["contact_name"] != now["contact_name"]
    _post(
        _as(get_user_model().objects.get(username="delegate_peru")),
        f"/reports/v/{second.pk}/contact/",
        {"name": "Luis Rojas"},
    )
    assert inconsistencies(history(second)) != []
