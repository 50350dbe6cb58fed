from __future__ import annotations

from django.contrib import admin

from minefree.core.admin_base import ReadOnlyAdmin
from minefree.core.models import AuditEvent, Source


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_repr",
        "state_code",
    )
    list_filter = ("action", "object_type", "state_code")
    search_fields = ("object_repr", "actor_label", "request_id")
    date_hierarchy = "created_at"


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ("label", "url", "edition")
    search_fields = ("url", "title")
