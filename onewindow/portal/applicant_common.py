"""What the applicant's screens share: the account's own case (404 for anything else),
its material rows, the states that decide what a page offers, and finishing an application
(submit, resubmit after a one-time notice, hand a returned case back).

The screens are split by topic: ``applicant_apply_views`` (apply, fill in and submit),
``applicant_case_views`` (my cases, a case's page and what it offers, the anonymous
lookup), ``applicant_download_views`` (notices, materials, the result) and
``applicant_message_views`` (in-app messages). Every write goes through the cases services
(``onewindow.cases.services``); every read of a case goes through ``own_case``, which
answers 404 for anything that is not the account's own case (never 403: numbers cannot be
probed). Screens work without JavaScript; errors are the services' Chinese messages, shown
next to their field or slot.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from onewindow.cases.models import Case, CaseMaterial, NoticeKind, Suspension
from onewindow.cases.selectors import case_for
from onewindow.cases.services.processing import case_correction_supplied
from onewindow.cases.services.submission import case_resubmit, case_submit
from onewindow.cases.states import TRANSITIONS, CaseStatus
from onewindow.cases.workflow import is_own_case
from onewindow.common.errors import NotFound

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


def own_case(request: HttpRequest, number: str) -> Case:
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


def material_rows(case: Case) -> list[CaseMaterial]:
    return list(
        case.materials.select_related("item_material", "material_type").order_by(
            "item_material__order", "id"
        )
    )


def open_return_reason(case: Case) -> str:
    if case.status != CaseStatus.RETURNED:
        return ""
    s = Suspension.objects.filter(case=case, resumed_at__isnull=True).first()
    return s.reason if s else ""


def finish(request: HttpRequest, case: Case, key: str) -> Case:
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
