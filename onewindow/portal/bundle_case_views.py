"""The applicant's bundle case screens (一件事一次办): apply from the merged guide with the
answers, fill ONE merged form, upload each material type once, submit; 我的一件事 and a
bundle case's page (status, the bundle's own deadline, every sub-case with its department,
status and deadlines, notices, what to do, withdrawal).

Every write goes through ``onewindow.cases.services.bundle``; reads through
``onewindow.cases.bundle_selectors``. A bundle case is 404 for anyone not on its applicant's
side (another applicant, and staff too: they work in the back office). Screens work
without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.bundles import selectors as bundles
from onewindow.bundles.models import BundleVersion
from onewindow.bundles.selectors import Guide
from onewindow.cases.bundle_selectors import BundleCaseDetail, SubCaseView, bundle_case_detail
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleDelivery,
    BundleIssue,
    Case,
    IssueResolution,
    Notice,
    NoticeKind,
)
from onewindow.cases.selectors import applicants_of
from onewindow.cases.services.bundle import bundle_case_create, bundle_case_withdraw
from onewindow.cases.services.bundle_acceptance import bundle_case_resubmit
from onewindow.cases.services.bundle_outcome import bundle_case_deliver
from onewindow.cases.services.bundle_refusal import bundle_member_drop
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import SubjectType
from onewindow.common.errors import DomainError, NotFound, ValidationFailed
from onewindow.org.models import Applicant, ApplicantKind
from onewindow.portal.bundle_case_forms import (
    ANSWER_PREFIX,
    FILE_PREFIX,
    BundleApplyForm,
    BundleWithdrawForm,
    bundle_prefill,
    fill_context,
    fill_merged,
    initial_values,
    stored_values,
    submit_errors,
    supply_slots,
    upload_each_type,
)

PAGE_SIZE = 20
B = BundleCaseStatus
OPEN_BUNDLE = frozenset({B.SUBMITTED, B.ACCEPTED, B.IN_PROGRESS, B.AWAITING_APPLICANT})
# Sub-case states that ask something of the applicant.
TO_CORRECT = frozenset({CaseStatus.AWAITING_CORRECTION, CaseStatus.RETURNED})
DECISION_KINDS = (NoticeKind.APPROVAL, NoticeKind.REFUSAL)


# ---------------------------------------------------------------------------- reads


def own_bundle_cases(user: Any) -> QuerySet[BundleCase]:
    """The bundle cases of the applicants the account represents, and those it filed."""
    return (
        BundleCase.objects.filter(
            Q(created_by=user) | Q(applicant__users=user) | Q(sub_cases__applicant__users=user)
        )
        .distinct()
        .select_related("bundle_version", "lead_department", "applicant")
    )


def _own_detail(request: HttpRequest, number: str) -> BundleCaseDetail:
    """The whole bundle case if the account is on its applicant's side; 404 otherwise
    (staff of the lead department included: their screen is the back office's)."""
    try:
        detail = bundle_case_detail(request.user, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not detail.as_applicant:
        raise Http404(_("未找到该一件事办件"))
    return detail


# ---------------------------------------------------------------------------- apply


def _applicants_for(user: Any, version: BundleVersion) -> QuerySet[Applicant]:
    applicants = applicants_of(user)
    if version.audience == SubjectType.LEGAL:
        return applicants.filter(kind=ApplicantKind.LEGAL)
    if version.audience == SubjectType.NATURAL:
        return applicants.filter(kind=ApplicantKind.NATURAL)
    return applicants


def _posted_answers(guide: Guide, post: Any) -> dict[str, str]:
    answers = {}
    for q in guide.questions:
        value = (post.get(ANSWER_PREFIX + q.question.code) or "").strip()
        if value:
            answers[q.question.code] = value
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def bundle_apply(request: HttpRequest, code: str) -> HttpResponse:
    """在线申请 from the merged guide: on whose behalf, the answers (pre-filled from the
    guide's), then one application with one draft sub-case per applicable item."""
    try:
        version = bundles.published_version(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    applicants = _applicants_for(request.user, version)
    codes = {q.code for q in version.questions.all()}
    if request.method == "POST":
        answers = _posted_answers(bundles.build_guide(version), request.POST)
    else:
        answers = {k: str(request.GET.get(k)) for k in codes if request.GET.get(k)}
    try:
        guide = bundles.build_guide(version, answers)
    except ValidationFailed:
        answers = {}
        guide = bundles.build_guide(version)
    form = BundleApplyForm(request.POST or None, applicants=applicants)
    answer_errors: dict[str, str] = {}
    error = ""
    if request.method == "POST" and form.is_valid():
        applicant = form.cleaned_data["applicant"]
        business = form.cleaned_data.get("business")
        if applicant.kind == ApplicantKind.LEGAL:
            business = None
        try:
            bundle_case = _create(request, version, guide, applicant, business, answers)
        except DomainError as exc:
            error = exc.message
            for key, value in exc.fields.items():
                name = str(key).removeprefix("answers.")
                answer_errors[name] = "；".join(value) if isinstance(value, list) else str(value)
        else:
            messages.success(
                request,
                _("已为您生成一件事申请 %(number)s，请填写一张申请表并上传材料。")
                % {"number": bundle_case.number},
            )
            return redirect("portal:bundle_case_edit", number=bundle_case.number)
    if not form.is_bound:
        first = applicants.filter(kind=ApplicantKind.NATURAL).first() or applicants.first()
        business = applicants.filter(kind=ApplicantKind.LEGAL).first()
        form = BundleApplyForm(
            initial={
                "applicant": first.pk if first else None,
                "business": business.pk if business else None,
            },
            applicants=applicants,
        )
    context = {
        "v": version,
        "g": guide,
        "form": form,
        "error": error,
        "answer_errors": answer_errors,
        "has_applicants": applicants.exists(),
        "has_business": applicants.filter(kind=ApplicantKind.LEGAL).exists(),
    }
    return render(request, "portal/bundle_case/apply.html", context, status=422 if error else 200)


def _create(
    request: HttpRequest,
    version: BundleVersion,
    guide: Guide,
    applicant: Applicant,
    business: Applicant | None,
    answers: dict[str, str],
) -> BundleCase:
    """Create the bundle case with what the platform knows pre-filled; a pre-filled value
    the merged form refuses is left for the applicant to type."""
    try:
        applicable = bundles.build_guide(version, answers, require_all=True)
    except ValidationFailed:
        applicable = guide
    data = bundle_prefill(applicable.fields, applicant, business)
    try:
        return bundle_case_create(
            actor=request.user,
            bundle_version=version,
            applicant=applicant,
            business=business,
            answers=answers,
            form_data=data,
        )
    except ValidationFailed as exc:
        if exc.code != "form_invalid":
            raise
        data = {k: v for k, v in data.items() if k not in exc.fields}
        return bundle_case_create(
            actor=request.user,
            bundle_version=version,
            applicant=applicant,
            business=business,
            answers=answers,
            form_data=data,
        )


# ---------------------------------------------------------------------------- fill in


@login_required
@require_http_methods(["GET", "POST"])
def bundle_case_edit(request: HttpRequest, number: str) -> HttpResponse:
    """一表申请: the one merged form and one upload per material type; save or submit
    (the flow is shared with the window's page: ``bundle_case_forms.fill_merged``)."""
    detail = _own_detail(request, number)
    bundle_case = detail.bundle_case
    if bundle_case.status != B.DRAFT:
        messages.info(
            request,
            _("一件事办件当前状态为“%(status)s”，不能修改申请。")
            % {"status": bundle_case.get_status_display()},
        )
        return redirect("portal:bundle_case_detail", number=number)
    subs = [v.case for v in detail.sub_cases]
    template = "portal/bundle_case/edit.html"
    if request.method == "GET":
        ctx = fill_context(
            bundle_case, subs, values=initial_values(subs), field_errors={}, slot_errors={}
        )
        return render(request, template, {**ctx, "detail": detail})
    result = fill_merged(
        request.user,
        bundle_case,
        request.POST,
        request.FILES,
        submitting=request.POST.get("action") == "submit",
    )
    if result.saved:
        messages.success(request, _("已保存。"))
        return redirect("portal:bundle_case_edit", number=number)
    if result.submitted:
        messages.success(
            request,
            _("一件事申请已提交，编号 %(number)s。请等待窗口统一受理，") % {"number": number}
            + _("结果将通过站内消息和短信通知您。"),
        )
        return redirect("portal:bundle_case_detail", number=number)
    detail = _own_detail(request, number)
    subs = [v.case for v in detail.sub_cases]
    values = {**stored_values(subs), **result.data}  # typed text wins
    ctx = fill_context(
        bundle_case,
        subs,
        values=values,
        field_errors=result.field_errors,
        slot_errors=result.slot_errors,
        error=result.error,
    )
    return render(request, template, {**ctx, "detail": detail}, status=422)


# ---------------------------------------------------------------------------- my bundles


@login_required
@require_safe
def my_bundle_cases(request: HttpRequest) -> HttpResponse:
    qs = own_bundle_cases(request.user).order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/bundle_case/list.html", {"page": page})


@dataclass(frozen=True)
class SubCaseRow:
    view: SubCaseView
    notices: list[Notice]
    todo: str

    @property
    def case(self) -> Case:
        return self.view.case

    @property
    def decision(self) -> Notice | None:
        return next((n for n in reversed(self.notices) if n.kind in DECISION_KINDS), None)


def _todo(case: Case) -> str:
    """What a sub-case asks of the applicant on its own page: a case returned during
    review (补正). Missing (容缺) and one-time-notice materials are supplied once for the
    whole bundle on the bundle's page (``bundle_case_supply``)."""
    if case.status == CaseStatus.RETURNED:
        return _("退回补正")
    return ""


def _general_problems(cases: list[Case]) -> list[str]:
    """The one-time notices' reasons not tied to a material (e.g. the form)."""
    reasons: list[str] = []
    notices = Notice.objects.filter(case__in=cases, kind=NoticeKind.ONE_TIME).order_by("-id")
    latest: dict[int, Notice] = {}
    for n in notices:
        latest.setdefault(n.case_id, n)
    for n in latest.values():
        for p in (n.content or {}).get("problems", []):
            reason = str(p.get("reason") or "")
            if p.get("material_id") is None and reason and reason not in reasons:
                reasons.append(reason)
    return reasons


def _detail_context(detail: BundleCaseDetail, slot_errors: dict[str, str]) -> dict[str, Any]:
    bundle_case = detail.bundle_case
    subs = [v.case for v in detail.sub_cases]
    notices = {c.pk: list(c.notices.exclude(pdf="").order_by("issued_at", "id")) for c in subs}
    rows = [SubCaseRow(v, notices[v.case.pk], _todo(v.case)) for v in detail.sub_cases]
    issues = list(
        BundleIssue.objects.filter(bundle_case=bundle_case)
        .select_related("case__item_version", "case__department")
        .order_by("raised_at", "id")
    )
    inspections = list(
        bundle_case.inspections.prefetch_related("departments").order_by("scheduled_at", "id")
    )
    outcome = BundleDelivery.objects.filter(bundle_case=bundle_case).first()
    outcome_cases = list(outcome.cases.select_related("item_version")) if outcome else []
    # An optional item refused or stalled: 放弃该事项，其余继续 (bundle_member_drop).
    droppable = [i for i in issues if i.resolution == IssueResolution.OPEN and not i.essential]
    choosing = {i.case_id for i in droppable}
    correcting = [c for c in subs if c.status == CaseStatus.AWAITING_CORRECTION]
    supply = supply_slots(bundle_case) if bundle_case.status in OPEN_BUNDLE else []
    for slot in supply:
        slot.error = slot_errors.get(slot.code, "")
    in_outcome = {c.pk for c in outcome_cases}
    return {
        "bc": bundle_case,
        "detail": detail,
        "rows": rows,
        "droppable": droppable,
        "issues": issues,
        "inspections": inspections,
        "outcome": outcome,
        "outcome_cases": outcome_cases,
        # 先行出件: results delivered ahead of the one output.
        "early": [
            r for r in rows if r.case.status == CaseStatus.DELIVERED and r.case.pk not in in_outcome
        ],
        "todo": [r for r in rows if r.todo],
        "supply": supply,
        "correcting": correcting,
        "general_problems": _general_problems(correcting),
        "file_prefix": FILE_PREFIX,
        "refused": [
            r
            for r in rows
            if r.case.pk not in choosing
            and r.case.status in (CaseStatus.REFUSED, CaseStatus.CONCLUDED)
            and r.decision is not None
            and r.decision.kind == NoticeKind.REFUSAL
        ],
        "can_withdraw": bundle_case.status in OPEN_BUNDLE | {B.DRAFT},
    }


@login_required
@require_safe
def bundle_case_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    detail = _own_detail(request, number)
    return render(request, "portal/bundle_case/detail.html", _detail_context(detail, {}))


@login_required
@require_POST
def bundle_case_supply(request: HttpRequest, number: str) -> HttpResponse:
    """补交材料 for the whole bundle: one file per material type asked again by the
    one-time notice or accepted missing (容缺), copied to every sub-case asking it; with
    ``action=resubmit`` then 补齐后重新提交 (``bundle_case_resubmit``, all or none)."""
    detail = _own_detail(request, number)
    bundle_case = detail.bundle_case
    slots = supply_slots(bundle_case)
    errors = upload_each_type(request.user, bundle_case, request.FILES, slots)
    resubmit = request.POST.get("action") == "resubmit"
    error = ""
    if not errors and resubmit:
        try:
            bundle_case_resubmit(actor=request.user, bundle_case=bundle_case)
        except ValidationFailed as exc:
            submit_errors(exc, {}, errors)
            error = exc.message
        except DomainError as exc:
            error = exc.message
    elif not errors and not request.FILES:
        error = _("请选择要上传的文件")
    if errors or error:
        fresh = _own_detail(request, number)
        ctx = _detail_context(fresh, errors)
        ctx["supply_error"] = error or _("有%(n)d份材料未能上传，请查看标红的内容。") % {
            "n": len(errors)
        }
        return render(request, "portal/bundle_case/detail.html", ctx, status=422)
    if resubmit:
        messages.success(request, _("已补齐材料并重新提交，请等待窗口统一受理。"))
    else:
        messages.success(request, _("材料已上传，自动提供给需要它的每个事项。"))
    return redirect(reverse("portal:bundle_case_detail", args=[number]) + "#supply")


@login_required
@require_http_methods(["GET", "POST"])
def bundle_case_withdraw_view(request: HttpRequest, number: str) -> HttpResponse:
    """Confirm, then withdraw the whole bundle (every sub-case not yet decided)."""
    detail = _own_detail(request, number)
    bundle_case = detail.bundle_case
    if bundle_case.status not in OPEN_BUNDLE | {B.DRAFT}:
        messages.error(
            request,
            _("一件事办件当前状态为“%(status)s”，不能撤回。")
            % {"status": bundle_case.get_status_display()},
        )
        return redirect("portal:bundle_case_detail", number=number)
    form = BundleWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bundle_case_withdraw(
                actor=request.user, bundle_case=bundle_case, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("一件事申请已撤回，各事项同时撤回。"))
            return redirect("portal:bundle_case_detail", number=number)
    return render(request, "portal/bundle_case/withdraw.html", {"bc": bundle_case, "form": form})


@login_required
@require_POST
def bundle_member_drop_view(request: HttpRequest, number: str, case_number: str) -> HttpResponse:
    """放弃该事项，其余继续: the applicant drops an optional item that was refused or stalls."""
    detail = _own_detail(request, number)
    sub = next((v.case for v in detail.sub_cases if v.case.number == case_number), None)
    if sub is None:
        raise Http404(_("该办件不属于本一件事"))
    try:
        bundle_member_drop(
            actor=request.user,
            bundle_case=detail.bundle_case,
            case=sub,
            reason=request.POST.get("reason", "")[:500],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已放弃“%(item)s”，其余事项继续办理。") % {"item": sub.item_version.name},
        )
    return redirect("portal:bundle_case_detail", number=number)


@login_required
@require_POST
def bundle_case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant confirms having downloaded the electronic results (统一送达)."""
    detail = _own_detail(request, number)
    try:
        bundle_case_deliver(actor=request.user, bundle_case=detail.bundle_case)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认收到全部办理结果。"))
    return redirect("portal:bundle_case_detail", number=number)
