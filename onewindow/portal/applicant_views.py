"""The applicant's screens of the online hall: apply, fill and submit, my cases, a case's
detail (notices, what is missing, result, delivery, withdrawal), the anonymous lookup and
the in-app messages.

Every write goes through the cases services (``onewindow.cases.services``); every read of
a case goes through ``_own_case``, which answers 404 for anything that is not the
account's own case (never 403: numbers cannot be probed). Screens work without
JavaScript; errors are the services' Chinese messages, shown next to their field or slot.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.cases.formdata import validate_form
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    Delivery,
    MaterialStatus,
    Notice,
    NoticeKind,
    Suspension,
)
from onewindow.cases.notices import notice_pdf_for
from onewindow.cases.selectors import applicants_of, case_by_number_and_id, case_for
from onewindow.cases.services.delivery import case_deliver
from onewindow.cases.services.processing import case_correction_supplied, case_withdraw
from onewindow.cases.services.submission import (
    EDITABLE,
    OPEN,
    case_create_draft,
    case_resubmit,
    case_submit,
    case_update_draft,
    material_upload,
)
from onewindow.cases.states import TRANSITIONS, CaseStatus
from onewindow.cases.workflow import is_own_case
from onewindow.catalog import selectors as catalog
from onewindow.catalog.models import DeliveryMethod, OnlineLevel, SubjectType
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.notify.models import Notification
from onewindow.notify.services import inbox_for, mark_read, unread_for
from onewindow.org.models import ApplicantKind
from onewindow.portal.applicant_forms import (
    DELIVERY_KEY,
    ApplyForm,
    LookupForm,
    WithdrawForm,
    collect_form_data,
    delivery_options,
    delivery_values,
    field_specs,
    prefill,
    split_valid,
)

PAGE_SIZE = 20
DECIDED = frozenset(
    {CaseStatus.APPROVED, CaseStatus.REFUSED, CaseStatus.CONCLUDED, CaseStatus.DELIVERED}
)
DECISION_KINDS = (NoticeKind.APPROVAL, NoticeKind.REFUSAL)
WITHDRAWABLE = TRANSITIONS["withdraw"].sources
# States in which a step is being worked on (after acceptance, before the decision).
IN_STEP = frozenset(
    {CaseStatus.IN_REVIEW, CaseStatus.IN_DECISION, CaseStatus.SUSPENDED, CaseStatus.RETURNED}
)


# ---------------------------------------------------------------------------- helpers


def _own_case(request: HttpRequest, number: str) -> Case:
    """The account's own case ``number`` (its applicant's, or filed by the account);
    anything else — someone else's, another department's, unknown — is 404."""
    try:
        case = case_for(request.user, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not is_own_case(request.user, case):
        raise Http404(_("未找到该办件"))
    return case


def own_cases(user: Any) -> QuerySet[Case]:
    """The cases of the applicants the account represents, and those it filed."""
    return (
        Case.objects.filter(Q(applicant__users=user) | Q(created_by=user))
        .distinct()
        .select_related("item_version", "applicant", "current_step", "department")
    )


def _material_rows(case: Case) -> list[CaseMaterial]:
    return list(
        case.materials.select_related("item_material", "material_type").order_by(
            "item_material__order", "id"
        )
    )


def _files(request: HttpRequest) -> dict[int, Any]:
    files: dict[int, Any] = {}
    for name, upload in request.FILES.items():
        if name.startswith("file_") and name[5:].isdigit():
            files[int(name[5:])] = upload
    return files


def _upload_all(request: HttpRequest, case: Case, materials: list[CaseMaterial]) -> dict[int, str]:
    """Store every file chosen on the page, one slot at a time; the error of each refused
    file (in Chinese) by slot."""
    errors: dict[int, str] = {}
    by_id = {m.pk: m for m in materials}
    for pk, upload in _files(request).items():
        slot = by_id.get(pk)
        if slot is None:
            continue
        try:
            material_upload(actor=request.user, case=case, case_material=slot, uploaded_file=upload)
        except DomainError as exc:
            errors[pk] = exc.message
    return errors


# ---------------------------------------------------------------------------- apply


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Choose on whose behalf to apply; create the draft and go to its form."""
    try:
        version = catalog.item_guide(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if version.online_level == OnlineLevel.OFFLINE:
        messages.error(
            request, _("“%(item)s”暂不支持网上办理，请到窗口申请。") % {"item": version.name}
        )
        return redirect("portal:guide", code=code)
    applicants = applicants_of(request.user)
    if version.subject_type == SubjectType.LEGAL:
        applicants = applicants.filter(kind=ApplicantKind.LEGAL)
    elif version.subject_type == SubjectType.NATURAL:
        applicants = applicants.filter(kind=ApplicantKind.NATURAL)
    form = ApplyForm(request.POST or None, applicants=applicants)
    if request.method == "POST" and form.is_valid():
        applicant = form.cleaned_data["applicant"]
        try:
            case = case_create_draft(
                actor=request.user,
                version=version,
                applicant=applicant,
                channel="online",
                form_data=prefill(version, applicant),
                idempotency_key=form.cleaned_data.get("key") or "",
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("portal:case_edit", number=case.number)
    if not form.is_bound:
        first = applicants.first()
        form = ApplyForm(
            initial={"key": uuid.uuid4().hex, "applicant": first.pk if first else None},
            applicants=applicants,
        )
    context = {
        "v": version,
        "form": form,
        "has_applicants": applicants.exists(),
        "legal_only": version.subject_type == SubjectType.LEGAL,
    }
    return render(request, "portal/apply/choose.html", context)


# ---------------------------------------------------------------------------- fill in


def _edit_context(
    case: Case,
    *,
    values: dict[str, Any],
    field_errors: dict[str, str],
    slot_errors: dict[int, str],
    key: str,
    error: str = "",
) -> dict[str, Any]:
    version = case.item_version
    materials = _material_rows(case)
    for m in materials:
        m.error = slot_errors.get(m.pk, "")  # type: ignore[attr-defined]
    fields = field_specs(version, values, field_errors)
    delivery = delivery_values(values.get(DELIVERY_KEY))
    summary = [(f"f-{f.code}", f.label, f.error) for f in fields if f.error]
    if field_errors.get(DELIVERY_KEY):
        summary.append(("f-delivery", _("送达方式"), field_errors[DELIVERY_KEY]))
    summary += [(f"m-{m.pk}", m.material_type.name, m.error) for m in materials if m.error]  # type: ignore[attr-defined]
    return {
        "case": case,
        "v": version,
        "fields": fields,
        "materials": materials,
        "delivery": delivery,
        "delivery_options": delivery_options(version),
        "delivery_error": field_errors.get(DELIVERY_KEY, ""),
        "express": DeliveryMethod.EXPRESS,
        "summary": summary,
        "error": error,
        "key": key,
        "correcting": case.status == CaseStatus.AWAITING_CORRECTION,
        "returned": case.status == CaseStatus.RETURNED,
        "return_reason": _open_return_reason(case),
    }


def _open_return_reason(case: Case) -> str:
    if case.status != CaseStatus.RETURNED:
        return ""
    s = Suspension.objects.filter(case=case, resumed_at__isnull=True).first()
    return s.reason if s else ""


def _stored_values(case: Case) -> dict[str, Any]:
    values = dict(case.form_data or {})
    if DELIVERY_KEY not in values and case.item_version.delivery_methods:
        values[DELIVERY_KEY] = case.item_version.delivery_methods[0]
    return values


def _finish(request: HttpRequest, case: Case, key: str) -> Case:
    """Submit a draft, resubmit after a one-time notice, or hand a returned case back."""
    if case.status == CaseStatus.DRAFT:
        case = case_submit(actor=request.user, case=case, idempotency_key=key)
        messages.success(
            request,
            _("申请已提交，办件编号 %(number)s。受理结果将通过站内消息和短信通知您。")
            % {"number": case.number},
        )
    elif case.status == CaseStatus.AWAITING_CORRECTION:
        case = case_resubmit(actor=request.user, case=case, idempotency_key=key)
        messages.success(request, _("材料已补齐并重新提交，请等待受理。"))
    else:
        case = case_correction_supplied(actor=request.user, case=case)
        messages.success(request, _("补正材料已提交，办理时限恢复计算。"))
    return case


def _all_problems(case: Case, field_errors: dict[str, str], slot_errors: dict[int, str]) -> None:
    """Submitting failed on the page's own checks: add what submission would also refuse
    (empty required fields, missing core or defective materials), so that the applicant
    sees every problem at once."""
    try:
        validate_form(case.item_version, case.form_data)
    except ValidationFailed as exc:
        for k, v in exc.fields.items():
            field_errors.setdefault(str(k), str(v))
    for m in _material_rows(case):
        im = m.item_material
        name = m.material_type.name
        if m.status == MaterialStatus.DEFECTIVE:
            slot_errors.setdefault(m.pk, _("“%(name)s”需补正后重新上传") % {"name": name})
        elif im.required and im.core and m.status == MaterialStatus.PENDING:
            slot_errors.setdefault(m.pk, _("请上传“%(name)s”") % {"name": name})


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, number: str) -> HttpResponse:
    """The application form and material slots: save a draft, submit; also the correction
    after a one-time notice or a return for correction."""
    case = _own_case(request, number)
    if case.status not in EDITABLE:
        messages.info(
            request,
            _("办件当前状态为“%(status)s”，不能修改申请。")
            % {"status": CaseStatus(case.status).label},
        )
        return redirect("portal:case_detail", number=case.number)
    if request.method == "GET":
        context = _edit_context(
            case,
            values=_stored_values(case),
            field_errors={},
            slot_errors={},
            key=uuid.uuid4().hex,
        )
        return render(request, "portal/apply/edit.html", context)

    version = case.item_version
    key = request.POST.get("key", "")[:64]
    data = collect_form_data(version, request.POST)
    valid, field_errors = split_valid(version, data)
    error = ""
    try:
        case = case_update_draft(actor=request.user, case=case, form_data=valid)
    except DomainError as exc:
        error = exc.message
        field_errors.update({str(k): str(v) for k, v in exc.fields.items()})
    slot_errors = _upload_all(request, case, _material_rows(case))
    if not error and not field_errors and not slot_errors:
        if request.POST.get("action") == "submit":
            try:
                case = _finish(request, case, key)
            except ValidationFailed as exc:
                error = exc.message
                for k, v in exc.fields.items():
                    name = str(k)
                    if name.startswith("materials.") and name[10:].isdigit():
                        slot_errors[int(name[10:])] = str(v)
                    else:
                        field_errors[name] = str(v)
            except DomainError as exc:
                error = exc.message
            else:
                return redirect("portal:case_detail", number=case.number)
        else:
            messages.success(request, _("已保存。"))
            return redirect("portal:case_edit", number=case.number)
    if request.POST.get("action") == "submit" and (field_errors or slot_errors):
        _all_problems(case, field_errors, slot_errors)
    if not error:
        error = _("有%(n)d处需要修改，请查看标红的内容。") % {
            "n": len(field_errors) + len(slot_errors)
        }
    values = {**_stored_values(case), **data}  # what was typed wins
    context = _edit_context(
        case,
        values=values,
        field_errors=field_errors,
        slot_errors=slot_errors,
        key=key,
        error=error,
    )
    return render(request, "portal/apply/edit.html", context, status=422)


# ---------------------------------------------------------------------------- my cases


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
    rows = [(c, _badges(c), c.status in IN_STEP) for c in page.object_list]
    return render(request, "portal/cases/list.html", {"page": page, "rows": rows})


# ---------------------------------------------------------------------------- detail


@login_required
@require_safe
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _own_case(request, number)
    materials = _material_rows(case)
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
        "return_reason": _open_return_reason(case),
        "correcting": case.status == CaseStatus.AWAITING_CORRECTION,
        "editable": case.status in EDITABLE,
        "can_withdraw": case.status in WITHDRAWABLE,
        "can_confirm_receipt": (
            case.status == CaseStatus.CONCLUDED
            and delivery is not None
            and delivery.method == DeliveryMethod.ELECTRONIC
        ),
        "accepted": case.accepted_at is not None,
        "key": uuid.uuid4().hex,
    }
    return render(request, "portal/cases/detail.html", context)


