"""The applicant's screens: rate a concluded case (logged in, by SMS link, at a kiosk),
我的窗口服务评价 (the window services of the rating period, each rated online), my ratings,
我要投诉 and my complaints. Every write is a service call; errors are the
services' Chinese messages, shown next to their fields."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.cases.models import Case
from onewindow.cases.selectors import case_for
from onewindow.common import clock
from onewindow.common.errors import DomainError, NotFound
from onewindow.org.models import Applicant, Department, Window
from onewindow.ratings import selectors
from onewindow.ratings import services as svc
from onewindow.ratings.rules import setting
from onewindow.ratings.services.rating import check_visit_ratable, is_applicants_account
from onewindow.ratings.states import DIMENSIONS, ComplaintAbout, Level, Mode


def field_messages(error: DomainError) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (error.fields or {}).items():
        out[str(key)] = "；".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return out


def form_context(mode: str, post: Any = None) -> dict[str, Any]:
    """The rating form: the five levels (best first) and the mode's dimensions."""
    post = post or {}
    return {
        "levels": list(Level.choices),  # best first, as on the national rating page
        "dimensions": [
            {"key": key, "label": label, "value": str(post.get(f"dim_{key}", ""))}
            for key, label in DIMENSIONS[mode].items()
        ],
        "chosen": str(post.get("level", "")),
        "comment": post.get("comment", ""),
    }


def posted_rating(request: HttpRequest) -> dict[str, Any]:
    dims = {
        k.removeprefix("dim_"): v for k, v in request.POST.items() if k.startswith("dim_") and v
    }
    return {
        "level": request.POST.get("level", ""),
        "dimensions": dims,
        "comment": request.POST.get("comment", ""),
    }


def _mode(case: Case) -> str:
    return Mode.ONLINE if case.channel == "online" else Mode.OFFLINE


