"""The reference loader: real data, idempotent, audited, all-or-nothing."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from minefree.core.audit import SYSTEM
from minefree.core.dates import Precision
from minefree.core.models import AuditEvent
from minefree.registry import selectors
from minefree.registry.models import (
    Actor,
    EifBasis,
    Obligation,
    ObligationStatus,
    StateAdherence,
    TreatyStatus,
)
from minefree.registry.reference import ReferenceDataError, meeting_code, parse_partial
from minefree.registry.services import reference_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(settings.REFERENCE_DATA_DIR, target)
    return target


def _adherence(iso3: str) -> StateAdherence:
    return StateAdherence.objects.select_related("actor").get(actor__iso3=iso3)


def _art5(iso3: str) -> Obligation:
    return Obligation.objects.get(actor__iso3=iso3, article=5)


def test_second_load_changes_nothing_and_writes_no_audit_event():
    before = AuditEvent.objects.count()
    summary = reference_load(actor=SYSTEM, directory=settings.REFERENCE_DATA_DIR)
    assert summary.changed == 0
    assert AuditEvent.objects.count() == before


def test_a_changed_row_updates_its_record_and_is_audited(data_copy: Path):
    path = data_copy / "article5.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "PER,4,extension_granted,,5th Review Conference (Nov 2024),2029-12-31",
            "PER,4,extension_granted,,5th Review Conference (Nov 2024),2030-12-31",
        ),
        encoding="utf-8",
    )
    summary = reference_load(actor=SYSTEM, directory=data_copy)
    assert summary.counts["deadline events"]["updated"] == 1
    assert summary.counts["obligations"]["updated"] == 1
    assert _art5("PER").current_deadline == dt.date(2030, 12, 31)
    event = AuditEvent.objects.filter(
        action="reference.updated", object_type="registry.deadlineevent"
    ).latest("id")
    assert event.state_code == "PER"
    assert event.before == {"deadline": "2029-12-31"}
    assert event.after == {"deadline": "2030-12-31"}


def test_a_bad_file_loads_nothing(data_copy: Path):
    (data_copy / "article5.csv").write_text(
        (data_copy / "article5.csv")
        .read_text(encoding="utf-8")
        .replace("2029-12-31", "end of 2029"),
        encoding="utf-8",
    )
    states = data_copy / "states_parties.csv"
    states.write_text(
        states.read_text(encoding="utf-8").replace("Afghanistan,AFG", "Afghanistan (changed),AFG"),
        encoding="utf-8",
    )
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ReferenceDataError, match=r"article5\.csv"):
        reference_load(actor=SYSTEM, directory=data_copy)
    assert Actor.objects.get(iso3="AFG").name_en == "Afghanistan"
    assert AuditEvent.objects.count() == audit_before


def test_a_missing_file_is_named():
    with pytest.raises(ReferenceDataError, match=r"states_parties\.csv"):
        reference_load(actor=SYSTEM, directory=Path("/nonexistent"))


def test_entry_into_force_computed_by_article_17_from_a_known_deposit():
    afghanistan = _adherence("AFG")
    assert afghanistan.eif_basis == EifBasis.COMPUTED_ART17
    assert afghanistan.entry_into_force.is_exact
    assert afghanistan.eif_earliest == dt.date(2003, 3, 1)


def test_entry_into_force_from_a_year_only_deposit_is_an_interval():
    turkiye = _adherence("TUR")
    assert turkiye.consent_precision == Precision.YEAR
    assert turkiye.eif_basis == EifBasis.COMPUTED_FROM_YEAR
    assert (turkiye.eif_earliest, turkiye.eif_latest) == (dt.date(2003, 7, 1), dt.date(2004, 6, 1))
    due = turkiye.initial_report_due
    assert due is not None and not due.is_exact


def test_first_forty_enter_into_force_on_1_march_1999():
    peru = _adherence("PER")
    assert peru.eif_basis == EifBasis.FIRST_40
    assert peru.eif_earliest == peru.eif_latest == dt.date(1999, 3, 1)


def test_no_date_means_unknown_not_invented():
    saint_vincent = _adherence("VCT")
    assert saint_vincent.consent_date is None
    assert saint_vincent.entry_into_force is None
    assert saint_vincent.initial_report_due is None


def test_obligations_exist_only_where_a_source_shows_one():
    assert not Obligation.objects.filter(actor__iso3="FRA").exists()
    assert Obligation.objects.filter(actor__iso3="PER", article=5).exists()
    assert not Obligation.objects.filter(actor__iso3="PER", article=4).exists()


def test_current_deadline_comes_from_the_latest_decision():
    assert _art5("PER").current == parse_partial("2029-12-31")[0]
    assert _art5("THA").current_deadline == dt.date(2023, 10, 31)  # reported; request pending
    assert _art5("COL").current_deadline == dt.date(2025, 12, 31)


def test_decisions_of_the_22nd_meeting_of_the_states_parties_are_loaded():
    """Cambodia's third extension, to 31 December 2030, granted at the 22MSP (Geneva, 2025)."""
    cambodia = _art5("KHM")
    assert cambodia.current_deadline == dt.date(2030, 12, 31)
    granted = cambodia.events.filter(kind="extension_granted").order_by("-seq").first()
    assert granted.meeting.code == "22MSP" and granted.deadline == dt.date(2030, 12, 31)
    assert "asianews.network" in granted.source.url
    meeting = selectors.meetings_list().get(code="22MSP")
    assert (meeting.place, meeting.president_state.iso3) == ("Geneva", "JPN")
    assert (meeting.start_date, meeting.end_date) == (dt.date(2025, 12, 1), dt.date(2025, 12, 5))


