"""Memberships in the admin: granting and ending go through the accounts services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import HttpRequest

from minefree.accounts.models import Membership
from minefree.accounts.services import membership_end, membership_grant
from minefree.core.admin_base import ReadOnlyAdmin, StaffAdmin


@admin.register(Membership)
class MembershipAdmin(StaffAdmin):
    list_display = ("user", "role", "actor", "committee", "starts_on", "ends_on")
    list_filter = ("role",)
    search_fields = ("user__username", "actor__name_en")
    raw_id_fields = ("user", "actor", "committee", "delegated_by", "succeeded")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("delegated_by", "succeeded")
        return (
            "user",
            "role",
            "actor",
            "committee",
            "starts_on",
            "delegated_by",
            "succeeded",
            "note",
        )

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            if "ends_on" in form.changed_data and obj.ends_on is not None:
                fresh = Membership.objects.get(pk=obj.pk)
                membership_end(actor=request.user, membership=fresh, ends_on=obj.ends_on)
            return
        saved = membership_grant(
            actor=request.user,
            user=obj.user,
            role=obj.role,
            scope_actor=obj.actor,
            committee=obj.committee,
            starts_on=obj.starts_on,
            note=obj.note,
        )
        obj.pk = saved.pk


# Users are created through ``user_create`` (console or ISU staff); the stock user and
# group admins would write without an audit trail, so they are replaced by read-only views.
admin.site.unregister(Group)
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "email", "is_staff", "is_active", "last_login")
    search_fields = ("username", "email")
    exclude = ("password",)
