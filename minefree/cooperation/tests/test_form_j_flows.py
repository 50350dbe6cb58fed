"""Form J of Article 7 reports becomes flows: on submission, on amendment, on historic import."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minefree.accounts.tests.factories import make_cast
from minefree.cooperation import currency, flows, funding
from minefree.cooperation.models import Flow, FlowStatus, ReportedBy
from minefree.cooperation.selectors import Reader
from minefree.core.audit import SYSTEM
from minefree.core.models import Origin
from minefree.registry.models import Actor
from minefree.reporting import services
from minefree.reporting.imports import HistoricReport, reports_import_history
from minefree.reporting.models import ReportVersion
from minefree.reporting.tests.factories import submit_explained
from minefree.reporting.xlsx import ParsedReport

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


def test_submitting_a_report_turns_form_j_into_flows():
    cast = make_cast()
    version = submit_explained(cast["focal_point_peru"], _draft(cast["focal_point_peru"]))
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


def test_an_amendment_replaces_the_flows_of_the_earlier_version():
    cast = make_cast()
    user = cast["focal_point_peru"]
    first = submit_explained(user, _draft(user))
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
    submit_explained(user, amendment)
    assert not Flow.objects.filter(report_version_id=first.pk).exists()
    japan = Flow.objects.get(report_version_id=amendment.pk, donor__iso3="JPN")
    assert japan.amount == 500000


def test_only_the_state_or_staff_turn_reports_into_flows():
    cast = make_cast()
    version = submit_explained(cast["focal_point_peru"], _draft(cast["focal_point_peru"]))
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


def test_a_historic_import_makes_flows_in_bulk():
    reports_import_history(actor=SYSTEM, reports=_history(range(2010, 2014)))
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


def test_synthetic_reports_make_synthetic_flows_kept_out_of_real_totals():
    reports_import_history(actor=SYSTEM, reports=_history([2012]), origin=Origin.SYNTHETIC)
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
