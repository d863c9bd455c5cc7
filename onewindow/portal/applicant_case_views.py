"""The applicant's cases: 我的办件, a case's page (notices, what is missing, result,
delivery, the timeline) and what it offers (supply a material, resubmit, confirm receipt,
withdraw), and the anonymous lookup by case number and ID."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.cases.models import Case, CaseMaterial, Delivery, MaterialStatus, Notice
from onewindow.cases.selectors import case_by_number_and_id
from onewindow.cases.services.delivery import case_deliver
from onewindow.cases.services.processing import case_withdraw
from onewindow.cases.services.submission import EDITABLE, OPEN, material_upload
from onewindow.cases.states import TRANSITIONS, CaseStatus
from onewindow.catalog.models import DeliveryMethod
from onewindow.common.errors import DomainError, NotFound
from onewindow.portal.applicant_common import (
    DECIDED,
    DECISION_KINDS,
    IN_STEP,
    PAGE_SIZE,
    WITHDRAWABLE,
    finish,
    material_rows,
    open_return_reason,
    own_case,
    own_cases,
)
from onewindow.portal.applicant_forms import LookupForm, WithdrawForm
from onewindow.portal.selectors import case_ratings

# -------------------------------------------------------------------- my cases


def _badges(case: Case) -> list[tuple[str, str]]:
    badges: list[tuple[str, str]] = []
    if case.status == CaseStatus.DRAFT:
        badges.append(("draft", _("草稿待提交")))
    if case.status == CaseStatus.AWAITING_CORRECTION:
        badges.append(("action", _("补齐材料")))
    if getattr(case, "has_missing", False) and case.status in OPEN:
        badges.append(("action", _("容缺材料待补交")))
    if case.status == CaseStatus.RETURNED:
        badges.append(("action", _("退回补正")))
    if case.status in DECIDED and (
        getattr(case, "has_decision", False) or getattr(case, "has_result", False)
    ):
        badges.append(("result", _("结果可下载")))
    return badges


@login_required
@require_safe
def my_cases(request: HttpRequest) -> HttpResponse:
    qs = own_cases(request.user).annotate(
        has_missing=Exists(
            CaseMaterial.objects.filter(case=OuterRef("pk"), status=MaterialStatus.MISSING_ALLOWED)
        ),
        has_decision=Exists(
            Notice.objects.filter(case=OuterRef("pk"), kind__in=DECISION_KINDS).exclude(pdf="")
        ),
        has_result=Exists(Delivery.objects.filter(case=OuterRef("pk")).exclude(result_file="")),
    )
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rated = case_ratings(request.user, page.object_list)
    rows = [(c, _badges(c), c.status in IN_STEP, rated.get(c.pk)) for c in page.object_list]
    return render(request, "portal/cases/list.html", {"page": page, "rows": rows})


# ---------------------------------------------------------------------- detail


@login_required
@require_safe
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = own_case(request, number)
    materials = material_rows(case)
    transitions = list(case.transitions.select_related("step").order_by("at", "id"))
    timeline = [
        {
            "at": t.at,
            "label": TRANSITIONS[t.name].label if t.name in TRANSITIONS else t.name,
            "status": CaseStatus(t.to_status).label if t.to_status in CaseStatus else t.to_status,
            "step": t.step.name if t.step else "",
            "note": t.note,
        }
        for t in transitions
    ]
    notices = list(case.notices.exclude(pdf="").order_by("issued_at", "id"))
    delivery = Delivery.objects.filter(case=case).first()
    decision = next((n for n in reversed(notices) if n.kind in DECISION_KINDS), None)
    supplying = case.status in OPEN or case.status in EDITABLE
    missing = [m for m in materials if m.status == MaterialStatus.MISSING_ALLOWED]
    defective = [m for m in materials if m.status == MaterialStatus.DEFECTIVE]
    context = {
        "case": case,
        "show_step": case.status in IN_STEP,
        "materials": materials,
        "timeline": timeline,
        "notices": notices,
        "delivery": delivery,
        "decision": decision if case.status in DECIDED else None,
        "missing": missing,
        "defective": defective,
        "can_upload": supplying,
        "suspended": case.status == CaseStatus.SUSPENDED,
        "returned": case.status == CaseStatus.RETURNED,
        "return_reason": open_return_reason(case),
        "correcting": case.status == CaseStatus.AWAITING_CORRECTION,
        "editable": case.status in EDITABLE,
        "can_withdraw": case.status in WITHDRAWABLE,
        "can_confirm_receipt": (
            case.status == CaseStatus.CONCLUDED
            and delivery is not None
            and delivery.method == DeliveryMethod.ELECTRONIC
        ),
        "accepted": case.accepted_at is not None,
        "rating": case_ratings(request.user, [case]).get(case.pk),
        "key": uuid.uuid4().hex,
    }
    return render(request, "portal/cases/detail.html", context)


@login_required
@require_POST
def material_supply(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    """Upload one missing (容缺) or defective material from the case's page."""
    case = own_case(request, number)
    slot = case.materials.select_related("material_type").filter(pk=material_id).first()
    if slot is None:
        raise Http404(_("未找到该材料"))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(
            request, _("请选择要上传的“%(name)s”文件") % {"name": slot.material_type.name}
        )
    else:
        try:
            material_upload(actor=request.user, case=case, case_material=slot, uploaded_file=upload)
        except DomainError as exc:
            messages.error(request, f"{slot.material_type.name}：{exc.message}")
        else:
            messages.success(request, _("已上传“%(name)s”。") % {"name": slot.material_type.name})
    return redirect(reverse("portal:case_detail", args=[case.number]) + "#missing")


