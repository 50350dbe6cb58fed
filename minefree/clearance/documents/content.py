"""What the analysis document says, built once in the active language: its cover, its
sections (the analysis text, then the tables and charts the data gives for it) and its
sources. ``formats`` prints it as PDF and DOCX."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from minefree.clearance import selectors
from minefree.clearance.analysis import Analysis, Plausibility
from minefree.clearance.models import (
    ANALYSIS_SECTIONS,
    AnalysisStatus,
    AnalysisVersion,
    ExtensionRequest,
    Hazard,
    Method,
)
from minefree.core import charts
from minefree.core.documents import Table, day, usd
from minefree.core.documents import unknown as _unknown


@dataclass
class Chart:
    title: str
    unit: str
    series: list[charts.Series]
    kind: Literal["line", "bar"] = "line"

    def svg(self, id_prefix: str, synthetic_label: str = "") -> SafeString:
        """The site's chart for the PDF, as the pages draw it: the print stylesheet sizes
        it (the site's ``.chart-svg`` rule is not in it)."""
        return self.html(id_prefix, synthetic_label)

    def html(self, id_prefix: str, synthetic_label: str = "") -> SafeString:
        """The chart as the site's pages draw it."""
        draw = charts.stacked_bar_chart if self.kind == "bar" else charts.line_chart
        return SafeString(
            str(
                draw(
                    title=self.title,
                    series=self.series,
                    unit=self.unit,
                    empty_text=_("No figures to draw."),
                    synthetic_label=synthetic_label,
                    id_prefix=id_prefix,
                )
            )
        )

    @property
    def empty(self) -> bool:
        return not any(v is not None for s in self.series for _y, v in s.points)


@dataclass
class Section:
    code: str
    heading: str
    text: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    items: list[str] = field(default_factory=list)

    @property
    def charts_html(self) -> list[SafeString]:
        """The section's charts as the pages draw them (the empty ones left out)."""
        return [
            chart.html(f"fig-{self.code}-{n}")
            for n, chart in enumerate(self.charts)
            if not chart.empty
        ]


@dataclass
class AnalysisDoc:
    title: str
    subtitle: str
    language: str
    draft: bool
    synthetic: bool
    cover: list[tuple[str, str]]
    sections: list[Section]
    sources: list[tuple[str, str]]
    footer: str
    labels: dict[str, str]


# --- figures as printed ------------------------------------------------------------------


def m2(value: Decimal | int | None) -> str:
    if value is None:
        return _unknown()
    return str(number_format(int(value), force_grouping=True))


def pct(value: Decimal | None) -> str:
    if value is None:
        return _unknown()
    return f"{number_format(value, 1)} %"


def year(value: int | None, never: bool = False) -> str:
    if value is None:
        return _("never") if never else _unknown()
    return str(value)


def _labels(choices: Any) -> dict[str, str]:
    return {code: str(label) for code, label in choices}


# --- the sections' data ------------------------------------------------------------------


def _summary(a: Analysis) -> Section:
    p = a.projection
    facts = [
        [_("Remaining contamination (m²)"), m2(p.remaining.area_m2 if p.remaining else None)],
        [_("Deadline requested"), day(a.requested_deadline)],
        [_("Current deadline"), day(a.current_deadline)],
        [
            _("Projected completion (range)"),
            f"{year(p.completion_year, p.status != Plausibility.UNKNOWN)} "
            f"({year(p.completion_year_earliest, True)}–{year(p.completion_year_latest, True)})",
        ],
        [_("Against the deadline requested"), p.status_label],
        [_("Release needed per year (m²)"), m2(p.required_m2_per_year)],
        [_("Budget of the workplan (USD)"), usd(a.money.required_usd)],
        [_("National share of the budget"), pct(a.money.national_share)],
        [_("Flags"), ", ".join(f.label for f in a.flags) or _("none")],
    ]
    return Section(
        "summary",
        "",
        "",
        tables=[Table(_("Key figures"), [_("Figure"), _("Value")], facts, [False, False])],
    )


def _contamination(a: Analysis, request_remaining: Sequence[Any]) -> Section:
    hazards = _labels(Hazard.choices)
    remaining = Table(
        _("Remaining contamination at submission, by region and hazard class"),
        [_("Region"), _("Hazard class"), _("Number of areas"), _("Area (m²)")],
        [
            [r.region, hazards.get(r.hazard, r.hazard), m2(r.areas), m2(r.area_m2)]
            for r in request_remaining
        ],
        [False, False, True, True],
    )
    period = a.previous_period
    rows = [
        [
            str(r.year),
            m2(r.promised_m2),
            m2(r.planned_m2),
            m2(r.achieved_m2),
            pct(r.percent_of_plan),
            m2(r.article7_m2),
            pct(r.article7_percent_of_plan),
            "; ".join(d.label for d in r.differences),
        ]
        for r in period.rows
    ]
    rows.append(
        [
            _("Overall"),
            m2(period.stated_against_promise.planned_m2 if period.promise_request_id else None),
            m2(period.stated.planned_m2 if period.stated.years else None),
            m2(period.stated.achieved_m2 if period.stated.years else None),
            pct(period.stated.percent),
            m2(
                period.article7_against_plan.achieved_m2
                if period.article7_against_plan.years
                else None
            ),
            pct(period.article7_against_plan.percent),
            "",
        ]
    )
    plan = Table(
        _("Plan against result in the previous period"),
        [
            _("Year"),
            _("Milestones of the earlier request (m²)"),
            _("Planned, as the request states (m²)"),
            _("Achieved, as the request states (m²)"),
            _("Percent of plan"),
            _("Released, Article 7 reports (m²)"),
            _("Percent of plan (Article 7)"),
            _("Differences"),
        ],
        rows,
        [False, True, True, True, True, True, True, False],
        wide=True,
    )
    chart = Chart(
        _("Plan against result"),
        "m²",
        [
            charts.Series(_("Planned"), [(r.year, _f(r.planned_m2)) for r in period.rows]),
            charts.Series(
                _("Achieved (request)"), [(r.year, _f(r.achieved_m2)) for r in period.rows]
            ),
            charts.Series(
                _("Released (Article 7)"), [(r.year, _f(r.article7_m2)) for r in period.rows]
            ),
        ],
    )
    return Section("contamination", "", "", tables=[remaining, plan], charts=[chart])


def _workplan(a: Analysis) -> Section:
    p = a.projection
    methods = _labels(Method.choices)
    coverage = p.milestones
    milestone_rows = [
        [
            str(m.year),
            *(m2(m.by_method.get(code)) if code in m.by_method else "—" for code in Method.values),
            m2(m.total_m2),
        ]
        for m in coverage.years
    ]
    milestones = Table(
        _("Workplan milestones by year and method (m²)"),
        [_("Year"), *(methods[c] for c in Method.values), _("Total")],
        milestone_rows,
        [False, True, True, True, True],
    )
    projection = Table(
        _("Projection from the observed yearly release"),
        [_("Figure"), _("Value")],
        [
            [_("Years observed"), ", ".join(str(r.year) for r in p.rates) or _unknown()],
            [
                _("Basis"),
                {
                    "article7": _("Article 7 land release"),
                    "request": _("the request's figures for the previous period"),
                }.get(p.basis, _unknown()),
            ],
            [
                _("Slowest, median, fastest year (m²)"),
                " / ".join(
                    m2(v)
                    for v in (p.slowest_m2_per_year, p.median_m2_per_year, p.fastest_m2_per_year)
                ),
            ],
            [
                _("Completion at the median rate"),
                year(p.completion_year, p.median_m2_per_year is not None),
            ],
            [
                _("Completion at the fastest and slowest rates"),
                f"{year(p.completion_year_earliest, True)} – {year(p.completion_year_latest, True)}",
            ],
            [_("Release needed per year to meet the deadline (m²)"), m2(p.required_m2_per_year)],
            [_("Newly found per year (m²)"), m2(p.newly_found_m2_per_year)],
            [_("Completion with newly found areas"), year(p.completion_year_with_new_areas)],
            [
                _("Milestones up to the deadline (m²)"),
                m2(coverage.total_m2 if coverage.years else None),
            ],
            [_("Short of the remaining contamination by (m²)"), m2(coverage.shortfall_m2)],
            [_("Against the deadline requested"), f"{p.status_label}: {p.reason}"],
        ],
        [False, False],
    )
    chart = Chart(
        _("Yearly release observed and planned"),
        "m²",
        [
            charts.Series(_("Observed"), [(r.year, float(r.released_m2)) for r in p.rates]),
            charts.Series(_("Milestones"), [(m.year, float(m.total_m2)) for m in coverage.years]),
        ],
    )
    return Section("workplan", "", "", tables=[milestones, projection], charts=[chart])


def _resources(a: Analysis) -> Section:
    money = a.money
    years = Table(
        _("Budget of the workplan against money on record (USD)"),
        [
            _("Year"),
            _("Required"),
            _("National"),
            _("International, secured"),
            _("International, sought"),
            _("Committed (flows)"),
            _("Paid (flows)"),
            _("Needs covered (committed)"),
            _("National share"),
            _("Gap"),
        ],
        [
            [
                str(y.year),
                usd(y.required_usd),
                usd(y.national_usd),
                usd(y.secured_usd),
                usd(y.sought_usd),
                usd(y.committed_usd),
                usd(y.paid_usd),
                usd(y.needs_committed_usd) if y.needs_required_usd is not None else "—",
                pct(y.national_share),
                usd(y.gap_usd),
            ]
            for y in money.years
        ],
        [False, *([True] * 9)],
        wide=True,
    )
    cost = Table(
        _("Cost per m² released in past years"),
        [
            _("Year"),
            _("Released (m²)"),
            _("Paid, international (USD)"),
            _("National (USD)"),
            _("USD per m²"),
        ],
        [
            [
                str(c.year),
                m2(c.released_m2),
                usd(c.international_paid_usd),
                usd(c.national_usd),
                number_format(c.usd_per_m2, 2),
            ]
            for c in money.cost
        ],
        [False, True, True, True, True],
    )
    items = []
    if money.extra is not None:
        e = money.extra
        items.append(
            _(
                "USD %(amount)s more would release about %(median)s m² at the median observed "
                "cost (%(least)s to %(most)s m²)."
            )
            % {
                "amount": usd(e.amount_usd),
                "median": m2(e.median_m2),
                "least": m2(e.least_m2),
                "most": m2(e.most_m2),
            }
        )
    if money.unpriced_lines:
        items.append(
            _("%(n)s budget lines have no exchange rate: the sums are lower bounds.")
            % {"n": money.unpriced_lines}
        )
    c = a.context
    items.append(
        _("Individualised approach cases: %(n)s.") % {"n": len(c.cases)}
        + (
            " " + "; ".join(f"{x.status_label} ({day(x.requested_on)})" for x in c.cases)
            if c.cases
            else ""
        )
    )
    items.append(
        _("National platform: established %(on)s, %(members)s members, %(meetings)s meetings.")
        % {
            "on": day(c.platform.established_on),
            "members": c.platform.members,
            "meetings": len(c.platform.meetings),
        }
        if c.platform
        else _("National platform: none on record.")
    )
    items.append(
        _("Bilateral meetings with the committees: %(n)s.") % {"n": len(c.bilateral_meetings)}
    )
    items.append(
        _(
            "Needs on record: %(n)s; USD %(required)s required, %(committed)s committed, %(paid)s paid."
        )
        % {
            "n": len(c.needs),
            "required": usd(c.needs_required_usd),
            "committed": usd(c.needs_committed_usd),
            "paid": usd(c.needs_paid_usd),
        }
    )
    for ch in c.challenges:
        items.append(f"{ch.year} · {ch.category_label}: {ch.description}")
    chart = Chart(
        _("Required against committed and paid"),
        "USD",
        [
            charts.Series(_("Required"), [(y.year, _f(y.required_usd)) for y in money.years]),
            charts.Series(_("Committed"), [(y.year, float(y.committed_usd)) for y in money.years]),
            charts.Series(_("Paid"), [(y.year, float(y.paid_usd)) for y in money.years]),
        ],
    )
    return Section("resources", "", "", tables=[years, cost], charts=[chart], items=items)


def _observations(a: Analysis) -> Section:
    return Section(
        "observations",
        "",
        "",
        items=[f"{f.label}: {f.reason}" for f in a.flags] or [_("No flag is raised.")],
    )


def _reporting(request: ExtensionRequest) -> Section:
    decision = selectors.decision_of(request)
    items = []
    if decision is not None:
        for r in decision.requirements.all():
            state = _("met on %(day)s") % {"day": day(r.met_on)} if r.met_on else _("not yet met")
            items.append(f"{r.text} ({_('due')} {day(r.due_on)}; {state})")
    return Section("reporting", "", "", items=items)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- the document ------------------------------------------------------------------------


def figures(
    request: ExtensionRequest, user: Any = None
) -> tuple[Analysis | None, dict[str, Section]]:
    """The analysis of ``request`` as ``user`` may read it (``None``: the public) and its
    figures by analysis section (tables and charts; no text): what the document prints and
    the request's pages show. ``(None, {})`` when the reader may see no version."""
    analysis = selectors.analyse(request, user)
    if analysis is None:
        return None, {}
    version = selectors.shown_versions(user, [request]).get(request.pk)
    remaining = list(version.remaining.all()) if version else []
    data = {
        "summary": _summary(analysis),
        "contamination": _contamination(analysis, remaining),
        "workplan": _workplan(analysis),
        "resources": _resources(analysis),
        "observations": _observations(analysis),
    }
    labels = dict(ANALYSIS_SECTIONS)
    for code, section in data.items():
        section.heading = str(labels[code])
    return analysis, data


def build(
    request: ExtensionRequest, analysis_version: AnalysisVersion, user: Any = None
) -> AnalysisDoc:
    """The document in the active language."""
    draft = analysis_version.status == AnalysisStatus.DRAFT
    # a published analysis shows what the public may see, whoever downloads it
    analysis, data = figures(request, user if draft else None)
    if analysis is None:
        raise ValueError("The request has no version the reader may see.")
    data["reporting"] = _reporting(request)
    texts = analysis_version.sections or {}
    sections = []
    for number, (code, label) in enumerate(ANALYSIS_SECTIONS, start=1):
        section = data.get(code, Section(code, "", ""))
        section.heading = f"{number}. {label}"
        section.text = texts.get(code, "")
        sections.append(section)
    state = request.state.name
    title = _("Analysis of the request for an extension of the Article 5 deadline")
    status = (
        _("draft, version %(n)s") % {"n": analysis_version.number}
        if draft
        else _("version %(n)s, published %(day)s")
        % {
            "n": analysis_version.number,
            "day": day(timezone.localdate(analysis_version.published_at))
            if analysis_version.published_at
            else _unknown(),
        }
    )
    cover = [
        (_("State"), state),
        (_("Request submitted on"), day(analysis.submitted_on)),
        (_("Version of the request analysed"), str(analysis.version_number)),
        (_("Deadline requested"), day(analysis.requested_deadline)),
        (_("Current deadline"), day(analysis.current_deadline)),
        (_("Analysis"), status),
    ]
    if analysis.synthetic:
        cover.append((_("Origin"), _("synthetic demo data: invented, not a real request")))
    footer = f"{state} · {title} · {status}"
    if analysis.synthetic:
        footer += " · " + _("synthetic demo data")
    return AnalysisDoc(
        title=title,
        subtitle=state,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        draft=draft,
        synthetic=analysis.synthetic,
        cover=cover,
        sections=sections,
        sources=[(s.label, s.ref) for s in analysis.sources],
        footer=footer,
        labels={
            "sources": _("Sources of the figures"),
            "no_text": _("No text yet."),
            "no_rows": _("No rows."),
            "draft_note": _(
                "Draft: not the committees' published analysis. Figures as its reader may see them."
            ),
            "synthetic_note": _(
                "This analysis uses synthetic demo data: it is invented and says nothing about "
                "the state."
            ),
            "synthetic_label": _("synthetic demo data"),
        },
    )
