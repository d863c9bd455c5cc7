"""Django admin for bundles (一件事套餐), in Chinese, scoped by the lead department like the
catalogue's admin: an administrator sees the bundles led by departments where they hold a
catalogue capability and edits drafts only where they hold ``catalog.edit``. Saves and
actions go through the services (``bundle_draft_update``, ``bundle_submit``,
``bundle_publish``, ``bundle_draft_from_current``), whose Chinese errors are shown on the
form. New bundles are created with ``bundle_create`` (API of the services, demo loader)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.bundles import services
from onewindow.bundles.models import (
    Bundle,
    BundleMember,
    BundleQuestion,
    BundleRule,
    BundleVersion,
)
from onewindow.catalog.admin import (
    BOTH_PLACES,
    WORKFLOW_FIELDS,
    ScopedAdmin,
    VersionAdmin,
    VersionRowsInline,
)

VERSION_FIELDS = (
    "name",
    "description",
    "audience",
    "keywords",
    "promised_limit",
    "visits_required",
    "on_refusal",
    "lead_note",
    "industry_licence",
    "industry_licence_name",
)


@admin.register(Bundle)
class BundleAdmin(ScopedAdmin):
    department_path = "lead_department"
    list_display = ("code", "current_name", "kind", "lead_department", "current_version")
    list_select_related = ("lead_department", "current_version")
    search_fields = ("code", "versions__name")
    readonly_fields = ("code", "kind", "lead_department", "current_version", "created_at")
    actions = ("new_draft",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("名称"))
    def current_name(self, bundle: Bundle) -> str:
        return bundle.current_version.name if bundle.current_version_id else "—"  # type: ignore[union-attr]

    @admin.action(permissions=["edit"], description=gettext_lazy("基于当前版本新建草稿"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[Bundle]) -> None:
        self._run(
            request,
            queryset,
            lambda b: services.bundle_draft_from_current(actor=request.user, bundle=b),
            _("已新建%(n)d份草稿"),
        )


class DraftInline(VersionRowsInline):
    department_path = "bundle__lead_department"


class MemberInline(DraftInline):
    model = BundleMember
    fields = ("item", "required", "essential", "early_delivery", "joint_inspection")


class QuestionInline(DraftInline):
    model = BundleQuestion
    fields = ("code", "text", "help_text", "type", "choices")


class RuleInline(DraftInline):
    model = BundleRule
    fields = ("question", "answer", "member")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Only this version's questions and members (save new ones first)."""
        object_id = (
            request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        )
        version_id = object_id or 0
        if db_field.name == "question":
            kwargs["queryset"] = BundleQuestion.objects.filter(version_id=version_id)
        elif db_field.name == "member":
            kwargs["queryset"] = BundleMember.objects.filter(version_id=version_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _rows(formset: Any) -> list[dict[str, Any]]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


@admin.register(BundleVersion)
class BundleVersionAdmin(VersionAdmin):
    department_path = "bundle__lead_department"
    submit_service = staticmethod(services.bundle_submit)
    list_display = ("bundle_code", "name", "number", "status", "lead", "promised_limit")
    list_select_related = ("bundle__lead_department",)
    list_filter = ("status",)
    search_fields = ("bundle__code", "name")
    inlines = (MemberInline, QuestionInline, RuleInline)
    actions = ("submit", "publish", "new_draft")
    status_fields = ("bundle", *WORKFLOW_FIELDS)
    fieldsets = (
        (gettext_lazy("版本"), {"fields": (*status_fields, "change_note")}),
        (gettext_lazy("套餐"), {"fields": VERSION_FIELDS}),
    )

    @admin.display(description=gettext_lazy("套餐编码"), ordering="bundle__code")
    def bundle_code(self, version: BundleVersion) -> str:
        return version.bundle.code

    @admin.display(description=gettext_lazy("牵头部门"))
    def lead(self, version: BundleVersion) -> str:
        return str(version.bundle.lead_department)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        data: dict[str, Any] = {k: form.cleaned_data[k] for k in VERSION_FIELDS}
        data["change_note"] = form.cleaned_data.get("change_note", "")
        for formset in formsets:
            rows = _rows(formset)
            if formset.model is BundleMember:
                flags = ("required", "essential", "early_delivery", "joint_inspection")
                data["members"] = [
                    {"item": r["item"].code} | {k: r[k] for k in flags} for r in rows
                ]
            elif formset.model is BundleQuestion:
                keys = ("code", "text", "help_text", "type")
                data["questions"] = [
                    {k: r[k] for k in keys} | {"choices": list(r["choices"] or [])} for r in rows
                ]
            elif formset.model is BundleRule:
                grouped: dict[tuple[str, str], list[str]] = {}
                for r in rows:
                    key = (r["question"].code, r["answer"])
                    grouped.setdefault(key, []).append(r["member"].item.code)
                data["rules"] = [
                    {"question": q, "answer": a, "items": items}
                    for (q, a), items in grouped.items()
                ]
        services.bundle_draft_update(actor=request.user, version=form.instance, data=data)

    @admin.action(
        permissions=["publish"], description=gettext_lazy("审核发布"), location=BOTH_PLACES
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[BundleVersion]) -> None:
        self._run(
            request,
            queryset,
            lambda v: services.bundle_publish(actor=request.user, version=v),
            _("已发布%(n)d个版本"),
        )

    @admin.action(permissions=["edit"], description=gettext_lazy("基于当前版本新建草稿"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[BundleVersion]) -> None:
        self._run(
            request,
            queryset,
            lambda v: services.bundle_draft_from_current(actor=request.user, bundle=v.bundle),
            _("已新建%(n)d份草稿"),
        )
