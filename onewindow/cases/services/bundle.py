"""Running a bundle case (一件事一次办, docs/bundles.md "Bundle cases").

One application for a bundle fans out into one real sub-case (``Case``) per applicable
member, each created, submitted, accepted and withdrawn through the ordinary case services
(so everything of the cases issue holds for them: notices, deadlines, tasks, audit). Every
bundle action is one transaction: all sub-cases or none.

The bundle's status follows its sub-cases: ``follow_sub_case`` runs on every sub-case
transition (connected to django-fsm's ``post_transition`` in ``onewindow.cases.models``),
under the bundle case's row lock, so two departments concluding the last two sub-cases at
the same time still leave the bundle ``concluded``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.cases.deadlines import end_of_day
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    Case,
    CaseMaterial,
    MaterialStatus,
)
from onewindow.cases.notices import chinese_date
from onewindow.cases.services.acceptance import (
    case_accept,
    case_accept_instant,
    may_decide_on_the_spot,
)
from onewindow.cases.services.bundle_filing import bundle_case_create as bundle_case_create
from onewindow.cases.services.bundle_filing import split_form
from onewindow.cases.services.bundle_messages import one_message, tell_bundle_applicant
from onewindow.cases.services.bundle_status import (
    DROPPED,
    derive_status,
)
from onewindow.cases.services.processing import case_withdraw
from onewindow.cases.services.submission import (
    case_submit,
    material_upload,
)
from onewindow.cases.states import CLOCK_RUNNING, PRE_ACCEPTANCE, CaseStatus
from onewindow.cases.uploads import inspect_upload
from onewindow.common import clock
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.org.models import Applicant
from onewindow.workdays.selectors import get_calendar

B = BundleCaseStatus
S = CaseStatus
# Every channel: online / kiosk by the applicant, window / assisted / proxy by a clerk.
WITHDRAWABLE = PRE_ACCEPTANCE | CLOCK_RUNNING | frozenset({S.DRAFT, S.SUSPENDED, S.RETURNED})


def _authenticated(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录"), code="login_required")


def _not_found() -> NotFound:
    return NotFound(_("未找到该一件事办件"), code="bundle_case_not_found")


def _locked(bundle_case: BundleCase) -> BundleCase:
    return BundleCase.objects.select_for_update().get(pk=bundle_case.pk)


def sub_cases_of(bundle_case: BundleCase) -> list[Case]:
    return list(
        bundle_case.sub_cases.select_related(
            "item_version", "department", "applicant", "current_step"
        ).order_by("id")
    )


def is_bundle_applicant(actor: Any, bundle_case: BundleCase) -> bool:
    """The applicant's side: the account that filed it or one linked to an applicant of
    the bundle case or of any of its sub-cases."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if bundle_case.created_by_id == actor.pk:
        return True
    applicants = {bundle_case.applicant_id}
    applicants |= set(bundle_case.sub_cases.values_list("applicant_id", flat=True))
    links = Applicant.users.through.objects
    return links.filter(applicant_id__in=applicants, user_id=actor.pk).exists()


def bundle_case_update_form(
    *, actor: Any, bundle_case: BundleCase, form_data: dict[str, Any], now: datetime | None = None
) -> BundleCase:
    """Save merged-form values on every draft sub-case that has the field (partial)."""
    from onewindow.cases.services.submission import case_update_draft

    _authenticated(actor)
    now = now or clock.now()
    if not is_bundle_applicant(actor, bundle_case):
        raise _not_found()
    subs = [c for c in sub_cases_of(bundle_case) if c.status == S.DRAFT]
    parts, errors = split_form([c.item_version for c in subs], form_data or {})
    if errors:
        raise ValidationFailed(
            _("申请表有%(n)d处需要修改") % {"n": len(errors)}, code="form_invalid", fields=errors
        )
    with transaction.atomic():
        _locked(bundle_case)
        for case, part in zip(subs, parts, strict=True):
            if part:
                case_update_draft(actor=actor, case=case, form_data=part, now=now)
    return bundle_case


# ---------------------------------------------------------------------------- materials


