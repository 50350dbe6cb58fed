"""Writes to the registry. Every function is an audited ``@service``."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pycountry
from babel import Locale
from django.db import models

from minefree.core.audit import audit_events, audit_record, service, snapshot, within_service
from minefree.core.dates import PartialDate, Precision
from minefree.core.models import Origin, Source
from minefree.core.permissions import require
from minefree.registry import reference as ref
from minefree.registry.models import (
    Actor,
    ActorAlias,
    ActorKind,
    AlternativeValue,
    Committee,
    CommitteeSeat,
    DeadlineEvent,
    DeadlineEventKind,
    Meeting,
    Obligation,
    PartyPeriod,
    StateAdherence,
    TreatyStatus,
)
from minefree.registry.signals import reference_loaded

M = TypeVar("M", bound=models.Model)
Progress = Callable[[str, int, int], None]


def normalize_name(name: str) -> str:
    """Lower-case, accent-free, punctuation-light form used to match names."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in plain.casefold())
    return " ".join(cleaned.split())


@dataclass
class LoadSummary:
    """What a reference load changed, per kind of record."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, label: str, outcome: str) -> None:
        self.counts.setdefault(label, Counter())[outcome] += 1

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] + c["deleted"] for c in self.counts.values())


class _Sync:
    """Applies desired rows to one model, keyed by a natural key, collecting audit rows."""

    def __init__(self, summary: LoadSummary, actor: Any) -> None:
        self.summary = summary
        self.actor = actor
        self.changes: dict[str, list[tuple[models.Model, Any, Any, str]]] = {}

    def _log(self, action: str, obj: models.Model, before: Any, after: Any, state: str) -> None:
        self.changes.setdefault(action, []).append((obj, before, after, state))
        self.summary.add(obj._meta.verbose_name_plural.__str__(), action.rsplit(".", 1)[-1])

    @within_service
    def upsert(
        self,
        existing: dict[Any, M],
        key: Any,
        model: type[M],
        values: dict[str, Any],
        state: str = "",
    ) -> M:
        obj = existing.get(key)
        label = str(model._meta.verbose_name_plural)
        if obj is None:
            obj = model(**values)
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save()
            existing[key] = obj
            self._log("reference.created", obj, None, snapshot(obj, values.keys()), state)
            return obj
        before = snapshot(obj, values.keys())
        for name, value in values.items():
            setattr(obj, name, value)
        after = snapshot(obj, values.keys())
        if before != after:
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save(update_fields=list(values.keys()))
            diff_before = {k: v for k, v in before.items() if after.get(k) != v}
            diff_after = {k: after[k] for k in diff_before}
            self._log("reference.updated", obj, diff_before, diff_after, state)
        else:
            self.summary.add(label, "unchanged")
        return obj

    @within_service
    def delete_missing(
        self, existing: dict[Any, M], keep: set[Any], state_of: Callable[[M], str]
    ) -> None:
        for key, obj in list(existing.items()):
            if key not in keep:
                before = snapshot(obj)
                self._log("reference.deleted", obj, before, None, state_of(obj))
                obj.delete()
                del existing[key]

    def flush(self) -> int:
        total = 0
        for action, rows in self.changes.items():
            total += audit_events(actor=self.actor, action=action, changes=rows)
        self.changes.clear()
        return total


class _Sources:
    def __init__(self, sync: _Sync) -> None:
        self.sync = sync
        self.cache: dict[tuple[str, str, str], Source] = {
            (s.url, s.title, s.edition): s for s in Source.objects.all()
        }

    def get(self, url: str, title: str = "", edition: str = "") -> Source | None:
        url, title, edition = url.strip()[:1000], title.strip()[:300], edition.strip()[:120]
        if not (url or title):
            return None
        return self.sync.upsert(
            self.cache,
            (url, title, edition),
            Source,
            {"url": url, "title": title, "edition": edition},
        )


@dataclass(frozen=True)
class _LoadRun:
    """What every step of one reference load shares: the changes it collects, the sources,
    the folder it reads, the actors by ISO code (or ``key:<slug>``) and its progress."""

    sync: _Sync
    sources: _Sources
    directory: Path
    actors: dict[str, Actor]
    report: Progress


def _date_fields(prefix: str, value: PartialDate | None) -> dict[str, Any]:
    return {
        prefix: value.value if value else None,
        f"{prefix}_precision": value.precision if value else Precision.DAY,
    }


def _localized_names(iso2: str, fallback: str) -> dict[str, str]:
    names = {"name_en": fallback, "name_fr": "", "name_es": ""}
    for lang in ("fr", "es"):
        territory = Locale.parse(lang).territories.get(iso2.upper()) if iso2 else None
        names[f"name_{lang}"] = territory or fallback
    return names


def _country_aliases(iso3: str, iso2: str) -> set[tuple[str, str]]:
    aliases: set[tuple[str, str]] = set()
    country = pycountry.countries.get(alpha_3=iso3) if iso3 else None
    if country is not None:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                aliases.add((value, "en"))
    if iso2:
        for lang in ("en", "fr", "es"):
            territory = Locale.parse(lang).territories.get(iso2.upper())
            if territory:
                aliases.add((territory, lang))
    return aliases


@service
def reference_load(*, actor: Any, directory: Path, progress: Progress | None = None) -> LoadSummary:
    """Load the reference CSV files; idempotent and all-or-nothing.

    A second run with the same files changes nothing. A changed row updates its
    record and is audited with before/after; rows gone from a file are deleted.
    """
    require(actor, "reference.load")
    report: Progress = progress or (lambda step, done, total: None)
    summary = LoadSummary()
    sync = _Sync(summary, actor)

    states = ref.parse_states(directory / "states_parties.csv")
    art4 = ref.parse_article4(directory / "article4.csv")
    art5 = ref.parse_article5(directory / "article5.csv", directory / "article5_summary.csv")

    actors = {a.iso3 or f"key:{a.slug}": a for a in Actor.objects.all()}
    run = _LoadRun(sync, _Sources(sync), directory, actors, report)
    _load_states(run, states)
    _load_other_actors(run)
    _load_aliases(run)
    meetings = _load_meetings(run)
    _load_obligations(run, art4 + art5, meetings)
    _load_committees(run, meetings)
    _load_alternatives(run)
    sync.flush()
    reference_loaded.send(Actor, actor=actor, directory=directory, summary=summary)
    return summary


def withdrawal_notified_by(effective: dt.date | None) -> dt.date | None:
    """Article 20(2): a withdrawal takes effect six months after notification, so the
    notification (and party status) came at the latest six months before."""
    if effective is None:
        return None
    months = effective.year * 12 + effective.month - 1 - 6
    year, month = divmod(months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(effective.day, last_day))


def _load_states(run: _LoadRun, states: list[ref.StateRow]) -> None:
    adherences = {a.actor_id: a for a in StateAdherence.objects.all()}
    periods = {(p.actor_id, p.start_earliest): p for p in PartyPeriod.objects.all()}
    keep_periods: set[Any] = set()
    total = len(states)
    for done, row in enumerate(sorted(states, key=lambda r: r.iso3), start=1):
        dates_source = run.sources.get(row.dates_sources)
        actor = run.sync.upsert(
            run.actors,
            row.iso3,
            Actor,
            {
                "kind": ActorKind.STATE,
                "iso3": row.iso3,
                "iso2": row.iso2,
                "slug": row.iso3.lower(),
                **_localized_names(row.iso2, row.name_en),
                "region": row.region,
                "subregion": row.subregion,
                "parent": None,
                "origin": Origin.REFERENCE,
                "source": dates_source,
            },
            row.iso3,
        )
        year_source = (
            run.sources.get(
                row.year_source,
                "UN Treaty Collection: year of ratification or accession (mondiale open dataset)",
            )
            if row.consent_from_year
            else None
        )
        values = {
            "actor": actor,
            "status": row.status,
            **_date_fields("signature_date", row.signature),
            "signature_precision": row.signature.precision if row.signature else Precision.DAY,
            "consent_date": row.consent.value if row.consent else None,
            "consent_precision": row.consent.precision if row.consent else Precision.DAY,
            "consent_type": row.consent_type,
            "dates_source": dates_source,
            "consent_year_source": year_source,
            "eif_earliest": row.eif.earliest if row.eif else None,
            "eif_latest": row.eif.latest if row.eif else None,
            "eif_basis": row.eif_basis,
            "withdrawal_notified": row.withdrawal_notified,
            "withdrawal_effective": row.withdrawal_effective,
            "withdrawal_source": run.sources.get(row.withdrawal_source),
            "notes": row.notes,
            "origin": Origin.REFERENCE,
        }
        values.pop("signature_date_precision", None)
        run.sync.upsert(adherences, actor.pk, StateAdherence, values, row.iso3)
        period_key = (actor.pk, row.eif.earliest if row.eif else None)
        keep_periods.add(period_key)
        run.sync.upsert(
            periods,
            period_key,
            PartyPeriod,
            {
                "actor": actor,
                "start_earliest": row.eif.earliest if row.eif else None,
                # Entry into force unknown: a state that notified withdrawal was certainly
                # a party by then, which is a bound a source gives, not an invented date.
                "start_latest": row.eif.latest
                if row.eif
                else (row.withdrawal_notified or withdrawal_notified_by(row.withdrawal_effective)),
                "end": row.withdrawal_effective if row.status == TreatyStatus.WITHDRAWN else None,
                "verified": row.status != TreatyStatus.PARTY_UNVERIFIED,
                "withdrawal_notified": row.withdrawal_notified,
            },
            row.iso3,
        )
        run.report("states", done, total)
    run.sync.delete_missing(periods, keep_periods, lambda p: p.actor.iso3 or "")


def _load_other_actors(run: _LoadRun) -> None:
    """Non-party states, other areas without a party status, organisations, national bodies."""
    non_party = {r["iso3"]: r for _, r in ref.read_csv(run.directory / "non_party_states.csv")}
    party_codes = set(StateAdherence.objects.values_list("actor__iso3", flat=True))
    countries = list(pycountry.countries)
    for done, country in enumerate(countries, start=1):
        iso3 = country.alpha_3
        if iso3 in party_codes:
            run.report("other states and areas", done, len(countries))
            continue
        row = non_party.get(iso3)
        name = getattr(country, "common_name", None) or country.name
        run.sync.upsert(
            run.actors,
            iso3,
            Actor,
            {
                "kind": ActorKind.STATE if row else ActorKind.OTHER_AREA,
                "iso3": iso3,
                "iso2": country.alpha_2,
                "slug": iso3.lower(),
                **_localized_names(country.alpha_2, row["name_en"] if row else name),
                "region": "",
                "subregion": "",
                "parent": None,
                "origin": Origin.REFERENCE,
                "source": run.sources.get(row["source_url"], row["source_title"]) if row else None,
            },
            iso3 if row else "",
        )
        run.report("other states and areas", done, len(countries))
    extra = list(ref.read_csv(run.directory / "actors_extra.csv"))
    for done, (line, r) in enumerate(extra, start=1):
        parent = run.actors.get(r["parent_iso3"]) if r["parent_iso3"] else None
        if r["parent_iso3"] and parent is None:
            raise ref.ReferenceDataError(
                f"actors_extra.csv line {line}: unknown parent {r['parent_iso3']}"
            )
        run.sync.upsert(
            run.actors,
            f"key:{r['key']}",
            Actor,
            {
                "kind": r["kind"],
                "iso3": None,
                "iso2": "",
                "slug": r["key"],
                "name_en": r["name_en"],
                "name_fr": r["name_fr"] or r["name_en"],
                "name_es": r["name_es"] or r["name_en"],
                "region": "",
                "subregion": "",
                "parent": parent,
                "origin": Origin.REFERENCE,
                "source": run.sources.get(r["source_url"]),
            },
            r["parent_iso3"],
        )
        run.report("organisations and national bodies", done, len(extra))


def _load_aliases(run: _LoadRun) -> None:
    existing = {(a.actor_id, a.normalized): a for a in ActorAlias.objects.all()}
    wanted: dict[tuple[int, str], dict[str, Any]] = {}

    def want(actor: Actor, name: str, language: str) -> None:
        normalized = normalize_name(name)
        if normalized and (actor.pk, normalized) not in wanted:
            wanted[(actor.pk, normalized)] = {
                "actor": actor,
                "name": name,
                "normalized": normalized,
                "language": language,
            }

    for actor in run.actors.values():
        want(actor, actor.name_en, "en")
        want(actor, actor.name_fr, "fr")
        want(actor, actor.name_es, "es")
        for name, lang in sorted(_country_aliases(actor.iso3 or "", actor.iso2)):
            want(actor, name, lang)
    for line, r in ref.read_csv(run.directory / "aliases.csv"):
        key = r["iso3_or_key"]
        target = run.actors.get(key) or run.actors.get(f"key:{key}")
        if target is None:
            raise ref.ReferenceDataError(f"aliases.csv line {line}: unknown actor {key!r}")
        want(target, r["alias"], r["language"])
    total = len(wanted)
    ordered = sorted(wanted.items(), key=lambda kv: kv[0])
    for done, (alias_key, values) in enumerate(ordered, start=1):
        run.sync.upsert(existing, alias_key, ActorAlias, values, values["actor"].iso3 or "")
        if done % 200 == 0 or done == total:
            run.report("names and aliases", done, total)
    run.sync.delete_missing(existing, set(wanted), lambda a: a.actor.iso3 or "")


def _load_meetings(run: _LoadRun) -> dict[str, Meeting]:
    existing = {m.code: m for m in Meeting.objects.all()}
    rows = list(ref.read_csv(run.directory / "meetings.csv"))
    for done, (line, r) in enumerate(rows, start=1):
        where = f"meetings.csv line {line}"
        start = ref.parse_date(r["start_date"], where)
        end = ref.parse_date(r["end_date"], where)
        president = run.actors.get(r["president_state_iso3"]) if r["president_state_iso3"] else None
        run.sync.upsert(
            existing,
            r["code"],
            Meeting,
            {
                "code": r["code"],
                "kind": r["kind"],
                "number": int(r["number"]) if r["number"] else None,
                "name_en": r["name_en"],
                "place": r["place"],
                "start_date": start.value if start else None,
                "end_date": end.value if end else None,
                "date_precision": (start.precision if start else Precision.DAY),
                "president_state": president,
                "president_name": r["president_name"],
                "source": run.sources.get(r["source_url"]),
                "notes": r["notes"],
            },
        )
        run.report("meetings", done, len(rows))
    return existing


def _load_obligations(
    run: _LoadRun, rows: list[ref.ObligationRow], meetings: dict[str, Meeting]
) -> None:
    existing = {(o.actor_id, o.article): o for o in Obligation.objects.all()}
    # the decisions recorded in minefree since (``extension_record``) are no reference rows:
    # the file neither changes nor removes them, and the latest sets the current deadline
    events = {
        (e.obligation_id, e.seq): e for e in DeadlineEvent.objects.filter(origin=Origin.REFERENCE)
    }
    recorded = {
        e.obligation_id: e
        for e in DeadlineEvent.objects.exclude(origin=Origin.REFERENCE)
        .filter(kind=DeadlineEventKind.EXTENSION_GRANTED, deadline__isnull=False)
        .order_by("seq")
    }
    keep_obligations: set[Any] = set()
    keep_events: set[Any] = set()
    for done, row in enumerate(rows, start=1):
        actor = run.actors.get(row.iso3)
        if actor is None:
            raise ref.ReferenceDataError(f"Article {row.article}: unknown state {row.iso3}")
        key = (actor.pk, row.article)
        keep_obligations.add(key)
        current = row.current
        decided = recorded.get(existing[key].pk) if key in existing else None
        if decided is not None and decided.deadline is not None:
            current = PartialDate(decided.deadline, Precision(decided.deadline_precision))
        obligation = run.sync.upsert(
            existing,
            key,
            Obligation,
            {
                "actor": actor,
                "article": row.article,
                "status": row.status,
                "status_detail": row.status_detail,
                **_date_fields("original_deadline", row.original),
                "original_deadline_basis": row.original_basis[:120],
                **_date_fields("current_deadline", current),
                "completion_date": row.completion.value if row.completion else None,
                "completion_precision": row.completion.precision if row.completion else "day",
                "total_destroyed": row.total_destroyed,
                "total_destroyed_qualifier": row.total_destroyed_qualifier,
                "retained": row.retained,
                "retained_as_of": row.retained_as_of.value if row.retained_as_of else None,
                "retained_as_of_precision": (
                    row.retained_as_of.precision if row.retained_as_of else "day"
                ),
                "pending_request": row.pending_request[:120],
                "source": run.sources.get(row.source_url),
                "notes": row.notes,
                "origin": Origin.REFERENCE,
            },
            row.iso3,
        )
        for event in row.events:
            event_key = (obligation.pk, event.seq)
            keep_events.add(event_key)
            code = ref.meeting_code(event.meeting_label)
            run.sync.upsert(
                events,
                event_key,
                DeadlineEvent,
                {
                    "obligation": obligation,
                    "seq": event.seq,
                    "kind": event.kind,
                    **_date_fields("request_submitted", event.submitted),
                    "request_submitted_note": event.submitted_note[:80],
                    "meeting": meetings.get(code) if code else None,
                    "meeting_label": event.meeting_label[:120],
                    **_date_fields("deadline", event.deadline),
                    "completion_date": event.completion.value if event.completion else None,
                    "completion_precision": event.completion.precision
                    if event.completion
                    else "day",
                    "date_basis": event.date_basis[:120],
                    "source": run.sources.get(event.source_url),
                    "notes": event.notes,
                },
                row.iso3,
            )
        run.report("Article 4 and 5 obligations", done, len(rows))
    run.sync.delete_missing(events, keep_events, lambda e: e.obligation.actor.iso3 or "")
    run.sync.delete_missing(existing, keep_obligations, lambda o: o.actor.iso3 or "")


def _load_committees(run: _LoadRun, meetings: dict[str, Meeting]) -> None:
    committees = {c.code: c for c in Committee.objects.all()}
    seats = {
        (s.committee_id, s.actor_id, s.term_start_year, s.role): s
        for s in CommitteeSeat.objects.all()
    }
    keep: set[Any] = set()
    rows = list(ref.read_csv(run.directory / "committee_seats.csv"))
    for done, (line, r) in enumerate(rows, start=1):
        where = f"committee_seats.csv line {line}"
        committee = run.sync.upsert(
            committees,
            r["committee_code"],
            Committee,
            {"code": r["committee_code"], "name_en": r["committee_name_en"]},
        )
        state = run.actors.get(r["state_iso3"])
        if state is None:
            raise ref.ReferenceDataError(f"{where}: unknown state {r['state_iso3']!r}")
        for column in ("term_start_meeting", "term_end_meeting"):
            if r[column] and r[column] not in meetings:
                raise ref.ReferenceDataError(f"{where}: unknown meeting {r[column]!r}")
        start_year = int(r["term_start_year"])
        key = (committee.pk, state.pk, start_year, r["role"])
        keep.add(key)
        run.sync.upsert(
            seats,
            key,
            CommitteeSeat,
            {
                "committee": committee,
                "actor": state,
                "role": r["role"],
                "term_start_meeting": meetings.get(r["term_start_meeting"]),
                "term_end_meeting": meetings.get(r["term_end_meeting"]),
                "term_start_year": start_year,
                "term_end_year": int(r["term_end_year"]) if r["term_end_year"] else None,
                "source": run.sources.get(r["source_url"]),
                "notes": r["notes"],
            },
            state.iso3 or "",
        )
        run.report("committee seats", done, len(rows))
    run.sync.delete_missing(seats, keep, lambda s: s.actor.iso3 or "")


def _load_alternatives(run: _LoadRun) -> None:
    existing = {
        (a.object_type, a.object_key, a.field, a.value, a.source_id): a
        for a in AlternativeValue.objects.all()
    }
    keep: set[Any] = set()
    rows = list(ref.read_csv(run.directory / "conflicts.csv"))
    for done, (_line, r) in enumerate(rows, start=1):
        source = run.sources.get(r["source_url"], r["source_title"])
        assert source is not None
        key = (r["object_type"], r["object_key"], r["field"], r["value"], source.pk)
        keep.add(key)
        run.sync.upsert(
            existing,
            key,
            AlternativeValue,
            {
                "object_type": r["object_type"],
                "object_key": r["object_key"],
                "field": r["field"],
                "value": r["value"],
                "source": source,
                "notes": r["notes"],
            },
            r["object_key"].split(":")[0],
        )
        run.report("conflicting values", done, len(rows))
    run.sync.delete_missing(existing, keep, lambda a: a.object_key.split(":")[0])


EDITABLE_MODELS = (Actor, Meeting, Committee, CommitteeSeat, Obligation, DeadlineEvent)


def _state_of(record: models.Model) -> str:
    if isinstance(record, Actor):
        return record.iso3 or ""
    for path in ("actor", "obligation"):
        related = getattr(record, path, None)
        if isinstance(related, Actor):
            return related.iso3 or ""
        if isinstance(related, Obligation):
            return related.actor.iso3 or ""
    return ""


@service
def registry_record_save(*, actor: Any, record: models.Model, fields: list[str]) -> models.Model:
    """ISU staff correct a registry record (the admin calls this); before/after are audited."""
    require(actor, "registry.edit")
    if not isinstance(record, EDITABLE_MODELS):
        raise TypeError(f"{type(record).__name__} is not edited through the registry")
    model = type(record)
    creating = record.pk is None or not model.objects.filter(pk=record.pk).exists()
    before = None if creating else snapshot(model.objects.get(pk=record.pk), fields or None)
    record.full_clean()
    record.save()
    after = snapshot(record, fields or None)
    audit_record(
        actor=actor,
        action=f"registry.{'created' if creating else 'updated'}",
        obj=record,
        before=before,
        after=after,
        state_code=_state_of(record),
    )
    return record


#: decisions recorded in minefree are numbered after the reference file's events
RECORDED_SEQ_START = 1000


@service
def extension_record(
    *,
    actor: Any,
    obligation_id: int,
    reference: str,
    decided_on: str,
    new_deadline: str | None,
    submitted_on: str | None = None,
    meeting_id: int | None = None,
    origin: str = Origin.ENTERED,
) -> DeadlineEvent | None:
    """An extension granted by a Meeting, recorded in minefree (``EXTENSION_DECIDED``):
    an event in the obligation's deadline history and its new current deadline, so the
    country page, the reminders and every analysis see it. Idempotent: a decision already
    recorded (same ``reference``) is left as it is."""
    require(actor, "obligation.extend", None, "Only ISU staff record extensions.")
    obligation = Obligation.objects.select_related("actor").get(pk=obligation_id)
    known = DeadlineEvent.objects.filter(obligation=obligation, reference=reference).first()
    if known is not None or new_deadline is None:
        return known
    meeting = Meeting.objects.filter(pk=meeting_id).first() if meeting_id else None
    last = obligation.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    event = DeadlineEvent(
        obligation=obligation,
        seq=max(last, RECORDED_SEQ_START) + 1,
        kind=DeadlineEventKind.EXTENSION_GRANTED,
        request_submitted=dt.date.fromisoformat(submitted_on) if submitted_on else None,
        meeting=meeting,
        meeting_label=meeting.name_en if meeting else "",
        deadline=dt.date.fromisoformat(new_deadline),
        date_basis="as decided",
        notes=f"Decided on {decided_on}; recorded in minefree.",
        origin=origin,
        reference=reference,
    )
    event.full_clean(validate_constraints=False)
    event.save()
    state = obligation.actor.state_code
    audit_record(
        actor=actor,
        action="deadline.extension_recorded",
        obj=event,
        after=snapshot(event),
        state_code=state,
    )
    before = snapshot(obligation, ["current_deadline", "current_deadline_precision"])
    obligation.current_deadline = event.deadline
    obligation.current_deadline_precision = Precision.DAY
    obligation.save(update_fields=["current_deadline", "current_deadline_precision"])
    audit_record(
        actor=actor,
        action="obligation.deadline_extended",
        obj=obligation,
        before=before,
        after=snapshot(obligation, ["current_deadline", "current_deadline_precision"]),
        state_code=state,
    )
    return event
