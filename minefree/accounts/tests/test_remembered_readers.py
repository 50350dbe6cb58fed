"""Today's answer to "what may this user read" is remembered per process until the next
audited change, outside transactions (signed-in pages under load)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from minefree.accounts.models import Membership, Role
from minefree.accounts.readers import STAFF_READER, Reader, reader
from minefree.accounts.services import membership_grant
from minefree.core.audit import SYSTEM

# committed writes: the remembered answers are used only outside a transaction
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_answer_is_remembered_until_an_audited_change():
    user = get_user_model().objects.create_user(username="remembered-reader")
    assert reader(user) == Reader()
    with CaptureQueriesContext(connection) as asked:
        assert reader(user) == Reader()
    # at most the counter (SQLite reads it; PostgreSQL's copy needs no query)
    assert len(asked) <= 1, [q["sql"] for q in asked]
    assert all("core_contentversion" in q["sql"] for q in asked)

    membership_grant(actor=SYSTEM, user=user, role=Role.ISU_STAFF)
    assert reader(user) == STAFF_READER  # the grant's audit moved the counter
    other = get_user_model().objects.create_user(username="another-reader")
    assert reader(other) == Reader()  # remembered per user


def test_inside_a_transaction_the_answer_is_worked_out_again():
    user = get_user_model().objects.create_user(username="reader-in-transaction")
    assert reader(user) == Reader()
    with transaction.atomic():
        Membership.objects.create(user=user, role=Role.ISU_STAFF, starts_on=user.date_joined.date())
        assert reader(user) == STAFF_READER  # what the transaction sees, not the memory
        transaction.set_rollback(True)
    assert reader(user) == Reader()
