"""The catalogue in the Django admin, in Chinese.

Access follows capabilities, not Django model permissions: a department administrator sees
and edits the items of their own departments, a centre administrator everything. Only drafts
are editable; every save and every action goes through ``onewindow.catalog.services``, whose
Chinese errors appear on the form or as messages.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.catalog import services
from onewindow.catalog.content import SCALAR_KEYS, fee_text
from onewindow.catalog.models import (
    DeliveryMethod,
    ItemField,
    ItemMaterial,
    ItemStep,
    ItemVersion,
    ServiceItem,
    VersionStatus,
)
from onewindow.catalog.versioning import PublishableVersion
from onewindow.common.errors import DomainError
from onewindow.org.permissions import departments_for, has_capability

VIEW_CAPABILITIES = (
    "catalog.edit",
    "catalog.review",
    "catalog.publish",
    "catalog.import",
    "catalog.view_drafts",
)
BOTH_PLACES = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]
LIST_LABELS = {"steps": "办理环节", "materials": "申请材料", "fields": "表单字段"}


def visible_department_ids(request: HttpRequest) -> set[int]:
    """The departments whose catalogue the user may look at (cached on the request)."""
    cached = getattr(request, "_catalog_departments", None)
    if cached is None:
        cached = set()
        for capability in VIEW_CAPABILITIES:
            cached |= set(departments_for(request.user, capability).values_list("pk", flat=True))
        request._catalog_departments = cached  # type: ignore[attr-defined]
    return cached


def can(request: HttpRequest, capability: str, department: Any = None) -> bool:
    return has_capability(request.user, capability, department=department)


def draft_editable(request: HttpRequest, version: Any, department_path: str) -> bool:
    """A version (with its rows) is editable while a draft, by who may edit in the
    department found at ``department_path`` (``item__department``) from the version."""
    if version is None or version.status != VersionStatus.DRAFT:
        return False
    department = version
    for name in department_path.split("__"):
        department = getattr(department, name)
    return can(request, "catalog.edit", department)


class ServiceErrorsMixin:
    """Saves call services; a ``DomainError`` they raise re-renders the submitted form with
    the service's messages on it (nothing was written: the view's transaction rolled back)."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except DomainError as exc:
            request._catalog_error = exc  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        found = getattr(request, "_catalog_error", None)
        if found is None:
            return form_class
        error: DomainError = found

        class WithServiceErrors(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                self.add_error(None, error.message)
                for key, messages_ in (error.fields or {}).items():
                    for message in messages_ if isinstance(messages_, list) else [messages_]:
                        if key in self.fields:
                            self.add_error(key, message)
                        else:
                            self.add_error(None, f"{describe_field(key)}：{message}")
                return cleaned

        return WithServiceErrors


def describe_field(key: str) -> str:
    """``steps[1].kind`` → 办理环节第2行 环节类型."""
    m = re.fullmatch(r"(steps|materials|fields)\[(\d+)\]\.(\w+)", key)
    models = {"steps": ItemStep, "materials": ItemMaterial, "fields": ItemField}
    if m:
        model = models[m.group(1)]
        name = {"type": "material_type"}.get(m.group(3), m.group(3))
        try:
            label = str(getattr(model._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            label = m.group(3)
        return f"{LIST_LABELS[m.group(1)]}第{int(m.group(2)) + 1}行 {label}"
    if key in LIST_LABELS:
        return LIST_LABELS[key]
    try:
        return str(getattr(ItemVersion._meta.get_field(key), "verbose_name", key))
    except FieldDoesNotExist:
        return key


class ScopedAdmin(admin.ModelAdmin):
    """Visibility by department, through capabilities. ``department_path`` names the
    lookup from the model to its department."""

    department_path = "department"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.filter(**{f"{self.department_path}__in": visible_department_ids(request)})

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("对象不存在或无权查看"))
        return obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(visible_department_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(visible_department_ids(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_action_choices(
        self,
        request: HttpRequest,
        default_choices: Any = None,
        action_location: Any = admin.ActionLocation.CHANGE_LIST,
    ) -> Any:
        """Django's blank choice (“- Select an option -”) has no Chinese translation."""
        return super().get_action_choices(
            request, default_choices or [("", _("请选择操作"))], action_location=action_location
        )

    def has_edit_permission(self, request: HttpRequest) -> bool:
        return can(request, "catalog.edit")

    def has_review_permission(self, request: HttpRequest) -> bool:
        return can(request, "catalog.review")

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return can(request, "catalog.publish")

    def _run(self, request: HttpRequest, objects: Any, call: Any, done: str) -> None:
        ok = 0
        for obj in objects:
            try:
                call(obj)
                ok += 1
            except DomainError as exc:
                self.message_user(request, f"{obj}：{exc.message}", messages.ERROR)
        if ok:
            self.message_user(request, done % {"n": ok}, messages.SUCCESS)


# The workflow fields of every version, shown read-only (the change note stays editable).
WORKFLOW_FIELDS = tuple(f.name for f in PublishableVersion._meta.fields if f.name != "change_note")


class VersionAdmin(ServiceErrorsMixin, ScopedAdmin):
    """What the admins of item versions and bundle versions share: the workflow fields
    are read-only, only drafts change (where the user holds ``catalog.edit``), a save is
    handed to the service by ``save_related``, and the "submit" action."""

    status_fields: tuple[str, ...] = ()
    submit_service: Any = None  # services.draft_submit, services.bundle_submit

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.status_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return can(request, "catalog.edit")
        return draft_editable(request, obj, self.department_path)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing here: ``save_related`` hands the form and its inlines to the service."""

    def construct_change_message(self, *args: Any, **kwargs: Any) -> Any:
        return [{"changed": {"fields": [_("经服务校验保存")]}}]

    @admin.action(permissions=["edit"], description=gettext_lazy("提交审核"), location=BOTH_PLACES)
    def submit(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        submit = type(self).submit_service
        self._run(
            request,
            queryset,
            lambda v: submit(actor=request.user, version=v),
            _("已提交审核%(n)d个版本"),
        )


# --- items


class VersionLinks(admin.TabularInline):
    model = ItemVersion
    fk_name = "item"
    fields = ("link", "status", "change_note", "created_at", "published_at", "superseded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = gettext_lazy("版本")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    @admin.display(description=gettext_lazy("版本"))
    def link(self, version: ItemVersion) -> str:
        url = reverse("admin:catalog_itemversion_change", args=[version.pk])
        return format_html('<a href="{}">{}</a>', url, f"第{version.number}版 {version.name}")


@admin.register(ServiceItem)
class ServiceItemAdmin(ScopedAdmin):
    list_display = ("code", "current_name", "department", "current_kind", "state", "published")
    list_select_related = ("department", "current_version")
    # Only departments the user can see (a plain filter would list every department).
    list_filter = (("department", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("code", "versions__name")
    fields = ("code", "basic_code", "area_code", "department", "current_version", "created_at")
    readonly_fields = fields
    inlines = (VersionLinks,)
    actions = ("new_draft",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("事项名称"))
    def current_name(self, item: ServiceItem) -> str:
        if item.current_version_id:
            return item.current_version.name  # type: ignore[union-attr]
        latest = item.versions.order_by("-number").first()
        return latest.name if latest else ""

    @admin.display(description=gettext_lazy("事项类型"))
    def current_kind(self, item: ServiceItem) -> str:
        version = item.current_version
        return version.get_kind_display() if version else ""

    @admin.display(description=gettext_lazy("状态"))
    def state(self, item: ServiceItem) -> str:
        latest = item.versions.order_by("-number").first()
        if item.current_version_id and latest and latest.pk != item.current_version_id:
            return _("已发布（第%(n)d版%(s)s）") % {
                "n": latest.number,
                "s": latest.get_status_display(),
            }
        if item.current_version_id:
            return str(VersionStatus.PUBLISHED.label)
        return latest.get_status_display() if latest else ""

    @admin.display(description=gettext_lazy("发布时间"))
    def published(self, item: ServiceItem) -> Any:
        return item.current_version.published_at if item.current_version_id else None  # type: ignore[union-attr]

    @admin.action(permissions=["edit"], description=gettext_lazy("基于当前版本新建草稿"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        self._run(
            request,
            queryset,
            lambda item: services.draft_from_current(actor=request.user, item=item),
            _("已新建%(n)d份草稿"),
        )


# --- versions


class VersionRowsInline(admin.TabularInline):
    """Rows of a version (items' steps, bundles' members...): seen by all who see the
    version, edited only while it is a draft. ``department_path`` leads from the version
    to the department whose ``catalog.edit`` is needed."""

    extra = 0
    department_path = "item__department"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return draft_editable(request, obj, self.department_path)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return draft_editable(request, obj, self.department_path)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return draft_editable(request, obj, self.department_path)


class DraftInline(VersionRowsInline):
    # Compact rows: the default 10-row text areas make each table row very tall.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})},
        models.JSONField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 20})},
    }


class StepInline(DraftInline):
    model = ItemStep
    fields = ("order", "kind", "name", "role", "limit", "description")


class MaterialInline(DraftInline):
    model = ItemMaterial
    fields = (
        "order",
        "material_type",
        "required",
        "core",
        "originals",
        "copies",
        "paper_required",
        "source",
        "requirements",
        "template",
        "sample",
    )
    autocomplete_fields = ("material_type",)


class FieldInline(DraftInline):
    model = ItemField
    fields = ("order", "field", "required", "constraints")
    autocomplete_fields = ("field",)


class VersionForm(forms.ModelForm):
    delivery_methods = forms.MultipleChoiceField(
        label=gettext_lazy("送达方式"),
        choices=DeliveryMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ItemVersion
        fields = (*SCALAR_KEYS, "themes", "service_points", "change_note")

    def validate_constraints(self) -> None:
        """Left to the service: its Chinese messages go next to the fields, where the
        model's constraints would only say “约束……是无效的” above the form."""


def _rows(formset: Any) -> list[dict[str, Any]]:
    rows = [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
    return sorted(rows, key=lambda r: r.get("order") or 0)


@admin.register(ItemVersion)
class ItemVersionAdmin(VersionAdmin):
    department_path = "item__department"
    submit_service = staticmethod(services.draft_submit)
    form = VersionForm
    list_display = (
        "item_code",
        "name",
        "number",
        "status",
        "department",
        "created_at",
        "published_at",
    )
    list_select_related = ("item__department",)
    list_filter = ("status", "kind", ("item__department", admin.RelatedOnlyFieldListFilter))
    search_fields = ("item__code", "name")
    inlines = (StepInline, MaterialInline, FieldInline)
    filter_horizontal = ("themes", "service_points")
    actions = ("submit", "publish", "reject", "new_draft")
    status_fields = ("item", *WORKFLOW_FIELDS)
    fieldsets = (
        (gettext_lazy("版本"), {"fields": (*status_fields, "change_note")}),
        (
            gettext_lazy("基本信息"),
            {
                "fields": (
                    "name",
                    "kind",
                    "handling_level",
                    "subject_type",
                    "keywords",
                    "themes",
                    "result_name",
                )
            },
        ),
        (
            gettext_lazy("时限与办理"),
            {
                "fields": (
                    "limit_unit",
                    "legal_limit",
                    "promised_limit",
                    "is_instant",
                    "visits_required",
                    "online_level",
                    "delivery_methods",
                    "commitment_allowed",
                    "cross_district",
                    "cross_province",
                    "service_points",
                )
            },
        ),
        (
            gettext_lazy("依据、条件与收费"),
            {"fields": ("legal_basis", "conditions", "fee_yuan", "fee_basis")},
        ),
        (gettext_lazy("咨询与监督"), {"fields": ("consult_phone", "complaint_phone", "notes")}),
    )

    @admin.display(description=gettext_lazy("实施编码"), ordering="item__code")
    def item_code(self, version: ItemVersion) -> str:
        return version.item.code

    @admin.display(description=gettext_lazy("实施主体"), ordering="item__department")
    def department(self, version: ItemVersion) -> str:
        return str(version.item.department)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        data: dict[str, Any] = {k: form.cleaned_data[k] for k in SCALAR_KEYS}
        data["fee_yuan"] = fee_text(data["fee_yuan"])
        data["themes"] = [t.code for t in form.cleaned_data["themes"]]
        data["service_points"] = [sp.code for sp in form.cleaned_data["service_points"]]
        data["change_note"] = form.cleaned_data.get("change_note", "")
        files: dict[str, dict[str, Any]] = {}
        for formset in formsets:
            rows = _rows(formset)
            if formset.model is ItemStep:
                step_keys = ("kind", "name", "role", "limit", "description")
                data["steps"] = [{k: r[k] for k in step_keys} for r in rows]
            elif formset.model is ItemMaterial:
                flags = ("required", "core", "originals", "copies", "paper_required", "source")
                data["materials"] = [
                    {"type": r["material_type"].code, "requirements": r["requirements"]}
                    | {k: r[k] for k in flags}
                    for r in rows
                ]
                for f in formset.forms:
                    uploads = {
                        k: f.cleaned_data[k]
                        for k in ("template", "sample")
                        if k in f.changed_data and f.cleaned_data.get(k)
                    }
                    if uploads and not f.cleaned_data.get("DELETE"):
                        files[f.cleaned_data["material_type"].code] = uploads
            elif formset.model is ItemField:
                data["fields"] = [
                    {
                        "field": r["field"].code,
                        "required": r["required"],
                        "constraints": r["constraints"] or {},
                    }
                    for r in rows
                ]
        version = form.instance
        services.draft_update(actor=request.user, version=version, data=data)
        if files:
            services.draft_material_files(actor=request.user, version=version, files=files)

    @admin.action(
        permissions=["publish"], description=gettext_lazy("审核通过并发布"), location=BOTH_PLACES
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> None:
        self._run(
            request,
            queryset,
            lambda v: services.version_publish(actor=request.user, version=v),
            _("已发布%(n)d个版本"),
        )

    @admin.action(permissions=["review"], description=gettext_lazy("退回"), location=BOTH_PLACES)
    def reject(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> Any:
        note = request.POST.get("note", "").strip()
        if request.POST.get("confirm") and note:
            self._run(
                request,
                queryset,
                lambda v: services.draft_reject(actor=request.user, version=v, note=note),
                _("已退回%(n)d个版本"),
            )
            return None
        if request.POST.get("confirm"):
            self.message_user(request, _("请填写退回理由"), messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "title": _("退回审核"),
            "opts": self.opts,
            "versions": list(queryset),
            "note": note,
            "changelist_url": reverse("admin:catalog_itemversion_changelist"),
        }
        return TemplateResponse(request, "admin/catalog/reject.html", context)

    @admin.action(
        permissions=["edit"], description=gettext_lazy("基于当前版本新建草稿"), location=BOTH_PLACES
    )
    def new_draft(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> None:
        def make(version: ItemVersion) -> Any:
            base = version if version.status == VersionStatus.REJECTED else None
            return services.draft_from_current(actor=request.user, item=version.item, base=base)

        self._run(request, queryset, make, _("已新建%(n)d份草稿"))


# The shared dictionaries' admins (registered on import).
from onewindow.catalog import admin_dictionaries  # noqa: E402, F401
