"""The home page, the case search, the case page (read-only for supervisors; conclusion
and delivery for the window that hands out results), materials and notices as files."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.backoffice.access import BACK_OFFICE, WINDOW, staff_view
from onewindow.backoffice.context import case_context, case_or_404, done, fail
from onewindow.backoffice.selectors import home_counts, my_claimed, results_queue
from onewindow.cases.inbox import inbox
from onewindow.cases.models import Case, CaseMaterial, Delivery, DeliveryStatus
from onewindow.cases.notices import notice_pdf_for
from onewindow.cases.selectors import visible_cases
from onewindow.cases.services.delivery import case_conclude, case_deliver, case_dispatch
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import DeliveryMethod
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.org.models import RoleAssignment
from onewindow.org.permissions import capabilities_of

TEMPLATE = "backoffice/case.html"


@require_safe
@staff_view(BACK_OFFICE, current="backoffice:home")
def home(request: HttpRequest) -> HttpResponse:
    caps = capabilities_of(request.user)
    context = {
        "counts": home_counts(request.user),
        "claimed": list(my_claimed(request.user)[:10]),
        "next_tasks": list(inbox(request.user, status="open")[:5]),
        "caps": caps,
        "roles": RoleAssignment.objects.filter(user=request.user.pk).select_related(
            "department", "service_point"
        ),
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }
    return render(request, "backoffice/home.html", context)


@require_safe
@staff_view(BACK_OFFICE, current="backoffice:cases")
def cases(request: HttpRequest) -> HttpResponse:
    """Find a visible case by its number, the applicant's ID or name, or the item."""
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    qs = visible_cases(request.user).exclude(status=CaseStatus.DRAFT)
    if q:
        qs = qs.filter(
            Q(number=q)
            | Q(applicant__resident_id=q.upper())
            | Q(applicant__uscc=q.upper())
            | Q(applicant__name__icontains=q)
            | Q(item_version__name__icontains=q)
        )
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    context = {
        "q": q,
        "status": status,
        "statuses": [(s, label) for s, label in CaseStatus.choices if s != CaseStatus.DRAFT],
        "cases": list(qs.order_by("-created_at")[:100]),
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }
    return render(request, "backoffice/cases.html", context)


@require_safe
@staff_view(WINDOW, current="backoffice:results")
def results(request: HttpRequest) -> HttpResponse:
    context = {
        "cases": list(results_queue(request.user)[:200]),
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }
    return render(request, "backoffice/results.html", context)


def _context(request: HttpRequest, case: Case) -> dict[str, Any]:
    ctx = case_context(case, request.user)
    delivery: Delivery | None = ctx["delivery"]
    can = ctx["can_accept"]
    ctx.update(
        {
            "may_conclude": can and case.status in (CaseStatus.APPROVED, CaseStatus.REFUSED),
            "delivery_methods": [
                (m, DeliveryMethod(m).label)
                for m in case.item_version.delivery_methods or []
                if m in DeliveryMethod.values
            ],
            "may_dispatch": can
            and case.status == CaseStatus.CONCLUDED
            and delivery is not None
            and delivery.method == DeliveryMethod.EXPRESS
            and delivery.status == DeliveryStatus.PENDING,
            "may_deliver": can
            and case.status == CaseStatus.CONCLUDED
            and delivery is not None
            and not (
                delivery.method == DeliveryMethod.EXPRESS
                and delivery.status != DeliveryStatus.DISPATCHED
            ),
            "post": request.POST if request.method == "POST" else {},
            "menu": request.backoffice_menu,  # type: ignore[attr-defined]
        }
    )
    return ctx


@require_http_methods(["GET", "POST"])
@staff_view(BACK_OFFICE, current="backoffice:cases")
def case(request: HttpRequest, number: str) -> HttpResponse:
    item = case_or_404(request.user, number)
    if request.method == "GET":
        return render(request, TEMPLATE, _context(request, item))
    action = request.POST.get("action", "")
    user, post = request.user, request.POST
    try:
        if action == "conclude":
            delivery = case_conclude(
                actor=user, case=item, delivery_method=post.get("delivery_method") or None
            )
            message = _("已办结，送达方式：%(method)s") % {"method": delivery.get_method_display()}
        elif action == "dispatch":
            case_dispatch(
                actor=user,
                case=item,
                carrier=post.get("carrier", ""),
                tracking_number=post.get("tracking_number", ""),
            )
            message = _("已登记寄出")
        elif action == "deliver":
            case_deliver(actor=user, case=item, recipient=post.get("recipient", ""))
            message = _("已确认送达")
        else:
            raise ValidationFailed(_("请选择要执行的操作"), code="action_required")
    except DomainError as error:
        return fail(request, TEMPLATE, _context(request, case_or_404(user, number)), error)
    done(request, message)
    return redirect("backoffice:case", number=item.number)


@require_safe
@staff_view(BACK_OFFICE)
def material_file(request: HttpRequest, number: str, material_id: int) -> FileResponse:
    """Open a material's file (inline) for staff who can see the case."""
    item = case_or_404(request.user, number)
    material = get_object_or_404(CaseMaterial, pk=material_id, case=item)
    if not material.file:
        raise Http404(_("该材料尚未上传文件"))
    response = FileResponse(
        material.file.open("rb"), content_type=material.content_type or "application/octet-stream"
    )
    filename = (material.file.name or "").rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@staff_view(BACK_OFFICE)
def notice_pdf(request: HttpRequest, number: str, notice_id: int) -> FileResponse:
    try:
        notice = notice_pdf_for(request.user, number, notice_id)
    except NotFound as error:
        raise Http404(error.message) from error
    response = FileResponse(notice.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.case.number}-{notice.pk}.pdf"'
    return response
