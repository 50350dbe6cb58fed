"""Open data: the published Article 7 reports and their form rows, as flat lines.

*Published* means submitted: drafts never appear. For each report only its
**latest submitted version** is used, because an amendment replaces what it
amends; the earlier versions stay readable on the version pages. Every line
carries the report's ``origin`` so that synthetic demo data can never pass for
a real submission.

Two datasets, with one filter form shared by the download page and the API so
the two cannot drift:

- ``reports``: one line per published report;
- ``rows``: one line per row of a form table, each schema field of the table in
  a column of its own (``<table>.<field>``; table codes are unique across forms).

Each dataset is read in one query whatever its size (plus one to count it),
streamed with ``iterator(chunk_size=...)`` rather than built in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db.models import Exists, Min, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from minefree.core.models import Origin
from minefree.registry.models import Actor
from minefree.reporting.models import FormRow, ReportVersion, VersionStatus
from minefree.reporting.specification.schema import FORMS, Table

FIRST_YEAR = 1999
CHUNK_SIZE = 2000

#: Every table of every form, in schema order, with its form letter.
TABLES: dict[str, tuple[str, Table]] = {
    table.code: (letter, table) for letter, spec in FORMS.items() for table in spec.tables
}

REPORT_COLUMNS = [
    "state_iso3",
    "state_name_en",
    "state_name_fr",
    "state_name_es",
    "year",
    "kind",
    "version",
    "submitted_at",
    "first_submitted_at",
    "due_date",
    "on_time",
    "origin",
    "url",
]
ROW_META_COLUMNS = [
    "state_iso3",
    "state_name_en",
    "year",
    "kind",
    "version",
    "form",
    "table",
    "position",
]
ROW_TAIL_COLUMNS = ["counterpart_iso3", "counterpart_slug", "origin"]


@dataclass(frozen=True)
class OpenDataFilters:
    """What a download or an API call asks for; empty means no restriction."""

    states: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    form: str = ""
    table: str = ""
    origin: str = ""

    def tables(self) -> list[str]:
        """The tables whose rows (and columns) this filter keeps, in schema order."""
        return [
            code
            for code, (letter, _table) in TABLES.items()
            if (not self.form or letter == self.form) and (not self.table or code == self.table)
        ]


# --- the filter form, shared by the page, the downloads and the API -----------------------


class StateCodesField(forms.MultipleChoiceField):
    """ISO3 codes, repeatable (``?state=PER&state=COL``) or comma-separated, any case."""

    def to_python(self, value: Any) -> list[str]:
        codes: list[str] = []
        for item in super().to_python(value):
            codes += [code.strip().upper() for code in str(item).split(",") if code.strip()]
        return codes


def _state_choices() -> list[tuple[str, str]]:
    """Every actor with an ISO code, named in the active language (one query)."""
    lang = (translation.get_language() or "en")[:2]
    rows = (
        Actor.objects.exclude(iso3=None)
        .exclude(iso3="")
        .values_list("iso3", "name_en", "name_fr", "name_es")
    )
    index = {"fr": 2, "es": 3}.get(lang, 1)
    return sorted(
        ((row[0], f"{row[index] or row[1]} ({row[0]})") for row in rows if row[0]),
        key=lambda choice: choice[1],
    )


class OpenDataFilterForm(forms.Form):
    """The filters of both datasets. The page shows its errors; the API answers 422 with them."""

    state = StateCodesField(
        label=_("States"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "ISO 3166 alpha-3 codes, e.g. PER. Choose several, or none for every state. In a URL, "
            "repeat the parameter: ?state=PER&state=COL."
        ),
        error_messages={
            "invalid_choice": _(
                "Unknown state code: %(value)s. Use ISO 3166 alpha-3 codes, e.g. PER."
            )
        },
    )
    year_from = forms.IntegerField(
        label=_("From year"),
        required=False,
        min_value=FIRST_YEAR,
        help_text=_("The first reporting year to include (1999 at the earliest)."),
    )
    year_to = forms.IntegerField(
        label=_("To year"),
        required=False,
        min_value=FIRST_YEAR,
        help_text=_("The last reporting year to include."),
    )
    form = forms.ChoiceField(
        label=_("Form"),
        required=False,
        help_text=_("Form rows only: keep the rows of one form (A–J)."),
    )
    table = forms.ChoiceField(
        label=_("Table"),
        required=False,
        help_text=_("Form rows only: keep the rows of one table of a form."),
    )
    origin = forms.ChoiceField(
        label=_("Origin"),
        required=False,
        choices=[("", _("Any origin")), *Origin.choices],
        help_text=_(
            "“synthetic demo data” marks invented reports used for demonstrations; "
            "“reported by a state” marks real submissions."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("state").choices = _state_choices()
        self._choice("form").choices = [
            ("", _("All forms")),
            *((letter, f"{letter}: {spec.title}") for letter, spec in FORMS.items()),
        ]
        self._choice("table").choices = [
            ("", _("All tables")),
            *((code, f"{letter}: {table.label}") for code, (letter, table) in TABLES.items()),
        ]
        this_year = timezone.localdate().year
        for name in ("year_from", "year_to"):
            field = self.fields[name]
            assert isinstance(field, forms.IntegerField)
            field.max_value = this_year
            field.validators.append(
                MaxValueValidator(
                    this_year,
                    message=_("Reports cover years up to this year (%(limit_value)s)."),
                )
            )
            field.widget.attrs.update({"min": FIRST_YEAR, "max": this_year})

    def _choice(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("year_from"), data.get("year_to")
        if first is not None and last is not None and first > last:
            self.add_error(
                "year_to",
                _("The last year (%(last)s) is before the first year (%(first)s).")
                % {"last": last, "first": first},
            )
        form, table = data.get("form"), data.get("table")
        if form and table and TABLES[table][0] != form:
            self.add_error(
                "table",
                _("Table “%(table)s” belongs to Form %(letter)s, not to Form %(form)s.")
                % {"table": table, "letter": TABLES[table][0], "form": form},
            )
        return data

    def filters(self) -> OpenDataFilters:
        """The cleaned filters; call only after ``is_valid()`` returned True."""
        data = self.cleaned_data
        return OpenDataFilters(
            states=tuple(dict.fromkeys(data.get("state") or [])),
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            form=data.get("form") or "",
            table=data.get("table") or "",
            origin=data.get("origin") or "",
        )

    def error_text(self) -> str:
        """Errors as one sentence per problem, named by URL parameter (for the API and downloads)."""
        return " ".join(
            f"{name}: {message}" if name != "__all__" else str(message)
            for name, messages in self.errors.items()
            for message in messages
        )


def parse_filters(params: Mapping[str, Any]) -> tuple[OpenDataFilters | None, OpenDataFilterForm]:
    """Validate query parameters; the filters, or None and the form carrying the errors."""
    form = OpenDataFilterForm(params)
    return (form.filters() if form.is_valid() else None), form


# --- selectors -----------------------------------------------------------------------------


def published_versions(filters: OpenDataFilters) -> QuerySet[ReportVersion]:
    """The latest submitted version of each report that matches (no draft, nothing superseded)."""
    newer = ReportVersion.objects.filter(
        report=OuterRef("report"), status=VersionStatus.SUBMITTED, number__gt=OuterRef("number")
    )
    qs = ReportVersion.objects.filter(status=VersionStatus.SUBMITTED).filter(~Exists(newer))
    if filters.states:
        qs = qs.filter(report__state__iso3__in=filters.states)
    if filters.year_from is not None:
        qs = qs.filter(report__year__gte=filters.year_from)
    if filters.year_to is not None:
        qs = qs.filter(report__year__lte=filters.year_to)
    if filters.origin:
        qs = qs.filter(report__origin=filters.origin)
    return qs


def _version_path() -> str:
    """The version page's path with a ``{pk}`` hole, in the default language (no prefix)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("reporting:version", args=[987654321]).replace("987654321", "{pk}")


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def report_count(filters: OpenDataFilters) -> int:
    return published_versions(filters).count()


