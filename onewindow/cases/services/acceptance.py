"""The acceptance decision (受理): its four outcomes, instant items and Art. 32.

* ``case_prereview``: submitted → prereviewed.
* ``case_accept``: every required material present; the clock starts; 受理通知书.
* ``case_accept_with_missing``: 容缺受理 — non-core materials may follow by a date.
* ``case_request_correction``: 一次性告知书 listing every problem at once; no clock.
* ``case_refuse_acceptance``: 不予受理通知书 with reasons and remedies.
* ``case_accept_instant``: an instant item accepted, approved and concluded on the spot by
  an officer holding final-decision authority.
* ``cases_deem_accepted``: Art. 32 — no one-time notice within 5 working days of receipt
  means the application counts as accepted from the day it was received.

Each runs in one transaction: status through ``workflow.apply_transition`` (which checks the
table's capability and audits), the notice through ``notices.issue_notice`` (audited, the
applicant notified after commit).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from onewindow.audit.services import record
from onewindow.cases import deadlines, signals, steps
from onewindow.cases.models import Case, CaseMaterial, MaterialStatus, Notice, NoticeKind
from onewindow.cases.notices import chinese_date, issue_notice, notify_applicant
from onewindow.cases.services.delivery import prepare_delivery
from onewindow.cases.states import TRANSITIONS, CaseStatus
from onewindow.cases.workflow import apply_transition
from onewindow.catalog.models import DeliveryMethod, ItemKind, StepKind
from onewindow.common import clock
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.org.models import RoleAssignment
from onewindow.org.permissions import has_capability
from onewindow.org.selectors import deciders_on_the_spot
from onewindow.workdays.selectors import get_calendar

log = logging.getLogger(__name__)

PRESENT = (MaterialStatus.UPLOADED, MaterialStatus.OBTAINED, MaterialStatus.VERIFIED)
REASON_MAX = 2000
DEEMED_AFTER_WORKDAYS = 5  # 行政许可法第三十二条: 五日内不告知的，自收到材料之日起即为受理
MISSING_MONTHS_MAX = 3


class Problem(TypedDict, total=False):
    material: CaseMaterial | None
    reason: str


# ----------------------------------------------------------------------------- helpers
def _locked(case: Case) -> Case:
    fresh = (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version", "applicant", "department")
        .get(pk=case.pk)
    )
    return fresh


def _sync(stale: Case, fresh: Case) -> None:
    """Copy the saved state onto the caller's object."""
    for field in fresh._meta.concrete_fields:
        stale.__dict__[field.attname] = getattr(fresh, field.attname)


def _text(field: str, value: str | None, *, label: str, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"请填写{label}", code=f"{field}_required", fields={field: [label]})
    if len(text) > REASON_MAX:
        msg = f"{label}不能超过{REASON_MAX}个字"
        raise ValidationFailed(msg, fields={field: [msg]})
    return text


def _own_material(case: Case, material: CaseMaterial | None, field: str) -> CaseMaterial:
    if material is None or material.case_id != case.pk:
        msg = "材料不属于该办件"
        raise ValidationFailed(msg, code="material_not_in_case", fields={field: [msg]})
    return CaseMaterial.objects.select_related("item_material", "material_type").get(pk=material.pk)


def _materials(case: Case) -> list[CaseMaterial]:
    return list(
        case.materials.select_related("item_material", "material_type").order_by(
            "item_material__order", "id"
        )
    )


def _missing_required(
    case: Case, allowed: set[int] | frozenset[int] = frozenset()
) -> list[CaseMaterial]:
    return [
        m
        for m in _materials(case)
        if m.item_material.required and m.status not in PRESENT and m.pk not in allowed
    ]


def _refuse_incomplete(missing: list[CaseMaterial]) -> Conflict:
    names = "、".join(m.material_type.name for m in missing)
    return Conflict(
        f"以下必要材料尚未提交或需补正，不能受理：{names}",
        code="materials_incomplete",
        fields={"materials": [{"id": m.pk, "name": m.material_type.name} for m in missing]},
    )


