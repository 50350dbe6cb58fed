"""The fund's books: every movement of money is one ``LedgerEntry`` and a change of the
currency's ``FundBalance`` totals, made together under that balance row's lock.

Two grant approvals at the same moment each want to reserve money. Deciding on a balance
read before the lock would let both pass on the same "available". ``book`` therefore locks
the currency's balance row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite runs one writer
at a time) and checks the movement against the totals it then reads: the second approval
sees what the first left and is refused if the rest does not cover it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from minefree.core.audit import audited_create, within_service
from minefree.core.currency import to_usd
from minefree.core.workflow import locked
from minefree.fund.models import (
    MOVES,
    ZERO,
    Contribution,
    Disbursement,
    FundBalance,
    Grant,
    LedgerEntry,
    Movement,
)

CENTS = Decimal("0.01")


def money(amount: Decimal | int | str | float) -> Decimal:
    """``amount`` as a positive sum of money in cents, or a clear refusal."""
    try:
        value = Decimal(str(amount)).quantize(CENTS)
    except ArithmeticError as exc:
        raise ValidationError(_("Give the amount as a number, e.g. 12500.00.")) from exc
    if value <= ZERO:
        raise ValidationError(_("The amount must be more than zero."))
    return value


def currency_code(code: str) -> str:
    value = (code or "").strip().upper()
    if len(value) != 3 or not value.isalpha():
        raise ValidationError(_("Give the currency as its three-letter ISO code, e.g. EUR."))
    return value


def _balance_row(currency: str) -> FundBalance:
    """The currency's balance row, created on first use, locked until commit."""
    balance = FundBalance.objects.filter(currency=currency).first()
    if balance is None:
        try:
            with transaction.atomic():  # a twin creating it at once fails here, cleanly
                balance = FundBalance.objects.create(currency=currency)
        except IntegrityError:
            balance = FundBalance.objects.get(currency=currency)
    return locked(balance)


def shortfall_message(balance: FundBalance, amount: Decimal) -> str:
    return _(
        "The fund has %(available)s %(currency)s available; this needs %(amount)s %(currency)s. "
        "Nothing was reserved."
    ) % {"available": balance.available, "amount": amount, "currency": balance.currency}


@within_service
def book(
    *,
    actor: Any,
    kind: str,
    amount: Decimal,
    currency: str,
    on: dt.date,
    contribution: Contribution | None = None,
    grant: Grant | None = None,
    disbursement: Disbursement | None = None,
    state_code: str = "",
) -> LedgerEntry:
    """Move ``amount`` as ``kind`` says, or refuse if the books would not allow it:
    reserving more than is available, releasing or paying more than is reserved, refunding
    more than was paid out."""
    amount = money(amount)
    balance = _balance_row(currency)
    if kind == Movement.CONTRIBUTION:
        balance.received += amount
    elif kind == Movement.RESERVATION:
        if amount > balance.available:
            raise ValidationError(shortfall_message(balance, amount), code="insufficient")
        balance.reserved += amount
    elif kind in (Movement.RELEASE, Movement.DISBURSEMENT):
        if amount > balance.reserved:
            raise ValidationError(
                _("Only %(reserved)s %(currency)s is reserved.")
                % {"reserved": balance.reserved, "currency": currency}
            )
        balance.reserved -= amount
        if kind == Movement.DISBURSEMENT:
            balance.disbursed += amount
    elif kind == Movement.REFUND:
        if amount > balance.disbursed - balance.refunded:
            raise ValidationError(_("A refund cannot exceed what was paid out."))
        balance.refunded += amount
    else:  # pragma: no cover - the kinds are a closed list
        raise ValueError(kind)
    balance.save(update_fields=["received", "reserved", "disbursed", "refunded"])
    debit, credit = MOVES[kind]
    entry = LedgerEntry(
        kind=kind,
        debit=debit,
        credit=credit,
        amount=amount,
        currency=currency,
        amount_usd=to_usd(amount, currency, on.year),
        booked_on=on,
        contribution=contribution,
        grant=grant,
        disbursement=disbursement,
    )
    audited_create(
        actor=actor, obj=entry, action=f"fund_ledger.{kind}_booked", state_code=state_code
    )
    return entry


def totals_from_entries(currency: str) -> dict[str, Decimal]:
    """The currency's totals summed from its entries: what ``FundBalance`` must equal."""
    sums = {
        row["kind"]: row["total"]
        for row in LedgerEntry.objects.filter(currency=currency)
        .values("kind")
        .annotate(total=Sum("amount"))
    }

    def of(kind: str) -> Decimal:
        return sums.get(kind) or ZERO

    return {
        "received": of(Movement.CONTRIBUTION),
        "reserved": of(Movement.RESERVATION) - of(Movement.RELEASE) - of(Movement.DISBURSEMENT),
        "disbursed": of(Movement.DISBURSEMENT),
        "refunded": of(Movement.REFUND),
    }
