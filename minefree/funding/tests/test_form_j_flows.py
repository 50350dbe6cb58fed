"""Form J of Article 7 reports becomes flows: on submission, on amendment, on historic import."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.assistance.selectors import Reader
from minefree.core import currency
from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, HookFailure, Origin
from minefree.funding import flows
from minefree.funding import totals as funding
from minefree.funding.models import Flow, FlowStatus, ReportedBy
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.exchange.imports import HistoricReport, reports_import_history
from minefree.reporting.exchange.xlsx import ParsedReport
from minefree.reporting.models import ReportVersion, VersionStatus
from minefree.reporting.tests.factories import submit_explained

pytestmark = pytest.mark.django_db
STAFF = Reader(staff=True, committee=True, states_parties=True)
ROWS = [
    {
        "direction": "received",
        "counterpart": "Japan",
        "kind": "financial",
        "amount": 250000,
        "currency": "JPY",
        "year": 2023,
        "pillar": "survey_clearance",
        "channel": "bilateral",
    },
    {"direction": "provided", "counterpart": "Colombia", "kind": "in_kind"},
    {"direction": "received", "counterpart": "Nowhere Foundation", "amount": 10, "currency": "USD"},
]


def _draft(user, year=2024):
    version = services.report_open(actor=user, state=Actor.objects.get(iso3="PER"), year=year)
    for values in ROWS:
        services.row_save(
            actor=user, version=version, letter="J", table="assistance", values=dict(values)
        )
    return version


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit, then run the follow-ups as when the submission's transaction commits."""

    def run(user, version):
        with django_capture_on_commit_callbacks(execute=True):
            return submit_explained(user, version)

    return run


