"""Writes to the Cooperation and Assistance Fund, one audited ``@service`` per step.

Money moves only through ``ledger.book`` (under the currency's balance lock); an
application moves only along ``APPLICATION_WORKFLOW`` (re-read under its row lock, so a
double click or two tabs take a step once and the second is told it was already taken).
The visit report's lessons reach the knowledge base after commit (``fund.lessons``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from minefree.core import hooks
from minefree.core.audit import (
    audit_record,
    audited_create,
    audited_update,
    bump_versions,
    service,
    snapshot,
)
from minefree.core.currency import to_usd
from minefree.core.models import Origin, Source
from minefree.core.permissions import require
from minefree.core.uploads import DOCX, PDF, check_upload, store_upload
from minefree.core.versions import check_version, version_of
from minefree.core.workflow import AlreadyDone, actor_label, claim_once, locked
from minefree.fund import signals
from minefree.fund.ledger import book, currency_code, money
from minefree.fund.models import (
    APPLICATION_WORKFLOW,
    CALL_WORKFLOW,
    DEFAULT_CRITERIA,
    ZERO,
    Application,
    ApplicationStatus,
    BudgetCategory,
    BudgetLine,
    Call,
    CallStatus,
    Contribution,
    ContributionStatus,
    Disbursement,
    Eligibility,
    FinancialReport,
    FollowUpAction,
    FollowUpStatus,
    Grant,
    HostProfile,
    Movement,
    ReportRole,
    Score,
    SupportLetter,
    Theme,
    VisitReport,
)
from minefree.fund.seats import conflict, member_seat, seats_in
from minefree.registry.models import Actor, ActorKind, Meeting, Obligation
from minefree.registry.selectors import parties_on

LETTER_MAX_BYTES = 10 * 1024 * 1024
GENDERS = ("woman", "man", "other")
AGE_BANDS = ("18-29", "30-44", "45-59", "60+", "")
#: what ISU staff check before the committee sees an application
SCREENING_CHECKS: tuple[tuple[str, str], ...] = (
    ("eligible", "The applicant is an eligible national body"),
    ("host_agreed", "The host body agreed to receive the delegation"),
    ("complete", "Objectives, delegation, dates, agenda and budget are complete"),
    ("within_ceiling", "The amount asked is within the call's maximum"),
    ("letters", "Letters of support are attached and readable"),
)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _state_code(application: Application) -> str:
    state = application.applicant.parent
    return state.state_code if state is not None else ""


def _source(url: str) -> Source | None:
    url = (url or "").strip()
    if not url:
        return None
    source, _created = Source.objects.get_or_create(url=url[:1000], title="", edition="")
    return source


# --- contributions ---------------------------------------------------------------------------


@service
def contribution_record(
    *,
    actor: Any,
    donor: Actor,
    amount: Decimal | None,
    currency: str,
    pledged_on: dt.date | None = None,
    received_on: dt.date | None = None,
    earmark: str = "",
    announced_at: Meeting | None = None,
    source_url: str = "",
    notes: str = "",
    origin: str = Origin.ENTERED,
    request_key: str = "",
) -> Contribution:
    """A donor's contribution, pledged or (with ``received_on``) received. A pledge whose
    amount no source gives is recorded with the amount unknown. A form sent twice (its
    one-time ``request_key``) records it once."""
    require(actor, "fund.manage", None, _("Only ISU staff record the fund's contributions."))
    claim_once(actor_label=actor_label(actor), key=request_key, action="fund_contribution.recorded")
    if received_on is not None and amount is None:
        raise ValidationError(_("A contribution received needs its amount."))
    contribution = Contribution(
        donor=donor,
        amount=money(amount) if amount is not None else None,
        currency=currency_code(currency) if amount is not None or currency else "",
        pledged_on=pledged_on,
        earmark=earmark.strip(),
        announced_at=announced_at,
        notes=notes.strip(),
        origin=origin,
        source=_source(source_url),
    )
    year = (received_on or pledged_on or timezone.localdate()).year
    if contribution.amount is not None:
        contribution.amount_usd = to_usd(contribution.amount, contribution.currency, year)
    audited_create(actor=actor, obj=contribution, action="fund_contribution.recorded")
    if received_on is not None:
        _receive(actor, contribution, received_on)
    return contribution


def _receive(actor: Any, contribution: Contribution, on: dt.date) -> None:
    audited_update(
        actor=actor,
        obj=contribution,
        action="fund_contribution.received",
        changes={"status": ContributionStatus.RECEIVED, "received_on": on},
    )
    assert contribution.amount is not None
    book(
        actor=actor,
        kind=Movement.CONTRIBUTION,
        amount=contribution.amount,
        currency=contribution.currency,
        on=on,
        contribution=contribution,
    )


@service
def contribution_receive(
    *,
    actor: Any,
    contribution: Contribution,
    received_on: dt.date,
    amount: Decimal | None = None,
    currency: str = "",
) -> Contribution:
    """A pledge paid into the fund (its amount and currency given now if they were not)."""
    require(actor, "fund.manage", None, _("Only ISU staff record the fund's contributions."))
    locked(contribution)
    if contribution.status == ContributionStatus.RECEIVED:
        raise AlreadyDone(
            _("This contribution was already received on %(day)s.")
            % {"day": contribution.received_on}
        )
    if amount is not None:
        value = money(amount)
        code = currency_code(currency or contribution.currency)
        audited_update(  # the amount as received, before and after in the audit log
            actor=actor,
            obj=contribution,
            action="fund_contribution.changed",
            changes={
                "amount": value,
                "currency": code,
                "amount_usd": to_usd(value, code, received_on.year),
            },
        )
    if contribution.amount is None:
        raise ValidationError(_("Give the amount received."))
    _receive(actor, contribution, received_on)
    return contribution


# --- calls ---------------------------------------------------------------------------------


def _clean_call(call: Call) -> None:
    unknown = set(call.themes) - set(Theme.values)
    if unknown:
        raise ValidationError(
            _("Unknown themes: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        )
    if call.max_amount > call.budget:
        raise ValidationError(_("The maximum per application cannot exceed the call's budget."))
    for criterion in call.criteria:
        if not {"code", "label", "max"} <= set(criterion) or int(criterion["max"]) < 1:
            raise ValidationError(_("Each criterion needs a code, a label and a maximum score."))
    call.full_clean()


@service
def call_create(
    *,
    actor: Any,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    budget: Decimal,
    max_amount: Decimal,
    currency: str,
    description: str = "",
    eligibility: str = Eligibility.NATIONAL_BODIES_AFFECTED,
    themes: Sequence[str] = (),
    languages: Sequence[str] = ("en", "fr", "es"),
    criteria: Sequence[Mapping[str, Any]] | None = None,
    origin: str = Origin.ENTERED,
    request_key: str = "",
) -> Call:
    """A draft call for applications; published with ``call_publish`` (a form sent twice,
    its one-time ``request_key``, creates one)."""
    require(actor, "fund.manage", None, _("Only ISU staff open calls for applications."))
    claim_once(actor_label=actor_label(actor), key=request_key, action="fund_call.created")
    call = Call(
        title=title.strip(),
        description=description.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        budget=money(budget),
        max_amount=money(max_amount),
        currency=currency_code(currency),
        eligibility=eligibility,
        themes=list(themes),
        languages=list(languages),
        criteria=[dict(c) for c in (criteria if criteria is not None else DEFAULT_CRITERIA)],
        origin=origin,
    )
    if closes_on < opens_on:
        raise ValidationError(_("A call cannot close before it opens."))
    _clean_call(call)
    audited_create(actor=actor, obj=call, action="fund_call.created")
    return call


def _move_call(actor: Any, call: Call, target: str, action: str) -> Call:
    require(actor, "fund.manage", None, _("Only ISU staff publish and close calls."))
    locked(call)
    before = CALL_WORKFLOW.move(call, target)
    call.save(update_fields=["status"])
    audit_record(
        actor=actor, action=action, obj=call, before={"status": before}, after={"status": target}
    )
    return call


@service
def call_publish(*, actor: Any, call: Call) -> Call:
    """The call appears on ``/fund/`` and national bodies may apply while it is open."""
    return _move_call(actor, call, CallStatus.PUBLISHED, "fund_call.published")


@service
def call_close(*, actor: Any, call: Call) -> Call:
    return _move_call(actor, call, CallStatus.CLOSED, "fund_call.closed")


# --- host profiles -----------------------------------------------------------------------------


@service
def host_profile_set(
    *,
    actor: Any,
    body: Actor,
    capabilities: Sequence[str],
    languages: Sequence[str] = (),
    notes: str = "",
    origin: str = Origin.ENTERED,
) -> HostProfile:
    """What a national body can show visitors (its state's people or ISU staff say)."""
    require(
        actor, "fund_host_profile.edit", body, _("Only the body's state or ISU staff describe it.")
    )
    if body.kind != ActorKind.NATIONAL_BODY:
        raise ValidationError(
            _("Only a national body (a mine action centre or authority) hosts visits.")
        )
    unknown = set(capabilities) - set(Theme.values)
    if unknown:
        raise ValidationError(
            _("Unknown capabilities: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        )
    profile = HostProfile.objects.filter(body=body).first()
    values = {
        "capabilities": sorted(set(capabilities)),
        "languages": sorted({code.strip().lower() for code in languages if code.strip()}),
        "notes": notes.strip(),
        "origin": origin,
    }
    if profile is None:
        profile = HostProfile(body=body, **values)
        audited_create(actor=actor, obj=profile, action="fund_host_profile.created")
    else:
        audited_update(actor=actor, obj=profile, action="fund_host_profile.changed", changes=values)
    return profile


# --- applications ----------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "host",
    "theme",
    "objectives",
    "articles",
    "actions",
    "challenges",
    "delegation",
    "starts_on",
    "ends_on",
    "agenda",
    "co_funding",
    "co_funding_note",
)


def _clean_delegation(delegation: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    people = []
    for n, person in enumerate(delegation, start=1):
        function = str(person.get("function", "")).strip()
        gender = str(person.get("gender", "")).strip().lower()
        age = str(person.get("age_band", "")).strip()
        if not function:
            raise ValidationError(_("Person %(n)s of the delegation needs a function.") % {"n": n})
        if gender not in GENDERS:
            raise ValidationError(_("Person %(n)s: gender is woman, man or other.") % {"n": n})
        if age not in AGE_BANDS:
            raise ValidationError(
                _("Person %(n)s: age band is one of %(bands)s.")
                % {"n": n, "bands": ", ".join(b for b in AGE_BANDS if b)}
            )
        people.append({"function": function[:200], "gender": gender, "age_band": age})
    return people


def _clean_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    values = dict(fields)
    if "delegation" in values:
        values["delegation"] = _clean_delegation(values["delegation"] or [])
    if "articles" in values:
        articles = [int(a) for a in values["articles"] or []]
        if any(not 1 <= a <= 22 for a in articles):
            raise ValidationError(_("Convention articles are numbered 1 to 22."))
        values["articles"] = sorted(set(articles))
    for name in ("actions", "challenges"):
        if name in values:
            values[name] = [str(v).strip()[:40] for v in values[name] or [] if str(v).strip()]
    for name in ("objectives", "agenda", "co_funding_note"):
        if name in values:
            values[name] = str(values[name] or "").strip()
    if "co_funding" in values:
        values["co_funding"] = Decimal(str(values["co_funding"] or 0)).quantize(Decimal("0.01"))
        if values["co_funding"] < ZERO:
            raise ValidationError(_("Co-funding cannot be negative."))
    if "theme" in values and values["theme"] not in Theme.values:
        raise ValidationError(_("Choose a theme from the list."))
    return values


def _require_applicant(actor: Any, application: Application) -> None:
    require(
        actor,
        "fund_application.draft",
        application.applicant,
        _("Only the applicant state's focal point and delegates change its application."),
    )


@service
def application_create(
    *,
    actor: Any,
    call: Call,
    applicant: Actor,
    theme: str,
    currency: str = "",
    origin: str = Origin.ENTERED,
    notes: str = "",
    request_key: str = "",
    **fields: Any,
) -> Application:
    """A draft application of a national body to a published call (``notes``: what is
    known of it and from where, for records taken from a source; a form sent twice, its
    one-time ``request_key``, creates one draft)."""
    require(
        actor,
        "fund_application.draft",
        applicant,
        _("Only the applicant state's focal point and delegates apply for its national body."),
    )
    claim_once(actor_label=actor_label(actor), key=request_key, action="fund_application.created")
    if applicant.kind != ActorKind.NATIONAL_BODY or applicant.parent_id is None:
        raise ValidationError(
            _(
                "The applicant must be a national body (a mine action centre or authority) of a state."
            )
        )
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(_("This call is not open for applications."))
    values = _clean_fields({"theme": theme, **fields})
    application = Application(
        call=call,
        applicant=applicant,
        currency=currency_code(currency or call.currency),
        origin=origin,
        notes=notes.strip(),
        created_by=_user(actor),
        **values,
    )
    audited_create(
        actor=actor,
        obj=application,
        action="fund_application.created",
        state_code=_state_code(application),
    )
    return application


def application_version(application: Application) -> str:
    """The version of a draft's content: its editable fields and its budget lines, so a
    writer who read the draft (``ETag``) does not overwrite a change they have not seen."""
    budget = [
        [line.category, line.description, str(line.amount)]
        for line in BudgetLine.objects.filter(application=application).order_by("id")
    ]
    return version_of(application, [*EDITABLE_FIELDS, "status"], {"budget": budget})


@service
def application_update(
    *,
    actor: Any,
    application: Application,
    expected_version: str | None = None,
    **fields: Any,
) -> Application:
    """Change a draft (while it is the applicant's to change); with ``expected_version``,
    a draft changed since the writer read it is not overwritten."""
    _require_applicant(actor, application)
    locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise PermissionDenied(_("A submitted application cannot be changed."))
    check_version(application, application_version(application), expected_version)
    values = _clean_fields(fields)
    audited_update(
        actor=actor,
        obj=application,
        action="fund_application.changed",
        changes=values,
        state_code=_state_code(application),
    )
    return application


@service
def budget_lines_replace(
    *,
    actor: Any,
    application: Application,
    lines: Sequence[Mapping[str, Any]],
    expected_version: str | None = None,
) -> list[BudgetLine]:
    """The draft's whole budget, line by line (category, description, amount); with
    ``expected_version``, as for ``application_update``."""
    _require_applicant(actor, application)
    locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise PermissionDenied(_("A submitted application cannot be changed."))
    check_version(application, application_version(application), expected_version)
    rows = []
    for n, line in enumerate(lines, start=1):
        category = str(line.get("category", ""))
        if category not in BudgetCategory.values:
            raise ValidationError(_("Line %(n)s: choose a category from the list.") % {"n": n})
        try:
            amount = Decimal(str(line.get("amount", ""))).quantize(Decimal("0.01"))
        except ArithmeticError as exc:
            raise ValidationError(_("Line %(n)s: give the amount as a number.") % {"n": n}) from exc
        if amount < ZERO:
            raise ValidationError(_("Line %(n)s: the amount cannot be negative.") % {"n": n})
        rows.append(
            BudgetLine(
                application=application,
                category=category,
                description=str(line.get("description", "")).strip()[:300],
                amount=amount,
            )
        )
    before = [
        {"category": b.category, "description": b.description, "amount": str(b.amount)}
        for b in application.budget_lines.all()
    ]
    application.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="fund_application.budget_replaced",
        obj=application,
        before={"budget": before},
        after={
            "budget": [
                {"category": b.category, "description": b.description, "amount": str(b.amount)}
                for b in rows
            ]
        },
        state_code=_state_code(application),
    )
    return list(application.budget_lines.all())


@service
def support_letter_add(
    *, actor: Any, application: Application, title: str, file: Any, name: str
) -> SupportLetter:
    """A letter of support (PDF or DOCX, checked by its content, at most 10 MB)."""
    _require_applicant(actor, application)
    locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise PermissionDenied(_("A submitted application cannot be changed."))
    clean_name = Path(name).name[:100] or "letter.pdf"
    check_upload(file, name=clean_name, allowed=(PDF, DOCX), max_bytes=LETTER_MAX_BYTES)
    letter = SupportLetter(application=application, title=(title.strip() or clean_name)[:200])
    store_upload(letter.file, clean_name, file)
    audited_create(
        actor=actor,
        obj=letter,
        action="fund_application.letter_added",
        state_code=_state_code(application),
    )
    return letter


def submission_problems(
    application: Application, on: dt.date | None = None
) -> list[tuple[str, str]]:
    """What keeps a draft from being submitted, by field (shown beside the form)."""
    day = on or timezone.localdate()
    call = application.call
    problems: list[tuple[str, str]] = []
    if call.status != CallStatus.PUBLISHED or not call.opens_on <= day <= call.closes_on:
        problems.append(
            (
                "call",
                _("The call is open from %(start)s to %(end)s.")
                % {"start": call.opens_on, "end": call.closes_on},
            )
        )
    state = application.applicant.parent
    if state is not None and not parties_on(day).filter(pk=state.pk).exists():
        problems.append(("applicant", _("The applicant's state is not a State Party.")))
    affected_only = call.eligibility == Eligibility.NATIONAL_BODIES_AFFECTED
    if affected_only and not Obligation.objects.filter(actor=state, article=5).exists():
        problems.append(
            (
                "applicant",
                _("This call is for bodies of States Parties with an Article 5 obligation."),
            )
        )
    host = application.host
    if host is None:
        problems.append(("host", _("Choose the host body.")))
    elif host.kind != ActorKind.NATIONAL_BODY or host.parent_id in (
        None,
        application.applicant.parent_id,
    ):
        problems.append(("host", _("The host must be a national body of another state.")))
    if call.themes and application.theme not in call.themes:
        problems.append(("theme", _("This call is for other themes.")))
    if not application.objectives:
        problems.append(("objectives", _("Say what the visit should achieve.")))
    if not application.delegation:
        problems.append(("delegation", _("Name at least one member of the delegation.")))
    if application.starts_on is None or application.ends_on is None:
        problems.append(("starts_on", _("Give the dates of the visit.")))
    elif application.ends_on < application.starts_on:
        problems.append(("ends_on", _("The visit cannot end before it starts.")))
    if not application.agenda:
        problems.append(("agenda", _("Give the agenda of the visit.")))
    lines = list(application.budget_lines.all())
    total = sum((line.amount for line in lines), ZERO)
    if not lines or total <= ZERO:
        problems.append(("budget", _("Give the budget, line by line.")))
    elif total > call.max_amount:
        problems.append(
            (
                "budget",
                _("The budget (%(total)s) is above the call's maximum of %(max)s %(currency)s.")
                % {"total": total, "max": call.max_amount, "currency": call.currency},
            )
        )
    if application.currency != call.currency:
        problems.append(
            (
                "currency",
                _("Give the budget in the call's currency (%(c)s).") % {"c": call.currency},
            )
        )
    return problems


def _move(actor: Any, application: Application, target: str, action: str, **changes: Any) -> str:
    before = APPLICATION_WORKFLOW.move(application, target)
    for name, value in changes.items():
        setattr(application, name, value)
    application.save(update_fields=["status", *changes])
    audit_record(
        actor=actor,
        action=action,
        obj=application,
        before={"status": before},
        after={"status": target, **{k: str(v) for k, v in changes.items()}},
        state_code=_state_code(application),
    )
    host_state = application.host.parent if application.host is not None else None
    if host_state is not None and host_state.state_code != _state_code(application):
        bump_versions([host_state.state_code])  # the host's country page lists the visit
    return before


@service
def application_submit(
    *, actor: Any, application: Application, on: dt.date | None = None
) -> Application:
    """The applicant sends its draft to the fund; ISU staff screen it next."""
    _require_applicant(actor, application)
    locked(application)
    if application.status != ApplicationStatus.DRAFT:
        APPLICATION_WORKFLOW.check(application.status, ApplicationStatus.SUBMITTED)
    problems = submission_problems(application, on)
    if problems:
        raise ValidationError([message for _field, message in problems])
    _move(
        actor,
        application,
        ApplicationStatus.SUBMITTED,
        "fund_application.submitted",
        submitted_at=timezone.now(),
        returned_reason="",
    )
    return application


def _require_manager(actor: Any, message: str) -> None:
    require(actor, "fund.manage", None, message)


@service
def application_return(*, actor: Any, application: Application, reason: str) -> Application:
    """ISU staff send a submitted application back to its applicant, saying why."""
    _require_manager(actor, _("Only ISU staff screen applications."))
    if not reason.strip():
        raise ValidationError(_("Say why the application is returned."))
    locked(application)
    _move(
        actor,
        application,
        ApplicationStatus.DRAFT,
        "fund_application.returned",
        returned_reason=reason.strip(),
    )
    return application


@service
def application_screen(
    *, actor: Any, application: Application, checks: Mapping[str, bool], note: str = ""
) -> Application:
    """ISU staff find the application eligible and complete: the committee reviews it."""
    _require_manager(actor, _("Only ISU staff screen applications."))
    locked(application)
    missing = [label for code, label in SCREENING_CHECKS if not checks.get(code)]
    if missing:
        raise ValidationError(
            _(
                "Every check must pass before the committee reviews it; otherwise return the application. Not checked: %(list)s."
            )
            % {"list": "; ".join(missing)}
        )
    _move(
        actor,
        application,
        ApplicationStatus.IN_REVIEW,
        "fund_application.screened",
        screening={code: True for code, _label in SCREENING_CHECKS},
        screening_note=note.strip(),
    )
    return application


def criteria_of(application: Application) -> list[dict[str, Any]]:
    return application.call.criteria or DEFAULT_CRITERIA


@service
def score_record(
    *,
    actor: Any,
    application: Application,
    values: Mapping[str, Any],
    comment: str = "",
    on_behalf_of: Actor | None = None,
) -> Score:
    """A committee member scores the application on each of the call's criteria, once per
    member state; a member whose state is the applicant's or the host's may not. ISU
    staff, as the committee's secretariat, may record the scores a member state sent in
    (``on_behalf_of``), under the same rule."""
    year = application.call.year
    if on_behalf_of is not None:
        require(actor, "fund.manage", None, _("Only ISU staff record a member's scores for it."))
        seat = next((s for s in seats_in(year) if s.actor_id == on_behalf_of.pk), None)
    else:
        seat = member_seat(actor, year)
    if seat is None:
        raise PermissionDenied(
            _("Only members of the committee in %(year)s score this call's applications.")
            % {"year": year}
        )
    reason = conflict(seat.actor_id, application)
    if reason:
        raise PermissionDenied(reason)
    if on_behalf_of is None:
        require(actor, "fund_application.score", application)
    locked(application)
    if application.status != ApplicationStatus.IN_REVIEW:
        raise ValidationError(_("Only applications in review by the committee are scored."))
    clean: dict[str, int] = {}
    for criterion in criteria_of(application):
        code, top = criterion["code"], int(criterion["max"])
        try:
            value = int(values[code])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                _("Score “%(label)s” from 0 to %(max)s.")
                % {"label": criterion["label"], "max": top}
            ) from exc
        if not 0 <= value <= top:
            raise ValidationError(
                _("Score “%(label)s” from 0 to %(max)s.")
                % {"label": criterion["label"], "max": top}
            )
        clean[code] = value
    existing = Score.objects.filter(application=application, member_state_id=seat.actor_id).first()
    if existing is not None:
        raise AlreadyDone(
            _("%(state)s has already scored this application.") % {"state": seat.actor}
        )
    score = Score(
        application=application,
        member_state_id=seat.actor_id,
        scored_by=_user(actor),
        values=clean,
        comment=comment.strip(),
    )
    audited_create(
        actor=actor,
        obj=score,
        action="fund_application.scored",
        state_code=_state_code(application),
    )
    return score


@service
def decision_record(
    *,
    actor: Any,
    application: Application,
    selected: bool,
    reasons: str,
    on: dt.date | None = None,
) -> Application:
    """The committee's chair records the decision, with its reasons."""
    if not _can(actor, "fund.manage", None):  # ISU staff record it for the chair
        require(
            actor,
            "fund_application.decide",
            application,
            _("The committee's chair records the decision."),
        )
    if not reasons.strip():
        raise ValidationError(_("Give the reasons for the decision."))
    locked(application)
    if (
        selected
        and application.status == ApplicationStatus.IN_REVIEW
        and not application.scores.exists()
    ):
        raise ValidationError(_("No member has scored this application yet."))
    target = ApplicationStatus.SELECTED if selected else ApplicationStatus.NOT_SELECTED
    _move(
        actor,
        application,
        target,
        "fund_application.decided",
        decision_reasons=reasons.strip(),
        decided_on=on or timezone.localdate(),
    )
    return application


# --- grants and money -------------------------------------------------------------------------


@service
def grant_agree(
    *,
    actor: Any,
    application: Application,
    amount: Decimal,
    signed_on: dt.date,
    conditions: str = "",
) -> Grant:
    """The grant agreement of a selected application: its amount is reserved in the ledger
    (refused, with the amount available, when the fund cannot cover it)."""
    _require_manager(actor, _("Only ISU staff sign grant agreements."))
    locked(application)
    APPLICATION_WORKFLOW.check(application.status, ApplicationStatus.GRANTED)
    amount = money(amount)
    requested = application.requested
    if amount > requested:
        raise ValidationError(
            _("The grant cannot exceed the budget asked for (%(total)s %(currency)s).")
            % {"total": requested, "currency": application.currency}
        )
    if amount > application.call.max_amount:
        raise ValidationError(_("The grant cannot exceed the call's maximum."))
    grant = Grant(
        application=application,
        amount=amount,
        currency=application.currency,
        signed_on=signed_on,
        conditions=conditions.strip(),
    )
    audited_create(
        actor=actor, obj=grant, action="fund_grant.agreed", state_code=_state_code(application)
    )
    book(
        actor=actor,
        kind=Movement.RESERVATION,
        amount=amount,
        currency=grant.currency,
        on=signed_on,
        grant=grant,
        state_code=_state_code(application),
    )
    _move(actor, application, ApplicationStatus.GRANTED, "fund_application.granted")
    return grant


PAYABLE = {ApplicationStatus.GRANTED, ApplicationStatus.VISIT_HELD, ApplicationStatus.REPORTED}


@service
def disbursement_record(
    *, actor: Any, grant: Grant, amount: Decimal, paid_on: dt.date
) -> Disbursement:
    """A tranche paid to the grantee, from the grant's reservation (never more than what
    the grant still holds)."""
    _require_manager(actor, _("Only ISU staff record disbursements."))
    locked(grant)
    application = grant.application
    if application.status not in PAYABLE:
        raise ValidationError(
            _("Tranches are paid between the agreement and the financial report.")
        )
    amount = money(amount)
    if amount > grant.undisbursed:
        raise ValidationError(
            _("This grant has %(left)s %(currency)s left to pay.")
            % {"left": grant.undisbursed, "currency": grant.currency}
        )
    disbursement = Disbursement(
        grant=grant, number=grant.disbursements.count() + 1, amount=amount, paid_on=paid_on
    )
    audited_create(
        actor=actor,
        obj=disbursement,
        action="fund_grant.disbursed",
        state_code=_state_code(application),
    )
    grant.disbursed += amount
    grant.save(update_fields=["disbursed"])
    book(
        actor=actor,
        kind=Movement.DISBURSEMENT,
        amount=amount,
        currency=grant.currency,
        on=paid_on,
        grant=grant,
        disbursement=disbursement,
        state_code=_state_code(application),
    )
    return disbursement


@service
def visit_held_record(
    *, actor: Any, application: Application, held_from: dt.date, held_until: dt.date
) -> Application:
    """The visit took place (ISU staff or the applicant state record it)."""
    require(
        actor,
        "fund_visit.record",
        application.applicant,
        _("ISU staff or the applicant state record that the visit was held."),
    )
    if held_until < held_from:
        raise ValidationError(_("The visit cannot end before it starts."))
    locked(application)
    _move(
        actor,
        application,
        ApplicationStatus.VISIT_HELD,
        "fund_application.visit_held",
        held_from=held_from,
        held_until=held_until,
    )
    return application


def _can(actor: Any, action: str, target: Any) -> bool:
    from minefree.core.permissions import can

    return can(actor, action, target)


def _clean_lessons(lessons: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    clean = []
    for n, lesson in enumerate(lessons, start=1):
        title = str(lesson.get("title", "")).strip()
        text = str(lesson.get("text", "")).strip()
        if not title or not text:
            raise ValidationError(_("Lesson %(n)s needs a title and a text.") % {"n": n})
        clean.append({"title": title[:200], "text": text[:5000]})
    return clean


@service
def visit_report_submit(
    *,
    actor: Any,
    application: Application,
    role: str,
    programme: str,
    participants: str = "",
    outputs: str = "",
    lessons: Sequence[Mapping[str, Any]] = (),
    follow_ups: Sequence[Mapping[str, Any]] = (),
    language: str = "en",
) -> VisitReport:
    """The visiting body's report (which moves the application on) or the host's.

    Lessons become practices and passages of the knowledge base after commit; follow-up
    actions appear in the committee's workspace."""
    if role == ReportRole.APPLICANT:
        _require_applicant(actor, application)
    elif role == ReportRole.HOST:
        require(
            actor,
            "fund_application.host_report",
            application.host,
            _("Only the host state's focal point and delegates report for the host."),
        )
    else:
        raise ValidationError(_("A visit report is by the visiting body or by the host."))
    if not programme.strip():
        raise ValidationError(_("Describe the programme as it was held."))
    if language not in ("en", "fr", "es"):
        raise ValidationError(_("Reports are in English, French or Spanish."))
    clean_lessons = _clean_lessons(lessons)
    locked(application)
    if VisitReport.objects.filter(application=application, role=role).exists():
        raise AlreadyDone(_("This side's report on the visit was already submitted."))
    if role == ReportRole.APPLICANT:
        _move(actor, application, ApplicationStatus.REPORTED, "fund_application.reported")
    elif application.status not in (
        ApplicationStatus.VISIT_HELD,
        ApplicationStatus.REPORTED,
        ApplicationStatus.ACCOUNTED,
        ApplicationStatus.CLOSED,
    ):
        raise ValidationError(_("The host reports once the visit was held."))
    report = VisitReport(
        application=application,
        role=role,
        programme=programme.strip(),
        participants=participants.strip(),
        outputs=outputs.strip(),
        lessons=clean_lessons,
        language=language,
        submitted_by=_user(actor),
    )
    audited_create(
        actor=actor,
        obj=report,
        action="fund_visit_report.submitted",
        state_code=_state_code(application),
    )
    for n, item in enumerate(follow_ups, start=1):
        action_text = str(item.get("action", "")).strip()
        owner = str(item.get("owner", "")).strip()
        if not action_text or not owner:
            raise ValidationError(
                _("Follow-up action %(n)s needs the action and its owner.") % {"n": n}
            )
        due = item.get("due_on")
        if isinstance(due, str) and due:
            try:
                due = dt.date.fromisoformat(due)
            except ValueError as exc:
                raise ValidationError(
                    _("Follow-up action %(n)s: give the date as YYYY-MM-DD.") % {"n": n}
                ) from exc
        audited_create(
            actor=actor,
            obj=FollowUpAction(
                application=application,
                action=action_text[:500],
                owner=owner[:200],
                due_on=due or None,
            ),
            action="fund_follow_up.added",
            state_code=_state_code(application),
        )
    hooks.emit(signals.VISIT_REPORTED, actor=actor, report_id=report.pk)
    return report


@service
def follow_up_update(*, actor: Any, follow_up: FollowUpAction, status: str) -> FollowUpAction:
    """A follow-up action marked done (or open again)."""
    require(
        actor,
        "fund_follow_up.update",
        follow_up.application,
        _("Only the applicant state, committee members and ISU staff follow up."),
    )
    if status not in FollowUpStatus.values:
        raise ValidationError(_("A follow-up action is open or done."))
    locked(follow_up)
    if follow_up.status == status:
        raise AlreadyDone(
            _("This follow-up action is already %(status)s.")
            % {"status": follow_up.get_status_display()}
        )
    audited_update(
        actor=actor, obj=follow_up, action="fund_follow_up.changed", changes={"status": status}
    )
    return follow_up


@service
def financial_report_submit(
    *,
    actor: Any,
    application: Application,
    actuals: Mapping[int, Any],
    note: str = "",
) -> FinancialReport:
    """The applicant's final financial report: what each budget line actually cost. What
    was paid and not spent is to be refunded when ISU staff close the grant."""
    _require_applicant(actor, application)
    locked(application)
    APPLICATION_WORKFLOW.check(application.status, ApplicationStatus.ACCOUNTED)
    lines = {line.pk: line for line in application.budget_lines.all()}
    missing = set(lines) - {int(k) for k in actuals}
    if missing:
        raise ValidationError(_("Give what each budget line actually cost (0 if nothing)."))
    spent = ZERO
    for key, value in actuals.items():
        line = lines.get(int(key))
        if line is None:
            raise ValidationError(
                _("Line %(id)s is not in this application's budget.") % {"id": key}
            )
        try:
            actual = Decimal(str(value)).quantize(Decimal("0.01"))
        except ArithmeticError as exc:
            raise ValidationError(_("Give each actual cost as a number.")) from exc
        if actual < ZERO:
            raise ValidationError(_("An actual cost cannot be negative."))
        line.actual = actual
        spent += actual
    BudgetLine.objects.bulk_update(list(lines.values()), ["actual"])
    grant = application.grant
    report = FinancialReport(
        application=application,
        spent=spent,
        unspent=max(grant.disbursed - spent, ZERO),
        note=note.strip(),
        submitted_by=_user(actor),
    )
    audited_create(
        actor=actor,
        obj=report,
        action="fund_financial_report.submitted",
        state_code=_state_code(application),
    )
    _move(actor, application, ApplicationStatus.ACCOUNTED, "fund_application.accounted")
    return report


@service
def application_close(
    *, actor: Any, application: Application, on: dt.date | None = None
) -> Application:
    """ISU staff close the grant: the unspent money the grantee returned goes back to
    available, and what was reserved and never paid is released."""
    _require_manager(actor, _("Only ISU staff close grants."))
    locked(application)
    APPLICATION_WORKFLOW.check(application.status, ApplicationStatus.CLOSED)
    day = on or timezone.localdate()
    grant = locked(application.grant)
    report = application.financial_report
    code = _state_code(application)
    if report.unspent > ZERO:
        book(
            actor=actor,
            kind=Movement.REFUND,
            amount=report.unspent,
            currency=grant.currency,
            on=day,
            grant=grant,
            state_code=code,
        )
        grant.refunded += report.unspent
    left = grant.undisbursed
    if left > ZERO:
        book(
            actor=actor,
            kind=Movement.RELEASE,
            amount=left,
            currency=grant.currency,
            on=day,
            grant=grant,
            state_code=code,
        )
        grant.released += left
    grant.save(update_fields=["refunded", "released"])
    _move(actor, application, ApplicationStatus.CLOSED, "fund_application.closed")
    return application


@service
def grant_release(
    *, actor: Any, application: Application, reason: str, on: dt.date | None = None
) -> Grant:
    """A grant whose visit will not take place: what it still holds goes back to available
    (the application stays at its step; ISU staff say why)."""
    _require_manager(actor, _("Only ISU staff release grants."))
    if not reason.strip():
        raise ValidationError(_("Say why the reservation is released."))
    grant = locked(application.grant)
    left = grant.undisbursed
    if left <= ZERO:
        raise AlreadyDone(_("Nothing is left reserved for this grant."))
    book(
        actor=actor,
        kind=Movement.RELEASE,
        amount=left,
        currency=grant.currency,
        on=on or timezone.localdate(),
        grant=grant,
        state_code=_state_code(application),
    )
    before = snapshot(grant, ["released", "conditions"])
    grant.released += left
    grant.conditions = (
        grant.conditions + "\n" + _("Released: %(reason)s") % {"reason": reason.strip()}
    ).strip()
    grant.save(update_fields=["released", "conditions"])
    audit_record(
        actor=actor,
        action="fund_grant.released",
        obj=grant,
        before=before,
        after=snapshot(grant, ["released", "conditions"]),
    )
    return grant
