"""A database of the cooperation app before its split keeps every row when migrated.

Needs, offers and partnerships moved to ``assistance``; cases, platforms and bilateral
meetings to ``casework``; flows and published totals to ``funding``. The migrations rename the
tables (and the many-to-many tables with them); this test fills every table of the old
layout, migrates on a database of its own (SQLite or PostgreSQL, like the suite) and reads
each row back through today's models.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.apps import apps as current_apps
from django.db import connections, models
from django.db.migrations.executor import MigrationExecutor

from minefree.site.tests.browser import throwaway_database

BEFORE = ("cooperation", "0002_case_source_and_partial_meeting_dates")
MOVED = {
    "assistance": ["Need", "Offer", "Partnership"],
    "casework": [
        "IndividualisedApproachCase",
        "CaseMeeting",
        "FollowUpAction",
        "NationalPlatform",
        "PlatformMeeting",
        "BilateralMeeting",
    ],
    "funding": ["Flow", "PublishedTotal"],
}
ALIAS = "before_the_split"
_numbers = itertools.count(1)


@pytest.fixture
def old_database(tmp_path: Path, django_db_blocker: Any) -> Iterator[str]:
    """A database of its own, at the last migration before the split."""
    with throwaway_database(tmp_path) as url, django_db_blocker.unblock():
        configured = connections.configure_settings(
            {**connections.settings, ALIAS: dj_database_url.parse(url)}
        )
        connections.settings[ALIAS] = configured[ALIAS]
        try:
            MigrationExecutor(connections[ALIAS]).migrate([BEFORE])
            yield ALIAS
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]


def _value(field: models.Field[Any, Any], make: Any) -> Any:
    """A valid value for a required field of a historical model (related rows made on demand)."""
    n = next(_numbers)
    if field.is_relation:
        return make(field.related_model)
    if field.choices:
        return field.choices[n % len(field.choices)][0]
    if isinstance(field, models.JSONField):
        return [f"item {n}"]
    if isinstance(field, models.DateTimeField):
        return dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n)
    if isinstance(field, models.DateField):
        return dt.date(2024, 1, 1) + dt.timedelta(days=n)
    if isinstance(field, models.DecimalField):
        return Decimal(n) + Decimal("0.25")
    if isinstance(field, models.FloatField):
        return n + 0.5
    if isinstance(field, models.BooleanField):
        return bool(n % 2)
    if isinstance(field, models.IntegerField):
        return 2000 + n % 50
    if isinstance(field, (models.CharField, models.TextField)):
        text = f"{n:x}{field.name}"
        return text[: field.max_length] if field.max_length else text
    raise AssertionError(f"no value for {field!r}")


def _fill(alias: str, state_apps: Any) -> dict[str, list[dict[str, Any]]]:
    """Two rows in every table of the old layout, each field set; the rows as stored."""

    def make(model: type[models.Model]) -> models.Model:
        values: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            optional_link = field.null and field.is_relation
            if field.primary_key or (
                optional_link
                and (model._meta.app_label != "cooperation" or field.related_model is model)
            ):
                continue  # links outside the moved tables, and chains of flows, stay empty
            values[field.name] = _value(field, make)
        if "year_from" in values:
            values["year_to"] = values["year_from"] + 1
        return model._default_manager.using(alias).create(**values)

    moved = [
        state_apps.get_model("cooperation", name) for names in MOVED.values() for name in names
    ]
    for model in moved:
        rows = [make(model) for _ in range(2)]
        for field in model._meta.local_many_to_many:
            for row in rows:
                getattr(row, field.name).add(make(field.related_model))
    return {model.__name__: _as_stored(model, alias) for model in moved}


def _as_stored(model: type[models.Model], alias: str) -> list[dict[str, Any]]:
    rows = [dict(r) for r in model._default_manager.using(alias).order_by("pk").values()]
    for field in model._meta.local_many_to_many:
        links = field.remote_field.through._default_manager.using(alias).order_by("pk")
        for row in rows:
            row[field.name] = sorted(
                links.filter(**{field.m2m_field_name(): row["id"]}).values_list(
                    field.m2m_reverse_name(), flat=True
                )
            )
    return rows


@pytest.mark.django_db
def test_every_row_of_every_moved_table_survives_the_migration(old_database: str):
    connection = connections[old_database]
    before = _fill(old_database, MigrationExecutor(connection).loader.project_state([BEFORE]).apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    tables = set(connection.introspection.table_names())
    for app, names in MOVED.items():
        for name in names:
            model = current_apps.get_model(app, name)
            assert (
                model._meta.db_table == f"{app}_{name.lower()}" and model._meta.db_table in tables
            )
            assert f"cooperation_{name.lower()}" not in tables
            assert _as_stored(model, old_database) == before[name], name
    assert executor.loader.detect_conflicts() == {}
