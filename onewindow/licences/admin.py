"""Admin: permits and industry licences read-only (they change through the services);
permit terms (how long an item's result is valid) editable by the centre administrator."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.licences.models import (
    IndustryLicence,
    IndustryLicenceComponent,
    LicenceEvent,
    Permit,
    PermitTerm,
)
from onewindow.org.permissions import has_capability


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Permit)
class PermitAdmin(ReadOnly):
    list_display = ["number", "name", "holder", "department", "valid_until", "status"]
    list_filter = ["status", "department"]
    search_fields = ["number", "name", "holder__name", "holder__uscc"]


class ComponentInline(admin.TabularInline):
    model = IndustryLicenceComponent
    extra = 0
    can_delete = False
    readonly_fields = ["permit", "order"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = LicenceEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "permit", "at", "actor", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndustryLicence)
class IndustryLicenceAdmin(ReadOnly):
    list_display = ["number", "name", "holder", "department", "issued_at"]
    search_fields = ["number", "name", "holder__name", "holder__uscc"]
    exclude = ["token"]
    inlines = [ComponentInline, EventInline]


@admin.register(PermitTerm)
class PermitTermAdmin(admin.ModelAdmin):
    list_display = ["item", "months"]
    autocomplete_fields = ["item"]

    def _may(self, request: HttpRequest) -> bool:
        return has_capability(request.user, "catalog.edit")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)