def _service_point_of(actor: Any) -> Any:
    ra = (
        RoleAssignment.objects.filter(user=actor, service_point__isnull=False)
        .select_related("service_point")
        .order_by("pk")
        .first()
    )
    return ra.service_point if ra else None


def _due_text(at: datetime | None) -> str:
    return chinese_date(at) if at else "待定"


def _limit_content(case: Case) -> dict[str, Any]:
    return {
        "promised_limit": case.promised_limit,
        "legal_limit": case.legal_limit,
        "limit_unit": case.get_limit_unit_display(),
        "promised_due": _due_text(case.promised_due_at),
        "legal_due": _due_text(case.legal_due_at),
        "provisional": case.deadlines_provisional,
    }


def _enter_first_step(
    case: Case, name: str, *, actor: Any, now: datetime, system: bool = False
) -> None:
    step = steps.first_step(case)
    apply_transition(
        case,
        name,
        actor=actor,
        target=steps.state_for(step),
        step=step,
        now=now,
        system=system,
        payload={
            "accepted_at": case.accepted_at.isoformat() if case.accepted_at else None,
            "promised_due_at": case.promised_due_at.isoformat() if case.promised_due_at else None,
            "legal_due_at": case.legal_due_at.isoformat() if case.legal_due_at else None,
        },
    )
    if step is not None:
        steps.open_task(case, step, now=now)
        return
    # No review or decide step (an instant item accepted by someone who could not decide on
    # the spot): the decision waits in the section chiefs' inbox, on the accept step.
    anchor = steps.decision_anchor(case)
    if anchor is not None:
        steps.open_task(case, anchor, now=now, role=steps.DEFAULT_ROLE[StepKind.DECIDE])


def _start(case: Case, *, actor: Any, accepted_at: datetime) -> None:
    case.accepted_at = accepted_at
    case.accepted_by = actor if getattr(actor, "pk", None) else None
    if case.service_point_id is None and actor is not None:
        case.service_point = _service_point_of(actor)
    deadlines.start_clock(case)
    case.save()


def _verify_present(case: Case) -> list[str]:
    names = [m.material_type.name for m in _materials(case) if m.status in PRESENT]
    case.materials.filter(status=MaterialStatus.UPLOADED).update(status=MaterialStatus.VERIFIED)
    return names


def _tell_accepted(case: Case, template: str, *, now: datetime, **extra: Any) -> None:
    notify_applicant(
        case,
        template=template,
        context={
            "accepted_on": chinese_date(case.accepted_at or now),
            "promised_due": _due_text(case.promised_due_at),
            "legal_due": _due_text(case.legal_due_at),
            **extra,
        },
        now=now,
    )


# ----------------------------------------------------------------------------- services
def case_prereview(*, actor: Any, case: Case, note: str = "", now: datetime | None = None) -> Case:
    """预审通过: the pre-reviewer found the application fit for the acceptance decision."""
    now = now or clock.now()
    note = _text("note", note, label="预审意见", required=False)
    with transaction.atomic():
        fresh = _locked(case)
        apply_transition(
            fresh, "prereview", actor=actor, target=CaseStatus.PREREVIEWED, note=note, now=now
        )
    _sync(case, fresh)
    return case


def case_accept(*, actor: Any, case: Case, now: datetime | None = None) -> Case:
    """受理: every required material present; the clock starts; 受理通知书."""
    now = now or clock.now()
    with transaction.atomic():
        fresh = _locked(case)
        _check_pre_acceptance(fresh, "accept")
        missing = _missing_required(fresh)
        if missing:
            raise _refuse_incomplete(missing)
        _accept(fresh, actor=actor, now=now, kind=NoticeKind.ACCEPTANCE, extra={})
    _sync(case, fresh)
    return case


def _check_pre_acceptance(case: Case, name: str) -> None:
    """The state check first, so a wrong state is a 409 before any material complaint."""
    if case.status not in TRANSITIONS[name].sources:
        status = CaseStatus(case.status)
        raise Conflict(
            f"办件当前状态为“{status.label}”，不能执行“{TRANSITIONS[name].label}”",
            code="illegal_transition",
            fields={"status": status.value, "transition": name},
        )


