"""Registry corrections by ISU staff: every save goes through ``registry_record_save``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minefree.core.admin_base import ReadOnlyAdmin, StaffAdmin
from minefree.registry import models
from minefree.registry.services import registry_record_save


class RegistryAdmin(StaffAdmin):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        registry_record_save(actor=request.user, record=obj, fields=list(form.changed_data))


@admin.register(models.Actor)
class ActorAdmin(RegistryAdmin):
    list_display = ("name_en", "iso3", "kind", "region")
    list_filter = ("kind", "region", "origin")
    search_fields = ("name_en", "name_fr", "name_es", "iso3", "aliases__name")
    raw_id_fields = ("parent", "source")


@admin.register(models.Meeting)
class MeetingAdmin(RegistryAdmin):
    list_display = ("code", "name_en", "place", "start_date", "date_precision")
    list_filter = ("kind",)
    raw_id_fields = ("president_state", "source")


@admin.register(models.Committee)
class CommitteeAdmin(RegistryAdmin):
    list_display = ("code", "name_en")


@admin.register(models.CommitteeSeat)
class CommitteeSeatAdmin(RegistryAdmin):
    list_display = ("committee", "actor", "role", "term_start_year", "term_end_year")
    list_filter = ("committee", "role")
    raw_id_fields = ("actor", "term_start_meeting", "term_end_meeting", "source")


@admin.register(models.Obligation)
class ObligationAdmin(RegistryAdmin):
    list_display = ("actor", "article", "status", "current_deadline", "completion_date")
    list_filter = ("article", "status")
    raw_id_fields = ("actor", "source")


@admin.register(models.DeadlineEvent)
class DeadlineEventAdmin(RegistryAdmin):
    list_display = ("obligation", "seq", "kind", "deadline", "meeting_label")
    list_filter = ("kind",)
    raw_id_fields = ("obligation", "meeting", "source")


@admin.register(models.StateAdherence)
class StateAdherenceAdmin(ReadOnlyAdmin):
    list_display = ("actor", "status", "consent_date", "eif_earliest", "eif_latest")
    list_filter = ("status", "eif_basis")
