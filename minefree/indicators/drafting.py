"""The committee's documents drafted from the data: what the year's records say.

``activities`` gathers what the Committee on the Enhancement of Cooperation and Assistance
did and saw in a year (its chair and members from the registry's seats, individualised
approach meetings, bilateral meetings, national platform meetings, exchange visits of the
Fund, extension requests submitted, the key challenges reported, Article 7 reporting) from
the apps below, in a fixed number of queries. ``draft_sections`` turns it into the first
text of a document's sections, which committee members and ISU staff then edit;
``content`` builds the figures, tables, chart and the annex of source records that go with
them (computed live for a draft, frozen into the version when it is published).

The 2024 statement of the committee to the Fifth Review Conference is the model: what was
done under each part of the mandate, then the cases, the visits and the key challenges,
ranked as the data rank them (never written in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minefree.casework.selectors import (
    public_bilateral_meetings,
    public_case_meetings_in,
    public_platform_meetings,
)
from minefree.clearance.selectors import submitted_request_versions
from minefree.core.models import Origin
from minefree.fund.seats import seats_in
from minefree.fund.selectors import visits_held
from minefree.indicators import facts as facts_module
from minefree.indicators.definitions import REPORTING_YEAR, Part, YearValue
from minefree.indicators.models import CommitteeDocument, DocumentKind
from minefree.indicators.selectors import Series, describe, indicators, series
from minefree.knowledge.challenges import ChallengeFilters, ChallengeTable, key_challenges
from minefree.registry.models import Actor

#: the editable text sections of each kind of document, in order
SECTIONS: dict[str, list[str]] = {
    DocumentKind.STATEMENT: ["opening", "mandate", "individualised_approach", "fund", "closing"],
    DocumentKind.OBSERVATIONS: ["introduction", "observations", "conclusions", "recommendations"],
}


def section_titles() -> dict[str, str]:
    return {
        "opening": _("Opening"),
        "mandate": _("The mandate and what was done"),
        "individualised_approach": _("The individualised approach"),
        "fund": _("The Cooperation and Assistance Fund"),
        "closing": _("Closing"),
        "introduction": _("Introduction"),
        "observations": _("Observations"),
        "conclusions": _("Conclusions"),
        "recommendations": _("Recommendations"),
    }


@dataclass
class Item:
    """One thing that happened, with the record that says so."""

    text: str
    url: str
    synthetic: bool
    source: str = ""


@dataclass
class Activities:
    year: int
    chair: Actor | None
    members: list[Actor]
    cases: list[Item] = field(default_factory=list)
    bilateral: list[Item] = field(default_factory=list)
    platforms: list[Item] = field(default_factory=list)
    visits: list[Item] = field(default_factory=list)
    requests: list[Item] = field(default_factory=list)
    challenges: ChallengeTable | None = None
    #: the years whose reported challenges are ranked
    challenge_years: tuple[int, int] = (0, 0)

    @property
    def ranked_challenges(self) -> list[Any]:
        if self.challenges is None:
            return []
        return [line for line in self.challenges.lines if line.total]


def _month(day: Any, precision: str = "day") -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return date_format(day, "YEAR_MONTH_FORMAT")
    return date_format(day, "DATE_FORMAT")


def activities(year: int, committee_id: int) -> Activities:
    """What the committee's year held, from the registry and the apps' public records."""
    seats = seats_in(year)
    chair = next((s.actor for s in seats if s.role == "chair"), None)
    members = [s.actor for s in seats if s.role != "chair"]
    result = Activities(year, chair, members)
    for meeting in public_case_meetings_in(year):
        where = f", {meeting.in_margins_of.name}" if meeting.in_margins_of else ""
        result.cases.append(
            Item(
                _("%(state)s (%(when)s%(where)s)")
                % {
                    "state": meeting.case.state.name,
                    "when": _month(meeting.held_on, meeting.held_on_precision),
                    "where": where,
                },
                reverse("cooperation:case", args=[meeting.case_id]),
                meeting.origin == Origin.SYNTHETIC,
                str(meeting.case.source or ""),
            )
        )
    for bilateral in public_bilateral_meetings(committee_id, year):
        result.bilateral.append(
            Item(
                _("%(state)s, %(when)s")
                % {"state": bilateral.counterpart.name, "when": _month(bilateral.held_on)},
                reverse("cooperation:bilateral"),
                bilateral.origin == Origin.SYNTHETIC,
            )
        )
    platform_states = {m.state_id: m for m in public_platform_meetings() if m.held_on.year == year}
    names = Actor.objects.in_bulk(
        set(platform_states)
        | {r.state_id for r in submitted_request_versions() if r.submitted_on.year == year}
    )
    for state_id, held in platform_states.items():
        state = names.get(state_id)
        if state is not None:
            result.platforms.append(
                Item(
                    state.name,
                    reverse("site:country", args=[state.iso3]),
                    held.origin == Origin.SYNTHETIC,
                )
            )
    for visit in visits_held():
        if visit.held_from is None or visit.held_from.year != year:
            continue
        result.visits.append(
            Item(
                _("a delegation from the %(applicant)s visited the %(host)s (%(when)s)")
                % {
                    "applicant": visit.applicant.name,
                    "host": visit.host.name if visit.host else _("unknown host"),
                    "when": _month(visit.held_from, "month"),
                },
                reverse("fund:application", args=[visit.pk]),
                visit.origin == Origin.SYNTHETIC,
            )
        )
    seen: set[int] = set()
    for request in submitted_request_versions():
        if request.submitted_on.year != year or request.request_id in seen:
            continue
        seen.add(request.request_id)
        state = names.get(request.state_id)
        if state is not None:
            result.requests.append(
                Item(
                    state.name,
                    reverse("clearance:request", args=[request.request_id]),
                    request.origin == Origin.SYNTHETIC,
                )
            )
    result.challenge_years = (year - 1, year)
    tables = key_challenges(AnonymousUser(), ChallengeFilters(year_from=year - 1, year_to=year))
    reported = next((t for t in tables if not t.synthetic and t.leader), None)
    result.challenges = reported or next((t for t in tables if t.leader), None)
    return result


def _names(items: list[Item]) -> str:
    texts = [i.text + (f" [{_('synthetic demo data')}]" if i.synthetic else "") for i in items]
    if not texts:
        return ""
    if len(texts) == 1:
        return texts[0]
    return _("%(list)s and %(last)s") % {"list": ", ".join(texts[:-1]), "last": texts[-1]}


def challenge_phrase(code: str, name: str) -> str:
    """A category of challenge as a statement says it ("lack of financial resources")."""
    phrases = {
        "financial": _("lack of financial resources"),
        "capacity": _("lack of capacity"),
        "expertise": _("lack of technical expertise"),
        "security_access": _("insecurity and restricted access"),
    }
    return phrases.get(code, name)


def _challenge_sentence(facts: Activities) -> str:
    ranked = facts.ranked_challenges
    if not ranked:
        return _(
            "No challenge reported by States Parties for %(first)s–%(last)s is held in minefree."
        ) % {"first": facts.challenge_years[0], "last": facts.challenge_years[1]}
    first = ranked[0]
    phrase = challenge_phrase(first.code, first.name)
    text = _(
        "%(challenge)s continues to be reported as the key challenge in implementation "
        "(named %(count)s times in what States Parties reported for %(first)s–%(last)s, each "
        "state once a year)."
    ) % {
        "challenge": phrase[:1].upper() + phrase[1:],
        "count": first.total,
        "first": facts.challenge_years[0],
        "last": facts.challenge_years[1],
    }
    others = [challenge_phrase(line.code, line.name) for line in ranked[1:3]]
    if others:
        text += " " + _("Other challenges included %(others)s.") % {"others": ", ".join(others)}
    if facts.challenges is not None and facts.challenges.synthetic:
        text += f" [{_('synthetic demo data')}]"
    return text


def _reporting_sentence(year: int) -> str:
    """How many States Parties reported for ``year`` and how many on time (reported data,
    else the synthetic demo data, labelled), from the transparency indicators."""
    wanted = indicators().filter(definition__in=["report_submitted", "report_on_time"])
    found = {line.definition.name: line.values[0] for line in series(wanted, year, year)}
    submitted, on_time = found.get("report_submitted"), found.get("report_on_time")
    if submitted is None or on_time is None:
        return _("the reporting indicators are not loaded")
    part, late_part, label = submitted.reported, on_time.reported, ""
    if not part.computed and submitted.synthetic is not None and on_time.synthetic is not None:
        part, late_part = submitted.synthetic, on_time.synthetic
        label = f" [{_('synthetic demo data')}]"
    if not part.computed:
        return part.reason.rstrip(".")
    return (
        _(
            "for %(year)s, %(n)s of %(d)s States Parties submitted their Article 7 report, "
            "%(on_time)s of them by 30 April"
        )
        % {"year": year, "n": part.numerator, "d": part.denominator, "on_time": late_part.numerator}
        + label
    )


def draft_sections(document: CommitteeDocument) -> dict[str, str]:
    """The first text of each section of ``document``, drafted from its year's records."""
    facts = activities(document.year, document.committee_id)
    committee = document.committee.name
    members = _names([Item(m.name, "", False) for m in facts.members])
    chair = facts.chair.name if facts.chair else _("unknown")
    if document.kind == DocumentKind.STATEMENT:
        opening = _(
            "On behalf of the members of the %(committee)s, %(chair)s, which chaired the "
            "Committee, worked closely with %(members)s."
        ) % {"committee": committee, "chair": chair, "members": members or _("unknown")}
        bullets = [
            ngettext(
                "supporting States Parties in taking advantage of the individualised approach: "
                "%(n)s meeting held%(list)s;",
                "supporting States Parties in taking advantage of the individualised approach: "
                "%(n)s meetings held%(list)s;",
                len(facts.cases),
            )
            % {"n": len(facts.cases), "list": f": {_names(facts.cases)}" if facts.cases else ""},
            ngettext(
                "promoting national mine action platforms through bilateral meetings: %(n)s "
                "bilateral meeting%(list)s;",
                "promoting national mine action platforms through bilateral meetings: %(n)s "
                "bilateral meetings%(list)s;",
                len(facts.bilateral),
            )
            % {
                "n": len(facts.bilateral),
                "list": f": {_names(facts.bilateral)}" if facts.bilateral else "",
            }
            + " "
            + ngettext(
                "%(n)s State Party's national platform met%(list)s;",
                "%(n)s States Parties' national platforms met%(list)s;",
                len(facts.platforms),
            )
            % {
                "n": len(facts.platforms),
                "list": f": {_names(facts.platforms)}" if facts.platforms else "",
            },
            _(
                "encouraging transparency through detailed Article 7 reports, the country pages "
                "and the online reporting tool: %(reporting)s;"
            )
            % {"reporting": _reporting_sentence(document.year - 1)},
            ngettext(
                "encouraging the sharing of best practices, including through the Cooperation "
                "and Assistance Fund: %(n)s exchange visit%(list)s;",
                "encouraging the sharing of best practices, including through the Cooperation "
                "and Assistance Fund: %(n)s exchange visits%(list)s;",
                len(facts.visits),
            )
            % {
                "n": len(facts.visits),
                "list": f": {_names(facts.visits)}" if facts.visits else "",
            },
            _(
                "with the Committee on Article 5 Implementation, examining the extension "
                "requests submitted (%(list)s) for the part cooperation and assistance play."
            )
            % {"list": _names(facts.requests) or _("none recorded")},
        ]
        mandate = (
            _("In %(year)s the Committee sought to implement its mandate:")
            % {"year": document.year}
            + "\n"
            + "\n".join(f"- {b}" for b in bullets)
            + "\n"
            + _challenge_sentence(facts)
        )
        if facts.cases:
            approach = _("The Committee organised individualised approach meetings: %(list)s.") % {
                "list": _names(facts.cases)
            }
        else:
            approach = _(
                "No individualised approach meeting in %(year)s is recorded in minefree."
            ) % {"year": document.year}
        if facts.visits:
            fund = _("Through the Cooperation and Assistance Fund, %(list)s.") % {
                "list": _names(facts.visits)
            }
        else:
            fund = _(
                "No exchange visit of the Cooperation and Assistance Fund in %(year)s is recorded in minefree."
            ) % {"year": document.year}
        return {
            "opening": opening,
            "mandate": mandate,
            "individualised_approach": approach,
            "fund": fund,
            "closing": "",
        }
    lines = []
    for line in series(indicators(), document.year - 1, document.year):
        value = line.at(reviewed_year(line, document.year))
        assert value is not None
        part, synthetic = shown_part(value)
        mark = f" ({_('reconstructed wording')})" if line.indicator.reconstructed else ""
        label = f" [{_('synthetic demo data')}]" if synthetic else ""
        lines.append(
            f"- {line.indicator.text()}{mark}, {value.year}: {value_text(line, part)}{label}"
        )
    return {
        "introduction": _(
            "The %(committee)s reviewed the information States Parties provided for %(year)s on "
            "their cooperation and assistance commitments. Its chair was %(chair)s; its members %(members)s."
        )
        % {
            "committee": committee,
            "year": document.year,
            "chair": chair,
            "members": members or _("unknown"),
        },
        "observations": "\n".join(lines) + "\n" + _challenge_sentence(facts),
        "conclusions": "",
        "recommendations": "",
    }