def _accept(
    case: Case, *, actor: Any, now: datetime, kind: NoticeKind, extra: dict[str, Any]
) -> Notice:
    _start(case, actor=actor, accepted_at=now)
    _enter_first_step(case, "accept", actor=actor, now=now)
    materials = _verify_present(case)
    notice = issue_notice(
        case=case,
        kind=kind,
        actor=actor,
        content={**_limit_content(case), "materials": materials, **extra},
        now=now,
    )
    if kind == NoticeKind.ACCEPTANCE_MISSING:
        missing = extra["missing"]
        _tell_accepted(
            case,
            "case.accepted_missing",
            now=now,
            materials="、".join(m["material"] for m in missing),
            due_dates=min(m["due_date"] for m in missing),
        )
    else:
        _tell_accepted(case, "case.accepted", now=now)
    return notice


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (clamped to the month's end)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _check_due_date(field: str, due: Any, name: str, today: date) -> date:
    if not isinstance(due, date) or isinstance(due, datetime):
        msg = f"请填写“{name}”的补交期限"
        raise ValidationFailed(msg, code="due_date_required", fields={field: [msg]})
    latest = add_months(today, MISSING_MONTHS_MAX)
    if due <= today:
        msg = f"“{name}”的补交期限必须晚于今天"
        raise ValidationFailed(msg, code="due_date_past", fields={field: [msg]})
    if due > latest:
        msg = f"“{name}”的补交期限不能晚于{chinese_date(latest)}（三个月内）"
        raise ValidationFailed(msg, code="due_date_too_late", fields={field: [msg]})
    if not get_calendar().is_workday(due):
        msg = f"“{name}”的补交期限{chinese_date(due)}不是工作日"
        raise ValidationFailed(msg, code="due_date_not_workday", fields={field: [msg]})
    return due


def case_accept_with_missing(
    *,
    actor: Any,
    case: Case,
    missing: list[tuple[CaseMaterial, date]],
    now: datetime | None = None,
) -> Case:
    """容缺受理: accept although the listed non-core materials are missing; each must come
    by its date (after today, within three months, a working day)."""
    now = now or clock.now()
    today = timezone.localtime(now).date()
    if not missing:
        msg = "请列出容缺的材料及补交期限"
        raise ValidationFailed(msg, code="missing_required", fields={"missing": [msg]})
    with transaction.atomic():
        fresh = _locked(case)
        _check_pre_acceptance(fresh, "accept")
        rows: list[tuple[CaseMaterial, date]] = []
        for i, (material, due) in enumerate(missing):
            m = _own_material(fresh, material, f"missing[{i}].material_id")
            name = m.material_type.name
            if m.item_material.core:
                msg = f"“{name}”是核心要件，不能容缺受理"
                raise ValidationFailed(
                    msg, code="core_material", fields={f"missing[{i}].material_id": [msg]}
                )
            if any(r.pk == m.pk for r, _ in rows):
                msg = f"“{name}”重复列出"
                raise ValidationFailed(msg, fields={f"missing[{i}].material_id": [msg]})
            rows.append((m, _check_due_date(f"missing[{i}].due_date", due, name, today)))
        still = _missing_required(fresh, {m.pk for m, _ in rows})
        if still:
            raise _refuse_incomplete(still)
        for m, due in rows:
            m.status = MaterialStatus.MISSING_ALLOWED
            m.due_date = due
            m.save(update_fields=["status", "due_date"])
        listed = [
            {"material_id": m.pk, "material": m.material_type.name, "due_date": chinese_date(due)}
            for m, due in rows
        ]
        _accept(
            fresh,
            actor=actor,
            now=now,
            kind=NoticeKind.ACCEPTANCE_MISSING,
            extra={"missing": listed},
        )
        record(
            action="case.accept_with_missing",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} 容缺受理 {len(rows)}项",
            payload={"missing": [{"id": m.pk, "due_date": d.isoformat()} for m, d in rows]},
        )
    _sync(case, fresh)
    return case


