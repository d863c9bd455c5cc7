"""受理: the acceptance queue and the acceptance page with its outcomes (受理, 容缺受理,
一次性告知, 不予受理, 即办 for instant items when the officer holds the authority)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.backoffice.access import ACCEPTANCE, forbidden, staff_view
from onewindow.backoffice.context import case_context, case_or_404, done, fail
from onewindow.backoffice.selectors import (
    ART32_WORKDAYS,
    acceptance_queue,
    suggested_due_date,
    workdays_since,
)
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services.acceptance import (
    case_accept,
    case_accept_instant,
    case_accept_with_missing,
    case_prereview,
    case_refuse_acceptance,
    case_request_correction,
    may_decide_on_the_spot,
)
from onewindow.cases.states import CaseStatus
from onewindow.common import clock
from onewindow.common.errors import DomainError, ValidationFailed
from onewindow.org.permissions import has_capability

TEMPLATE = "backoffice/accept.html"
OUTCOMES = ("accept", "accept_with_missing", "request_correction", "refuse", "instant", "prereview")


@require_safe
@staff_view(ACCEPTANCE, current="backoffice:acceptance")
def queue(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    rows = []
    for case in acceptance_queue(request.user)[:200]:
        elapsed = workdays_since(case.received_at, now=now)
        rows.append(
            {
                "case": case,
                "elapsed": elapsed,
                "warning": elapsed is not None and elapsed >= ART32_WORKDAYS - 1,
                "overdue": elapsed is not None and elapsed > ART32_WORKDAYS,
            }
        )
    context = {"rows": rows, "limit": ART32_WORKDAYS, "menu": request.backoffice_menu}  # type: ignore[attr-defined]
    return render(request, "backoffice/queue.html", context)


def _context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = request.user
    pending = case.status in (CaseStatus.SUBMITTED, CaseStatus.PREREVIEWED)
    ctx = case_context(case, user)
    ctx.update(
        {
            "pending": pending,
            "can_prereview": pending
            and case.status == CaseStatus.SUBMITTED
            and has_capability(user, "case.prereview", department=case.department),
            "instant": case.item_version.is_instant,
            "may_instant": case.item_version.is_instant
            and ctx["can_accept"]
            and may_decide_on_the_spot(user, case, at=clock.now()),
            "limit": ART32_WORKDAYS,
            "default_due": suggested_due_date(),
            "post": request.POST if request.method == "POST" else {},
            "menu": request.backoffice_menu,  # type: ignore[attr-defined]
        }
    )
    return ctx


def _allowed(user: Any, case: Case) -> bool:
    return has_capability(user, "case.accept", department=case.department) or has_capability(
        user, "case.prereview", department=case.department
    )


@require_http_methods(["GET", "POST"])
@staff_view(ACCEPTANCE, current="backoffice:acceptance")
def accept(request: HttpRequest, number: str) -> HttpResponse:
    case = case_or_404(request.user, number)
    if not _allowed(request.user, case):
        return forbidden(request, _("您没有受理该部门事项的权限"))
    if request.method == "GET":
        return render(request, TEMPLATE, _context(request, case))
    outcome = request.POST.get("outcome", "")
    try:
        message = _decide(request, case, outcome)
    except DomainError as error:
        return fail(request, TEMPLATE, _context(request, case_or_404(request.user, number)), error)
    done(request, message)
    return redirect("backoffice:case", number=case.number)


def _materials(case: Case, ids: list[str]) -> list[CaseMaterial]:
    wanted = {int(i) for i in ids if i.isdigit()}
    found = {m.pk: m for m in case.materials.filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise ValidationFailed(_("材料不属于该办件"), code="material_not_in_case")
    return [found[pk] for pk in sorted(wanted)]


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        msg = _("请填写“%(name)s”的补交期限") % {"name": name}
        raise ValidationFailed(msg, code="due_date_required") from None


def _decide(request: HttpRequest, case: Case, outcome: str) -> str:
    post = request.POST
    user = request.user
    if outcome not in OUTCOMES:
        raise ValidationFailed(_("请选择受理结果"), code="outcome_required")
    if outcome == "prereview":
        case_prereview(actor=user, case=case, note=post.get("note", ""))
        return _("已预审通过")
    if outcome == "accept":
        case_accept(actor=user, case=case)
        return _("已受理，受理通知书已出具")
    if outcome == "instant":
        case_accept_instant(actor=user, case=case)
        return _("即办件已当场办结，决定书已出具")
    if outcome == "accept_with_missing":
        missing = [
            (m, _date(post.get(f"due_{m.pk}", ""), m.material_type.name))
            for m in _materials(case, post.getlist("missing"))
        ]
        if not missing:
            raise ValidationFailed(_("请勾选容缺的材料并填写补交期限"), code="missing_required")
        case_accept_with_missing(actor=user, case=case, missing=missing)
        return _("已容缺受理，容缺受理通知书已出具")
    if outcome == "request_correction":
        problems: list[Any] = [
            {"material": m, "reason": post.get(f"reason_{m.pk}", "")}
            for m in _materials(case, post.getlist("problem"))
        ]
        other = post.get("other_reason", "").strip()
        if other:
            problems.append({"material": None, "reason": other})
        if not problems:
            raise ValidationFailed(
                _("请勾选需要补正的全部材料并写明原因"), code="problems_required"
            )
        case_request_correction(actor=user, case=case, problems=problems)
        return _("已出具补正材料一次性告知书")
    case_refuse_acceptance(
        actor=user,
        case=case,
        reasons=post.get("reasons", ""),
        competent_authority=post.get("competent_authority", ""),
    )
    return _("已出具不予受理通知书")
