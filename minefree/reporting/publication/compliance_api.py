"""Article 7 compliance year by year, and one year state by state with completeness.

The same rows as the public dashboard: both read ``reporting.compliance`` and
``reporting.completeness``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from minefree.reporting.publication.completeness import Completeness, parse_year, state_lines
from minefree.reporting.publication.compliance import compliance_by_year, parse_years

router = Router(tags=["reporting"])


class ComplianceQuery(Schema):
    first: str = Field("", alias="from")
    last: str = Field("", alias="to")


class YearComplianceOut(Schema):
    year: int
    not_yet_due: bool
    parties: int
    submitted: int
    on_time: int
    late: int
    not_submitted: int
    rate: float | None = Field(description="Share of the year's States Parties, 0–1")
    on_time_rate: float | None
    art4_parties: int = Field(
        description="Parties of the year whose Art. 4 obligation is open today"
    )
    art4_submitted: int
    art5_parties: int = Field(
        description="Parties of the year whose Art. 5 obligation is open today"
    )
    art5_submitted: int
    art45_rate: float | None
    synthetic: int = Field(
        description="Submitted reports counted here that are synthetic demo data"
    )


@router.get(
    "/compliance",
    response=list[YearComplianceOut],
    summary="Annual reporting of the States Parties, year by year",
    operation_id="minefree_reporting_compliance_api_compliance",  # stable across module moves
)
def compliance(request: HttpRequest, query: Query[ComplianceQuery]) -> list[YearComplianceOut]:
    """``from``/``to``: years within 1999..this year; by default 1999 to last year."""
    first, last, valid = parse_years(query.first, query.last)
    if not valid:
        raise ValidationError("from and to must be years from 1999 to this year, from ≤ to")
    # the schema's fields are those of YearCompliance: read from its attributes
    return [YearComplianceOut.model_validate(r) for r in compliance_by_year(first, last)]


class MissingOut(Schema):
    table: str = Field(description="Empty for a narrative")
    position: int | None = Field(description="The row; null when the table has no row at all")
    field: str = Field(description="Empty when the table has no row")
    text: str


class FormCompletenessOut(Schema):
    letter: str
    required_because: list[str] = Field(description="`party`, `article4` and/or `article5`")
    mark: str = Field(description="`changed`, `unchanged` or `not_applicable`")
    filled: int
    expected: int
    completeness: float = Field(description="0–1; 1 for a form marked unchanged or not applicable")
    missing: list[MissingOut]


class StateCompletenessOut(Schema):
    iso3: str
    name_en: str
    name_fr: str
    name_es: str
    status: str = Field(description="`on_time`, `late`, `not_submitted` or `not_yet_due`")
    version_id: int | None = Field(description="The latest submitted version, if any")
    origin: str | None = Field(
        description='`synthetic` for demo data (a report, or "not submitted" in a year whose '
        "record is the synthetic demo history); null if not submitted in a real record"
    )
    required_forms: list[str]
    completeness: float | None = Field(description="Mean of the required forms, 0–1")
    missing_forms: list[str] = Field(description="Required forms without a row or a mark")
    forms: list[FormCompletenessOut]


def _forms(done: Completeness | None) -> list[FormCompletenessOut]:
    if done is None:
        return []
    return [
        FormCompletenessOut(
            letter=f.letter,
            required_because=list(f.reasons),
            mark=f.mark,
            filled=f.filled,
            expected=f.expected,
            completeness=f.fraction,
            missing=[
                MissingOut(table=m.table, position=m.position, field=m.field, text=m.text)
                for m in f.missing
            ],
        )
        for f in done.forms
    ]


@router.get(
    "/compliance/{year}/states",
    response=list[StateCompletenessOut],
    summary="One year's States Parties: annual report status and field-level completeness",
    operation_id="minefree_reporting_compliance_api_compliance_states",  # stable across moves
)
def compliance_states(request: HttpRequest, year: int) -> list[StateCompletenessOut]:
    """The States Parties of ``year`` (1999..this year), as the dashboard's state table.

    Completeness reads the latest submitted annual report against the forms the
    state's open obligations require (see ``reporting/completeness.py``).
    """
    parsed, valid = parse_year(str(year), year)
    if not valid:
        raise ValidationError("year must be a year from 1999 to this year")
    result = []
    for line in state_lines(parsed):
        done = line.completeness
        result.append(
            StateCompletenessOut(
                iso3=line.state.iso3 or "",
                name_en=line.state.name_en,
                name_fr=line.state.name_fr or line.state.name_en,
                name_es=line.state.name_es or line.state.name_en,
                status=line.status,
                version_id=line.version_id,
                origin=line.origin or None,
                required_forms=list(line.required),
                completeness=done.fraction if done else None,
                missing_forms=done.missing_forms if done else [],
                forms=_forms(done),
            )
        )
    return result
