"""Export flows as IATI activity XML (standard 2.03) and as CSV.

IATI is how donors already publish aid, so our flows can be read by the same tools. One
``iati-activity`` per flow: the activity is the support from the donor to the recipient in
that year. The ISU publishes as a secondary reporter (it reports others' flows).

Transaction types follow the IATI TransactionType codelist and the reporter's side: a flow
reported by the donor or a third party is outgoing (12 Outgoing Pledge, 2 Outgoing
Commitment, 3 Disbursement); one reported by the recipient is incoming (13 Incoming Pledge,
11 Incoming Commitment, 1 Incoming Funds).

Synthetic demo flows are invented: the download leaves them out unless asked for, and then
each says so in its title, its description and a ``tag``, so a file passed on never
presents invented money as the ISU's record.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from lxml import etree

from minefree.core.currency import NO_CURRENCY
from minefree.core.exports import SafeCsvWriter
from minefree.core.models import Origin
from minefree.funding.models import Flow, FlowStatus, ReportedBy
from minefree.registry.models import Actor, ActorKind

IATI_VERSION = "2.03"
#: the publisher; IATI organisation identifiers use a registration-agency prefix, and "XI-IATI"
#: is IATI's own agency for publishers with no other registration
REPORTING_ORG_REF = "XI-IATI-APMBC-ISU"
REPORTING_ORG_NAME = "Implementation Support Unit, Anti-Personnel Mine Ban Convention"
REPORTING_ORG_TYPE = "40"  # Multilateral
#: DAC 5-digit sector 15250: Removal of land mines and explosive remnants of war
DAC_SECTOR = "15250"
OUTGOING = {FlowStatus.PLEDGE: "12", FlowStatus.COMMITMENT: "2", FlowStatus.PAID: "3"}
INCOMING = {FlowStatus.PLEDGE: "13", FlowStatus.COMMITMENT: "11", FlowStatus.PAID: "1"}
#: ActivityStatus: 1 pipeline (pledged), 2 implementation (committed or being paid)
ACTIVITY_STATUS = {FlowStatus.PLEDGE: "1", FlowStatus.COMMITMENT: "2", FlowStatus.PAID: "2"}
#: OrganisationType: 10 government, 40 multilateral / other organisation left untyped
ORG_TYPE = {ActorKind.STATE: "10", ActorKind.NATIONAL_BODY: "10"}
SYNTHETIC_LABEL = "SYNTHETIC DEMO DATA"
#: IATI TagVocabulary 99: a vocabulary of the reporting organisation (minefree's own)
SYNTHETIC_TAG = {"vocabulary": "99", "code": "synthetic-demo-data"}


def transaction_type(flow: Flow) -> str:
    codes = INCOMING if flow.reported_by == ReportedBy.RECIPIENT else OUTGOING
    return codes[FlowStatus(flow.status)]


def _narrative(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, **attrs)
    etree.SubElement(element, "narrative").text = text
    return element


def _org(parent: etree._Element, tag: str, actor: Actor, **attrs: str) -> None:
    if actor.kind in ORG_TYPE:
        attrs["type"] = ORG_TYPE[ActorKind(actor.kind)]
    _narrative(parent, tag, actor.name_en, **attrs)


def _activity(root: etree._Element, flow: Flow) -> None:
    activity = etree.SubElement(root, "iati-activity")
    if flow.currency != NO_CURRENCY:
        activity.set("default-currency", flow.currency)
    etree.SubElement(activity, "iati-identifier").text = f"{REPORTING_ORG_REF}-flow-{flow.pk}"
    _narrative(
        activity,
        "reporting-org",
        REPORTING_ORG_NAME,
        ref=REPORTING_ORG_REF,
        type=REPORTING_ORG_TYPE,
        **{"secondary-reporter": "1"},
    )
    synthetic = flow.origin == Origin.SYNTHETIC
    title = f"{flow.donor.name_en} to {flow.recipient.name_en}, {flow.year}"
    _narrative(activity, "title", f"{SYNTHETIC_LABEL}: {title}" if synthetic else title)
    description = flow.description or (
        f"{flow.get_assistance_type_display()} support for mine action "
        f"({flow.get_status_display()}, reported by {flow.get_reported_by_display()})"
    )
    if synthetic:
        description = (
            f"{SYNTHETIC_LABEL}: invented for the minefree demonstration, not a real flow. "
            f"{description}"
        )
    _narrative(activity, "description", str(description), type="1")
    _org(activity, "participating-org", flow.donor, role="1")
    _org(activity, "participating-org", flow.recipient, role="4")
    etree.SubElement(activity, "activity-status", code=ACTIVITY_STATUS[FlowStatus(flow.status)])
    etree.SubElement(activity, "activity-date", type="1", **{"iso-date": f"{flow.year}-01-01"})
    etree.SubElement(activity, "activity-date", type="3", **{"iso-date": f"{flow.year}-12-31"})
    if flow.recipient.kind == ActorKind.STATE and flow.recipient.iso2:
        etree.SubElement(activity, "recipient-country", code=flow.recipient.iso2)
    etree.SubElement(activity, "sector", vocabulary="1", code=DAC_SECTOR)
    if synthetic:
        _narrative(activity, "tag", SYNTHETIC_LABEL, **SYNTHETIC_TAG)
    transaction = etree.SubElement(activity, "transaction")
    etree.SubElement(transaction, "transaction-type", code=transaction_type(flow))
    etree.SubElement(transaction, "transaction-date", **{"iso-date": f"{flow.year}-01-01"})
    value = etree.SubElement(transaction, "value", **{"value-date": f"{flow.year}-01-01"})
    if flow.currency != NO_CURRENCY:
        value.set("currency", flow.currency)
    value.text = str(flow.amount)
    _org(transaction, "provider-org", flow.donor)
    _org(transaction, "receiver-org", flow.recipient)


def flows_iati_xml(flows: Iterable[Flow]) -> bytes:
    """IATI 2.03 activities for ``flows`` (pass a queryset with donor and recipient joined)."""
    root = etree.Element(
        "iati-activities",
        version=IATI_VERSION,
        **{"generated-datetime": timezone.now().replace(microsecond=0).isoformat()},
    )
    for flow in flows:
        _activity(root, flow)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


CSV_COLUMNS = [
    "id",
    "year",
    "fiscal_year",
    "status",
    "donor",
    "donor_code",
    "recipient",
    "recipient_code",
    "pillar",
    "channel",
    "assistance_type",
    "amount",
    "currency",
    "amount_usd",
    "reported_by",
    "origin",
    "visibility",
    "tranche_of",
    "via",
    "follows",
    "report_version",
    "source",
    "description",
]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def flows_csv(flows: Iterable[Flow]) -> str:
    """One row per flow; codes, not labels, so the file reads the same in every language.

    An unknown USD value is an empty cell, never zero.
    """
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in flows:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    f.pk,
                    f.year,
                    f.fiscal_year,
                    f.status,
                    f.donor.name_en,
                    f.donor.code,
                    f.recipient.name_en,
                    f.recipient.code,
                    f.pillar,
                    f.channel,
                    f.assistance_type,
                    f.amount,
                    f.currency,
                    f.amount_usd,
                    f.reported_by,
                    f.origin,
                    f.visibility,
                    f.tranche_of_id,
                    f.via_id,
                    f.follows_id,
                    f.report_version_id,
                    f.source.urls[0] if f.source and f.source.urls else "",
                    f.description,
                )
            ]
        )
    return out.getvalue()
