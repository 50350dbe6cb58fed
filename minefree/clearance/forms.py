"""Forms of the clearance pages. They render the inputs, with their labels and help, and
parse what a form alone can; the request's own values (dates, figures, tables) are read
by ``content.read_content``, as for the API and the template, and the services decide."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from minefree.clearance.content import MAX_TEXT
from minefree.clearance.models import (
    ANALYSIS_SECTIONS,
    SECTIONS,
    Language,
    Outcome,
    RequestStatus,
)
from minefree.core.forms import OnceForm

#: what each narrative section of a request is for (Art. 5.4 and the request template)
SECTION_HELP: dict[str, Any] = {
    "origins": _(
        "The origins and extent of the mine problem when the Convention entered into force."
    ),
    "methods": _("How mined areas were and are identified (Art. 5.4(b)(i))."),
    "structures": _("The national demining programme and its structures (Art. 5.4(b)(i))."),
    "progress": _("The work done under the national demining programme (Art. 5.4(b)(i))."),
    "standards": _("National standards, quality control and quality assurance."),
    "civilians": _("How civilians are kept out of mined areas (Art. 5.2)."),
    "resources": _("The financial and technical means made available to date (Art. 5.4(b)(ii))."),
    "impediments": _(
        "Required: the circumstances that impede the destruction of all mines in mined "
        "areas (Art. 5.4(b)(iii))."
    ),
    "implications": _(
        "Required: the humanitarian, social, economic and environmental implications of "
        "the extension (Art. 5.4(c))."
    ),
    "remaining": _("What remains to be done; the figures go in the remaining contamination table."),
    "rationale": _("The duration of the extension requested and why (Art. 5.4(a))."),
    "risk_education": _("Mine risk education planned during the extension."),
    "victim_assistance": _("Assistance to mine victims planned during the extension."),
    "other": _("Any other information relevant to the request (Art. 5.4(d))."),
}

ANALYSIS_HELP: dict[str, Any] = {
    "summary": _("What the state asks, for how long, and why."),
    "contamination": _("The remaining contamination and the land released so far."),
    "workplan": _("Whether the milestones are ambitious yet realistic, and cover what remains."),
    "resources": _("The money required, secured and sought, and what cooperation could change."),
    "observations": _("The Committee's observations on the request."),
    "reporting": _("What the state is asked to report on during the extension."),
}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class RequestFilterForm(forms.Form):
    """The filters of the list of requests; a value it refuses is left out."""

    state = forms.ChoiceField(label=_("State"), required=False)
    year = forms.TypedChoiceField(
        label=_("Year submitted"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=(
            ("", _("any status")),
            *((v, label) for v, label in RequestStatus.choices if v != RequestStatus.DRAFT),
        ),
    )

    def __init__(
        self, *args: Any, states: list[tuple[str, str]], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("any state")), *states]  # type: ignore[attr-defined]
        self.fields["year"].choices = [("", _("any year")), *((y, y) for y in years)]  # type: ignore[attr-defined]


class OpenRequestForm(forms.Form):
    state = forms.CharField(max_length=3, widget=forms.HiddenInput)


class HeaderForm(forms.Form):
    """A draft's header and narrative sections. Dates are read by ``read_content``."""

    submitted_on = forms.CharField(
        label=_("Date of the request"),
        required=False,
        widget=_date_input(),
        help_text=_("The date on the state's request (YYYY-MM-DD)."),
    )
    requested_deadline = forms.CharField(
        label=_("Deadline requested"),
        required=False,
        widget=_date_input(),
        help_text=_(
            "The new deadline the state asks for; it must come after the current one (Art. 5.4(a))."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the request"),
        choices=Language.choices,
        help_text=_("The language the state wrote the request in."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in SECTIONS:
            self.fields[f"n_{code}"] = forms.CharField(
                label=label,
                required=False,
                strip=False,
                max_length=MAX_TEXT,
                widget=_textarea(),
                help_text=SECTION_HELP.get(code, ""),
            )

    def raw(self) -> dict[str, Any]:
        """What was typed, as ``read_content`` reads a request's header."""
        data = self.data
        return {
            "submitted_on": data.get("submitted_on", ""),
            "requested_deadline": data.get("requested_deadline", ""),
            "language": data.get("language", ""),
            "narratives": {code: data.get(f"n_{code}", "") for code, _label in SECTIONS},
        }

    @staticmethod
    def field_of(where: str) -> str:
        """The form's field a refusal of ``read_content`` or of the submission names."""
        if where.startswith("narratives."):
            return "n_" + where.split(".", 1)[1]
        return where


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("The request as submitted (PDF)"),
        help_text=_(
            "The signed request as the state sent it: a PDF of at most 30 MB. Its type is "
            "checked by its content. It replaces the document of this draft; earlier "
            "versions keep theirs."
        ),
    )


class TableReplaceForm(forms.Form):
    rows = forms.CharField(
        label=_("The whole table"),
        required=False,
        strip=False,
        max_length=1_000_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "Paste the rows from a spreadsheet, one row per line, the columns in the order "
            "of the table above, separated by tabs, semicolons or commas; a first line with "
            "the column names is skipped. The table becomes exactly these rows; empty, it is "
            "emptied."
        ),
    )


class RevisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revision"),
        max_length=5000,
        widget=_textarea(3),
        help_text=_(
            "Why the request is revised, e.g. to answer the committees' questions. The "
            "revision starts as a copy of the latest submitted version; that version stays "
            "public as it is."
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=MAX_TEXT,
        widget=_textarea(3),
        help_text=_("The state's written answer; it is public with the question."),
    )


class QuestionForm(OnceForm):
    text = forms.CharField(
        label=_("Question to the state"),
        max_length=MAX_TEXT,
        widget=_textarea(3),
        help_text=_(
            "A written question on the request, public with the state's answer. The first "
            "question starts the analysis."
        ),
    )


class AnalysisForm(forms.Form):
    """The analysis text, section by section; the figures come from the data."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in ANALYSIS_SECTIONS:
            self.fields[f"s_{code}"] = forms.CharField(
                label=label,
                required=False,
                strip=False,
                max_length=MAX_TEXT,
                widget=_textarea(5),
                help_text=ANALYSIS_HELP.get(code, ""),
            )

    def sections(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"s_{code}", "") for code, _label in ANALYSIS_SECTIONS}


REQUIREMENT_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\b[\s:;,.–—-]*(.*)$")


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        help_text=_("A withdrawn request is recorded as a decision too."),
    )
    meeting = forms.TypedChoiceField(
        label=_("Meeting"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The Meeting of the States Parties or Review Conference that decided."),
    )
    decided_on = forms.DateField(
        label=_("Decided on"), widget=_date_input(), help_text=_("The day of the decision.")
    )
    new_deadline = forms.DateField(
        label=_("New deadline"),
        required=False,
        widget=_date_input(),
        help_text=_(
            "Required when the extension is granted; it goes into the state's deadline history."
        ),
    )
    requirements = forms.CharField(
        label=_("What the decision asks of the state"),
        required=False,
        max_length=20_000,
        widget=_textarea(4),
        help_text=_(
            "One request per line, each a follow-up item shown until it is met; start a line "
            "with its due date (YYYY-MM-DD) if it has one, e.g. “2031-04-30 An updated "
            "workplan”."
        ),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=_textarea(2))

    def __init__(self, *args: Any, meetings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", _("not recorded")), *meetings]  # type: ignore[attr-defined]

    def clean_requirements(self) -> list[tuple[str, dt.date | None]]:
        items: list[tuple[str, dt.date | None]] = []
        problems = []
        for n, line in enumerate(str(self.cleaned_data["requirements"]).splitlines(), 1):
            text, due = line.strip(), None
            if not text:
                continue
            dated = REQUIREMENT_LINE.match(text)
            if dated:
                try:
                    due = dt.date.fromisoformat(dated[1])
                except ValueError:
                    problems.append(
                        _t("Line %(n)s: %(date)s is no date.") % {"n": n, "date": dated[1]}
                    )
                    continue
                text = dated[2].strip()
                if not text:
                    problems.append(_t("Line %(n)s: say what is asked.") % {"n": n})
                    continue
            items.append((text, due))
        if problems:
            raise forms.ValidationError(problems)
        return items


class RequirementMetForm(forms.Form):
    met_on = forms.DateField(
        label=_("Met on"), widget=_date_input(), help_text=_("The day the state did it.")
    )
    note = forms.CharField(
        label=_("How it was met"),
        required=False,
        max_length=5000,
        widget=_textarea(2),
        help_text=_("e.g. the document the state sent."),
    )