def case_request_correction(
    *, actor: Any, case: Case, problems: list[Problem], now: datetime | None = None
) -> Case:
    """一次性告知: ONE notice listing every missing or defective material and why; the case
    waits for the applicant; the clock does not start."""
    now = now or clock.now()
    if not problems:
        msg = "请列出需要补正的全部材料及原因"
        raise ValidationFailed(msg, code="problems_required", fields={"problems": [msg]})
    with transaction.atomic():
        fresh = _locked(case)
        _check_pre_acceptance(fresh, "request_correction")
        listed: list[dict[str, Any]] = []
        seen: set[int] = set()
        for i, p in enumerate(problems):
            reason = _text(f"problems[{i}].reason", p.get("reason"), label="原因", required=True)
            material = p.get("material")
            if material is None:  # a problem not tied to one slot (e.g. the form itself)
                listed.append({"material_id": None, "material": "其他", "reason": reason})
                continue
            m = _own_material(fresh, material, f"problems[{i}].material_id")
            if m.pk in seen:
                msg = f"“{m.material_type.name}”重复列出，请合并原因"
                raise ValidationFailed(msg, fields={f"problems[{i}].material_id": [msg]})
            seen.add(m.pk)
            m.status = MaterialStatus.DEFECTIVE
            m.note = reason[:255]
            m.save(update_fields=["status", "note"])
            listed.append({"material_id": m.pk, "material": m.material_type.name, "reason": reason})
        apply_transition(
            fresh,
            "request_correction",
            actor=actor,
            target=CaseStatus.AWAITING_CORRECTION,
            note="；".join(f"{p['material']}：{p['reason']}" for p in listed)[:2000],
            now=now,
            payload={"problems": listed},
        )
        issue_notice(
            case=fresh, kind=NoticeKind.ONE_TIME, actor=actor, content={"problems": listed}, now=now
        )
        notify_applicant(
            fresh,
            template="case.one_time_notice",
            context={"count": len(listed), "materials": "、".join(p["material"] for p in listed)},
            now=now,
        )
    _sync(case, fresh)
    return case


def case_refuse_acceptance(
    *,
    actor: Any,
    case: Case,
    reasons: str,
    competent_authority: str = "",
    now: datetime | None = None,
) -> Case:
    """不予受理: reasons, the competent organ when the matter is outside the department's
    powers, and the remedies."""
    now = now or clock.now()
    reasons = _text("reasons", reasons, label="不予受理的理由", required=True)
    organ = _text("competent_authority", competent_authority, label="有权机关", required=False)
    with transaction.atomic():
        fresh = _locked(case)
        apply_transition(
            fresh,
            "refuse_acceptance",
            actor=actor,
            target=CaseStatus.NOT_ACCEPTED,
            note=reasons,
            now=now,
            payload={"competent_authority": organ},
        )
        issue_notice(
            case=fresh,
            kind=NoticeKind.NON_ACCEPTANCE,
            actor=actor,
            content={"reasons": reasons, "competent_authority": organ},
            now=now,
        )
        notify_applicant(fresh, template="case.not_accepted", context={"reasons": reasons}, now=now)
    _sync(case, fresh)
    return case


def may_decide_on_the_spot(actor: Any, case: Case, *, at: datetime) -> bool:
    """A valid authorisation letter for the item, or the decide capability in its
    department."""
    day = timezone.localtime(at).date()
    pk = getattr(actor, "pk", None)
    if pk is None:
        return False
    if deciders_on_the_spot(case.item.code, day).filter(pk=pk).exists():
        return True
    return has_capability(actor, "case.decide", department=case.department)