def report_lines(
    filters: OpenDataFilters, *, base_url: str = "", start: int = 0, stop: int | None = None
) -> Iterator[dict[str, Any]]:
    """One dict per published report, keys as ``REPORT_COLUMNS`` (one query, streamed).

    ``on_time`` is decided by the report's *first* submission, Geneva time, as on
    the compliance dashboard; ``submitted_at`` is the version's own (UTC).
    The form and table filters do not apply to this dataset.
    """
    first = (
        ReportVersion.objects.filter(report=OuterRef("report"), status=VersionStatus.SUBMITTED)
        .order_by()
        .values("report")
        .annotate(first=Min("submitted_at"))
        .values("first")
    )
    qs = (
        published_versions(filters)
        .annotate(first_submitted_at=Subquery(first))
        .order_by("report__state__name_en", "report__year", "report__kind", "pk")
        .values_list(
            "pk",
            "number",
            "submitted_at",
            "first_submitted_at",
            "report__state__iso3",
            "report__state__name_en",
            "report__state__name_fr",
            "report__state__name_es",
            "report__year",
            "report__kind",
            "report__due_date",
            "report__origin",
        )
    )
    path = base_url + _version_path()
    for (
        pk,
        number,
        submitted_at,
        first_at,
        iso3,
        name_en,
        name_fr,
        name_es,
        year,
        kind,
        due,
        origin,
    ) in qs[start:stop].iterator(chunk_size=CHUNK_SIZE):
        yield {
            "state_iso3": iso3 or "",
            "state_name_en": name_en,
            "state_name_fr": name_fr or name_en,
            "state_name_es": name_es or name_en,
            "year": year,
            "kind": kind,
            "version": number,
            "submitted_at": _iso(submitted_at),
            "first_submitted_at": _iso(first_at),
            "due_date": due.isoformat(),
            "on_time": None if first_at is None else timezone.localdate(first_at) <= due,
            "origin": origin,
            "url": path.format(pk=pk),
        }