def test_an_extension_granted_without_a_known_deadline_leaves_the_current_one_unknown():
    cyprus = _art5("CYP")
    assert cyprus.original_deadline == dt.date(2013, 7, 1)
    assert cyprus.current_deadline is None


def test_deadline_history_is_kept_in_order():
    kinds = list(_art5("PER").events.values_list("kind", flat=True))
    assert kinds == [
        "original_deadline",
        "extension_granted",
        "extension_granted",
        "extension_granted",
    ]
    last = _art5("PER").events.last()
    assert last.meeting is not None and last.meeting.code == "5RC"


def test_completion_with_month_precision():
    bhutan = _art5("BTN")
    assert bhutan.status == ObligationStatus.COMPLETED
    assert (bhutan.completion_date, bhutan.completion_precision) == (
        dt.date(2013, 12, 1),
        Precision.MONTH,
    )


def test_withdrawals_and_pending_withdrawal():
    assert _adherence("EST").status == TreatyStatus.WITHDRAWN
    assert _adherence("EST").withdrawal_effective == dt.date(2025, 12, 27)
    assert _adherence("UKR").status == TreatyStatus.WITHDRAWAL_PENDING
    assert _adherence("UKR").withdrawal_effective is None


def test_any_years_set_of_states_parties_is_a_query():
    in_2026 = set(selectors.parties_in_year(2026).values_list("iso3", flat=True))
    in_2025 = set(selectors.parties_in_year(2025).values_list("iso3", flat=True))
    assert "UKR" in in_2026  # withdrawal not effective
    assert "FIN" in in_2026  # effective 10 January 2026: party for part of the year
    assert "POL" not in selectors.parties_on(dt.date(2026, 3, 1)).values_list("iso3", flat=True)
    assert "MHL" in in_2025 and "TON" in in_2025
    assert "POL" in in_2025  # notified at the latest six months before 20 Feb 2026
    assert "LBN" not in in_2026  # party status not verified
    assert "PER" in set(selectors.parties_in_year(1999).values_list("iso3", flat=True))
    assert "AFG" not in set(selectors.parties_in_year(2002).values_list("iso3", flat=True))


def test_non_party_states_and_bodies_are_actors_too():
    assert Actor.objects.get(iso3="USA").kind == "state"
    assert not StateAdherence.objects.filter(actor__iso3="USA").exists()  # never joined
    assert not StateAdherence.objects.filter(actor__iso3="MMR").exists()
    peru_centre = Actor.objects.filter(kind="national_body", parent__iso3="PER")
    assert peru_centre.exists()


@pytest.mark.parametrize(
    ("written", "iso3"),
    [
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("Turquía", "TUR"),
        ("Lao PDR", "LAO"),
        ("Pérou", "PER"),
        ("cote d'ivoire", "CIV"),
        ("DR Congo", "COD"),
    ],
)
def test_names_as_states_write_them_resolve_to_one_actor(written, iso3):
    actor = selectors.resolve_actor(written)
    assert actor is not None and actor.iso3 == iso3


def test_names_are_in_three_languages():
    peru = Actor.objects.get(iso3="PER")
    assert (peru.name_en, peru.name_fr, peru.name_es) == ("Peru", "Pérou", "Perú")


def test_conflicting_sources_are_both_kept():
    profile = selectors.country_profile("YEM")
    alternatives = profile.alt("obligation:YEM:5:original_deadline")
    assert [a.value for a in alternatives] == ["2009-04-01"]
    assert _art5("YEM").original_deadline == dt.date(2009, 3, 1)


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("12MSP", "12MSP"),
        ("16MSP (Vienna, Dec 2017)", "16MSP"),
        ("Fourth Review Conference (Oslo, Nov 2019)", "4RC"),
        ("5th Review Conference (Nov 2024)", "5RC"),
        ("(2009)", ""),
    ],
)
def test_meeting_labels_map_to_codes(label, code):
    assert meeting_code(label) == code


def test_request_dates_keep_their_qualifier():
    value, note = parse_partial("2009-01-01 (as listed by LM)")
    assert value is not None and value.iso() == "2009-01-01" and note == "as listed by LM"
    value, note = parse_partial("by 2027-03")
    assert value is not None and value.precision == Precision.MONTH and note == "by"


def test_committee_of_2024_and_the_fifth_review_conference():
    seats = (
        selectors.committees_list()
        .get(code="cooperation_assistance")
        .seats.filter(term_start_meeting__code="21MSP")
    )
    members = {(s.actor.iso3, s.role) for s in seats}
    assert members == {("DZA", "chair"), ("DNK", "member"), ("JPN", "member"), ("TUR", "member")}
    conference = selectors.meetings_list().get(code="5RC")
    assert conference.place.startswith("Siem Reap")
    assert (conference.start_date, conference.end_date) == (
        dt.date(2024, 11, 25),
        dt.date(2024, 11, 29),
    )
    assert conference.president_state.iso3 == "KHM"
