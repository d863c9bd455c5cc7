"""The staff screens of ratings: the window's rating device (窗口评价器: the visits the
clerk served today, rated by the applicant on the clerk's screen), the department's
rectifications and complaints (finding, action, call-back, response), the supervisor's view
of all of them (overdue first; close, send back, decide appeals) and the ratings board.
Objects are found through the scoped selectors: another department's is a 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.backoffice.access import staff_view
from onewindow.backoffice.context import done, fail
from onewindow.common import clock
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.org.models import Department
from onewindow.org.permissions import departments_for, is_centre_wide
from onewindow.ratings import rates, selectors
from onewindow.ratings import services as svc
from onewindow.ratings.models import Complaint, Rectification
from onewindow.ratings.services.common import may
from onewindow.ratings.services.rating import DEVICE_CAPABILITIES, check_visit_ratable
from onewindow.ratings.states import (
    COMPLAINT,
    RECTIFICATION,
    CallBackResult,
    Channel,
    ComplaintStatus,
    Finding,
    Mode,
    RectificationStatus,
)
from onewindow.ratings.views_applicant import field_messages, form_context, posted_rating

HANDLING = frozenset({"ratings.handle", "ratings.close"})
BOARD = frozenset({"supervision.view", "supervision.view_department"})
SERVING = frozenset(DEVICE_CAPABILITIES)


def _menu(request: HttpRequest) -> list[dict[str, Any]]:
    return list(getattr(request, "backoffice_menu", []))


def _allowed(actor: Any, table: dict[str, Any], obj: Rectification | Complaint) -> set[str]:
    """The steps the actor may take now (what the page offers)."""
    return {
        name
        for name, t in table.items()
        if obj.status in t.sources and may(actor, t.capability, obj.department_id)
    }


# ------------------------------------------------------------------------- rating device


@require_safe
@staff_view(SERVING, current="ratings:device")
def device(request: HttpRequest) -> HttpResponse:
    """窗口评价器: the visits this clerk served today, newest first, each to be rated by
    its applicant on this screen."""
    now = clock.now()
    visits = selectors.visits_served_today(request.user, now=now)[:200]
    rows = [selectors.visit_row(v, now) for v in visits]
    return render(
        request, "ratings/staff/device.html", {"rows": rows, "now": now, "menu": _menu(request)}
    )


@require_http_methods(["GET", "POST"])
@staff_view(SERVING, current="ratings:device")
def device_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant rates the service on the clerk's device (channel ``window_device``);
    only the clerk who served the visit, the same day (the service's refusal is shown)."""
    template = "ratings/staff/device_rate.html"
    try:
        visit = selectors.visit_by_id(pk)
        check_visit_ratable(actor=request.user, visit=visit, channel=Channel.WINDOW_DEVICE)
    except DomainError as refusal:
        return fail(request, template, {"refused": True, "menu": _menu(request)}, refusal)
    row = selectors.visit_row(visit)
    context: dict[str, Any] = {"row": row, "visit": visit, **form_context(Mode.OFFLINE)}
    if request.method == "POST":  # rated already: the service's 409 already_rated
        try:
            svc.rate_visit(
                actor=request.user,
                visit=visit,
                channel=Channel.WINDOW_DEVICE,
                **posted_rating(request),
            )
        except DomainError as error:
            context.update(form_context(Mode.OFFLINE, request.POST))
            context["field_errors"] = field_messages(error)
            if not error.fields:  # field messages stand next to their fields only
                context["error"] = error
            return render(request, template, context, status=error.status)
        done(request, _("感谢您的评价"))
        return redirect("ratings:device")
    return render(request, template, context)


# ------------------------------------------------------------------------- rectifications


@require_safe
@staff_view(HANDLING, current="ratings:rectifications")
def rectifications(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *RectificationStatus.values):
        status = None
    now = clock.now()
    rows = list(selectors.rectifications_for(request.user, status=status, now=now)[:300])
    context = {
        "rows": rows,
        "now": now,
        "status": status or "",
        "statuses": RectificationStatus.choices,
        "menu": _menu(request),
    }
    return render(request, "ratings/staff/rectifications.html", context)


def _rectification(actor: Any, pk: int) -> Rectification:
    try:
        return selectors.rectification_for(actor, pk)
    except NotFound as error:
        raise Http404(error.message) from error