@login_required
@require_POST
def material_supply(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    """Upload one missing (容缺) or defective material from the case's page."""
    case = _own_case(request, number)
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
    case = _own_case(request, number)
    if case.status not in (CaseStatus.AWAITING_CORRECTION, CaseStatus.RETURNED):
        messages.error(
            request,
            _("办件当前状态为“%(status)s”，无需补正。") % {"status": CaseStatus(case.status).label},
        )
        return redirect("portal:case_detail", number=case.number)
    try:
        _finish(request, case, request.POST.get("key", "")[:64])
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("portal:case_detail", number=case.number)


@login_required
@require_POST
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant confirms having received the electronic result (送达)."""
    case = _own_case(request, number)
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
    case = _own_case(request, number)
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


# ---------------------------------------------------------------------------- downloads


def _attachment(field: Any, filename: str, content_type: str) -> FileResponse:
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在")) from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@login_required
@require_safe
def notice_pdf(request: HttpRequest, number: str, notice_id: int) -> FileResponse:
    case = _own_case(request, number)
    try:
        notice = notice_pdf_for(request.user, case.number, notice_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    filename = f"{notice.get_kind_display()}-{case.number}.pdf"
    return _attachment(notice.pdf, filename, "application/pdf")


@login_required
@require_safe
def material_file(request: HttpRequest, number: str, material_id: int) -> FileResponse:
    """The applicant's own uploaded file of one material slot."""
    case = _own_case(request, number)
    slot = case.materials.select_related("material_type").filter(pk=material_id).first()
    if slot is None or not slot.file:
        raise Http404(_("未找到该材料"))
    ext = str(slot.file.name).rsplit(".", 1)[-1]
    filename = f"{slot.material_type.name}-{case.number}.{ext}"
    return _attachment(slot.file, filename, slot.content_type or "application/octet-stream")


@login_required
@require_safe
def result_file(request: HttpRequest, number: str) -> FileResponse:
    """The result of electronic delivery (电子送达), else the decision itself."""
    case = _own_case(request, number)
    if case.status not in DECIDED:
        raise Http404(_("办理结果尚未出具"))
    delivery = Delivery.objects.filter(case=case).exclude(result_file="").first()
    if delivery is not None:
        return _attachment(delivery.result_file, f"办理结果-{case.number}.pdf", "application/pdf")
    decision = (
        case.notices.filter(kind__in=DECISION_KINDS).exclude(pdf="").order_by("-issued_at").first()
    )
    if decision is None:
        raise Http404(_("办理结果尚未出具"))
    filename = f"{decision.get_kind_display()}-{case.number}.pdf"
    return _attachment(decision.pdf, filename, "application/pdf")


# ---------------------------------------------------------------------------- lookup


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


# ---------------------------------------------------------------------------- messages


@login_required
@require_safe
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, (n.context or {}).get("number", "")) for n in page.object_list]
    context = {"page": page, "rows": rows, "unread": unread_for(request.user).count()}
    return render(request, "portal/cases/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    row = Notification.objects.filter(pk=notification_id, recipient_id=request.user.pk).first()
    if row is None:
        raise Http404(_("未找到该消息"))
    try:
        mark_read(actor=request.user, notification=row)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return redirect("portal:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    for row in list(unread_for(request.user)[:500]):
        mark_read(actor=request.user, notification=row)
    messages.success(request, _("已全部标为已读。"))
    return redirect("portal:notifications")
