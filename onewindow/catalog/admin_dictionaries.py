"""The catalogue's shared dictionaries in the Django admin (material types, form fields,
themes): edited by the centre, seen by everyone with a catalogue role. Imported by
``onewindow.catalog.admin``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.catalog import services
from onewindow.catalog.admin import ServiceErrorsMixin, can, visible_department_ids
from onewindow.catalog.models import FieldDefinition, MaterialType, Theme


class DictionaryAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    upsert: Any = None
    keys: tuple[str, ...] = ()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(visible_department_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(visible_department_ids(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request, "catalog.publish")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request, "catalog.publish")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data.get(k, getattr(obj, k)) for k in self.keys}
        saved = type(self).upsert(actor=request.user, data=data)
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Dictionaries have no relations to save."""


@admin.register(MaterialType)
class MaterialTypeAdmin(DictionaryAdmin):
    upsert = staticmethod(services.material_type_upsert)
    keys = ("code", "name", "description", "licence_type_code")
    list_display = ("code", "name", "licence_type_code")
    search_fields = ("code", "name")


@admin.register(FieldDefinition)
class FieldDefinitionAdmin(DictionaryAdmin):
    upsert = staticmethod(services.field_definition_upsert)
    keys = ("code", "label", "type", "constraints", "unit", "help_text")
    list_display = ("code", "label", "type", "unit")
    list_filter = ("type",)
    search_fields = ("code", "label")


@admin.register(Theme)
class ThemeAdmin(DictionaryAdmin):
    upsert = staticmethod(services.theme_upsert)
    keys = ("code", "name", "audience", "order")
    list_display = ("code", "name", "audience", "order")
    list_filter = ("audience",)
