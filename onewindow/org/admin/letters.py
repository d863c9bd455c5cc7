"""Admin for authorisation letters (授权书) and the "who may decide on the spot" overview.

Letters are issued and revoked through the services, never edited: the change page is
read-only except for a revocation reason (filling it revokes the letter).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.common import clock
from onewindow.common.errors import DomainError
from onewindow.org.admin.base import (
    ActorForm,
    ActorFormMixin,
    CapabilityAdmin,
    adopt,
    show_domain_error,
)
from onewindow.org.models import (
    AuthorisationLetter,
    AuthorisationLetterItem,
    Department,
    OnTheSpotAuthority,
    User,
)
from onewindow.org.permissions import STAFF_ROLES, departments_for, has_capability, is_centre_wide
from onewindow.org.selectors import valid_letters
from onewindow.org.services import authorisation_letter_issue, authorisation_letter_revoke
from onewindow.org.services.letters import validate_letter


def _grant_departments(actor: Any) -> QuerySet[Department]:
    return departments_for(actor, "authorisation.grant")


def _letters_for(actor: Any) -> QuerySet[AuthorisationLetter]:
    if is_centre_wide(actor, "supervision.view"):
        return AuthorisationLetter.objects.all()
    return AuthorisationLetter.objects.filter(department__in=_grant_departments(actor))


def letter_status(letter: AuthorisationLetter) -> str:
    today = clock.localnow().date()
    if letter.revoked_at is not None:
        return gettext("已撤销")
    if letter.valid_from > today:
        return gettext("未生效")
    if letter.valid_until is not None and letter.valid_until < today:
        return gettext("已过期")
    return gettext("有效")


class StatusFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any):  # type: ignore[no-untyped-def]
        return [
            ("valid", _("今日有效")),
            ("future", _("未生效")),
            ("expired", _("已过期")),
            ("revoked", _("已撤销")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = clock.localnow().date()
        prefix = "letter__" if issubclass(queryset.model, AuthorisationLetterItem) else ""
        value = self.value()
        if value == "valid":
            return queryset.filter(**{f"{prefix}pk__in": valid_letters(today).values("pk")})
        if value == "future":
            return queryset.filter(
                **{f"{prefix}valid_from__gt": today, f"{prefix}revoked_at__isnull": True}
            )
        if value == "expired":
            return queryset.filter(
                **{f"{prefix}valid_until__lt": today, f"{prefix}revoked_at__isnull": True}
            )
        if value == "revoked":
            return queryset.filter(**{f"{prefix}revoked_at__isnull": False})
        return queryset


class LetterIssueForm(ActorForm):
    item_codes = forms.CharField(
        label=_("授权事项编码"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一个事项编码"),
    )

    class Meta:
        model = AuthorisationLetter
        fields = ["number", "department", "officer", "valid_from", "valid_until", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = _grant_departments(self.actor)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = departments
        cast(forms.ModelChoiceField, self.fields["officer"]).queryset = User.objects.filter(
            is_active=True,
            role_assignments__department__in=departments,
            role_assignments__role__in=STAFF_ROLES,
        ).distinct()

    def _post_clean(self) -> None:
        return None  # validate_letter checks everything, with the service's messages

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        try:
            validate_letter(
                number=d.get("number", ""),
                department=d.get("department"),
                officer=d.get("officer"),
                item_codes=d.get("item_codes", "").split(),
                valid_from=d.get("valid_from"),
                valid_until=d.get("valid_until"),
                note=d.get("note", ""),
            )
        except DomainError as error:
            show_domain_error(self, error)
        if AuthorisationLetter.objects.filter(number=d.get("number", "")).exists():
            self.add_error("number", _("授权书编号已存在"))
        return d


class LetterRevokeForm(ActorForm):
    revocation = forms.CharField(
        label=_("撤销原因"),
        required=False,
        max_length=255,
        help_text=_("填写原因并保存即撤销本授权书；撤销当日起不再有终审权"),
    )

    class Meta:
        model = AuthorisationLetter
        fields: list[str] = []


class ItemInline(admin.TabularInline):
    model = AuthorisationLetterItem
    fields = ("item_code",)
    readonly_fields = ("item_code",)
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # the letter admin decides

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuthorisationLetter)
class AuthorisationLetterAdmin(ActorFormMixin, CapabilityAdmin):
    view_capabilities = ("authorisation.grant", "supervision.view")
    list_display = (
        "number",
        "department",
        "officer",
        "valid_from",
        "valid_until",
        "status",
        "item_count",
    )
    list_filter = (StatusFilter, "department")
    search_fields = ("number", "officer__display_name", "items__item_code")
    date_hierarchy = "valid_from"

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[AuthorisationLetter]:
        return _letters_for(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuthorisationLetter]:
        return super().get_queryset(request).select_related("department", "officer")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, "authorisation.grant")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return has_capability(request.user, "authorisation.grant")
        return obj.revoked_at is None and has_capability(
            request.user, "authorisation.grant", department=obj.department
        )

    def get_form(  # type: ignore[override]
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = LetterRevokeForm if obj else LetterIssueForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "number",
                            "department",
                            "officer",
                            "item_codes",
                            "valid_from",
                            "valid_until",
                            "note",
                        ]
                    },
                )
            ]
        sets: list[Any] = [
            (
                None,
                {
                    "fields": [
                        "number",
                        "department",
                        "officer",
                        "valid_from",
                        "valid_until",
                        "status",
                        "note",
                        "issued_by",
                        "created_at",
                    ]
                },
            ),
        ]
        if obj.revoked_at is not None:
            sets.append((_("撤销"), {"fields": ["revoked_at", "revoked_by", "revocation_reason"]}))
        elif self.has_change_permission(request, obj):
            sets.append((_("撤销"), {"fields": ["revocation"]}))
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        if obj is None:
            return ()
        return (
            "number",
            "department",
            "officer",
            "valid_from",
            "valid_until",
            "status",
            "note",
            "issued_by",
            "created_at",
            "revoked_at",
            "revoked_by",
            "revocation_reason",
        )

    def get_inlines(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        return [ItemInline] if obj else []

    @admin.display(description=_("状态"))
    def status(self, obj: AuthorisationLetter) -> str:
        return letter_status(obj)

    @admin.display(description=_("事项数"))
    def item_count(self, obj: AuthorisationLetter) -> int:
        return obj.items.count()

    def save_model(self, request: HttpRequest, obj: AuthorisationLetter, form: Any, change: bool):  # type: ignore[no-untyped-def]
        d = form.cleaned_data
        if change:
            if d.get("revocation", "").strip():
                authorisation_letter_revoke(
                    actor=request.user,
                    letter=AuthorisationLetter.objects.get(pk=obj.pk),
                    reason=d["revocation"],
                )
            return
        saved = authorisation_letter_issue(
            actor=request.user,
            number=d["number"],
            department=d["department"],
            officer=d["officer"],
            item_codes=d["item_codes"].split(),
            valid_from=d["valid_from"],
            valid_until=d.get("valid_until"),
            note=d.get("note", ""),
        )
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None


@admin.register(OnTheSpotAuthority)
class OnTheSpotAuthorityAdmin(CapabilityAdmin):
    """终审权事项一览: which item may be decided on the spot, by whom, until when."""

    view_capabilities = ("authorisation.grant", "supervision.view", "supervision.view_department")
    list_display = ("item_code", "officer", "department", "letter", "valid_until", "status")
    list_filter = (StatusFilter, "letter__department")
    search_fields = ("item_code", "letter__officer__display_name", "letter__number")
    list_select_related = ("letter__department", "letter__officer")
    ordering = ("item_code",)

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[AuthorisationLetterItem]:
        user = request.user
        if is_centre_wide(user, "supervision.view") or is_centre_wide(user, "authorisation.grant"):
            return AuthorisationLetterItem.objects.all()
        departments = Department.objects.filter(
            Q(pk__in=_grant_departments(user).values("pk"))
            | Q(pk__in=departments_for(user, "supervision.view_department").values("pk"))
        )
        return AuthorisationLetterItem.objects.filter(letter__department__in=departments)

    @admin.display(description=_("被授权人"))
    def officer(self, obj: AuthorisationLetterItem) -> str:
        return str(obj.letter.officer)

    @admin.display(description=_("授权部门"))
    def department(self, obj: AuthorisationLetterItem) -> str:
        return str(obj.letter.department)

    @admin.display(description=_("失效日期"))
    def valid_until(self, obj: AuthorisationLetterItem) -> Any:
        return obj.letter.valid_until or _("长期")

    @admin.display(description=_("状态"))
    def status(self, obj: AuthorisationLetterItem) -> str:
        return letter_status(obj.letter)