@login_required
@require_POST
def case_finish(request: HttpRequest, number: str) -> HttpResponse:
    """From the case's page: resubmit after a one-time notice (补齐后重新提交) or hand a
    returned case back (已补正，提交)."""
    case = own_case(request, number)
    if case.status not in (CaseStatus.AWAITING_CORRECTION, CaseStatus.RETURNED):
        messages.error(
            request,
            _("办件当前状态为“%(status)s”，无需补正。") % {"status": CaseStatus(case.status).label},
        )
        return redirect("portal:case_detail", number=case.number)
    try:
        finish(request, case, request.POST.get("key", "")[:64])
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("portal:case_detail", number=case.number)


@login_required
@require_POST
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant confirms having received the electronic result (送达)."""
    case = own_case(request, number)
    try:
        case_deliver(actor=request.user, case=case)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认收到办理结果。"))
    return redirect("portal:case_detail", number=case.number)


@login_required
@require_http_methods(["GET", "POST"])
def case_withdraw_view(request: HttpRequest, number: str) -> HttpResponse:
    """Confirm, then withdraw the application (allowed before the decision)."""
    case = own_case(request, number)
    if case.status not in WITHDRAWABLE:
        messages.error(
            request,
            _("办件当前状态为“%(status)s”，不能撤回。") % {"status": CaseStatus(case.status).label},
        )
        return redirect("portal:case_detail", number=case.number)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_withdraw(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error("reason" if "reason" in exc.fields else None, exc.message)
        else:
            messages.success(request, _("申请已撤回。"))
            return redirect("portal:case_detail", number=case.number)
    return render(request, "portal/cases/withdraw.html", {"case": case, "form": form})


# ---------------------------------------------------------------------- lookup


@require_http_methods(["GET", "POST"])
def case_lookup(request: HttpRequest) -> HttpResponse:
    """For people without an account and the hall's kiosks: the case number and the
    applicant's ID together give the status, item, step and deadlines — nothing else.
    Posted, so that ID numbers stay out of URLs and access logs."""
    form = LookupForm(request.POST or None)
    case = None
    not_found = False
    if request.method == "POST" and form.is_valid():
        try:
            case = case_by_number_and_id(
                form.cleaned_data["number"], form.cleaned_data["id_number"]
            )
        except NotFound:
            not_found = True
        # The ID number is not echoed back (the next person at a kiosk would see it).
        form = LookupForm(initial={"number": form.cleaned_data["number"]})
    context = {
        "form": form,
        "case": case,
        "not_found": not_found,
        "show_step": case is not None and case.status in IN_STEP,
    }
    return render(request, "portal/cases/lookup.html", context, status=404 if not_found else 200)