def case_accept_instant(*, actor: Any, case: Case, now: datetime | None = None) -> Case:
    """即办件: accept, approve and conclude on the spot, by an officer holding final-decision
    authority for the item (one transaction)."""
    now = now or clock.now()
    with transaction.atomic():
        fresh = _locked(case)
        version = fresh.item_version
        if not version.is_instant:
            raise Conflict("该事项不是即办件，不能当场办结", code="not_instant")
        _check_pre_acceptance(fresh, "accept")
        if not may_decide_on_the_spot(actor, fresh, at=now):
            raise PermissionDenied(
                "您不持有该事项的授权书或审批决定权，不能当场办结", code="no_decision_authority"
            )
        missing = _missing_required(fresh)
        if missing:
            raise _refuse_incomplete(missing)
        _start(fresh, actor=actor, accepted_at=now)
        decide = [s for s in steps.processing_steps(fresh) if s.kind == StepKind.DECIDE]
        step = decide[-1] if decide else None
        apply_transition(
            fresh, "accept", actor=actor, target=CaseStatus.IN_DECISION, step=step, now=now
        )
        _verify_present(fresh)
        apply_transition(
            fresh,
            "approve",
            actor=actor,
            target=CaseStatus.APPROVED,
            now=now,
            note="即办件当场决定",
            authorised=True,
        )
        fresh.decided_at = now
        fresh.decided_by = actor
        fresh.save(update_fields=["decided_at", "decided_by"])
        licensing = version.kind == ItemKind.LICENSING
        content: dict[str, Any] = {"instant": True, "result": version.result_name}
        if not licensing:
            content.update({"title": "办结通知书", "conclusion": True})
        issue_notice(case=fresh, kind=NoticeKind.APPROVAL, actor=actor, content=content, now=now)
        apply_transition(
            fresh, "conclude", actor=actor, target=CaseStatus.CONCLUDED, now=now, note="当场办结"
        )
        fresh.concluded_at = now
        fresh.save(update_fields=["concluded_at"])
        # Decided at the window with the applicant present: the result is handed over there
        # when the item offers it, otherwise delivered as the applicant chose.
        window = DeliveryMethod.WINDOW in (version.delivery_methods or [])
        prepare_delivery(fresh, DeliveryMethod.WINDOW if window else None)
        notify_applicant(
            fresh,
            template="case.concluded",
            context={"result": version.result_name or "准予办理"},
            now=now,
        )
        # concluded on the spot: the layers above (permits, rating invitations) hear of it
        # as of any conclusion, in this transaction
        signals.case_concluded.send(sender=Case, case=fresh, actor=actor, approved=True, now=now)
    _sync(case, fresh)
    return case


# ----------------------------------------------------------------------------- Art. 32
def deemed_candidates() -> Any:
    """Cases waiting for the acceptance decision without a one-time notice since receipt."""
    one_time = Notice.objects.filter(
        case=OuterRef("pk"), kind=NoticeKind.ONE_TIME, issued_at__gte=OuterRef("received_at")
    )
    return (
        Case.objects.filter(
            status__in=[CaseStatus.SUBMITTED, CaseStatus.PREREVIEWED], received_at__isnull=False
        )
        .filter(~Q(Exists(one_time)))
        .order_by("received_at", "pk")
    )


def cases_deem_accepted(*, now: datetime | None = None) -> int:
    """Accept (system, "auto_accept") every application received more than 5 working days
    ago without a one-time notice, from the day it was received. Returns how many."""
    now = now or clock.now()
    cal = get_calendar()
    count = 0
    for pk, received_at in deemed_candidates().values_list("pk", "received_at"):
        try:
            if cal.workdays_elapsed(received_at, now) <= DEEMED_AFTER_WORKDAYS:
                continue
        except ValidationFailed:
            log.warning("cases_deem_accepted: calendar cannot count case %s", pk)
            continue
        if _deem_one(pk, now=now):
            count += 1
    return count


def _deem_one(pk: int, *, now: datetime) -> bool:
    with transaction.atomic():
        case = (
            deemed_candidates()
            .select_for_update(of=("self",))
            .select_related("item_version", "applicant", "department")
            .filter(pk=pk)
            .first()
        )
        if case is None:  # decided meanwhile
            return False
        received_at = case.received_at
        assert received_at is not None
        case.accepted_at = received_at
        deadlines.start_clock(case)
        case.save()
        _enter_first_step(case, "auto_accept", actor=None, now=now, system=True)
        materials = [m.material_type.name for m in _materials(case) if m.status in PRESENT]
        issue_notice(
            case=case,
            kind=NoticeKind.ACCEPTANCE,
            actor=None,
            content={**_limit_content(case), "materials": materials, "deemed": True},
            now=now,
        )
        _tell_accepted(case, "case.accepted", now=now)
    return True
