from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


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


class ApiTokenIn(Schema):
    name: str = Field(max_length=60, description="What will use it, e.g. IMSMA export")
    expires_in_days: int = Field(90, description="1 to 366 days")
    read_only: bool = False


class ApiTokenOut(Schema):
    id: int
    name: str
    read_only: bool
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None = Field(description="To the hour")
    revoked_at: dt.datetime | None


class NewApiTokenOut(ApiTokenOut):
    token: str = Field(description="The secret: shown this once, never stored")
