"""Article 7 compliance year by year, the same rows as the public dashboard."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from minefree.reporting.compliance import compliance_by_year, parse_years

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
)
def compliance(request: HttpRequest, query: Query[ComplianceQuery]) -> list[YearComplianceOut]:
    """``from``/``to``: years within 1999..this year; by default 1999 to last year."""
    first, last, valid = parse_years(query.first, query.last)
    if not valid:
        raise ValidationError("from and to must be years from 1999 to this year, from ≤ to")
    return [
        YearComplianceOut(
            year=r.year,
            not_yet_due=r.not_yet_due,
            parties=r.parties,
            submitted=r.submitted,
            on_time=r.on_time,
            late=r.late,
            not_submitted=r.not_submitted,
            rate=r.rate,
            on_time_rate=r.on_time_rate,
            art4_parties=r.art4_parties,
            art4_submitted=r.art4_submitted,
            art5_parties=r.art5_parties,
            art5_submitted=r.art5_submitted,
            art45_rate=r.art45_rate,
            synthetic=r.synthetic,
        )
        for r in compliance_by_year(first, last)
    ]