def _own_case(request: HttpRequest, number: str) -> Case:
    try:
        case = case_for(request.user, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not is_applicants_account(request.user, case.applicant_id):
        raise Http404(_("未找到该办件"))
    return case


# ------------------------------------------------------------------------- rating a case


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, number: str) -> HttpResponse:
    case = _own_case(request, number)
    existing = selectors.rating_of(case)
    if existing is not None:
        return render(request, "ratings/thanks.html", {"rating": existing, "case": case})
    context: dict[str, Any] = {"case": case, **form_context(_mode(case))}
    status = 200
    if request.method == "POST":
        try:
            rating = svc.rate_case(actor=request.user, case=case, **posted_rating(request))
        except DomainError as error:
            context.update(form_context(_mode(case), request.POST))
            context.update(error=error, field_errors=field_messages(error))
            status = error.status
        else:
            return render(request, "ratings/thanks.html", {"rating": rating, "case": case})
    context["open"] = selectors.may_rate_now(case)
    return render(request, "ratings/rate.html", context, status=status)


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The SMS link: rate without logging in."""
    try:
        case = svc.case_for_token(token)
    except NotFound as error:
        return render(request, "ratings/link_invalid.html", {"error": error}, status=404)
    existing = selectors.rating_of(case)
    if existing is not None:
        return render(request, "ratings/thanks.html", {"rating": existing, "case": case})
    context: dict[str, Any] = {"case": case, "token": token, **form_context(_mode(case))}
    status = 200
    if request.method == "POST":
        try:
            rating = svc.rate_case_by_link(token=token, **posted_rating(request))
        except DomainError as error:
            context.update(form_context(_mode(case), request.POST))
            context.update(error=error, field_errors=field_messages(error))
            status = error.status
        else:
            return render(request, "ratings/thanks.html", {"rating": rating, "case": case})
    context["open"] = selectors.may_rate_now(case)
    return render(request, "ratings/link.html", context, status=status)


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    """Self-service kiosk: the case number and the ID number, then the levels. The ID
    number is posted (never in a URL) and never echoed back."""
    context: dict[str, Any] = {"number": "", **form_context(Mode.OFFLINE)}
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "").strip()
        context["number"] = number
        try:
            rating = svc.rate_case_at_kiosk(
                number=number, id_number=request.POST.get("id_number", ""), **posted_rating(request)
            )
        except DomainError as error:
            context.update(form_context(Mode.OFFLINE, request.POST))
            context.update(error=error, field_errors=field_messages(error))
            status = error.status
        else:
            return render(request, "ratings/thanks.html", {"rating": rating, "kiosk": True})
    return render(request, "ratings/kiosk.html", context, status=status)


@login_required
@require_safe
def my_ratings(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.my_ratings(request.user)[:200])
    return render(request, "ratings/my_ratings.html", {"ratings": rows})


# ------------------------------------------------------------------------- window services


@login_required
@require_safe
def my_visits(request: HttpRequest) -> HttpResponse:
    """我的窗口服务评价: the applicant's window services of the rating period, newest first,
    each with 去评价 or the rating given."""
    now = clock.now()
    visits = selectors.my_visits(request.user, now=now)[:200]
    rows = [selectors.visit_row(v, now) for v in visits]
    context = {"rows": rows, "days": setting("RATING_WINDOW_WORKDAYS")}
    return render(request, "ratings/my_visits.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rate_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate one window service online (一次一评: the on-site dimensions)."""
    try:
        visit = selectors.my_visit(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    row = selectors.visit_row(visit)
    if row.rating is not None:
        return render(request, "ratings/thanks.html", {"rating": row.rating, "visit": visit})
    context: dict[str, Any] = {"row": row, "visit": visit, **form_context(Mode.OFFLINE)}
    status = 200
    try:
        check_visit_ratable(actor=request.user, visit=visit)
    except DomainError as refusal:  # the period is over: say so instead of the form
        context["refusal"] = refusal
        status = refusal.status if request.method == "POST" else 200
        return render(request, "ratings/rate_visit.html", context, status=status)
    if request.method == "POST":
        try:
            rating = svc.rate_visit(actor=request.user, visit=visit, **posted_rating(request))
        except DomainError as error:
            context.update(form_context(Mode.OFFLINE, request.POST))
            context.update(error=error, field_errors=field_messages(error))
            status = error.status
        else:
            return render(request, "ratings/thanks.html", {"rating": rating, "visit": visit})
    return render(request, "ratings/rate_visit.html", context, status=status)


# ------------------------------------------------------------------------- complaints


def _complaint_targets() -> dict[str, Any]:
    return {
        "departments": list(Department.objects.filter(is_active=True).order_by("order", "code")),
        "windows": list(
            Window.objects.filter(is_active=True)
            .select_related("service_point")
            .order_by("service_point__code", "number")[:200]
        ),
        "abouts": ComplaintAbout.choices,
    }


def _pk(value: str) -> int:
    return int(value) if value.isdigit() else 0


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    if not Applicant.objects.filter(users__pk=request.user.pk or 0).exists():
        raise Http404(_("您的账号尚未关联申请人"))
    post = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {
        "post": post,
        "days": setting("COMPLAINT_WORKDAYS"),
        **_complaint_targets(),
    }
    status = 200
    if request.method == "POST":
        about = post.get("about", "")
        case = None
        number = post.get("case_number", "").strip()
        if about == ComplaintAbout.CASE and number:
            case = Case.objects.filter(number=number).first()
        try:
            if about == ComplaintAbout.CASE and number and case is None:
                raise NotFound(
                    _("未找到该办件"), code="case_not_found", fields={"case": [_("未找到该办件")]}
                )
            complaint = svc.complaint_submit(
                actor=request.user,
                about=about,
                content=post.get("content", ""),
                case=case,
                department=Department.objects.filter(pk=_pk(post.get("department", ""))).first(),
                window=Window.objects.filter(pk=_pk(post.get("window", ""))).first(),
                contact_phone=post.get("contact_phone", ""),
            )
        except DomainError as error:
            context.update(error=error, field_errors=field_messages(error))
            status = error.status
        else:
            return redirect("ratings:my_complaint", complaint.pk)
    return render(request, "ratings/complaint_new.html", context, status=status)


@login_required
@require_safe
def my_complaints(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.my_complaints(request.user)[:200])
    return render(request, "ratings/my_complaints.html", {"complaints": rows})


@login_required
@require_safe
def my_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        complaint = selectors.my_complaint(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "ratings/my_complaint.html", {"complaint": complaint})
