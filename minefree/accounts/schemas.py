from __future__ import annotations

import datetime as dt

from ninja import Schema


class DelegateIn(Schema):
    state: str
    colleague: str
    note: str = ""


class HandOverIn(Schema):
    state: str
    successor: str
    note: str = ""


class MembershipGrantIn(Schema):
    username: str
    role: str
    actor: str | None = None
    committee: str | None = None
    starts_on: dt.date | None = None
    note: str = ""


class MembershipEndIn(Schema):
    ends_on: dt.date | None = None


class MembershipOut(Schema):
    id: int
    username: str
    role: str
    actor: str | None
    committee: str | None
    starts_on: dt.date
    ends_on: dt.date | None
    delegated_by: int | None
