"""Cases in the Django admin, in Chinese and read-only.

Access follows capabilities, not Django model permissions (as in ``onewindow.org.admin``):
staff see the cases of the departments where they hold a case capability (a centre-wide
role sees every department), and the materials, notices, tasks and transitions of those
cases. Another department's case answers 404. Nothing is changed here: every change of a
case goes through its services (the back-office screens and the API).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import (
    Case,
    CaseMaterial,
    CaseTransition,
    Delivery,
    Notice,
    Suspension,
    Task,
)
from onewindow.cases.selectors import STAFF_CASE_CAPABILITIES, staff_departments
from onewindow.org.admin.base import CapabilityAdmin


def _case_scope(request: HttpRequest) -> QuerySet[Case]:
    cached = getattr(request, "_cases_scope", None)
    if cached is None:
        cached = Case.objects.filter(
            department__in=staff_departments(request.user).values("pk")
        ).exclude(status="draft")
        request._cases_scope = cached  # type: ignore[attr-defined]
    return cached


class CaseScopedAdmin(CapabilityAdmin):
    """Read-only; rows of the cases the user may see as staff. ``case_path`` names the
    lookup from the model to its case."""

    view_capabilities = STAFF_CASE_CAPABILITIES
    case_path = "case"

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        qs = self.model._default_manager.all()
        if self.case_path:
            return qs.filter(**{f"{self.case_path}__in": _case_scope(request).values("pk")})
        return qs.filter(pk__in=_case_scope(request).values("pk"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MaterialInline(ReadOnlyInline):
    model = CaseMaterial
    fields = ("material_type", "status", "original_name", "size", "uploaded_at", "due_date")
    readonly_fields = fields
    verbose_name_plural = _("申请材料")


class NoticeInline(ReadOnlyInline):
    model = Notice
    fields = ("kind", "number", "issued_at", "issued_by", "pdf")
    readonly_fields = fields
    verbose_name_plural = _("文书")


class TaskInline(ReadOnlyInline):
    model = Task
    fields = ("step", "role", "status", "assignee", "created_at", "completed_at", "opinion")
    readonly_fields = fields
    verbose_name_plural = _("环节任务")


class SuspensionInline(ReadOnlyInline):
    model = Suspension
    fields = ("kind", "reason", "expected_days", "started_at", "resumed_at", "resume_status")
    readonly_fields = fields
    verbose_name_plural = _("中止记录")


class TransitionInline(ReadOnlyInline):
    model = CaseTransition
    fields = ("at", "name", "from_status", "to_status", "step", "actor", "note")
    readonly_fields = fields
    verbose_name_plural = _("状态变更记录")


class DeliveryInline(admin.StackedInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("method", "status", "recipient", "carrier", "tracking_number", "delivered_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(CaseScopedAdmin):
    case_path = ""
    list_display = (
        "number",
        "item_name",
        "applicant",
        "department",
        "status",
        "current_step",
        "accepted_at",
        "promised_due_at",
        "legal_due_at",
    )
    list_filter = ("status", "channel", "department")
    search_fields = ("number", "applicant__name", "item_version__name")
    date_hierarchy = "accepted_at"
    list_select_related = ("item_version", "applicant", "department", "current_step")
    inlines = [
        MaterialInline,
        NoticeInline,
        TaskInline,
        SuspensionInline,
        TransitionInline,
        DeliveryInline,
    ]

    @admin.display(description=_("事项"))
    def item_name(self, case: Case) -> str:
        return case.item_version.name


@admin.register(Notice)
class NoticeAdmin(CaseScopedAdmin):
    list_display = ("number", "kind", "case", "issued_at", "issued_by")
    list_filter = ("kind",)
    search_fields = ("number", "case__number")
    list_select_related = ("case", "issued_by")


@admin.register(Task)
class TaskAdmin(CaseScopedAdmin):
    list_display = ("case", "step", "department", "role", "status", "assignee", "created_at")
    list_filter = ("status", "role", "department")
    search_fields = ("case__number",)
    list_select_related = ("case", "step", "department", "assignee")


@admin.register(CaseTransition)
class TransitionAdmin(CaseScopedAdmin):
    list_display = ("case", "at", "name", "from_status", "to_status", "actor")
    list_filter = ("name",)
    search_fields = ("case__number",)
    list_select_related = ("case", "actor")


@admin.register(CaseMaterial)
class CaseMaterialAdmin(CaseScopedAdmin):
    list_display = ("case", "material_type", "status", "uploaded_at", "due_date")
    list_filter = ("status",)
    search_fields = ("case__number", "material_type__name")
    list_select_related = ("case", "material_type")
