"""What every clearance page shares: the refusal page, htmx requests, and the tables of a
request as the pages show and edit them (columns, labels, help, the values a row holds).

The tables are named as ``content.read_content`` names them (``remaining``,
``previous_period``, ``milestones``, ``budget``, ``capacity``), so a page turns a table's
rows into the dict that ``read_content`` takes and its refusals (``milestones.3.area_m2``)
point back at a row and a column of the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minefree.clearance import selectors
from minefree.clearance.models import SECTIONS, FundingSource, Hazard, Method, RequestVersion
from minefree.core.permissions import can
from minefree.core.versions import VersionConflictError
from minefree.core.views import denied_as_403

#: a refused action shows the clearance 403 page, saying why
refused_as_403 = denied_as_403("clearance/denied.html")

#: kinds of column: how a value is typed in and shown
TEXT, YEAR, COUNT, AREA, AMOUNT, CHOICE, CURRENCY = (
    "text",
    "year",
    "count",
    "area",
    "amount",
    "choice",
    "currency",
)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- what the drafting pages share ----------------------------------------------------------

#: said after who changed the draft since the writer read it
CONFLICT_ADVICE = _(
    "Nothing was saved. The values now saved are shown beside yours, which are kept: "
    "save again to replace them with yours."
)


def version_url(version: RequestVersion, anchor: str = "") -> str:
    url = reverse("clearance:version", args=[version.pk])
    return f"{url}#{anchor}" if anchor else url


def table_url(version: RequestVersion, table: str, anchor: str = "") -> str:
    url = reverse("clearance:table", args=[version.pk, table])
    return f"{url}#{anchor}" if anchor else url


def version_of(request: HttpRequest, pk: int) -> RequestVersion:
    """A version the user may read (404 otherwise); the services decide whether they may
    change it."""
    return selectors.get_version_for(request.user, pk)


def may_edit(user: Any, version: RequestVersion) -> bool:
    """Whether to show ``user`` the forms of ``version`` (the services decide the writes)."""
    return version.is_draft and can(user, "extension_request.draft", version.request.state)


def held_version(request: HttpRequest) -> str | None:
    """The version a form was sent with."""
    return request.POST.get("_version") or None


def refusals(exc: ValidationError) -> dict[str, list[str]]:
    """A service's refusal by the field it names (``__all__`` for the others)."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def conflict_messages(exc: VersionConflictError) -> list[str]:
    """Who changed the record since the writer read it, and what to do now."""
    return [exc.last_change, str(CONFLICT_ADVICE)]


@dataclass(frozen=True)
class Column:
    """One field of a table's rows, as ``read_content`` names it."""

    name: str
    label: Any
    kind: str
    required: bool = False
    choices: tuple[tuple[str, Any], ...] = ()
    help: Any = ""

    def shown(self, value: Any) -> str:
        """The value as a page shows it: a choice by its label, figures grouped by
        thousands (with a thin space, whatever the language), nothing for a blank."""
        if value is None or value == "":
            return ""
        if self.kind == CHOICE:
            return str(dict(self.choices).get(value, value))
        if self.kind in (COUNT, AREA, AMOUNT) and isinstance(value, int | Decimal):
            number = Decimal(value)
            if number == number.to_integral_value():
                return f"{int(number):,}".replace(",", "\u202f")
            return f"{number:,.2f}".replace(",", "\u202f")
        return str(value)

    @property
    def numeric(self) -> bool:
        return self.kind in (YEAR, COUNT, AREA, AMOUNT)

    def typed(self, value: Any) -> str:
        """The value as an input holds it (plain digits, no grouping)."""
        if value is None:
            return ""
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return str(int(value))
        return str(value)


@dataclass(frozen=True)
class TableSpec:
    """A table of a request: its name in the content, the version's related rows, its
    columns and what the state is asked to give in it."""

    name: str
    related: str
    label: Any
    help: Any
    columns: tuple[Column, ...]

    def rows(self, version: RequestVersion) -> list[Any]:
        """The version's rows of this table (prefetched ones if they were)."""
        return list(getattr(version, self.related).all())

    def raw(self, row: Any) -> dict[str, Any]:
        """A stored row as ``read_content`` reads it."""
        return {c.name: getattr(row, c.name) for c in self.columns}

    @property
    def column_labels(self) -> str:
        return ", ".join(str(c.label) for c in self.columns)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


