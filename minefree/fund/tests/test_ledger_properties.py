"""The fund's books hold whatever happens, in any order: random sequences of contributions
received (two currencies), grant agreements, tranches, releases and closures (with their
refunds) through the real services, and bare ledger movements (``ledger.book``) that try
what the services never would (reserving beyond what is available, paying or releasing
beyond what is reserved, refunding beyond what was paid).

After every step: the outcome is the one a simple model of the books predicts (taken, or
refused with nothing changed), ``FundBalance`` equals the model and the sums of the ledger
entries, available ≥ 0, reserved ≥ 0 and balance = received − disbursed + refunds.

The selected applications are prepared once per test; each example runs in a transaction
rolled back at its end, so every example starts from the same books (Hypothesis runs the
examples inside one pytest-django test)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from minefree.core.audit import SERVICES, service
from minefree.core.workflow import AlreadyDone
from minefree.fund import ledger, services
from minefree.fund.models import ZERO, Application, ApplicationStatus, FundBalance, Movement
from minefree.fund.tests import steps
from minefree.fund.tests.world import fund_cast

pytestmark = pytest.mark.django_db

CURRENCIES = ("EUR", "CHF")
REQUESTED = Decimal("10000.00")  # each prepared application's budget
PER_CURRENCY = 2  # prepared applications per currency
DAY = dt.date(2024, 10, 1)

cents = st.one_of(
    st.integers(min_value=1, max_value=1_200_000).map(lambda n: Decimal(n) / 100),
    st.sampled_from([Decimal(n) for n in ("0.01", "2500", "5000", "9999.99", "10000")]),
)
currency = st.sampled_from(CURRENCIES)
application = st.integers(min_value=0, max_value=PER_CURRENCY * len(CURRENCIES) - 1)
#: what the fund holds before the rest: one to four contributions
opening = st.lists(
    st.tuples(st.just("receive"), currency, st.integers(min_value=1, max_value=25_000)),
    min_size=1,
    max_size=4,
)
operation = st.one_of(
    st.tuples(st.just("receive"), currency, cents),
    st.tuples(st.just("grant"), application, cents),
    # a share of what the grant still holds, in percent (above 100: more than it holds)
    st.tuples(st.just("disburse"), application, st.integers(min_value=1, max_value=120)),
    st.tuples(st.just("release"), application),
    st.tuples(st.just("close"), application, st.integers(min_value=0, max_value=1_200_000)),
    st.tuples(
        st.just("book"),
        st.sampled_from(
            [Movement.RESERVATION, Movement.RELEASE, Movement.DISBURSEMENT, Movement.REFUND]
        ),
        currency,
        # a share, in percent, of what is available (to reserve), reserved (to release or
        # pay) or was ever paid out (to refund, more than is left to refund once some was)
        st.integers(min_value=1, max_value=150),
    ),
)


@service
def _book(*, actor: Any, kind: str, amount: Decimal, currency: str) -> None:
    """A bare ledger movement, as any service would make it (audited, atomic)."""
    ledger.book(actor=actor, kind=kind, amount=amount, currency=currency, on=DAY)


SERVICES.pop(f"{__name__}._book", None)  # a test's helper, not one of the fund's services


@dataclass
class Books:
    received: Decimal = ZERO
    reserved: Decimal = ZERO
    disbursed: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.received - self.disbursed + self.refunded - self.reserved


@dataclass
class Case:
    """What the model knows of one prepared application and its grant."""

    pk: int
    currency: str
    status: str = ApplicationStatus.SELECTED
    amount: Decimal = ZERO
    disbursed: Decimal = ZERO
    released: Decimal = ZERO

    @property
    def undisbursed(self) -> Decimal:
        return self.amount - self.disbursed - self.released


@dataclass
class Model:
    books: dict[str, Books] = field(default_factory=lambda: {c: Books() for c in CURRENCIES})
    cases: list[Case] = field(default_factory=list)


def _prepare(users: dict[str, Any]) -> list[tuple[int, str]]:
    prepared = []
    for code in CURRENCIES:
        call = steps.open_call(users["isu"], currency=code, max_amount="15000")
        for _n in range(PER_CURRENCY):
            selected = steps.selected(users, call, amount=REQUESTED)
            prepared.append((selected.pk, code))
    return prepared


def _check_books(model: Model) -> None:
    for code, expected in model.books.items():
        balance = FundBalance.objects.filter(currency=code).first()
        if balance is None:
            assert expected == Books()
            continue
        figures = {
            "received": balance.received,
            "reserved": balance.reserved,
            "disbursed": balance.disbursed,
            "refunded": balance.refunded,
        }
        assert figures == ledger.totals_from_entries(code)
        assert figures == {
            "received": expected.received,
            "reserved": expected.reserved,
            "disbursed": expected.disbursed,
            "refunded": expected.refunded,
        }
        assert balance.available >= 0 and balance.reserved >= 0
        assert balance.balance == balance.received - balance.disbursed + balance.refunded
        assert balance.available == expected.available


def _expect(
    label: str, allowed: bool, step: Any, refusal: type[Exception] = ValidationError
) -> Any:
    """Run ``step``: it succeeds when ``allowed``, else is refused and changes nothing."""
    event(f"{label} {'taken' if allowed else 'refused'}")  # --hypothesis-show-statistics
    if allowed:
        return step()
    before = steps.state_of_books()
    with pytest.raises(refusal) as info:
        step()
    assert steps.state_of_books() == before
    return info.value


def _grant(users: dict[str, Any], model: Model, case: Case, amount: Decimal) -> None:
    books = model.books[case.currency]
    application = Application.objects.get(pk=case.pk)
    allowed = (
        case.status == ApplicationStatus.SELECTED
        and amount <= REQUESTED
        and amount <= books.available
    )
    refusal = AlreadyDone if case.status == ApplicationStatus.GRANTED else ValidationError
    outcome = _expect(
        "grant",
        allowed,
        lambda: services.grant_agree(
            actor=users["isu"], application=application, amount=amount, signed_on=DAY
        ),
        refusal,
    )
    if allowed:
        case.status, case.amount = ApplicationStatus.GRANTED, amount
        books.reserved += amount
    elif case.status == ApplicationStatus.SELECTED and amount <= REQUESTED:
        available = books.available.quantize(Decimal("0.01"))
        assert f"The fund has {available} {case.currency} available" in str(outcome)


def _disburse(users: dict[str, Any], model: Model, case: Case, amount: Decimal) -> None:
    books = model.books[case.currency]
    grant = Application.objects.get(pk=case.pk).grant
    allowed = (
        case.status == ApplicationStatus.GRANTED
        and amount <= case.undisbursed
        and amount <= books.reserved
    )
    _expect(
        "disburse",
        allowed,
        lambda: services.disbursement_record(
            actor=users["isu"], grant=grant, amount=amount, paid_on=DAY
        ),
    )
    if allowed:
        case.disbursed += amount
        books.reserved -= amount
        books.disbursed += amount


def _release(users: dict[str, Any], model: Model, case: Case) -> None:
    books = model.books[case.currency]
    left = case.undisbursed
    allowed = ZERO < left <= books.reserved
    _expect(
        "release",
        allowed,
        lambda: services.grant_release(
            actor=users["isu"],
            application=Application.objects.get(pk=case.pk),
            reason="The visit will not take place.",
            on=DAY,
        ),
        ValidationError if left > ZERO else AlreadyDone,
    )
    if allowed:
        case.released += left
        books.reserved -= left


def _close(users: dict[str, Any], model: Model, case: Case, spent_cents: int) -> None:
    """The visit held, reported and accounted for (``spent``), then the grant closed."""
    books = model.books[case.currency]
    application = Application.objects.get(pk=case.pk)
    nigeria = users["nigeria"]
    if application.status == ApplicationStatus.GRANTED:
        services.visit_held_record(
            actor=nigeria, application=application, held_from=DAY, held_until=DAY
        )
    if application.status == ApplicationStatus.VISIT_HELD:
        services.visit_report_submit(
            actor=nigeria, application=application, role="applicant", programme="Held."
        )
    if application.status == ApplicationStatus.REPORTED:
        line = application.budget_lines.get()
        services.financial_report_submit(
            actor=nigeria, application=application, actuals={line.pk: Decimal(spent_cents) / 100}
        )
    application.refresh_from_db()
    case.status = application.status  # accounted for: no tranche is paid any more
    report = application.financial_report
    refund = report.unspent
    assert refund == max(case.disbursed - report.spent, ZERO)
    left = case.undisbursed
    allowed = refund <= books.disbursed - books.refunded and left <= books.reserved
    _expect(
        "close",
        allowed,
        lambda: services.application_close(actor=users["isu"], application=application, on=DAY),
    )
    if allowed:
        case.status = ApplicationStatus.CLOSED
        case.released += left
        books.reserved -= left
        books.refunded += refund


def _bare(users: dict[str, Any], model: Model, kind: str, code: str, amount: Decimal) -> None:
    books = model.books[code]
    allowed = {
        Movement.RESERVATION: amount <= books.available,
        Movement.RELEASE: amount <= books.reserved,
        Movement.DISBURSEMENT: amount <= books.reserved,
        Movement.REFUND: amount <= books.disbursed - books.refunded,
    }[kind]
    _expect(
        f"bare {kind}",
        allowed,
        lambda: _book(actor=users["isu"], kind=kind, amount=amount, currency=code),
    )
    if allowed:
        if kind == Movement.RESERVATION:
            books.reserved += amount
        elif kind == Movement.RELEASE:
            books.reserved -= amount
        elif kind == Movement.DISBURSEMENT:
            books.reserved -= amount
            books.disbursed += amount
        else:
            books.refunded += amount


def _run(users: dict[str, Any], prepared: list[tuple[int, str]], ops: list[tuple]) -> None:
    model = Model(cases=[Case(pk, code) for pk, code in prepared])
    for op in ops:
        name = op[0]
        if name == "receive":
            _, code, amount = op
            steps.funded(users["isu"], amount, code)
            model.books[code].received += amount
        elif name == "book":
            _, kind, code, share = op
            books = model.books[code]
            base = {
                Movement.RESERVATION: books.available,
                Movement.RELEASE: books.reserved,
                Movement.DISBURSEMENT: books.reserved,
                Movement.REFUND: books.disbursed,
            }[kind]
            amount = (base * share / 100).quantize(Decimal("0.01"))
            _bare(users, model, kind, code, max(amount, Decimal("0.01")))
        elif name == "grant":
            _grant(users, model, model.cases[op[1]], op[2])
        else:  # among the grants (any, for a tranche or a release; open ones, to close)
            grants = [
                case
                for case in model.cases
                if case.status != ApplicationStatus.SELECTED
                and (name != "close" or case.status != ApplicationStatus.CLOSED)
            ]
            if not grants:
                continue
            case = grants[op[1] % len(grants)]
            if name == "disburse":
                share = (case.undisbursed * op[2] / 100).quantize(Decimal("0.01"))
                _disburse(users, model, case, max(share, Decimal("0.01")))
            elif name == "release":
                _release(users, model, case)
            else:
                _close(users, model, case, op[2])
        _check_books(model)


def test_the_books_hold_after_any_sequence_of_movements():
    users = fund_cast()
    prepared = _prepare(users)

    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(first=opening, ops=st.lists(operation, min_size=8, max_size=20))
    @example(  # a second refund beyond what is left to refund; a closure after refunds
        first=[("receive", "EUR", 20000)],
        ops=[
            ("grant", 0, Decimal("10000")),
            ("disburse", 0, 100),
            ("book", Movement.REFUND, "EUR", 50),
            ("book", Movement.REFUND, "EUR", 60),
            ("close", 0, 0),
            ("grant", 1, Decimal("10000")),
            ("grant", 2, Decimal("0.01")),
        ],
    )
    def books_hold(first: list[tuple], ops: list[tuple]) -> None:
        with transaction.atomic():
            _run(users, prepared, [(r, c, Decimal(n)) for r, c, n in first] + ops)
            transaction.set_rollback(True)

    books_hold()
