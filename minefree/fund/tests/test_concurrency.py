"""Grant approvals and tranches at the same moment, each from its own thread with its own
database connection, released together by a barrier: the fund never promises more than
it holds, a grant never pays more than it holds.

Runs on the database of the test run (the CI runs the suite on SQLite and on PostgreSQL):
on PostgreSQL the approvals wait on the currency's balance row (``SELECT ... FOR
UPDATE``); on SQLite each service's transaction begins ``IMMEDIATE``, one writer at a time,
the others waiting within the busy timeout. The writes are committed, so the tests are
transactional.

SQLite's test database lives in memory, where connections share one cache and a second
writer fails at once ("database table is locked") instead of waiting: the threads get a
copy of it in a file, as a server's workers would, and the main thread reads the result
copied back (``threads_database``)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections

from minefree.fund import services
from minefree.fund.models import (
    Application,
    ApplicationStatus,
    Disbursement,
    FundBalance,
    Grant,
    LedgerEntry,
    Movement,
)
from minefree.fund.tests import steps
from minefree.fund.tests.world import fund_cast
from minefree.registry.models import Actor

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


@contextmanager
def threads_database() -> Iterator[None]:
    """On SQLite's in-memory test database, let new connections (the threads') open a file
    copy of it, copied back at the end; elsewhere nothing to do."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory = connection.connection
    with tempfile.TemporaryDirectory(prefix="minefree-fund-threads-") as tmp:
        path = str(Path(tmp) / "threads.sqlite3")
        with closing(sqlite3.connect(path)) as file_copy:
            memory.backup(file_copy)
        shared = connections.settings[DEFAULT_DB_ALIAS]  # the dict new connections read
        name = shared["NAME"]
        shared["NAME"] = path
        try:
            yield
        finally:
            shared["NAME"] = name
            with closing(sqlite3.connect(path)) as file_copy:
                file_copy.backup(memory)


def at_once(count: int, work: Callable[[int], Any]) -> list[tuple[str, Any]]:
    """``work(0)`` … ``work(count - 1)``, each in its own thread and connection, started at
    the same moment; each result is ("ok", value) or ("refused", the exception)."""
    barrier = threading.Barrier(count)
    results: list[tuple[str, Any]] = [("missing", None)] * count

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = ("ok", work(n))
        except ValidationError as exc:
            results[n] = ("refused", exc)
        except Exception as exc:  # anything else is a failure the test shows
            results[n] = ("error", exc)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    with threads_database():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    errors = [value for outcome, value in results if outcome in ("error", "missing")]
    assert not errors, errors
    return results


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@pytest.fixture
def users(reference_data: None) -> dict[str, Any]:
    return fund_cast()


def test_concurrent_approvals_reserve_only_what_the_fund_holds(users):
    """Six approvals of 10,000 EUR at once against 25,000 EUR: exactly two are signed; the
    four others are told what is left (5,000 EUR) and nothing of theirs is reserved."""
    steps.funded(users["isu"], "25000")
    call = steps.open_call(users["isu"])
    applications = [steps.selected(users, call, amount="10000") for _ in range(THREADS)]

    results = at_once(
        THREADS,
        lambda n: services.grant_agree(
            actor=users["isu"],
            application=Application.objects.get(pk=applications[n].pk),
            amount=Decimal("10000"),
            signed_on=dt.date(2024, 10, 1),
        ),
    )

    signed = [value for outcome, value in results if outcome == "ok"]
    refusals = [value for outcome, value in results if outcome == "refused"]
    assert len(signed) == 2 and len(refusals) == THREADS - 2
    for refusal in refusals:
        assert _messages(refusal) == (
            "The fund has 5000.00 EUR available; this needs 10000.00 EUR. Nothing was reserved."
        )
    balance = steps.books_agree("EUR")
    assert balance.reserved == Decimal("20000.00") and balance.available == Decimal("5000.00")
    assert Grant.objects.count() == 2
    assert LedgerEntry.objects.filter(kind=Movement.RESERVATION).count() == 2
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [ApplicationStatus.GRANTED] * 2 + [ApplicationStatus.SELECTED] * (THREADS - 2)
    )