@pytest.fixture
def import_history(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reports_import_history(actor=SYSTEM, **kwargs)

    return run


def test_submitting_a_report_turns_form_j_into_flows(submit):
    cast = make_cast()
    version = submit(cast["focal_point_peru"], _draft(cast["focal_point_peru"]))
    made = Flow.objects.filter(report_version_id=version.pk).select_related("donor", "recipient")
    by_direction = {f.reported_by: f for f in made}
    assert len(made) == 2  # the unmatched counterpart is skipped
    received = by_direction[ReportedBy.RECIPIENT]
    assert (received.donor.iso3, received.recipient.iso3) == ("JPN", "PER")
    assert received.status == FlowStatus.PAID and received.year == 2023
    assert received.amount_usd == currency.to_usd(250000, "JPY", 2023)
    assert (received.pillar, received.channel, received.origin) == (
        "survey_clearance",
        "bilateral",
        Origin.REPORTED,
    )
    provided = by_direction[ReportedBy.DONOR]
    assert (provided.donor.iso3, provided.recipient.iso3, provided.year) == ("PER", "COL", 2024)
    assert provided.amount == 0 and provided.amount_usd is None and provided.currency == "XXX"


def test_an_amendment_replaces_the_flows_of_the_earlier_version(submit):
    cast = make_cast()
    user = cast["focal_point_peru"]
    first = submit(user, _draft(user))
    amendment = services.amendment_open(actor=user, report=first.report, reason="Corrected J.")
    row = amendment.rows.get(letter="J", table="assistance", position=1)
    services.row_save(
        actor=user,
        version=amendment,
        letter="J",
        table="assistance",
        values={**ROWS[0], "amount": 500000},
        row=row,
    )
    submit(user, amendment)
    assert not Flow.objects.filter(report_version_id=first.pk).exists()
    japan = Flow.objects.get(report_version_id=amendment.pk, donor__iso3="JPN")
    assert japan.amount == 500000


def test_only_the_state_or_staff_turn_reports_into_flows(submit):
    cast = make_cast()
    version = submit(cast["focal_point_peru"], _draft(cast["focal_point_peru"]))
    from django.core.exceptions import PermissionDenied

    for who in ("focal_point_colombia", "donor_japan", "committee_chair"):
        with pytest.raises(PermissionDenied):
            flows.flows_from_report_versions(actor=cast[who], version_ids=[version.pk])
    assert flows.flows_from_report_versions(actor=SYSTEM, version_ids=[version.pk]) == 2


def _history(years, origin=""):
    return [
        HistoricReport(
            parsed=ParsedReport(
                state="COL",
                year=year,
                kind="annual",
                rows={("J", "assistance"): [dict(ROWS[0], year=year)]},
                origin=origin,
            ),
            submitted_at=dt.datetime(year + 1, 4, 30, tzinfo=dt.UTC),
        )
        for year in years
    ]


def test_a_historic_import_makes_flows_in_bulk(import_history):
    import_history(reports=_history(range(2010, 2014)))
    made = Flow.objects.filter(recipient__iso3="COL", report_version_id__isnull=False)
    assert sorted(made.values_list("year", flat=True)) == [2010, 2011, 2012, 2013]

    def queries(years):
        ids = list(
            ReportVersion.objects.filter(
                report__state__iso3="COL", report__year__in=years
            ).values_list("pk", flat=True)
        )
        with CaptureQueriesContext(connection) as ctx:
            flows.flows_from_report_versions(actor=SYSTEM, version_ids=ids)
        return len(ctx)

    assert queries([2010]) == queries([2010, 2011, 2012, 2013])


def test_synthetic_reports_make_synthetic_flows_kept_out_of_real_totals(import_history):
    import_history(reports=_history([2012]), origin=Origin.SYNTHETIC)
    flow = Flow.objects.get(recipient__iso3="COL", report_version_id__isnull=False)
    assert flow.origin == Origin.SYNTHETIC
    colombia = Actor.objects.get(iso3="COL")
    totals = funding.received_by_year_pillar(colombia, STAFF)
    assert totals.years(synthetic=True)[2012].paid_usd == flow.amount_usd
    real = totals.years().get(2012)
    assert real is None or real.paid_usd == sum(
        Flow.objects.filter(recipient=colombia, year=2012)
        .exclude(origin=Origin.SYNTHETIC)
        .values_list("amount_usd", flat=True),
        Decimal(0),
    )


def test_flows_that_cannot_be_replaced_do_not_stop_an_amendment_and_wait_for_isu(submit, client):
    """A submission is the state's act: cooperation's refusal is a follow-up to fix, not a veto."""
    cast = make_cast()
    user = cast["focal_point_peru"]
    first = submit(user, _draft(user))
    japan = Flow.objects.get(report_version_id=first.pk, donor__iso3="JPN")
    onward = Flow.objects.get(pk=japan.pk)
    onward.pk, onward.report_version, onward.via = None, None, japan
    onward.save()  # Japan's money passed on: the earlier version's flow is protected
    amendment = services.amendment_open(actor=user, report=first.report, reason="Corrected J.")
    submit(user, amendment)

    amendment.refresh_from_db()
    assert amendment.status == VersionStatus.SUBMITTED
    assert Flow.objects.filter(report_version_id=first.pk).exists()  # nothing half-replaced
    assert not Flow.objects.filter(report_version_id=amendment.pk).exists()
    failure = HookFailure.objects.get(resolved_at__isnull=True)
    assert (failure.event, failure.handler) == (
        "report.versions_submitted",
        "funding.form_j_flows",
    )
    assert failure.payload == {"version_ids": [amendment.pk]}
    assert "unlink them first" in failure.error
    assert AuditEvent.objects.filter(action="follow_up.failed", object_id=str(failure.pk)).exists()

    client.force_login(user)
    assert client.get("/follow-ups/").status_code == 403
    assert client.post(f"/follow-ups/{failure.pk}/retry/").status_code == 403
    client.force_login(cast["isu_staff"])
    assert "1 failed follow-up waits to be retried" in client.get("/reports/").content.decode()
    page = client.get("/follow-ups/").content.decode()
    assert "unlink them first" in page and f"/follow-ups/{failure.pk}/retry/" in page

    response = client.post(f"/follow-ups/{failure.pk}/retry/", follow=True)
    assert "failed again" in response.content.decode()
    failure.refresh_from_db()
    assert failure.attempts == 2 and failure.resolved_at is None

    Flow.objects.filter(pk=onward.pk).update(via=None)
    response = client.post(f"/follow-ups/{failure.pk}/retry/", follow=True)
    assert "resolved" in response.content.decode()
    failure.refresh_from_db()
    assert failure.resolved_at is not None and failure.attempts == 3
    assert Flow.objects.filter(report_version_id=amendment.pk).count() == 2
    assert not Flow.objects.filter(report_version_id=first.pk).exists()
    assert "No follow-up is waiting" in client.get("/follow-ups/").content.decode()
    assert client.post(f"/follow-ups/{failure.pk}/retry/").status_code == 404