def bundle_material_upload(
    *,
    actor: Any,
    bundle_case: BundleCase,
    material_type_code: str,
    uploaded_file: Any,
    now: datetime | None = None,
) -> list[CaseMaterial]:
    """Upload one material once for the whole bundle: the file is checked once and a copy
    stored in every sub-case slot of that material type (each sub-case owns its copy, so a
    department may mark its copy defective and only that one is replaced). Slots obtained
    by the centre (数据跑腿) are left alone. All slots or none."""
    _authenticated(actor)
    now = now or clock.now()
    if not is_bundle_applicant(actor, bundle_case):
        raise _not_found()
    inspect_upload(uploaded_file)  # refuse a bad file before anything is written
    slots = list(
        CaseMaterial.objects.filter(
            case__bundle_case=bundle_case, material_type__code=material_type_code
        )
        .exclude(status=MaterialStatus.OBTAINED)
        .select_related("case", "material_type")
        .order_by("case_id", "id")
    )
    if not slots:
        raise NotFound(
            _("本一件事不需要上传该材料"),
            code="material_not_found",
            fields={"material_type": material_type_code},
        )
    stored: list[CaseMaterial] = []
    with transaction.atomic():
        _locked(bundle_case)
        for slot in slots:
            if hasattr(uploaded_file, "seek"):
                uploaded_file.seek(0)
            stored.append(
                material_upload(
                    actor=actor,
                    case=slot.case,
                    case_material=slot,
                    uploaded_file=uploaded_file,
                    now=now,
                )
            )
        record(
            action="bundle_case.material_uploaded",
            actor=actor,
            obj=bundle_case,
            at=now,
            summary=f"{bundle_case.number} {slots[0].material_type.name}",
            payload={
                "material_type": material_type_code,
                "sub_cases": [s.case.number for s in slots],
                "sha256": stored[0].sha256,
            },
        )
    return stored


# ---------------------------------------------------------------------------- submit


def bundle_case_submit(
    *, actor: Any, bundle_case: BundleCase, now: datetime | None = None
) -> BundleCase:
    """Submit every sub-case, all or nothing: one sub-case refused (an invalid field, a
    missing core material) and none is submitted."""
    _authenticated(actor)
    now = now or clock.now()
    if not is_bundle_applicant(actor, bundle_case):
        raise _not_found()
    with transaction.atomic():
        fresh = _locked(bundle_case)
        if fresh.status != B.DRAFT:
            raise Conflict(
                _("一件事办件当前状态为“%(status)s”，不能提交") % {"status": B(fresh.status).label},
                code="illegal_transition",
                fields={"status": fresh.status, "transition": "submit"},
            )
        subs = sub_cases_of(fresh)
        with one_message(fresh):
            for case in subs:
                case_submit(actor=actor, case=case, now=now)
        tell_bundle_applicant(fresh, "bundle_case.submitted", now=now, count=len(subs))
        fresh.refresh_from_db(fields=["status"])
        fresh.status = B.SUBMITTED
        fresh.submitted_at = now
        fresh.save(update_fields=["status", "submitted_at"])
        record(
            action="bundle_case.submitted",
            actor=actor,
            obj=fresh,
            at=now,
            summary=fresh.number,
            payload={"sub_cases": [c.number for c in subs]},
        )
    _copy(fresh, bundle_case)
    return bundle_case


def _copy(fresh: BundleCase, stale: BundleCase) -> None:
    for f in BundleCase._meta.concrete_fields:
        setattr(stale, f.attname, getattr(fresh, f.attname))


# ---------------------------------------------------------------------------- accept


def bundle_due_at(accepted_at: datetime, promised_limit: int) -> datetime:
    """The bundle's own promised deadline: ``promised_limit`` working days after
    acceptance (0: the day of acceptance), the end of that day."""
    if promised_limit == 0:
        return end_of_day(timezone.localtime(accepted_at).date())
    result = get_calendar().deadline_days(accepted_at, promised_limit, [])
    if result.due_date is None:
        raise ValidationFailed(_("工作日历尚未覆盖该期限，请联系管理员"), code="calendar_missing")
    return end_of_day(result.due_date)


def bundle_case_accept(
    *, actor: Any, bundle_case: BundleCase, now: datetime | None = None
) -> BundleCase:
    """一窗受理: accept every sub-case at one window (each keeps its own legal and promised
    deadline and goes to its department's inbox through its first step; an on-the-spot
    item (即办件) is decided at once when the officer holds the decision authority, else it
    waits in decision for its department) and start the bundle's own promised deadline.
    All sub-cases or none; ONE message to the applicant."""
    return accept_sub_cases(actor=actor, bundle_case=bundle_case, missing={}, now=now)


