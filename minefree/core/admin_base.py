"""Admin for ISU staff: rights come from memberships, writes go through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minefree.core.permissions import is_staff_member


class StaffAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Visible and editable by ISU staff and administrators; never deletes."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff_member(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_staff_member(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff_member(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(StaffAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
