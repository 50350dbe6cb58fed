"""The Landmine Monitor figures of support.csv: flows and published totals, loaded once."""

import csv
from decimal import Decimal

import pytest
from django.conf import settings

from minefree.core.audit import SYSTEM
from minefree.core.models import AuditEvent, Origin
from minefree.funding import support
from minefree.funding import totals as funding
from minefree.funding.models import Flow, FlowStatus, PublishedTotal, ReportedBy, TotalKind
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db
PATH = settings.REFERENCE_DATA_DIR / "support.csv"


def _csv() -> list[dict[str, str]]:
    with PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _is_flow(row: dict[str, str]) -> bool:
    return (
        row["record_type"] in support.FLOW_TYPES
        and row["recipient"] not in ("ALL", "Global")
        and bool(row["amount_usd"])
    )


def test_support_csv_is_loaded_with_the_reference_data():
    rows = _csv()
    flows = support.loaded_flows()
    assert flows.count() == sum(_is_flow(r) for r in rows)
    assert PublishedTotal.objects.count() == sum(not _is_flow(r) for r in rows)
    assert set(flows.values_list("reported_by", flat=True)) == {ReportedBy.THIRD_PARTY}
    assert set(flows.values_list("origin", flat=True)) == {Origin.REFERENCE}
    assert not flows.filter(source__isnull=True).exists()


def test_a_flow_matches_its_row():
    germany_iraq = Flow.objects.get(
        donor__iso3="DEU", recipient__iso3="IRQ", year=2022, origin=Origin.REFERENCE
    )
    assert germany_iraq.amount_usd == Decimal("15836816")
    assert germany_iraq.status == FlowStatus.PAID
    assert germany_iraq.source.title == "Landmine Monitor 2023 (Germany profile)"
    gichd = Flow.objects.get(donor__iso3="DEU", year=2018, recipient__slug="gichd")
    assert gichd.amount_usd == Decimal("681276")


def test_aggregates_become_published_totals():
    ukraine = PublishedTotal.objects.get(year=2022, kind=TotalKind.RECIPIENT)
    assert ukraine.recipient == Actor.objects.get(iso3="UKR")
    assert ukraine.amount_usd == Decimal("162300000")
    eu = PublishedTotal.objects.get(year=2016, kind=TotalKind.DONOR, donor__slug="eu")
    assert eu.amount_usd == Decimal("73800000")
    group = PublishedTotal.objects.get(year=2020, record_type="top5_donors_total")
    assert group.donor is None and group.kind == TotalKind.OTHER
    pledge = PublishedTotal.objects.get(year=2019, record_type="donor_pledge")
    assert pledge.donor == Actor.objects.get(iso3="NOR") and pledge.amount_usd is None


def test_loading_again_changes_nothing():
    before = AuditEvent.objects.count()
    flows = set(support.loaded_flows().values_list("pk", flat=True))
    result = support.support_load(actor=SYSTEM, path=PATH)
    assert (result.flows_created, result.flows_deleted, result.totals_created) == (0, 0, 0)
    assert set(support.loaded_flows().values_list("pk", flat=True)) == flows
    assert AuditEvent.objects.count() == before


def test_a_changed_file_replaces_the_changed_rows(tmp_path):
    rows = _csv()
    first = next(i for i, r in enumerate(rows) if _is_flow(r))
    rows[first]["amount_usd"] = "1234"
    path = tmp_path / "support.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:-1])
    result = support.support_load(actor=SYSTEM, path=path)
    assert (result.flows_created, result.flows_deleted) == (1, 1)
    assert result.totals_deleted == (0 if _is_flow(rows[-1]) else 1)
    assert support.loaded_flows().filter(amount_usd=1234).count() == 1


def test_only_staff_load(django_user_model):
    user = django_user_model.objects.create_user(username="someone", password="x")
    with pytest.raises(Exception, match="staff"):
        support.support_load(actor=user, path=PATH)


def test_published_totals_stand_beside_the_loaded_rows():
    comparisons = funding.totals_against_published(2022)
    by_type = {(c.total.record_type, c.total.donor_id): c for c in comparisons}
    germany = Actor.objects.get(iso3="DEU")
    german = by_type[("donor_total", germany.pk)]
    loaded = sum(
        support.loaded_flows().filter(donor=germany, year=2022).values_list("amount_usd", flat=True)
    )
    assert german.loaded_usd == loaded
    assert german.gap_usd == german.total.amount_usd - loaded
    ukraine = next(c for c in comparisons if c.total.kind == TotalKind.RECIPIENT)
    assert ukraine.loaded_usd is not None and ukraine.loaded_usd < ukraine.total.amount_usd
    group = next(
        c for c in comparisons if c.total.record_type == "international_from_states_parties"
    )
    assert group.loaded_usd is None and group.gap_usd is None