def reviewed_year(line: Series, year: int) -> int:
    """The year a document for ``year`` reviews for this indicator: the reports submitted by
    30 April of ``year`` cover the year before; meetings, visits and requests are the
    year's own."""
    return year - 1 if line.definition.year_rule == REPORTING_YEAR else year


def shown_part(value: YearValue) -> tuple[Part, bool]:
    """The part a document shows: the reported data's value, else the synthetic demo data's
    (flagged, so that it is labelled)."""
    if not value.reported.computed and value.synthetic is not None:
        return value.synthetic, True
    return value.reported, False


def value_text(line: Series, part: Any) -> str:
    if not part.computed:
        return _("cannot be computed: %(reason)s") % {"reason": part.reason}
    if line.definition.kind == "count":
        return _("%(n)s States Parties") % {"n": part.numerator}
    return _("%(pct)s%% (%(n)s of %(d)s States Parties)") % {
        "pct": part.percentage,
        "n": part.numerator,
        "d": part.denominator,
    }


def content(document: CommitteeDocument) -> dict[str, Any]:
    """The figures, tables, chart and annex of ``document`` in the active language (JSON)."""
    year = document.year
    facts = activities(year, document.committee_id)
    data = facts_module.load(year - 4, year)
    lines = series(indicators(), facts=data)
    figures: list[dict[str, Any]] = []

    def figure(
        label: str,
        value: str,
        records: list[dict[str, Any]],
        synthetic: bool,
        reconstructed: bool = False,
    ) -> str:
        ref = f"F{len(figures) + 1}"
        figures.append(
            {
                "id": ref,
                "label": label,
                "value": value,
                "records": records,
                "synthetic": synthetic,
                "reconstructed": reconstructed,
            }
        )
        return ref

    indicator_rows = []
    for line in lines:
        value = line.at(reviewed_year(line, year))
        assert value is not None
        part, synthetic = shown_part(value)
        records = [
            {
                "label": r.label,
                "state": r.state.name if r.state else "",
                "url": r.url,
                "synthetic": r.synthetic,
            }
            for r in describe(part.records)
        ]
        ref = figure(
            line.indicator.text(),
            value_text(line, part),
            records,
            synthetic,
            line.indicator.reconstructed,
        )
        published = "; ".join(
            f"{p.value.normalize():f} ({p.what}; {p.source})"
            for p in line.indicator.published.all()
            if p.year == value.year
        )
        indicator_rows.append(
            [
                f"#{line.indicator.action.number} ({value.year})",
                line.indicator.text()
                + (f" ({_('reconstructed wording')})" if line.indicator.reconstructed else ""),
                value_text(line, part) + (f" [{_('synthetic demo data')}]" if synthetic else ""),
                published or "—",
                ref,
            ]
        )
    activity_rows = []
    for label, items in (
        (_("Individualised approach meetings"), facts.cases),
        (_("Bilateral meetings of the Committee"), facts.bilateral),
        (_("National platform meetings"), facts.platforms),
        (_("Exchange visits of the Fund"), facts.visits),
        (_("Extension requests submitted"), facts.requests),
    ):
        records = [
            {"label": i.text, "state": "", "url": i.url, "synthetic": i.synthetic} for i in items
        ]
        ref = figure(label, str(len(items)), records, any(i.synthetic for i in items))
        activity_rows.append([label, str(len(items)), _names(items) or "—", ref])
    challenge_rows = []
    if facts.challenges is not None:
        for line in facts.ranked_challenges:
            ref = figure(
                line.name,
                str(line.total),
                [
                    {
                        "label": _("States Parties that named it in %(year)s: %(n)s")
                        % {"year": y.year, "n": y.states},
                        "state": "",
                        "url": reverse("knowledge:challenge_passages", args=[line.code])
                        + f"?year_from={y.year}&year_to={y.year}",
                        "synthetic": facts.challenges.synthetic,
                    }
                    for y in line.years
                    if y.states
                ],
                facts.challenges.synthetic,
            )
            challenge_rows.append([str(line.rank), line.name, str(line.total), ref])
    chart_series = []
    for line in lines:
        if line.definition.kind != "percentage":
            continue
        points = []
        invented = False
        for value in line.values:
            part = (
                value.reported if value.reported.computed else (value.synthetic or value.reported)
            )
            points.append([value.year, part.percentage])
            invented = invented or (part is value.synthetic and part.percentage is not None)
        if any(v is not None for _y, v in points):
            chart_series.append(
                {
                    "name": f"#{line.indicator.action.number} {line.indicator.code}",
                    "points": points,
                    "synthetic": invented,
                }
            )
    return {
        "year": year,
        "meeting": document.meeting.name,
        "committee": document.committee.name,
        "chair": facts.chair.name if facts.chair else "",
        "members": [m.name for m in facts.members],
        "tables": [
            {
                "caption": _("Indicators of the action plan for %(year)s") % {"year": year},
                "columns": [
                    _("Action"),
                    _("Indicator"),
                    _("Value"),
                    _("Published figure"),
                    _("Sources"),
                ],
                "rows": indicator_rows,
                "numeric": [False, False, False, False, False],
            },
            {
                "caption": _("The Committee's year in records"),
                "columns": [_("Activity"), _("Number"), _("Which"), _("Sources")],
                "rows": activity_rows,
                "numeric": [False, True, False, False],
            },
            {
                "caption": _("Key challenges reported (%(first)s–%(last)s)")
                % {"first": year - 1, "last": year},
                "columns": [_("Rank"), _("Challenge"), _("State-years"), _("Sources")],
                "rows": challenge_rows,
                "numeric": [True, False, True, False],
            },
        ],
        "chart": {
            "title": _("Indicators of the action plan, %(first)s–%(last)s")
            % {"first": year - 4, "last": year},
            "unit": "%",
            "series": chart_series,
        },
        "figures": figures,
    }
