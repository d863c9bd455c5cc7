"""登记窗口服务: a window service that is not a case (a consultation, a pick-up, help with
the online hall, materials handed in) recorded by the clerk who served it, so that it
counts as a visit (跑动) and can be rated on the window's rating device (一次一评).

``/backoffice/visits/new/`` finds the applicant (``?identifier=``, check characters
verified) and then takes the window, the purpose and optionally an open case; the write is
``record_visit`` (capability and field checks, audit). ``/backoffice/visits/`` lists the
visits the clerk recorded today. Open to whoever may use the rating device."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.backoffice.access import staff_view
from onewindow.backoffice.context import done, fail
from onewindow.backoffice.visit_forms import (
    SERVING_CAPABILITIES,
    VisitApplicantForm,
    VisitForm,
)
from onewindow.cases.services.submission import record_visit
from onewindow.common import clock
from onewindow.common.errors import DomainError
from onewindow.ratings import selectors

SERVING = frozenset(SERVING_CAPABILITIES)
TEMPLATE_NEW = "backoffice/visits/new.html"
TEMPLATE_LIST = "backoffice/visits/list.html"


@require_safe
@staff_view(SERVING, current="backoffice:visits")
def visits(request: HttpRequest) -> HttpResponse:
    """The window services this clerk recorded today, newest first."""
    now = clock.now()
    rows = [
        selectors.visit_row(v, now)
        for v in selectors.visits_served_today(request.user, now=now)[:200]
    ]
    menu = request.backoffice_menu  # type: ignore[attr-defined]
    return render(request, TEMPLATE_LIST, {"rows": rows, "now": now, "menu": menu})


@require_http_methods(["GET", "POST"])
@staff_view(SERVING, current="backoffice:visits")
def visit_new(request: HttpRequest) -> HttpResponse:
    """Find the applicant (GET ``identifier``), then record the service (POST)."""
    menu = request.backoffice_menu  # type: ignore[attr-defined]
    source = request.POST if request.method == "POST" else request.GET
    find = VisitApplicantForm(source if "identifier" in source else None)
    applicant = find.cleaned_data["identifier"] if find.is_valid() else None
    if applicant is None:
        status = 422 if find.is_bound else 200
        return render(request, TEMPLATE_NEW, {"find": find, "menu": menu}, status=status)
    form = VisitForm(
        request.POST if request.method == "POST" else None,
        actor=request.user,
        applicant=applicant,
    )
    context = {"find": find, "form": form, "applicant": applicant, "menu": menu}
    if request.method == "GET":
        return render(request, TEMPLATE_NEW, context)
    if not form.is_valid():
        return render(request, TEMPLATE_NEW, context, status=422)
    try:
        record_visit(actor=request.user, **form.visit_arguments())
    except DomainError as error:
        form.add_service_errors(error)
        return fail(request, TEMPLATE_NEW, context, error)
    done(request, _("已登记，可请办事人在窗口评价器上评价"))
    return redirect("backoffice:visits")
