"""Admin for accounts (roles inline), role assignments and applicants.

Centre administrators manage every account; a department administrator only the staff whose
roles all lie in their department (``selectors.staff_manageable_by``). Others get 404.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import DomainError, ValidationFailed
from onewindow.org.admin.base import (
    ActorForm,
    ActorFormMixin,
    CapabilityAdmin,
    adopt,
    centre_wide,
    show_domain_error,
)
from onewindow.org.models import (
    Applicant,
    Department,
    Role,
    RoleAssignment,
    ServicePoint,
    User,
)
from onewindow.org.permissions import departments_for, has_capability
from onewindow.org.selectors import staff_manageable_by
from onewindow.org.services import (
    applicant_register,
    applicant_update,
    role_grant,
    role_revoke,
    staff_create,
    staff_update,
)
from onewindow.org.services.applicants import clean_applicant, duplicate_problem, existing_applicant
from onewindow.org.services.staff import check_may_assign, validate_role, validate_staff
from onewindow.org.validation import Errors

STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value != Role.APPLICANT]


def mask_id(value: str) -> str:
    return f"{value[:6]}{'*' * 8}{value[-4:]}" if len(value) == 18 else value


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) == 11 else value


def _staff_departments(actor: Any) -> QuerySet[Department]:
    return departments_for(actor, "org.manage_staff")


class _RoleFields(ActorForm):
    """Role, department, service point: checked against the scope rules and the actor."""

    def _check_role(self, role: str, department: Any, service_point: Any) -> None:
        try:
            validate_role(role, department, service_point)
            check_may_assign(self.actor, role, department)
        except DomainError as error:
            target = "department" if error.code == "permission_denied" else None
            if target and target in self.fields:
                self.add_error(target, _("您无权在此范围授予该角色"))
            else:
                show_domain_error(self, error)


class StaffAddForm(_RoleFields):
    password1 = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("确认密码"), strip=False, widget=forms.PasswordInput)
    role = forms.ChoiceField(label=_("角色"), choices=STAFF_ROLE_CHOICES)
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=Department.objects.none(), required=False
    )

    service_point = forms.ModelChoiceField(
        label=_("服务网点"), queryset=ServicePoint.objects.all(), required=False
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "phone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = _staff_departments(
            self.actor
        )
        self.fields["display_name"].required = True

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if d.get("password1") and d.get("password1") != d.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        try:
            validate_staff(
                username=d.get("username", ""),
                display_name=d.get("display_name", ""),
                password=d.get("password1", ""),
                phone=d.get("phone", ""),
            )
        except ValidationFailed as error:
            error.fields = {
                ("password1" if k == "password" else k): m for k, m in error.fields.items()
            }
            show_domain_error(self, error)
        if d.get("role"):
            self._check_role(d["role"], d.get("department"), d.get("service_point"))
        return d


class StaffChangeForm(ActorForm):
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        required=False,
        widget=forms.PasswordInput,
        help_text=_("留空则不修改密码"),
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"), strip=False, required=False, widget=forms.PasswordInput
    )

    class Meta:
        model = User
        fields = ["display_name", "phone", "email", "is_active"]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        p1, p2 = d.get("new_password1"), d.get("new_password2")
        if (p1 or p2) and p1 != p2:
            self.add_error("new_password2", _("两次输入的密码不一致"))
        try:
            validate_staff(
                username=self.instance.username,
                display_name=d.get("display_name", ""),
                password=p1 or None,
                phone=d.get("phone", ""),
            )
        except ValidationFailed as error:
            error.fields = {
                ("new_password1" if k == "password" else k): m for k, m in error.fields.items()
            }
            show_domain_error(self, error)
        return d


class RoleInlineForm(_RoleFields):
    class Meta:
        model = RoleAssignment
        fields = ["role", "department", "service_point"]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if self.instance.pk:  # changing or deleting needs the right over the old scope too
            old = RoleAssignment.objects.get(pk=self.instance.pk)
            try:
                check_may_assign(self.actor, old.role, old.department)
            except DomainError:
                self.add_error(None, _("您无权修改该角色授予"))
        if not d.get("DELETE") and d.get("role"):
            self._check_role(d["role"], d.get("department"), d.get("service_point"))
        return d


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleInlineForm
    fields = ("role", "department", "service_point")
    extra = 1

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        kwargs["form"] = type("RoleInlineForm", (RoleInlineForm,), {"actor": request.user})
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        qs = super().get_queryset(request).select_related("department", "service_point")
        if centre_wide(request, "org.manage_staff"):
            return qs
        return qs.filter(department__in=_staff_departments(request.user))

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any):  # type: ignore[no-untyped-def]
        if db_field.name == "role":
            return forms.ChoiceField(label=_("角色"), choices=STAFF_ROLE_CHOICES)
        if db_field.name == "department":
            kwargs["queryset"] = _staff_departments(request.user)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def _allowed(self, request: HttpRequest) -> bool:
        return has_capability(request.user, "org.manage_staff")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


@admin.register(User)
class UserAdmin(ActorFormMixin, CapabilityAdmin):
    view_capabilities = ("org.manage_staff",)
    list_display = ("username", "display_name", "masked_phone", "roles", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "role_assignments__role")
    search_fields = ("username", "display_name")
    ordering = ("username",)

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return staff_manageable_by(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, "org.manage_staff")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def get_form(  # type: ignore[override]
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = StaffChangeForm if obj else StaffAddForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        if obj is None:
            return [
                (None, {"fields": ["username", "display_name", "phone"]}),
                (_("密码"), {"fields": ["password1", "password2"]}),
                (_("首个角色"), {"fields": ["role", "department", "service_point"]}),
            ]
        return [
            (None, {"fields": ["username", "display_name", "phone", "email", "is_active"]}),
            (_("修改密码"), {"fields": ["new_password1", "new_password2"]}),
            (_("身份来源"), {"fields": ["identity_provider", "last_login", "date_joined"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        return ("username", "identity_provider", "last_login", "date_joined") if obj else ()

    def get_inlines(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        return [RoleAssignmentInline] if obj else []

    @admin.display(description=_("手机号码"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("角色"))
    def roles(self, obj: User) -> str:
        return "；".join(str(a).split(" · ", 1)[1] for a in obj.role_assignments.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("role_assignments__department", "role_assignments__service_point")
        )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        d = form.cleaned_data
        if change:
            staff_update(
                actor=request.user,
                user=User.objects.get(pk=obj.pk),
                display_name=d["display_name"],
                phone=d.get("phone", ""),
                email=d.get("email", ""),
                is_active=d.get("is_active", True),
                password=d.get("new_password1") or None,
            )
            return
        saved = staff_create(
            actor=request.user,
            username=d["username"],
            display_name=d["display_name"],
            password=d["password1"],
            roles=[(d["role"], d.get("department"), d.get("service_point"))],
            phone=d.get("phone", ""),
        )
        adopt(obj, saved)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        user = User.objects.get(pk=form.instance.pk)
        for f in formset.forms:
            d = getattr(f, "cleaned_data", None) or {}
            deleting = bool(d.get("DELETE"))
            old = RoleAssignment.objects.filter(pk=f.instance.pk).first() if f.instance.pk else None
            if old is None and (deleting or not f.has_changed()):
                continue
            if old is not None and not deleting and not f.has_changed():
                continue
            if old is not None:
                role_revoke(
                    actor=request.user,
                    user=user,
                    role=old.role,
                    department=old.department,
                    service_point=old.service_point,
                )
            if not deleting:
                role_grant(
                    actor=request.user,
                    user=user,
                    role=d["role"],
                    department=d.get("department"),
                    service_point=d.get("service_point"),
                )


class RoleAssignmentForm(_RoleFields):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "department", "service_point"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"] = forms.ChoiceField(label=_("角色"), choices=STAFF_ROLE_CHOICES)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = _staff_departments(
            self.actor
        )
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = staff_manageable_by(self.actor)

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if d.get("role"):
            self._check_role(d["role"], d.get("department"), d.get("service_point"))
        return d


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ActorFormMixin, CapabilityAdmin):
    form = RoleAssignmentForm
    view_capabilities = ("org.manage_staff",)
    list_display = ("user", "role", "department", "service_point")
    list_filter = ("role", "department")
    search_fields = ("user__username", "user__display_name")

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        qs = RoleAssignment.objects.exclude(role=Role.APPLICANT)
        if centre_wide(request, "org.manage_staff"):
            return RoleAssignment.objects.all()
        return qs.filter(department__in=_staff_departments(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, "org.manage_staff")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool):  # type: ignore[no-untyped-def]
        d = form.cleaned_data
        saved = role_grant(
            actor=request.user,
            user=d["user"],
            role=d["role"],
            department=d.get("department"),
            service_point=d.get("service_point"),
        )
        adopt(obj, saved)

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        role_revoke(
            actor=request.user,
            user=obj.user,
            role=obj.role,
            department=obj.department,
            service_point=obj.service_point,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset.select_related("user", "department", "service_point"):
            self.delete_model(request, assignment)


class ApplicantForm(ActorForm):
    class Meta:
        model = Applicant
        fields = [
            "kind",
            "name",
            "resident_id",
            "uscc",
            "legal_representative",
            "legal_representative_id",
            "phone",
            "address",
        ]

    def _post_clean(self) -> None:
        # The service checks identifiers and duplicates (with clearer messages than the
        # model's constraints), so the model-level checks are skipped here.
        return None

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if self.instance.pk:
            return d
        errors = Errors()
        cleaned = clean_applicant(errors, **{k: d.get(k, "") for k in self.Meta.fields})
        if not errors and (existing := existing_applicant(cleaned)) is not None:
            duplicate_problem(errors, cleaned, existing, None)
        try:
            errors.raise_if_any()
        except ValidationFailed as error:
            show_domain_error(self, error)
        return d


@admin.register(Applicant)
class ApplicantAdmin(ActorFormMixin, CapabilityAdmin):
    form = ApplicantForm
    view_capabilities = ("org.manage", "applicant.register")
    list_display = ("name", "kind", "masked_identifier", "masked_phone", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "=resident_id", "=uscc")
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        if obj is None:
            return ()
        return ("kind", "name", "resident_id", "uscc", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, "applicant.register") or centre_wide(
            request, "org.manage"
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return centre_wide(request, "org.manage")

    @admin.display(description=_("证件号码"))
    def masked_identifier(self, obj: Applicant) -> str:
        return mask_id(obj.resident_id) if obj.kind == "natural" else obj.uscc

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: Applicant) -> str:
        return mask_phone(obj.phone)

    def save_model(self, request: HttpRequest, obj: Applicant, form: Any, change: bool) -> None:
        d = form.cleaned_data
        if change:
            applicant_update(
                actor=request.user,
                applicant=Applicant.objects.get(pk=obj.pk),
                phone=d.get("phone", ""),
                address=d.get("address", ""),
                legal_representative=d.get("legal_representative", ""),
                legal_representative_id=d.get("legal_representative_id", ""),
            )
            return
        saved = applicant_register(
            actor=request.user, **{k: d.get(k, "") for k in form.Meta.fields}
        )
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None