@require_http_methods(["GET", "POST"])
@staff_view(HANDLING, current="ratings:rectifications")
def rectification(request: HttpRequest, pk: int) -> HttpResponse:
    rect = _rectification(request.user, pk)
    template = "ratings/staff/rectification.html"

    def context() -> dict[str, Any]:
        return {
            "r": rect,
            "rating": rect.rating,
            "callbacks": list(rect.callbacks.select_related("by")),
            "allowed": _allowed(request.user, RECTIFICATION, rect),
            "findings": Finding.choices,
            "results": CallBackResult.choices,
            "now": clock.now(),
            "post": request.POST,
            "menu": _menu(request),
        }

    if request.method == "POST":
        action, p, user = request.POST.get("action", ""), request.POST, request.user
        try:
            if action == "rectify":
                svc.rectification_rectify(
                    actor=user,
                    rectification=rect,
                    finding=p.get("finding", ""),
                    finding_reason=p.get("finding_reason", ""),
                    action=p.get("rectify_action", ""),
                )
                message = _("已记录核实情况和整改措施")
            elif action == "call_back":
                svc.rectification_call_back(
                    actor=user,
                    rectification=rect,
                    result=p.get("result", ""),
                    note=p.get("note", ""),
                )
                message = _("已记录回访")
            elif action == "close":
                svc.rectification_close(
                    actor=user, rectification=rect, note=p.get("review_note", "")
                )
                message = _("整改已审核办结")
            elif action == "reject":
                svc.rectification_reject(
                    actor=user, rectification=rect, note=p.get("review_note", "")
                )
                message = _("已退回部门重新整改")
            elif action == "appeal":
                svc.rectification_appeal(actor=user, rectification=rect, reason=p.get("reason", ""))
                message = _("已提交申诉")
            elif action in ("uphold_appeal", "dismiss_appeal"):
                svc.rectification_decide_appeal(
                    actor=user,
                    rectification=rect,
                    uphold=action == "uphold_appeal",
                    note=p.get("review_note", ""),
                )
                message = _("已作出申诉审核")
            else:
                raise ValidationFailed(_("未知的操作"), code="unknown_action")
        except DomainError as error:
            return fail(request, template, context(), error)
        done(request, message)
        return redirect("ratings:rectification", rect.pk)
    return render(request, template, context())


# ------------------------------------------------------------------------- complaints


@require_safe
@staff_view(HANDLING, current="ratings:complaints")
def complaints(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *ComplaintStatus.values):
        status = None
    now = clock.now()
    rows = list(selectors.complaints_for(request.user, status=status, now=now)[:300])
    context = {
        "rows": rows,
        "now": now,
        "status": status or "",
        "statuses": ComplaintStatus.choices,
        "menu": _menu(request),
    }
    return render(request, "ratings/staff/complaints.html", context)


@require_http_methods(["GET", "POST"])
@staff_view(HANDLING, current="ratings:complaints")
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        obj = selectors.complaint_for(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from error
    template = "ratings/staff/complaint.html"

    def context() -> dict[str, Any]:
        return {
            "c": obj,
            "callbacks": list(obj.callbacks.select_related("by")),
            "allowed": _allowed(request.user, COMPLAINT, obj),
            "results": CallBackResult.choices,
            "now": clock.now(),
            "post": request.POST,
            "menu": _menu(request),
        }

    if request.method == "POST":
        action, p, user = request.POST.get("action", ""), request.POST, request.user
        try:
            if action == "respond":
                svc.complaint_respond(actor=user, complaint=obj, response=p.get("response", ""))
                message = _("已答复投诉")
            elif action == "call_back":
                svc.complaint_call_back(
                    actor=user, complaint=obj, result=p.get("result", ""), note=p.get("note", "")
                )
                message = _("已记录回访")
            elif action == "close":
                svc.complaint_close(actor=user, complaint=obj, note=p.get("review_note", ""))
                message = _("投诉已审核办结")
            elif action == "reject":
                svc.complaint_reject(actor=user, complaint=obj, note=p.get("review_note", ""))
                message = _("已退回部门重新处理")
            else:
                raise ValidationFailed(_("未知的操作"), code="unknown_action")
        except DomainError as error:
            return fail(request, template, context(), error)
        done(request, message)
        return redirect("ratings:complaint", obj.pk)
    return render(request, template, context())


# ------------------------------------------------------------------------- the board


def _period(request: HttpRequest) -> tuple[date, date]:
    today = clock.localnow().date()
    default_start = today.replace(day=1)
    try:
        start = (
            date.fromisoformat(request.GET.get("start", ""))
            if request.GET.get("start")
            else default_start
        )
        end = date.fromisoformat(request.GET.get("end", "")) if request.GET.get("end") else today
    except ValueError:
        return default_start, today
    return (start, end) if start <= end else (end, start)


@require_safe
@staff_view(BOARD, current="ratings:board")
def board(request: HttpRequest) -> HttpResponse:
    """好差评看板: the rates by department for a period (this month by default)."""
    user = request.user
    start, end = _period(request)
    centre = is_centre_wide(user, "supervision.view")
    if centre:
        depts = Department.objects.filter(is_active=True)
    else:
        depts = (
            departments_for(user, "supervision.view")
            | departments_for(user, "supervision.view_department")
        ).distinct()
    now = clock.now()
    rows = rates.rates_by_department(start, end, departments=depts, now=now)
    total = rates.rates_overall(start, end, departments=None if centre else depts, now=now)
    context = {
        "rows": [r for r in rows if r.concluded or r.ratings or r.rectifications or r.complaints],
        "quiet": sum(
            1 for r in rows if not (r.concluded or r.ratings or r.rectifications or r.complaints)
        ),
        "total": total,
        "start": start,
        "end": end,
        "menu": _menu(request),
    }
    return render(request, "ratings/staff/board.html", context)