def accept_sub_cases(
    *,
    actor: Any,
    bundle_case: BundleCase,
    missing: dict[int, list[tuple[CaseMaterial, Any]]],
    now: datetime | None,
) -> BundleCase:
    """The one acceptance; ``missing``: per sub-case id, the 容缺 materials and their due
    dates (those sub-cases are accepted with ``case_accept_with_missing``)."""
    from onewindow.cases.services.acceptance import _service_point_of, case_accept_with_missing

    _authenticated(actor)
    now = now or clock.now()
    with transaction.atomic():
        fresh = _locked(bundle_case)
        if fresh.status != B.SUBMITTED:
            raise Conflict(
                _("一件事办件当前状态为“%(status)s”，不能受理") % {"status": B(fresh.status).label},
                code="illegal_transition",
                fields={"status": fresh.status, "transition": "accept"},
            )
        subs = [c for c in sub_cases_of(fresh) if c.status not in DROPPED]
        with one_message(fresh):
            for case in subs:
                if case.pk in missing:
                    case_accept_with_missing(
                        actor=actor, case=case, missing=missing[case.pk], now=now
                    )
                elif case.item_version.is_instant and may_decide_on_the_spot(actor, case, at=now):
                    case_accept_instant(actor=actor, case=case, now=now)  # 即办件: decided now
                else:
                    case_accept(actor=actor, case=case, now=now)
        fresh.refresh_from_db(fields=["status"])
        limit = fresh.bundle_version.promised_limit
        fresh.status = derive_status(
            [c.status for c in subs], B.ACCEPTED, progressed=False, awaiting=False
        )
        fresh.accepted_at = now
        fresh.accepted_by = actor
        fresh.promised_limit = limit
        fresh.promised_due_at = bundle_due_at(now, limit)
        fields = ["status", "accepted_at", "accepted_by", "promised_limit", "promised_due_at"]
        if fresh.service_point_id is None:
            fresh.service_point = _service_point_of(actor)
            fields.append("service_point")
        fresh.save(update_fields=fields)
        record(
            action="bundle_case.accepted",
            actor=actor,
            obj=fresh,
            at=now,
            summary=fresh.number,
            payload={
                "sub_cases": [c.number for c in subs],
                "promised_limit": limit,
                "promised_due_at": fresh.promised_due_at.isoformat(),
                "missing": {
                    str(pk): [m.material_type.code for m, _d in rows]
                    for pk, rows in missing.items()
                },
            },
        )
        due = chinese_date(fresh.promised_due_at)
        if missing:
            names = sorted({m.material_type.name for rows in missing.values() for m, _d in rows})
            tell_bundle_applicant(
                fresh,
                "bundle_case.accepted_missing",
                now=now,
                materials="、".join(names),
                promised_due=due,
            )
        else:
            tell_bundle_applicant(
                fresh,
                "bundle_case.accepted",
                now=now,
                count=len(subs),
                accepted_on=chinese_date(now),
                promised_due=due,
            )
    _copy(fresh, bundle_case)
    return bundle_case


# ---------------------------------------------------------------------------- withdraw


def bundle_case_withdraw(
    *, actor: Any, bundle_case: BundleCase, reason: str = "", now: datetime | None = None
) -> BundleCase:
    """Withdraw the whole bundle: every open sub-case (before its decision) is withdrawn
    through ``case_withdraw``, in one transaction; decided or concluded sub-cases stand."""
    _authenticated(actor)
    now = now or clock.now()
    if not is_bundle_applicant(actor, bundle_case):
        raise _not_found()
    with transaction.atomic():
        fresh = _locked(bundle_case)
        if fresh.status in (B.WITHDRAWN, B.ENDED, B.CONCLUDED, B.DELIVERED):
            raise Conflict(
                _("一件事办件当前状态为“%(status)s”，不能撤回") % {"status": B(fresh.status).label},
                code="illegal_transition",
                fields={"status": fresh.status, "transition": "withdraw"},
            )
        withdrawn = []
        with one_message(fresh):
            for case in sub_cases_of(fresh):
                if case.status in WITHDRAWABLE:
                    case_withdraw(actor=actor, case=case, reason=reason, now=now)
                    withdrawn.append(case.number)
        if fresh.status != B.DRAFT:
            tell_bundle_applicant(fresh, "bundle_case.withdrawn", now=now)
        fresh.refresh_from_db(fields=["status"])
        fresh.status = B.WITHDRAWN
        fresh.withdrawn_at = now
        fresh.save(update_fields=["status", "withdrawn_at"])
        record(
            action="bundle_case.withdrawn",
            actor=actor,
            obj=fresh,
            at=now,
            summary=fresh.number,
            payload={"sub_cases": withdrawn, "reason": reason},
        )
    _copy(fresh, bundle_case)
    return bundle_case
