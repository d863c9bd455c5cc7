"""Admin for departments, service points (windows inline) and windows. Changing them needs
centre-wide ``org.manage``; staff administrators may look."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import DomainError
from onewindow.org.admin.base import CapabilityAdmin, adopt, centre_wide, show_domain_error
from onewindow.org.models import Department, ServicePoint, Window
from onewindow.org.services import department_upsert, service_point_upsert, window_upsert
from onewindow.org.services.places import (
    validate_department,
    validate_service_point,
    validate_window,
)

VIEWERS = ("org.manage", "org.manage_staff", "authorisation.grant")


class ManagedByCentre(CapabilityAdmin):
    view_capabilities = VIEWERS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return centre_wide(request, "org.manage")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return centre_wide(request, "org.manage")


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "uscc", "phone", "order", "is_active"]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        code = d.get("code") or (self.instance.code if self.instance.pk else "")
        try:
            validate_department(
                code=code,
                name=d.get("name", ""),
                short_name=d.get("short_name", ""),
                uscc=d.get("uscc", ""),
                phone=d.get("phone", ""),
                order=d.get("order", 0),
            )
        except DomainError as error:
            show_domain_error(self, error)
        return d


@admin.register(Department)
class DepartmentAdmin(ManagedByCentre):
    form = DepartmentForm
    list_display = ("code", "name", "short_name", "phone", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "short_name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        return ("code",) if obj else ()

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        d = form.cleaned_data
        saved = department_upsert(
            actor=request.user,
            code=obj.code,
            name=d["name"],
            short_name=d.get("short_name", ""),
            uscc=d.get("uscc", ""),
            phone=d.get("phone", ""),
            order=d.get("order", 0),
            is_active=d.get("is_active", True),
        )
        adopt(obj, saved)


class ServicePointForm(forms.ModelForm):
    office_hours = forms.JSONField(
        label=_("办公时间"),
        required=False,
        help_text=_('例如 [["09:00","12:00"],["13:30","17:00"]]'),
    )

    class Meta:
        model = ServicePoint
        fields = [
            "code",
            "name",
            "level",
            "parent",
            "area_code",
            "address",
            "phone",
            "office_hours",
            "opening_note",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        try:
            validate_service_point(
                code=d.get("code") or self.instance.code,
                name=d.get("name", ""),
                level=d.get("level", ""),
                parent=d.get("parent"),
                area_code=d.get("area_code", ""),
                address=d.get("address", ""),
                phone=d.get("phone", ""),
                office_hours=d.get("office_hours"),
                opening_note=d.get("opening_note", ""),
            )
        except DomainError as error:
            show_domain_error(self, error)
        return d


class WindowForm(forms.ModelForm):
    class Meta:
        model = Window
        fields = ["service_point", "number", "name", "kind", "departments", "is_active"]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if self.instance.pk and "number" in self.changed_data:
            self.add_error("number", _("窗口号创建后不能修改，请停用本窗口后新建"))
        try:
            validate_window(
                service_point=None,
                number=d.get("number", ""),
                name=d.get("name", ""),
                kind=d.get("kind", ""),
                departments=d.get("departments") or (),
                check_service_point=False,
            )
        except DomainError as error:
            show_domain_error(self, error)
        return d


def _save_window(request: HttpRequest, form: forms.ModelForm, service_point: ServicePoint):
    d = form.cleaned_data
    return window_upsert(
        actor=request.user,
        service_point=service_point,
        number=d["number"],
        name=d["name"],
        kind=d["kind"],
        departments=list(d.get("departments") or ()),
        is_active=d.get("is_active", True),
    )


class WindowInline(admin.TabularInline):
    model = Window
    form = WindowForm
    fields = ("number", "name", "kind", "departments", "is_active")
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # the parent admin decides

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return centre_wide(request, "org.manage")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return centre_wide(request, "org.manage")


@admin.register(ServicePoint)
class ServicePointAdmin(ManagedByCentre):
    form = ServicePointForm
    inlines = [WindowInline]
    list_display = ("code", "name", "level", "parent", "phone", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name", "address")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        return ("code",) if obj else ()

    def save_model(self, request: HttpRequest, obj: ServicePoint, form: Any, change: bool) -> None:
        d = form.cleaned_data
        saved = service_point_upsert(
            actor=request.user,
            code=obj.code,
            name=d["name"],
            level=d["level"],
            parent=d.get("parent"),
            area_code=d.get("area_code", ""),
            address=d.get("address", ""),
            phone=d.get("phone", ""),
            office_hours=d.get("office_hours") or [],
            opening_note=d.get("opening_note", ""),
            is_active=d.get("is_active", True),
        )
        adopt(obj, saved)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for window_form in formset.forms:
            if window_form.has_changed() and window_form.cleaned_data:
                _save_window(request, window_form, form.instance)


@admin.register(Window)
class WindowAdmin(ManagedByCentre):
    form = WindowForm
    list_display = ("service_point", "number", "name", "kind", "is_active")
    list_filter = ("kind", "service_point", "is_active")
    search_fields = ("number", "name")
    filter_horizontal = ("departments",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        return ("service_point",) if obj else ()

    def save_model(self, request: HttpRequest, obj: Window, form: Any, change: bool) -> None:
        service_point = obj.service_point if change else form.cleaned_data["service_point"]
        adopt(obj, _save_window(request, form, service_point))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None  # window_upsert already set the departments
