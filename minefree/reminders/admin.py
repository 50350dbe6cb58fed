"""Reminders in the admin: a log, read-only for ISU staff (the command writes it)."""

from __future__ import annotations

from django.contrib import admin

from minefree.core.admin_base import ReadOnlyAdmin
from minefree.reminders.models import ReminderSent


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ("state", "year", "kind", "step", "due_date", "result", "sent_at")
    list_filter = ("result", "step", "kind", "year")
    search_fields = ("state__name_en", "state__iso3")
    date_hierarchy = "sent_at"