def _rows(filters: OpenDataFilters) -> QuerySet[FormRow]:
    qs = FormRow.objects.filter(version__in=published_versions(filters).values("pk"))
    tables = filters.tables()
    if filters.form or filters.table:
        qs = qs.filter(table__in=tables)
    # A row whose table the schema does not know has no columns to go in.
    return qs.filter(table__in=list(TABLES))


def row_count(filters: OpenDataFilters) -> int:
    return _rows(filters).count()


def row_columns(filters: OpenDataFilters) -> list[str]:
    """The CSV header: fixed columns, then ``<table>.<field>`` for each table kept."""
    fields = [
        f"{code}.{field.name}" for code in filters.tables() for field in TABLES[code][1].fields
    ]
    return [*ROW_META_COLUMNS, *fields, *ROW_TAIL_COLUMNS]


def row_lines(
    filters: OpenDataFilters, *, start: int = 0, stop: int | None = None
) -> Iterator[dict[str, Any]]:
    """One dict per form row (one query, streamed).

    Keys are ``ROW_META_COLUMNS``, ``data`` (every field of the row's table, None
    where blank, values as stored) and ``ROW_TAIL_COLUMNS``. ``counterpart_*``
    name the registry actor a written counterpart was matched to, if any.
    """
    qs = (
        _rows(filters)
        .order_by(
            "version__report__state__name_en",
            "version__report__year",
            "version__report__kind",
            "letter",
            "table",
            "position",
            "pk",
        )
        .values_list(
            "version__report__state__iso3",
            "version__report__state__name_en",
            "version__report__year",
            "version__report__kind",
            "version__number",
            "letter",
            "table",
            "position",
            "data",
            "counterpart__iso3",
            "counterpart__slug",
            "version__report__origin",
        )
    )
    for (
        iso3,
        name_en,
        year,
        kind,
        number,
        letter,
        table,
        position,
        data,
        cp_iso3,
        cp_slug,
        origin,
    ) in qs[start:stop].iterator(chunk_size=CHUNK_SIZE):
        values = data if isinstance(data, dict) else {}
        yield {
            "state_iso3": iso3 or "",
            "state_name_en": name_en,
            "year": year,
            "kind": kind,
            "version": number,
            "form": letter,
            "table": table,
            "position": position,
            "data": {f.name: values.get(f.name) for f in TABLES[table][1].fields},
            "counterpart_iso3": cp_iso3 or "",
            "counterpart_slug": cp_slug or "",
            "origin": origin,
        }


def _cell(value: Any) -> str:
    """A CSV cell: blank for None, ``true``/``false`` for booleans, the stored text otherwise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def report_csv_rows(lines: Iterator[dict[str, Any]]) -> Iterator[list[str]]:
    yield REPORT_COLUMNS
    for line in lines:
        yield [_cell(line[c]) for c in REPORT_COLUMNS]


def row_csv_rows(filters: OpenDataFilters, lines: Iterator[dict[str, Any]]) -> Iterator[list[str]]:
    columns = row_columns(filters)
    yield columns
    for line in lines:
        flat = {**line, **{f"{line['table']}.{k}": v for k, v in line["data"].items()}}
        yield [_cell(flat.get(c)) for c in columns]


__all__ = [
    "REPORT_COLUMNS",
    "ROW_META_COLUMNS",
    "ROW_TAIL_COLUMNS",
    "TABLES",
    "OpenDataFilterForm",
    "OpenDataFilters",
    "parse_filters",
    "published_versions",
    "report_count",
    "report_csv_rows",
    "report_lines",
    "row_columns",
    "row_count",
    "row_csv_rows",
    "row_lines",
]
