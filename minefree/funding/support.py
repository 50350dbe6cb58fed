"""Load the Landmine Monitor support figures (``data/reference/support.csv``).

Rows of one donor to one recipient become published flows (origin ``reference``, reported
by a third party, status ``paid``: the Monitor counts contributions made in the year); a
``donor_pledge`` to a named recipient becomes a pledge. Everything else is an aggregate and
becomes a ``PublishedTotal``, shown beside the sum of loaded rows, never summed itself:

* ``ALL`` / ``Global`` / ``States Parties (23)`` / lists such as ``US; EU; …`` name no one
  actor, so such a row is a total (a donor's unallocated "Global" funding, or a pledge to
  all, is a total of kind "other" with the donor set);
* ``Global (GICHD)`` names the organisation in brackets;
* an organisation the registry lacks is created (kind organisation, origin reference),
  except names that are plainly groups.

Loading is idempotent: rows already loaded are kept, changed or vanished rows are replaced,
and only those changes are audited. It runs at the end of ``reference_load`` (signal), so
``minefree load-reference``, the demo and the test database all have it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db.models import Model
from django.utils.text import slugify

from minefree.assistance.models import AssistanceType
from minefree.core.audit import audit_events, service, snapshot, within_service
from minefree.core.models import Origin, Source, Visibility
from minefree.core.permissions import require
from minefree.funding.models import Flow, FlowStatus, PublishedTotal, ReportedBy, TotalKind
from minefree.registry.models import Actor, ActorKind
from minefree.registry.selectors import actor_resolver

FILE_NAME = "support.csv"
FLOW_TYPES = {"donor_to_recipient": FlowStatus.PAID, "donor_pledge": FlowStatus.PLEDGE}
TOTAL_KINDS = {
    "global_total_intl_and_national": TotalKind.GLOBAL,
    "international_total": TotalKind.INTERNATIONAL,
    "donor_total": TotalKind.DONOR,
    "recipient_total": TotalKind.RECIPIENT,
    "sector_total": TotalKind.SECTOR,
}
#: names that stand for everyone or a group, never one actor
GROUP_NAMES = re.compile(r"^(all|global|states parties.*|.*;.*)$", re.IGNORECASE)
BRACKETED = re.compile(r"^global \((?P<name>.+)\)$", re.IGNORECASE)
#: Monitor sector words → pillar codes; a row naming several pillars gets none (mixed)
SECTOR_PILLARS = {
    "clearance": "survey_clearance",
    "survey": "survey_clearance",
    "risk education": "risk_education",
    "victim assistance": "victim_assistance",
    "stockpile destruction": "stockpile_destruction",
    "capacity-building": "capacity_building",
    "capacity building": "capacity_building",
    "coordination": "capacity_building",
    "advocacy": "advocacy",
}


def sector_pillars(sector: str) -> set[str]:
    """The pillars a Monitor sector label names (``various`` names none)."""
    text = sector.casefold()
    return {pillar for word, pillar in SECTOR_PILLARS.items() if word in text}


@dataclass
class SupportSummary:
    flows_created: int = 0
    flows_deleted: int = 0
    totals_created: int = 0
    totals_deleted: int = 0
    actors_created: int = 0


def _usd(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text.strip() else None
    except InvalidOperation:
        return None


def _flow_key(f: Flow) -> tuple[Any, ...]:
    return (
        f.year,
        f.donor_id,
        f.recipient_id,
        f.status,
        f.pillar,
        f.amount.quantize(Decimal("0.01")),
        f.currency,
        f.amount_usd.quantize(Decimal("0.01")) if f.amount_usd is not None else None,
        f.description,
        f.source_id,
    )


def _total_key(t: PublishedTotal) -> tuple[Any, ...]:
    def q(v: Decimal | None) -> Decimal | None:
        return v.quantize(Decimal("0.01")) if v is not None else None

    return (
        t.year,
        t.kind,
        t.record_type,
        t.donor_id,
        t.recipient_id,
        t.sector,
        q(t.amount_usd),
        q(t.amount_eur),
        t.notes,
        t.source_id,
    )


class _Actors:
    """Resolves Monitor names; creates a missing organisation once."""

    def __init__(self, summary: SupportSummary, log: list[tuple[Model, Any, Any, str]]) -> None:
        self.resolve: Callable[[str], Actor | None] = actor_resolver()
        self.by_name = {a.name_en.casefold(): a for a in Actor.objects.filter(iso3__isnull=True)}
        self.summary = summary
        self.log = log

    @within_service
    def get(self, name: str, *, create: bool) -> Actor | None:
        name = name.strip()
        actor = self.resolve(name) if name else None
        if actor is not None:
            return actor
        if not name or GROUP_NAMES.match(name):
            bracketed = BRACKETED.match(name)
            if not bracketed:
                return None
            name = bracketed.group("name")
        actor = self.resolve(name) or self.by_name.get(name.casefold())
        if actor is None and create:
            actor = Actor(
                kind=ActorKind.ORGANISATION,
                slug=slugify(name)[:80] or "organisation",
                name_en=name,
                name_fr=name,
                name_es=name,
                origin=Origin.REFERENCE,
            )
            actor.full_clean()
            actor.save()
            self.by_name[name.casefold()] = actor
            self.summary.actors_created += 1
            self.log.append((actor, None, snapshot(actor, ["kind", "name_en"]), ""))
        return actor


def _source(
    cache: dict[tuple[str, str, str], Source],
    url: str,
    title: str,
    log: list[tuple[Model, Any, Any, str]],
) -> Source:
    key = (url.strip()[:1000], title.strip()[:300], "")
    if key not in cache:
        source, created = Source.objects.get_or_create(url=key[0], title=key[1], edition="")
        if created:
            log.append((source, None, snapshot(source), ""))
        cache[key] = source
    return cache[key]


@service
def support_load(*, actor: Any, path: Path) -> SupportSummary:
    """Replace the loaded Monitor flows and totals by what ``path`` holds now."""
    require(actor, "reference.load", None, "Only ISU staff load reference data.")
    summary = SupportSummary()
    log: list[tuple[Model, Any, Any, str]] = []
    actors = _Actors(summary, log)
    sources = {(s.url, s.title, s.edition): s for s in Source.objects.all()}
    flows: list[Flow] = []
    totals: list[PublishedTotal] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            year = int(row["year"])
            record_type = row["record_type"].strip()
            source = _source(sources, row["source_url"], row["source_report"], log)
            usd = _usd(row["amount_usd"])
            notes = row["notes"].strip()[:300]
            recipient = actors.get(row["recipient"], create=True)
            donor = actors.get(row["donor"], create=True)
            if record_type in FLOW_TYPES and donor and recipient and usd is not None:
                pillars = sector_pillars(row["sector"])
                sector = row["sector"].strip()
                flows.append(
                    Flow(
                        donor=donor,
                        recipient=recipient,
                        status=FLOW_TYPES[record_type],
                        year=year,
                        pillar=pillars.pop() if len(pillars) == 1 else "",
                        assistance_type=AssistanceType.FINANCIAL,
                        amount=usd,
                        currency="USD",
                        amount_usd=usd,
                        reported_by=ReportedBy.THIRD_PARTY,
                        description=(
                            f"{sector} — {notes}" if sector and notes else sector or notes
                        )[:300],
                        source=source,
                        visibility=Visibility.PUBLIC,
                        origin=Origin.REFERENCE,
                    )
                )
                continue
            totals.append(
                PublishedTotal(
                    year=year,
                    kind=TOTAL_KINDS.get(record_type, TotalKind.OTHER),
                    record_type=record_type[:60],
                    donor=donor,
                    recipient=recipient,
                    sector=row["sector"].strip()[:60],
                    amount_usd=usd,
                    amount_eur=_usd(row["amount_eur"]),
                    notes=(
                        f"recipient: {row['recipient'].strip()}; {notes}"
                        if record_type in FLOW_TYPES
                        else notes
                    )[:300],
                    source=source,
                    origin=Origin.REFERENCE,
                )
            )
    _replace_flows(flows, summary, log)
    _replace_totals(totals, summary, log)
    if log:
        for action in ("created", "deleted"):
            audit_events(
                actor=actor,
                action=f"reference.{action}",
                changes=[c for c in log if (c[1] is None) == (action == "created")],
            )
    return summary


def loaded_flows() -> Any:
    """The flows this loader owns: Monitor rows, never report-derived or typed-in ones."""
    return Flow.objects.filter(
        origin=Origin.REFERENCE,
        reported_by=ReportedBy.THIRD_PARTY,
        report_version_id__isnull=True,
        source__isnull=False,
    )


def _replace_flows(
    flows: list[Flow], summary: SupportSummary, log: list[tuple[Model, Any, Any, str]]
) -> None:
    existing: dict[tuple[Any, ...], list[Flow]] = {}
    for flow in loaded_flows().select_related("recipient"):
        existing.setdefault(_flow_key(flow), []).append(flow)
    new = []
    for flow in flows:
        same = existing.get(_flow_key(flow))
        if same:
            same.pop()
        else:
            new.append(flow)
    gone = [f for group in existing.values() for f in group]
    for flow in gone:
        log.append((flow, snapshot(flow), None, flow.recipient.iso3 or ""))
    if gone:
        Flow.objects.filter(pk__in=[f.pk for f in gone]).delete()
    Flow.objects.bulk_create(new)
    for flow in new:
        log.append((flow, None, snapshot(flow), flow.recipient.iso3 or ""))
    summary.flows_created, summary.flows_deleted = len(new), len(gone)


def _replace_totals(
    totals: list[PublishedTotal], summary: SupportSummary, log: list[tuple[Model, Any, Any, str]]
) -> None:
    existing: dict[tuple[Any, ...], list[PublishedTotal]] = {}
    for total in PublishedTotal.objects.filter(origin=Origin.REFERENCE):
        existing.setdefault(_total_key(total), []).append(total)
    new = []
    for total in totals:
        same = existing.get(_total_key(total))
        if same:
            same.pop()
        else:
            new.append(total)
    gone = [t for group in existing.values() for t in group]
    for total in gone:
        log.append((total, snapshot(total), None, ""))
    if gone:
        PublishedTotal.objects.filter(pk__in=[t.pk for t in gone]).delete()
    PublishedTotal.objects.bulk_create(new)
    for total in new:
        log.append((total, None, snapshot(total), ""))
    summary.totals_created, summary.totals_deleted = len(new), len(gone)


def on_reference_loaded(sender: Any, *, actor: Any, directory: Path, **kwargs: Any) -> None:
    """``reference_loaded`` receiver: load support.csv when the folder has one."""
    path = Path(directory) / FILE_NAME
    if not path.exists():
        return
    result = support_load(actor=actor, path=path)
    load_summary = kwargs.get("summary")
    if load_summary is not None:
        for label, created, deleted in (
            ("funding flows (Landmine Monitor)", result.flows_created, result.flows_deleted),
            ("published totals", result.totals_created, result.totals_deleted),
        ):
            for outcome, count in (("created", created), ("deleted", deleted)):
                for _ in range(count):
                    load_summary.add(label, outcome)
