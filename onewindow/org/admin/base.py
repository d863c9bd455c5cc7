"""Admin plumbing: access by capability (not Django model permissions), objects outside the
administrator's scope answer 404, and forms that show a service's Chinese field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import DomainError
from onewindow.org.permissions import has_capability, is_centre_wide


def any_capability(request: HttpRequest, capabilities: tuple[str, ...]) -> bool:
    return any(has_capability(request.user, c) for c in capabilities)


def centre_wide(request: HttpRequest, capability: str) -> bool:
    return is_centre_wide(request.user, capability)


def show_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's field errors next to the form's fields; the rest on top."""
    shown = False
    for field, message in error.fields.items():
        if field in form.fields:
            if field not in form.errors:
                form.add_error(field, str(message))
            shown = True
    if not shown:
        form.add_error(None, error.message)


class CapabilityAdmin(admin.ModelAdmin):
    """Subclasses say which capabilities open the pages (``view_capabilities``: any of them,
    anywhere) and override ``scoped_queryset``. Add/change/delete default to nothing."""

    view_capabilities: tuple[str, ...] = ()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not any_capability(request, self.view_capabilities):
            return False
        return obj is None or self.scoped_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return self.model._default_manager.all()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        return qs.filter(pk__in=self.scoped_queryset(request).values("pk"))

    def _in_scope_or_404(self, request: HttpRequest, object_id: str | None) -> None:
        if object_id is not None and self.get_object(request, unquote(object_id)) is None:
            raise Http404(_("对象不存在或不在您的管理范围内"))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self._in_scope_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._in_scope_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def construct_change_message(self, request, form, formsets, add=False):  # type: ignore[no-untyped-def]
        return ""  # formsets are saved through services, not formset.save()

    def log_addition(self, request, obj, message):  # type: ignore[no-untyped-def]
        return None  # the services write audit events; no duplicate LogEntry

    def log_change(self, request, obj, message):  # type: ignore[no-untyped-def]
        return None

    def log_deletions(self, request, queryset):  # type: ignore[no-untyped-def]
        return None


class ActorForm(forms.ModelForm):
    """A ModelForm that knows the acting user (set by ``ActorFormMixin``)."""

    actor: Any = None


class ActorFormMixin:
    """Give the admin's forms the request user as ``actor``."""

    def get_form(  # type: ignore[override]
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        return type(form.__name__, (form,), {"actor": request.user})


def adopt(obj: Any, saved: Any) -> None:
    """Make the admin's unsaved form instance the object a service saved (the admin goes on
    to use ``obj`` for messages and redirects)."""
    obj.__dict__.update(saved.__dict__)
