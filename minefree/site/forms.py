from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minefree.core.templatetags.minefree import localized_region
from minefree.registry.models import TreatyStatus
from minefree.registry.selectors import StateFilters

SORT_CHOICES = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("region", _("Region")),
    ("eif", _("Entry into force (earliest first)")),
    ("-eif", _("Entry into force (latest first)")),
    ("deadline", _("Article 5 deadline (soonest first)")),
    ("-deadline", _("Article 5 deadline (latest first)")),
]


class StateFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        help_text=_("In English, French or Spanish; other names such as “Turkey” work too."),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All with a treaty status")), *TreatyStatus.choices],
    )
    open_article = forms.TypedChoiceField(
        label=_("Open obligation"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Any")),
            ("4", _("Article 4 (stockpiles)")),
            ("5", _("Article 5 (mined areas)")),
        ],
    )
    deadline_year = forms.IntegerField(
        label=_("Deadline year"),
        required=False,
        min_value=1999,
        max_value=2100,
        help_text=_("Current Article 4 or 5 deadline falls in this year."),
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = [
            ("", _("All regions")),
            *((r, localized_region(r)) for r in regions),
        ]

    def filters(self) -> StateFilters:
        data = self.cleaned_data
        return StateFilters(
            q=data.get("q") or "",
            region=data.get("region") or "",
            status=data.get("status") or "",
            open_article=data.get("open_article"),
            deadline_year=data.get("deadline_year"),
            sort=data.get("sort") or "name",
        )
