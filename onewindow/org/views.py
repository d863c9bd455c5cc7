"""Applicant login and self-registration screens (they work without JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.common.errors import DomainError
from onewindow.org.forms import (
    LegalPersonRegistrationForm,
    LoginForm,
    NaturalPersonRegistrationForm,
)
from onewindow.org.permissions import capabilities_of
from onewindow.org.services import applicant_account_create

CASE_WORK = frozenset({"case.accept", "case.prereview", "case.review", "case.decide"})


class LoginView(auth_views.LoginView):
    """Password login. Without a ``next``, staff go to the back office and applicants to the
    online hall's home page."""

    template_name = "org/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if user.is_authenticated and user.is_staff:
            # Case work (and supervision without administration) happens in the back office;
            # administrators keep the admin.
            caps = capabilities_of(user)
            if caps & CASE_WORK or ("supervision.view" in caps and "org.manage" not in caps):
                return reverse("backoffice:home")
            return reverse("admin:index")
        return reverse("portal:home")


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("portal:home")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, kind: str = "natural") -> HttpResponse:
    """Open an applicant account (natural person, or a legal person's agent)."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    form_class = LegalPersonRegistrationForm if kind == "legal" else NaturalPersonRegistrationForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = applicant_account_create(actor=None, **form.service_arguments())
        except DomainError as error:
            form.add_service_errors(error)
        else:
            login(request, user, backend="onewindow.org.auth.OneWindowBackend")
            messages.success(request, _("注册成功，欢迎使用一窗通网上办事大厅"))
            return redirect(_safe_next(request))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "org/register.html",
        {"form": form, "kind": kind, "next": request.GET.get("next", "")},
        status=status,
    )