def test_concurrent_approvals_of_different_amounts_never_overcommit(users):
    """Approvals of unequal amounts at once: whichever are signed, they fit in what the
    fund held, and each refused one needed more than what the signed ones left."""
    steps.funded(users["isu"], "20000")
    call = steps.open_call(users["isu"])
    amounts = [Decimal(a) for a in ("9000", "8000", "7000", "6000", "5000", "4000")]
    applications = [steps.selected(users, call, amount=a) for a in amounts]

    results = at_once(
        len(amounts),
        lambda n: services.grant_agree(
            actor=users["isu"],
            application=Application.objects.get(pk=applications[n].pk),
            amount=amounts[n],
            signed_on=dt.date(2024, 10, 1),
        ),
    )

    reserved = sum((v.amount for outcome, v in results if outcome == "ok"), Decimal(0))
    balance = steps.books_agree("EUR")
    assert balance.reserved == reserved <= Decimal("20000")
    left = Decimal("20000") - reserved
    for n, (outcome, value) in enumerate(results):
        if outcome == "refused":
            assert amounts[n] > left  # one that would have fit was never refused
            assert "EUR available; this needs" in _messages(value)
    assert balance.available == left >= 0


def test_two_tranches_racing_on_one_grant_never_pay_more_than_it_holds(users):
    steps.funded(users["isu"], "50000")
    grant = steps.granted(users, steps.open_call(users["isu"]), amount="10000")

    results = at_once(
        2,
        lambda n: services.disbursement_record(
            actor=users["isu"],
            grant=Grant.objects.get(pk=grant.pk),
            amount=Decimal("6000"),
            paid_on=dt.date(2024, 10, 7),
        ),
    )

    assert sorted(outcome for outcome, _value in results) == ["ok", "refused"]
    refusal = next(value for outcome, value in results if outcome == "refused")
    assert _messages(refusal) == "This grant has 4000.00 EUR left to pay."
    grant.refresh_from_db()
    assert grant.disbursed == Decimal("6000.00")
    assert list(Disbursement.objects.values_list("number", "amount")) == [(1, Decimal("6000.00"))]
    balance = steps.books_agree("EUR")
    assert (balance.reserved, balance.disbursed) == (Decimal("4000.00"), Decimal("6000.00"))


def test_tranches_racing_on_one_grant_take_what_it_holds_and_no_more(users):
    """Five tranches of 3,000 EUR at once on a 10,000 EUR grant: three are paid, numbered
    1 to 3, and the grant and the fund's books agree."""
    steps.funded(users["isu"], "50000")
    grant = steps.granted(users, steps.open_call(users["isu"]), amount="10000")

    results = at_once(
        5,
        lambda n: services.disbursement_record(
            actor=users["isu"],
            grant=Grant.objects.get(pk=grant.pk),
            amount=Decimal("3000"),
            paid_on=dt.date(2024, 10, 7),
        ),
    )

    assert [outcome for outcome, _value in results].count("ok") == 3
    grant.refresh_from_db()
    assert grant.disbursed == Decimal("9000.00") and grant.undisbursed == Decimal("1000.00")
    assert sorted(Disbursement.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert FundBalance.objects.get(currency="EUR").reserved == Decimal("1000.00")
    steps.books_agree("EUR")


def test_contributions_received_at_once_into_a_new_currency_all_count(users):
    """The first movements in a currency create its balance row: several at once create
    one row (the others wait for it, or find it), and every contribution is counted."""
    netherlands = Actor.objects.get(iso3="NLD")
    amounts = [Decimal(a) for a in ("1000.00", "2000.00", "3000.00", "4000.00")]

    results = at_once(
        len(amounts),
        lambda n: services.contribution_record(
            actor=users["isu"],
            donor=netherlands,
            amount=amounts[n],
            currency="CHF",
            received_on=dt.date(2024, 3, 1),
        ),
    )

    assert [outcome for outcome, _value in results] == ["ok"] * len(amounts)
    assert FundBalance.objects.filter(currency="CHF").count() == 1
    balance = steps.books_agree("CHF")
    assert balance.received == balance.available == sum(amounts)
