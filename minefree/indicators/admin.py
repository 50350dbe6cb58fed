"""ISU staff correct the plans' wording in the admin: every save goes through
``action_correct`` or ``indicator_correct`` (audited, the record marked "entered" so the
reference loader keeps it). Plans, sections, published figures and documents are read
only here: the loader and the documents' pages write them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minefree.core.admin_base import ReadOnlyAdmin, StaffAdmin
from minefree.indicators import models
from minefree.indicators.services import action_correct, indicator_correct


class WordingForm(forms.ModelForm):  # type: ignore[type-arg]
    """The texts and wording status, and the source of an official wording."""

    source_url = forms.URLField(label=_("source address"), required=False, assume_scheme="https")
    source_title = forms.CharField(label=_("source title"), required=False, max_length=300)


class WordingAdmin(StaffAdmin):
    form = WordingForm
    #: the model's fields the service accepts
    wording_fields: tuple[str, ...] = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(models.PlanAction)
class PlanActionAdmin(WordingAdmin):
    list_display = ("__str__", "wording_status", "confirmed", "origin")
    list_filter = ("plan", "wording_status")
    search_fields = ("text_en", "text_fr", "text_es")
    wording_fields = ("text_en", "text_fr", "text_es", "wording_status", "confirmed")
    fields = (*wording_fields, "source", "source_url", "source_title")
    readonly_fields = ("source",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        action_correct(
            actor=request.user,
            action=obj,
            values={name: form.cleaned_data[name] for name in self.wording_fields},
            source_url=form.cleaned_data.get("source_url") or "",
            source_title=form.cleaned_data.get("source_title") or "",
        )


@admin.register(models.Indicator)
class IndicatorAdmin(WordingAdmin):
    list_display = ("code", "action", "wording_status", "definition", "origin")
    list_filter = ("wording_status", "kind")
    search_fields = ("code", "text_en", "text_fr", "text_es")
    wording_fields = ("text_en", "text_fr", "text_es", "wording_status", "notes")
    fields = ("code", "definition", *wording_fields, "source", "source_url", "source_title")
    readonly_fields = ("code", "definition", "source")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        indicator_correct(
            actor=request.user,
            indicator=obj,
            values={name: form.cleaned_data[name] for name in self.wording_fields},
            source_url=form.cleaned_data.get("source_url") or "",
            source_title=form.cleaned_data.get("source_title") or "",
        )


@admin.register(models.ActionPlan)
class ActionPlanAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_en", "first_year", "last_year", "actions_total")


@admin.register(models.PublishedFigure)
class PublishedFigureAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "year", "value", "unit", "what")


@admin.register(models.CommitteeDocument)
class CommitteeDocumentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "year", "created_at")
