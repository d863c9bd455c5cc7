"""The centre's screens (``ranking.manage``): rounds (create, open, close, publish, results
with the concrete problems) and follow-ups; departments (``ranking.respond``) see and answer
their own follow-ups. Built on the back office's access helper and layout."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.backoffice.access import staff_view
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.org.models import Department
from onewindow.ranking import selectors as sel
from onewindow.ranking import services as svc
from onewindow.ranking.models import EvaluationRound, FollowUp, FollowUpKind, RoundStatus
from onewindow.ranking.views_public import categories

MANAGE = frozenset({"ranking.manage"})
FOLLOW = frozenset({"ranking.manage", "ranking.respond"})


def _menu(request: HttpRequest) -> list[dict[str, Any]]:
    return getattr(request, "backoffice_menu", [])


def _round_or_404(request: HttpRequest, pk: int) -> EvaluationRound:
    try:
        return sel.managed_round(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _follow_up_or_404(request: HttpRequest, pk: int) -> FollowUp:
    try:
        return sel.follow_up_for(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from error


@require_safe
@staff_view(MANAGE, current="ranking:manage")
def rounds(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ranking/manage/rounds.html",
        {"rounds": list(sel.managed_rounds(request.user)), "menu": _menu(request)},
    )


def _parse_date(raw: str, field: str, errors: dict[str, list[str]]) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[field] = [_("日期格式不正确，应为 YYYY-MM-DD")]
        return None


def _parse_sections(raw: str, errors: dict[str, list[str]]) -> list[tuple[Department, str]]:
    """Lines "部门名称 科室名称" (or "部门名称：科室名称")."""
    out: list[tuple[Department, str]] = []
    by_name = {d.name: d for d in Department.objects.filter(is_active=True)}
    for line in raw.splitlines():
        line = line.replace("：", " ").replace(":", " ").strip()
        if not line:
            continue
        name, _sep, section = line.partition(" ")
        department = by_name.get(name.strip())
        if department is None or not section.strip():
            errors["sections"] = [
                _("无法识别的科室：%(line)s（格式：部门名称 科室名称）") % {"line": line}
            ]
            continue
        out.append((department, section.strip()))
    return out


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(MANAGE, current="ranking:manage")
def create(request: HttpRequest) -> HttpResponse:
    departments = list(Department.objects.filter(is_active=True))
    context: dict[str, Any] = {
        "departments": departments,
        "menu": _menu(request),
        "form": request.POST if request.method == "POST" else {},
        "chosen": {int(x) for x in request.POST.getlist("departments") if x.isdigit()},
    }
    if request.method != "POST":
        return render(request, "ranking/manage/round_form.html", context)
    errors: dict[str, list[str]] = {}
    start = _parse_date(request.POST.get("period_start", ""), "period_start", errors)
    end = _parse_date(request.POST.get("period_end", ""), "period_end", errors)
    by_pk = {d.pk: d for d in departments}
    offices = [(by_pk[pk], "") for pk in sorted(context["chosen"]) if pk in by_pk]
    offices += _parse_sections(request.POST.get("sections", ""), errors)
    try:
        if errors or start is None or end is None:
            first = next(iter(errors.values()))[0]
            raise ValidationFailed(first, code="round_invalid", fields=errors)
        r = svc.round_create(
            actor=request.user,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            period_start=start,
            period_end=end,
            offices=offices,
            exposed_count=int(request.POST.get("exposed_count") or 10),
            talk_count=int(request.POST.get("talk_count") or 3),
        )
    except (DomainError, ValueError) as error:
        if isinstance(error, ValueError):
            error = ValidationFailed(_("科室数应为整数"), code="round_invalid")
        context.update(error=error)
        return render(request, "ranking/manage/round_form.html", context, status=error.status)
    messages.success(request, _("已创建评议：%(title)s") % {"title": r.title})
    return redirect("ranking:manage_round", round_id=r.pk)


def _round_context(request: HttpRequest, r: EvaluationRound) -> dict[str, Any]:
    ready = r.status in (RoundStatus.CLOSED, RoundStatus.PUBLISHED)
    res = sel.round_results(r, with_problems=True) if ready else None
    return {
        "round": r,
        "offices": sel.round_offices(r),
        "results": res,
        "categories": categories(),
        "follow_ups": list(sel.follow_ups_for(request.user, round_id=r.pk)),
        "kinds": FollowUpKind.choices,
        "menu": _menu(request),
    }


@require_safe
@staff_view(MANAGE, current="ranking:manage")
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    r = _round_or_404(request, round_id)
    return render(request, "ranking/manage/round.html", _round_context(request, r))


ACTIONS = {
    "open": (svc.round_open, _("已开始评议，公众现在可以投票")),
    "close": (svc.round_close, _("已结束评议")),
    "publish": (svc.round_publish, _("已公布评议结果，并为排名靠前的科室安排了跟踪整改")),
}


@require_POST
@staff_view(MANAGE, current="ranking:manage")
def round_action(request: HttpRequest, round_id: int, action: str) -> HttpResponse:
    r = _round_or_404(request, round_id)
    if action not in ACTIONS:
        raise Http404
    service, message = ACTIONS[action]
    try:
        service(round=r, actor=request.user)
    except DomainError as error:
        context = {**_round_context(request, r), "error": error}
        return render(request, "ranking/manage/round.html", context, status=error.status)
    messages.success(request, message)
    return redirect("ranking:manage_round", round_id=r.pk)


@require_POST
@staff_view(MANAGE, current="ranking:manage")
def follow_up_create(request: HttpRequest, round_id: int) -> HttpResponse:
    r = _round_or_404(request, round_id)
    office = (
        r.offices.select_related("department")
        .filter(
            pk=int(request.POST.get("office") or 0)
            if (request.POST.get("office") or "").isdigit()
            else 0
        )
        .first()
    )
    try:
        if office is None:
            raise ValidationFailed(_("请选择科室"), code="follow_up_invalid")
        due_raw = request.POST.get("due_on", "").strip()
        errors: dict[str, list[str]] = {}
        due = _parse_date(due_raw, "due_on", errors) if due_raw else None
        if errors:
            raise ValidationFailed(errors["due_on"][0], code="follow_up_invalid", fields=errors)
        svc.follow_up_create(
            round=r,
            office=office,
            kind=request.POST.get("kind", ""),
            actor=request.user,
            description=request.POST.get("description", ""),
            due_on=due,
        )
    except DomainError as error:
        context = {**_round_context(request, r), "error": error}
        return render(request, "ranking/manage/round.html", context, status=error.status)
    messages.success(request, _("已安排跟踪整改"))
    return redirect("ranking:manage_round", round_id=r.pk)


@require_safe
@staff_view(FOLLOW, current="ranking:follow_ups")
def follow_ups(request: HttpRequest) -> HttpResponse:
    return render(request, "ranking/manage/follow_ups.html", _follow_ups_context(request))


def _follow_ups_context(request: HttpRequest) -> dict[str, Any]:
    rows = list(sel.follow_ups_for(request.user)[:300])
    return {
        "rows": [
            {
                "f": f,
                "can_respond": sel.can_respond(request.user, f) or sel.is_manager(request.user),
            }
            for f in rows
        ],
        "is_manager": sel.is_manager(request.user),
        "menu": _menu(request),
    }


@require_POST
@staff_view(FOLLOW, current="ranking:follow_ups")
def follow_up_action(request: HttpRequest, follow_up_id: int, action: str) -> HttpResponse:
    f = _follow_up_or_404(request, follow_up_id)
    text = request.POST.get("text", "")
    try:
        if action == "respond":
            svc.follow_up_respond(follow_up=f, actor=request.user, response=text)
            message = _("已提交整改反馈")
        elif action == "close":
            svc.follow_up_close(follow_up=f, actor=request.user, result=text)
            message = _("已办结")
        else:
            raise Http404
    except DomainError as error:
        context = {**_follow_ups_context(request), "error": error}
        return render(request, "ranking/manage/follow_ups.html", context, status=error.status)
    messages.success(request, message)
    return redirect("ranking:follow_ups")