_YEAR = Column("year", _("Year"), YEAR, required=True)
_METHOD_HELP = _(
    "Cancelled: by non-technical survey; reduced: by technical survey; cleared: by clearance."
)

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "remaining",
        "remaining",
        _("Remaining contamination at submission"),
        _(
            "The areas known to contain or suspected to contain anti-personnel mines on the "
            "day of the request, by administrative region and hazard class. No coordinates."
        ),
        (
            Column("region", _("Region"), TEXT, required=True, help=_("Administrative region")),
            Column(
                "hazard", _("Hazard class"), CHOICE, required=True, choices=tuple(Hazard.choices)
            ),
            Column("areas", _("Number of areas"), COUNT),
            Column("area_m2", _("Area (m²)"), AREA, required=True),
        ),
    ),
    TableSpec(
        "previous_period",
        "progress",
        _("Progress in the previous period"),
        _(
            "Per year of the period that ends: the land the state planned to release and the "
            "land it released, as the state reports it. Leave the method blank for all methods."
        ),
        (
            _YEAR,
            Column(
                "method", _("Method"), CHOICE, choices=tuple(Method.choices), help=_("Blank: all")
            ),
            Column("mine_type", _("Mine type"), TEXT),
            Column("planned_m2", _("Planned (m²)"), AREA),
            Column("achieved_m2", _("Achieved (m²)"), AREA),
        ),
    ),
    TableSpec(
        "milestones",
        "milestones",
        _("Workplan milestones"),
        _("The land to release each year of the extension, by method."),
        (
            _YEAR,
            Column(
                "method",
                _("Method"),
                CHOICE,
                required=True,
                choices=tuple(Method.choices),
                help=_METHOD_HELP,
            ),
            Column("areas", _("Number of areas"), COUNT),
            Column("area_m2", _("Area (m²)"), AREA, required=True),
        ),
    ),
    TableSpec(
        "budget",
        "budget",
        _("Budget"),
        _(
            "The money the workplan needs each year, by source, in the currency of the "
            "request. The international funding sought each year becomes a need in "
            "cooperation once the request is submitted."
        ),
        (
            _YEAR,
            Column(
                "source", _("Source"), CHOICE, required=True, choices=tuple(FundingSource.choices)
            ),
            Column("amount", _("Amount"), AMOUNT, required=True),
            Column(
                "currency",
                _("Currency"),
                CURRENCY,
                required=True,
                help=_("ISO 4217 code, e.g. USD"),
            ),
        ),
    ),
    TableSpec(
        "capacity",
        "capacity",
        _("Capacity"),
        _("The means planned for each year of the extension; one row per year."),
        (
            _YEAR,
            Column("teams", _("Teams"), COUNT),
            Column("deminers", _("Deminers"), COUNT),
            Column("dogs", _("Mine detection dogs"), COUNT),
            Column("machines", _("Machines"), COUNT),
        ),
    ),
)
TABLES_BY_NAME: Mapping[str, TableSpec] = {t.name: t for t in TABLES}


AMOUNT_USD = Column(
    "amount_usd",
    _("Amount (USD)"),
    AMOUNT,
    help=_("At the year's average ECB rate; unknown where no rate is known."),
)


@dataclass
class TableContent:
    """A table of one version as a page shows it: its columns and rows of shown values
    (the budget also in USD where a rate is known)."""

    spec: TableSpec
    columns: list[Column]
    #: each row's cells: the value shown, and whether it is a figure (aligned right)
    rows: list[list[tuple[str, bool]]]

    @property
    def count(self) -> int:
        return len(self.rows)


def with_rows(qs: QuerySet[RequestVersion]) -> QuerySet[RequestVersion]:
    """Versions with the rows of every table, one query per table whatever their number."""
    return qs.prefetch_related(*(spec.related for spec in TABLES))


def table_content(spec: TableSpec, version: RequestVersion) -> TableContent:
    """A table of ``version`` as shown values; reads the prefetched rows if there are."""
    columns = list(spec.columns) + ([AMOUNT_USD] if spec.name == "budget" else [])
    return TableContent(
        spec=spec,
        columns=columns,
        rows=[
            [(c.shown(getattr(row, c.name)), c.numeric) for c in columns]
            for row in spec.rows(version)
        ],
    )


def table_contents(version: RequestVersion) -> list[TableContent]:
    return [table_content(spec, version) for spec in TABLES]


@dataclass
class Narratives:
    """A version's narrative sections: those it gives, with their text, and those it does not."""

    given: list[tuple[str, Any, str]]
    missing: list[tuple[str, Any]]


def narrative_sections(version: RequestVersion) -> Narratives:
    texts = version.narratives
    return Narratives(
        given=[(code, label, texts[code]) for code, label in SECTIONS if texts.get(code)],
        missing=[(code, label) for code, label in SECTIONS if not texts.get(code)],
    )
