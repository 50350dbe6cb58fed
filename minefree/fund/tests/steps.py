"""Applications brought to a given step through the real services, for the fund's tests.

Every step is taken by the person whose step it is (``tests/world.py``): Nigeria's focal
point drafts and submits for the Nigerian Mine Action Centre, ISU staff screen and sign,
Denmark's member scores, Algeria's member (the 2024 chair) decides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model

from minefree.core.models import AuditEvent
from minefree.core.workflow import AlreadyDone
from minefree.fund import models as fund_models
from minefree.fund import services
from minefree.fund.ledger import totals_from_entries
from minefree.fund.models import Application, Call, Contribution, Eligibility, FundBalance, Grant
from minefree.registry.models import Actor

OPENS = dt.date(2024, 6, 1)
CLOSES = dt.date(2024, 8, 31)
SUBMIT_ON = dt.date(2024, 8, 20)
VISIT = (dt.date(2024, 11, 3), dt.date(2024, 11, 8))
ALL_CHECKS = {code: True for code, _label in services.SCREENING_CHECKS}
DELEGATION = [{"function": "Director", "gender": "woman", "age_band": "45-59"}]


def body(slug: str) -> Actor:
    return Actor.objects.get(slug=slug)


def funded(isu: Any, amount: Decimal | str, currency: str = "EUR") -> Contribution:
    """A contribution of the Netherlands, received."""
    return services.contribution_record(
        actor=isu,
        donor=Actor.objects.get(iso3="NLD"),
        amount=Decimal(amount),
        currency=currency,
        received_on=dt.date(2024, 3, 1),
    )


def open_call(
    isu: Any,
    *,
    max_amount: Decimal | str = "15000",
    budget: Decimal | str = "1000000",
    currency: str = "EUR",
    publish: bool = True,
    year: int = 2024,
) -> Call:
    """A call of ``year`` (open June to August) for national bodies of any State Party."""
    call = services.call_create(
        actor=isu,
        title=f"Exchange visits {year}",
        opens_on=OPENS.replace(year=year),
        closes_on=CLOSES.replace(year=year),
        budget=Decimal(budget),
        max_amount=Decimal(max_amount),
        currency=currency,
        eligibility=Eligibility.NATIONAL_BODIES,
    )
    if publish:
        services.call_publish(actor=isu, call=call)
    return call


def draft(
    users: dict[str, Any],
    call: Call,
    *,
    amount: Decimal | str = "10000",
    applicant: str = "nigeria-nmac",
    host: str = "turkiye-turmac",
    by: str = "nigeria",
) -> Application:
    """A complete draft (one budget line of ``amount``) of ``applicant``'s, drafted by
    ``by`` (that state's focal point in the cast), to visit ``host``."""
    application = services.application_create(
        actor=users[by],
        call=call,
        applicant=body(applicant),
        theme="information_management",
        host=body(host),
        objectives="Learn how information management is set up.",
        delegation=DELEGATION,
        starts_on=VISIT[0].replace(year=call.year),
        ends_on=VISIT[1].replace(year=call.year),
        agenda="Five days of briefings.",
    )
    services.budget_lines_replace(
        actor=users[by],
        application=application,
        lines=[{"category": "travel", "description": "Flights", "amount": str(amount)}],
    )
    return application


def submitted(users: dict[str, Any], call: Call, **kwargs: Any) -> Application:
    application = draft(users, call, **kwargs)
    services.application_submit(
        actor=users[kwargs.get("by", "nigeria")],
        application=application,
        on=SUBMIT_ON.replace(year=call.year),
    )
    return application


def in_review(users: dict[str, Any], call: Call, **kwargs: Any) -> Application:
    application = submitted(users, call, **kwargs)
    services.application_screen(actor=users["isu"], application=application, checks=ALL_CHECKS)
    return application


def scores(application: Application, level: int = 4) -> dict[str, int]:
    return {c["code"]: level for c in services.criteria_of(application)}


def selected(users: dict[str, Any], call: Call, **kwargs: Any) -> Application:
    application = in_review(users, call, **kwargs)
    services.score_record(
        actor=users["member_DNK"], application=application, values=scores(application)
    )
    services.decision_record(
        actor=users["member_DZA"], application=application, selected=True, reasons="Good plan."
    )
    return application


def granted(
    users: dict[str, Any], call: Call, *, amount: Decimal | str = "10000", **kwargs: Any
) -> Grant:
    application = selected(users, call, amount=amount, **kwargs)
    return services.grant_agree(
        actor=users["isu"],
        application=application,
        amount=Decimal(amount),
        signed_on=dt.date(2024, 10, 1),
    )


def books_agree(currency: str = "EUR") -> FundBalance:
    """The currency's balance row, checked against its ledger entries and never negative."""
    balance = FundBalance.objects.get(currency=currency)
    assert totals_from_entries(currency) == {
        "received": balance.received,
        "reserved": balance.reserved,
        "disbursed": balance.disbursed,
        "refunded": balance.refunded,
    }
    assert balance.available >= 0 and balance.reserved >= 0
    return balance


FUND_MODELS: list[type[Model]] = [
    fund_models.FundBalance,
    fund_models.Contribution,
    fund_models.Call,
    fund_models.Application,
    fund_models.BudgetLine,
    fund_models.SupportLetter,
    fund_models.Score,
    fund_models.Grant,
    fund_models.Disbursement,
    fund_models.LedgerEntry,
    fund_models.HostProfile,
    fund_models.VisitReport,
    fund_models.FollowUpAction,
    fund_models.FinancialReport,
]


def state_of_books() -> dict[str, Any]:
    """Everything a refused step must leave as it was: each fund table's rows (all their
    columns) and the number of audit events."""
    state: dict[str, Any] = {"audit_events": AuditEvent.objects.count()}
    for model in FUND_MODELS:
        state[model.__name__] = sorted(
            model._default_manager.order_by().values_list(), key=lambda row: row[0]
        )
    return state


def refused(
    step: Callable[[], Any], exc: type[Exception] = PermissionDenied, match: str = ""
) -> Exception:
    """``step`` raises ``exc`` (saying ``match``) and leaves the books as they were."""
    before = state_of_books()
    with pytest.raises(exc) as info:
        step()
    assert state_of_books() == before
    if exc is ValidationError:
        assert not isinstance(info.value, AlreadyDone), info.value
    if match:
        assert match in " ".join(_messages(info.value)), _messages(info.value)
    return info.value


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc)]
