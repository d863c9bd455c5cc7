"""一件事一次办 in the back office: the window accepts a bundle case in one action (一窗受理,
fanning out to every department), and the lead department's view of the whole bundle
(every sub-case with its department, status, holder and deadline).

Each department works its own sub-case through the ordinary task and decision screens;
these screens only add what concerns the bundle as a whole. Bundle cases are read through
``cases.bundle_selectors`` (another department's bundle is a 404) and changed through
``cases.services.bundle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.backoffice.access import TASKS, WINDOW, staff_view
from onewindow.backoffice.bundle_forms import missing_choices, posted_missing, posted_problems
from onewindow.backoffice.context import done, fail, form_rows
from onewindow.backoffice.selectors import suggested_due_date, workdays_left
from onewindow.backoffice.templatetags.backoffice import cn_datetime
from onewindow.bundles.models import BundleMember
from onewindow.cases.bundle_selectors import (
    BundleCaseDetail,
    SubCaseView,
    bundle_case_detail,
    bundle_cases_for_lead,
)
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleChase,
    BundleIssue,
    Case,
    FindingResult,
    InspectionStatus,
    JointInspection,
    Task,
    TaskStatus,
)
from onewindow.cases.services.bundle import bundle_case_accept
from onewindow.cases.services.bundle_acceptance import (
    bundle_case_accept_with_missing,
    bundle_case_request_correction,
)
from onewindow.cases.services.bundle_inspection import (
    bundle_inspection_complete,
    bundle_inspection_record_finding,
    bundle_inspection_schedule,
)
from onewindow.cases.services.bundle_outcome import (
    EARLY_METHODS,
    bundle_case_deliver,
    bundle_case_dispatch,
    bundle_early_delivery,
    bundle_outcome_issue,
)
from onewindow.cases.services.bundle_refusal import bundle_case_end, bundle_chase
from onewindow.cases.services.delivery import chosen_delivery
from onewindow.cases.states import CLOCK_RUNNING, CLOCK_STOPPED, PRE_ACCEPTANCE, CaseStatus
from onewindow.catalog.models import DeliveryMethod
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.org.models import Department
from onewindow.org.permissions import departments_for
from onewindow.portal.bundle_case_forms import material_slots

B = BundleCaseStatus
LEAD = WINDOW | TASKS  # the lead department's officers (and the centre's windows)
LIVE_TASKS = (TaskStatus.OPEN, TaskStatus.CLAIMED)
FINISHED = frozenset({CaseStatus.CONCLUDED, CaseStatus.DELIVERED})
DROPPED = frozenset({CaseStatus.WITHDRAWN, CaseStatus.NOT_ACCEPTED})
LIVE = frozenset({B.SUBMITTED, B.ACCEPTED, B.IN_PROGRESS, B.AWAITING_APPLICANT})
# Sub-cases the lead may chase (督办): still before their decision, or decided and not
# concluded yet.
CHASEABLE = (
    PRE_ACCEPTANCE
    | CLOCK_RUNNING
    | CLOCK_STOPPED
    | frozenset({CaseStatus.APPROVED, CaseStatus.REFUSED})
)


# ---------------------------------------------------------------------------- reads


def bundles_to_accept(actor: Any) -> QuerySet[BundleCase]:
    """Submitted bundle cases the actor may accept in one action: ``case.accept`` in the
    department of every sub-case (one set-based query), the oldest submission first."""
    departments = departments_for(actor, "case.accept")
    outside = Case.objects.filter(bundle_case=OuterRef("pk")).exclude(
        department__in=departments.values("pk")
    )
    return (
        BundleCase.objects.filter(status=B.SUBMITTED)
        .exclude(Exists(outside))
        .select_related("bundle_version", "lead_department", "applicant")
        .order_by("submitted_at", "id")
    )


def _to_accept_or_404(actor: Any, number: str) -> BundleCase:
    found = bundles_to_accept(actor).filter(number=number).first()
    if found is None:
        raise Http404(_("未找到待受理的一件事办件"))
    return found


def _lead_detail_or_404(actor: Any, number: str) -> BundleCaseDetail:
    """The whole bundle for staff of its lead department (an applicant's own account, or
    a cooperating department, gets a 404 here)."""
    try:
        detail = bundle_case_detail(actor, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not bundle_cases_for_lead(actor).filter(pk=detail.bundle_case.pk).exists():
        raise Http404(_("未找到该一件事办件"))
    return detail


@dataclass(frozen=True)
class SubCaseRow:
    """A sub-case as the lead sees it: who holds it now and how much time is left."""

    view: SubCaseView
    holder: str
    promised_left: int | None

    @property
    def case(self) -> Case:
        return self.view.case


def _holders(cases: list[Case]) -> dict[int, str]:
    """Who holds each sub-case's live task: the officer who claimed it, else the inbox
    (department and role) it waits in. One query for all sub-cases."""
    tasks = (
        Task.objects.filter(case__in=cases, status__in=LIVE_TASKS)
        .select_related("assignee", "department", "step")
        .order_by("created_at", "id")
    )
    holders: dict[int, str] = {}
    for task in tasks:
        if task.assignee_id is not None and task.assignee is not None:
            who = task.assignee.display_name or task.assignee.get_username()
            text = _("%(who)s（%(step)s，办理中）") % {"who": who, "step": task.step.name}
        else:
            text = _("%(dept)s待认领（%(step)s）") % {
                "dept": task.department.name,
                "step": task.step.name,
            }
        holders.setdefault(task.case_id, text)
    return holders


def _business_address(rows: list[SubCaseRow]) -> str:
    for r in rows:
        value = (r.case.form_data or {}).get("business_address")
        if value:
            return str(value)
    return ""


def _waiting(case: Case) -> str:
    """Without a live task: who the sub-case waits for."""
    if case.status == CaseStatus.IN_DECISION:
        return _("%(dept)s待作出决定") % {"dept": case.department.name}
    if case.status in (CaseStatus.APPROVED, CaseStatus.REFUSED):
        return _("窗口待办结")
    if case.status in PRE_ACCEPTANCE:
        return _("窗口待受理")
    return ""


def sub_case_rows(detail: BundleCaseDetail) -> list[SubCaseRow]:
    cases = [v.case for v in detail.sub_cases]
    holders = _holders(cases)
    return [
        SubCaseRow(
            view=v,
            holder=holders.get(v.case.pk) or _waiting(v.case),
            promised_left=workdays_left(v.case.promised_due_at)
            if v.case.status in CLOCK_RUNNING
            else None,
        )
        for v in detail.sub_cases
    ]


# ---------------------------------------------------------------------------- the window


@require_safe
@staff_view(WINDOW, current="backoffice:bundle_window")
def bundle_window(request: HttpRequest) -> HttpResponse:
    """一件事受理: the bundle cases waiting for their one acceptance."""
    correcting = Case.objects.filter(
        bundle_case=OuterRef("pk"), status=CaseStatus.AWAITING_CORRECTION
    )
    rows = list(
        bundles_to_accept(request.user)
        .annotate(correcting=Exists(correcting))
        .prefetch_related("sub_cases__department")[:200]
    )
    context = {"rows": rows, "menu": request.backoffice_menu}  # type: ignore[attr-defined]
    return render(request, "backoffice/bundles/window.html", context)


def _accept_context(request: HttpRequest, bundle_case: BundleCase) -> dict[str, Any]:
    subs = list(
        bundle_case.sub_cases.select_related("item_version", "department", "applicant").order_by(
            "id"
        )
    )
    materials = {
        c.pk: list(
            c.materials.select_related("material_type", "item_material").order_by(
                "item_material__order", "id"
            )
        )
        for c in subs
    }
    slots, _obtained = material_slots(bundle_case)
    return {
        "bc": bundle_case,
        "subs": [(c, form_rows(c), materials[c.pk]) for c in subs],
        "departments": sorted({c.department.name for c in subs}),
        # 容缺受理 / 一次性告知 name material TYPES: uploaded once for the whole bundle.
        "slots": slots,
        "missing_choices": missing_choices(slots),
        "correcting": [c for c in subs if c.status == CaseStatus.AWAITING_CORRECTION],
        "default_due": suggested_due_date(),
        "post": request.POST if request.method == "POST" else {},
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }


@require_http_methods(["GET", "POST"])
@staff_view(WINDOW, current="backoffice:bundle_window")
def bundle_accept(request: HttpRequest, number: str) -> HttpResponse:
    """One decision for the whole bundle: 一窗受理全部事项 (every sub-case accepted with
    its own deadlines and routed to its department, the bundle's own deadline started),
    容缺受理 (non-core material types missing, each with a due date) or 一次性告知 (the
    material types to supply again with a reason each, or a general reason)."""
    bundle_case = _to_accept_or_404(request.user, number)
    template = "backoffice/bundles/accept.html"
    if request.method == "GET":
        return render(request, template, _accept_context(request, bundle_case))
    try:
        message = _accept_outcome(request, bundle_case, request.POST.get("outcome") or "accept")
    except DomainError as error:
        return fail(request, template, _accept_context(request, bundle_case), error)
    done(request, message)
    return redirect("backoffice:bundle_window")


def _accept_outcome(request: HttpRequest, bundle_case: BundleCase, outcome: str) -> str:
    user = request.user
    if outcome == "accept":
        bundle_case_accept(actor=user, bundle_case=bundle_case)
        return _("已一窗受理 %(number)s：%(n)d个事项已分送各部门并联办理。") % {
            "number": bundle_case.number,
            "n": bundle_case.sub_cases.count(),
        }
    slots, _obtained = material_slots(bundle_case)
    if outcome == "accept_with_missing":
        missing = posted_missing(request.POST, missing_choices(slots))
        bundle_case_accept_with_missing(actor=user, bundle_case=bundle_case, missing=missing)
        return _("已容缺受理 %(number)s：%(n)d种材料容缺后补，各事项已分送各部门并联办理。") % {
            "number": bundle_case.number,
            "n": len(missing),
        }
    if outcome == "request_correction":
        problems = posted_problems(request.POST, slots)
        bundle_case_request_correction(actor=user, bundle_case=bundle_case, problems=problems)
        return _("已出具一次性告知书（%(n)d项），已告知申请人补齐后重新提交。") % {
            "n": len(problems)
        }
    raise ValidationFailed(_("请选择受理结果"), code="outcome_required")


# ---------------------------------------------------------------------------- the lead


@require_safe
@staff_view(LEAD, current="backoffice:bundles")
def bundles(request: HttpRequest) -> HttpResponse:
    """The bundle cases the actor's department leads (牵头), the bundle deadline first."""
    rows = list(bundle_cases_for_lead(request.user)[:200])
    context = {
        "rows": rows,
        "inspections": list(
            inspections_for(request.user).filter(status=InspectionStatus.SCHEDULED)[:50]
        ),
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }
    return render(request, "backoffice/bundles/list.html", context)


def _bundle_context(request: HttpRequest, detail: BundleCaseDetail) -> dict[str, Any]:
    rows = sub_case_rows(detail)
    bundle_case = detail.bundle_case
    live_rows = [
        r for r in rows if r.case.status not in DROPPED and r.case.pk not in detail.dropped
    ]
    inspected = set(
        BundleMember.objects.filter(
            version_id=bundle_case.bundle_version_id, joint_inspection=True
        ).values_list("item_id", flat=True)
    )
    departments = {r.case.department_id: r.case.department for r in live_rows}
    outcome = detail.outcome
    in_outcome = set(outcome.cases.values_list("pk", flat=True)) if outcome else set()
    early_items = set(
        BundleMember.objects.filter(
            version_id=bundle_case.bundle_version_id, early_delivery=True
        ).values_list("item_id", flat=True)
    )
    chosen = next((m for r in rows if (m := chosen_delivery(r.case).get("method"))), "")
    return {
        "bc": bundle_case,
        "rows": rows,
        "dropped": detail.dropped,
        "live": bundle_case.status in LIVE,
        "inspections": detail.inspections,
        "scheduled": any(i.status == InspectionStatus.SCHEDULED for i in detail.inspections),
        "inspection_departments": [
            (d, any(r.case.item_id in inspected for r in live_rows if r.case.department_id == pk))
            for pk, d in sorted(departments.items())
        ],
        "default_place": _business_address(rows),
        "outcome": outcome,
        "outcome_cases": list(outcome.cases.select_related("item_version")) if outcome else [],
        "may_issue": bundle_case.status == B.CONCLUDED and outcome is None,
        # 先行出件: a concluded sub-case of a member marked early_delivery.
        "early_rows": [
            r
            for r in live_rows
            if r.case.item_id in early_items and r.case.status == CaseStatus.CONCLUDED
        ],
        "early_delivered": [
            r for r in rows if r.case.status == CaseStatus.DELIVERED and r.case.pk not in in_outcome
        ],
        "early_methods": [
            (m, str(DeliveryMethod(m).label))
            for m in (DeliveryMethod.WINDOW, DeliveryMethod.ELECTRONIC)
            if m in EARLY_METHODS
        ],
        "delivery_methods": DeliveryMethod.choices,
        "chosen_delivery": chosen,
        "chaseable": [r for r in rows if r.case.status in CHASEABLE],
        "chases": list(
            BundleChase.objects.filter(bundle_case=bundle_case)
            .select_related("case__item_version", "by")
            .order_by("-at", "-id")[:50]
        ),
        "issues": list(
            BundleIssue.objects.filter(bundle_case=bundle_case)
            .select_related("case__item_version")
            .order_by("raised_at", "id")
        ),
        "all_finished": bool(rows) and all(r.case.status in FINISHED for r in rows),
        "bundle_left": workdays_left(bundle_case.promised_due_at)
        if bundle_case.status in (B.ACCEPTED, B.IN_PROGRESS)
        else None,
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }


@require_http_methods(["GET", "POST"])
@staff_view(LEAD, current="backoffice:bundles")
def bundle(request: HttpRequest, number: str) -> HttpResponse:
    """The lead's view of one bundle case: every sub-case with department, status,
    holder and deadline (cooperating departments see only their sub-case: 404 here);
    督办 a sub-case, end the bundle."""
    detail = _lead_detail_or_404(request.user, number)
    template = "backoffice/bundles/bundle.html"
    if request.method == "GET":
        return render(request, template, _bundle_context(request, detail))
    try:
        message = _lead_action(request, detail)
    except DomainError as error:
        fresh = _lead_detail_or_404(request.user, number)
        return fail(request, template, _bundle_context(request, fresh), error)
    done(request, message)
    return redirect("backoffice:bundle", number=number)


def _sub_case(detail: BundleCaseDetail, number: str) -> Case:
    for view in detail.sub_cases:
        if view.case.number == number:
            return view.case
    raise ValidationFailed(_("请选择本一件事的事项"), code="sub_case_required")


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _when(value: str) -> datetime:
    """A ``datetime-local`` input (2026-12-02T09:30) in local time."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            _("请填写踏勘时间"), code="validation_failed", fields={"at": [_("请填写踏勘时间")]}
        ) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _lead_action(request: HttpRequest, detail: BundleCaseDetail) -> str:
    post = request.POST
    action = post.get("action", "")
    bundle_case = detail.bundle_case
    if action == "chase":
        case = _sub_case(detail, post.get("case", ""))
        chase = bundle_chase(
            actor=request.user, bundle_case=bundle_case, case=case, message=post.get("message", "")
        )
        return _("已督办“%(item)s”，通知%(n)d人。") % {
            "item": case.item_version.name,
            "n": chase.recipients,
        }
    if action == "inspection":
        inspection = bundle_inspection_schedule(
            actor=request.user,
            bundle_case=bundle_case,
            at=_when(post.get("at", "")),
            place=post.get("place", ""),
            departments=Department.objects.filter(
                pk__in=[int(x) for x in post.getlist("departments") if x.isdigit()]
            ),
        )
        return _("已安排联合踏勘：%(when)s，已告知申请人和参加部门。") % {
            "when": cn_datetime(inspection.scheduled_at)
        }
    if action == "inspection_complete":
        found = bundle_case.inspections.filter(pk=_int(post.get("inspection", ""))).first()
        if found is None:
            raise ValidationFailed(_("未找到该联合踏勘"), code="inspection_not_found")
        bundle_inspection_complete(actor=request.user, inspection=found)
        return _("联合踏勘已完成，计一次到现场。")
    if action == "outcome":
        outcome = bundle_outcome_issue(
            actor=request.user,
            bundle_case=bundle_case,
            delivery_method=post.get("delivery_method", ""),
        )
        return _("已统一出件（%(method)s），共%(n)d项结果，已告知申请人。") % {
            "method": outcome.get_method_display(),
            "n": outcome.cases.count(),
        }
    if action == "dispatch":
        bundle_case_dispatch(
            actor=request.user,
            bundle_case=bundle_case,
            carrier=post.get("carrier", ""),
            tracking_number=post.get("tracking_number", ""),
        )
        return _("已寄出，运单号已告知申请人。")
    if action == "deliver":
        bundle_case_deliver(
            actor=request.user, bundle_case=bundle_case, recipient=post.get("recipient", "")
        )
        return _("已确认送达。")
    if action == "early_delivery":
        case = _sub_case(detail, post.get("case", ""))
        bundle_early_delivery(
            actor=request.user,
            bundle_case=bundle_case,
            case=case,
            method=post.get("method", ""),
        )
        return _("“%(item)s”已先行出件，已告知申请人。") % {"item": case.item_version.name}
    if action == "end":
        bundle_case_end(actor=request.user, bundle_case=bundle_case, reason=post.get("reason", ""))
        return _("一件事已终止，未决定的事项同时终止，已告知申请人。")
    raise ValidationFailed(_("请选择要办理的操作"), code="action_required")


# ---------------------------------------------------------------------------- inspection


def inspections_for(actor: Any) -> QuerySet[JointInspection]:
    """Joint inspections a department where the actor reviews or decides takes part in."""
    departments = departments_for(actor, "case.review") | departments_for(actor, "case.decide")
    return (
        JointInspection.objects.filter(departments__in=departments.values("pk"))
        .distinct()
        .select_related("bundle_case__bundle_version", "bundle_case__lead_department")
        .order_by("scheduled_at", "id")
    )


@require_http_methods(["GET", "POST"])
@staff_view(TASKS, current="backoffice:bundles")
def inspection(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """A cooperating (or the lead) department records its finding of the joint inspection;
    staff of a department not taking part get 404."""
    found = inspections_for(request.user).filter(pk=inspection_id).first()
    if found is None:
        raise Http404(_("未找到该联合踏勘"))
    template = "backoffice/bundles/inspection.html"
    if request.method == "POST":
        department = None
        if request.POST.get("department", "").isdigit():
            department = Department.objects.filter(pk=int(request.POST["department"])).first()
        try:
            bundle_inspection_record_finding(
                actor=request.user,
                inspection=found,
                result=request.POST.get("result", ""),
                note=request.POST.get("note", ""),
                department=department,
            )
        except DomainError as error:
            return fail(request, template, _inspection_context(request, found), error)
        done(request, _("已记录本部门的踏勘意见。"))
        return redirect("backoffice:bundle_inspection", inspection_id=found.pk)
    return render(request, template, _inspection_context(request, found))


def _inspection_context(request: HttpRequest, found: JointInspection) -> dict[str, Any]:
    participants = list(found.departments.order_by("pk"))
    findings = {f.department_id: f for f in found.findings.select_related("by")}
    mine = set(
        (
            departments_for(request.user, "case.review")
            | departments_for(request.user, "case.decide")
        )
        .filter(pk__in=[d.pk for d in participants])
        .values_list("pk", flat=True)
    )
    return {
        "j": found,
        "bc": found.bundle_case,
        "rows": [(d, findings.get(d.pk)) for d in participants],
        "to_record": [d for d in participants if d.pk in mine and d.pk not in findings],
        "results": FindingResult.choices,
        "post": request.POST if request.method == "POST" else {},
        "menu": request.backoffice_menu,  # type: ignore[attr-defined]
    }
