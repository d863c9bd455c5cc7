"""联合踏勘: the joint site inspection of a bundle (docs/bundles.md "Joint site inspection").

The lead schedules one inspection for the departments of the bundle that inspect (the
applicant is told the date once); each department's staff record their own department's
finding; when every department has recorded, the lead completes it and ONE visit is recorded
for the bundle (it counts once, however many departments came).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.cases.models import (
    BundleCase,
    FindingResult,
    InspectionFinding,
    InspectionStatus,
    JointInspection,
    Visit,
)
from onewindow.cases.notices import chinese_date
from onewindow.cases.services.bundle_access import authenticated, require_lead
from onewindow.cases.services.bundle_messages import tell_bundle_applicant
from onewindow.cases.services.bundle_refusal import LIVE
from onewindow.cases.services.bundle_status import DROPPED
from onewindow.common import clock
from onewindow.common.errors import Conflict, NotFound, ValidationFailed
from onewindow.org.models import Department
from onewindow.org.permissions import departments_for

PLACE_MAX = 255
NOTE_MAX = 500
# Who records a department's finding: its reviewers and deciders.
FINDING_CAPABILITIES = ("case.review", "case.decide")


def _invalid(field: str, message: str, code: str = "validation_failed") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _locked(inspection: JointInspection) -> JointInspection:
    return (
        JointInspection.objects.select_for_update(of=("self",))
        .select_related("bundle_case")
        .get(pk=inspection.pk)
    )


def bundle_inspection_schedule(
    *,
    actor: Any,
    bundle_case: BundleCase,
    at: datetime,
    place: str,
    departments: Iterable[Department],
    now: datetime | None = None,
) -> JointInspection:
    """The lead schedules the one joint inspection: ``departments`` must each have a live
    sub-case in the bundle; one scheduled inspection at a time; the date after now. The
    applicant is told the date once."""
    now = now or clock.now()
    authenticated(actor)
    place = (place or "").strip()
    if not place:
        raise _invalid("place", _("请填写踏勘地点"))
    if len(place) > PLACE_MAX:
        raise _invalid("place", _("踏勘地点不能超过255个字符"))
    if at is None or at <= now:
        raise _invalid("at", _("踏勘时间应晚于当前时间"), code="inspection_in_past")
    chosen = {d.pk: d for d in departments}
    if not chosen:
        raise _invalid("departments", _("请选择参加踏勘的部门"))
    require_lead(actor, bundle_case, what=_("安排联合踏勘"))
    with transaction.atomic():
        fresh = BundleCase.objects.select_for_update().get(pk=bundle_case.pk)
        if fresh.status not in LIVE:
            raise Conflict(
                _("一件事办件当前状态不能安排踏勘"),
                code="illegal_transition",
                fields={"status": fresh.status, "transition": "inspection_schedule"},
            )
        taking_part = set(
            fresh.sub_cases.exclude(status__in=DROPPED).values_list("department_id", flat=True)
        )
        outside = [d.name for pk, d in chosen.items() if pk not in taking_part]
        if outside:
            raise _invalid(
                "departments",
                _("以下部门在本一件事中没有办理中的事项：%(names)s")
                % {"names": "、".join(outside)},
                code="department_not_in_bundle",
            )
        if fresh.inspections.filter(status=InspectionStatus.SCHEDULED).exists():
            raise Conflict(_("已有安排中的联合踏勘"), code="inspection_scheduled")
        inspection = JointInspection.objects.create(
            bundle_case=fresh, scheduled_at=at, place=place, scheduled_by=actor, created_at=now
        )
        inspection.departments.set(list(chosen.values()))
        names = "、".join(d.name for d in sorted(chosen.values(), key=lambda d: d.pk))
        record(
            action="bundle_case.inspection_scheduled",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{fresh.number} 联合踏勘 {chinese_date(at)}",
            payload={
                "inspection": inspection.pk,
                "at": at.isoformat(),
                "place": place,
                "departments": sorted(d.code for d in chosen.values()),
            },
        )
        when = f"{chinese_date(at)} {timezone.localtime(at):%H:%M}"
        tell_bundle_applicant(
            fresh,
            "bundle_case.inspection_scheduled",
            now=now,
            when=when,
            place=place,
            departments=names,
        )
    return inspection


def bundle_inspection_record_finding(
    *,
    actor: Any,
    inspection: JointInspection,
    result: str,
    note: str,
    department: Department | None = None,
    now: datetime | None = None,
) -> InspectionFinding:
    """A department's finding (符合要求 / 限期整改 / 不符合要求; a note is required unless it
    passes), by that department's reviewers or deciders, once per department. Staff of a
    department not taking part get 404. ``department``: only needed when the actor serves
    several of the inspection's departments."""
    now = now or clock.now()
    authenticated(actor)
    if result not in FindingResult.values:
        raise _invalid("result", _("踏勘结论应为 pass、rectify 或 fail"))
    note = (note or "").strip()
    if result != FindingResult.PASS and not note:
        raise _invalid("note", _("请填写整改要求或不符合的理由"))
    if len(note) > NOTE_MAX:
        raise _invalid("note", _("意见不能超过500个字符"))
    with transaction.atomic():
        fresh = _locked(inspection)
        participants = set(fresh.departments.values_list("pk", flat=True))
        mine: set[int] = set()
        for cap in FINDING_CAPABILITIES:
            mine |= set(departments_for(actor, cap).values_list("pk", flat=True))
        candidates = participants & mine
        if department is not None:
            candidates &= {department.pk}
        if not candidates:
            raise NotFound(_("未找到该联合踏勘"), code="inspection_not_found")
        if len(candidates) > 1:
            raise _invalid("department", _("请选择代表哪个部门记录意见"))
        dept_id = candidates.pop()
        if fresh.status != InspectionStatus.SCHEDULED:
            raise Conflict(_("该联合踏勘已结束"), code="inspection_closed")
        if fresh.findings.filter(department_id=dept_id).exists():
            raise Conflict(_("本部门已记录踏勘意见"), code="finding_recorded")
        finding = InspectionFinding.objects.create(
            inspection=fresh, department_id=dept_id, result=result, note=note, by=actor, at=now
        )
        record(
            action="bundle_case.inspection_finding",
            actor=actor,
            obj=fresh.bundle_case,
            at=now,
            summary=f"{fresh.bundle_case.number} 踏勘意见 {FindingResult(result).label}",
            payload={
                "inspection": fresh.pk,
                "department": dept_id,
                "result": result,
                "note": note,
            },
        )
    return finding


def bundle_inspection_complete(
    *, actor: Any, inspection: JointInspection, now: datetime | None = None
) -> JointInspection:
    """The lead closes the inspection once every department has recorded its finding:
    ONE visit is recorded for the bundle (at the inspection's time)."""
    from onewindow.cases.services.acceptance import _service_point_of
    from onewindow.cases.services.submission import add_visit

    now = now or clock.now()
    authenticated(actor)
    require_lead(actor, inspection.bundle_case, what=_("完成联合踏勘"))
    with transaction.atomic():
        fresh = _locked(inspection)
        bundle_case = BundleCase.objects.select_for_update().get(pk=fresh.bundle_case_id)
        if fresh.status != InspectionStatus.SCHEDULED:
            raise Conflict(_("该联合踏勘已结束"), code="inspection_closed")
        recorded = set(fresh.findings.values_list("department_id", flat=True))
        waiting = list(fresh.departments.exclude(pk__in=recorded).order_by("pk"))
        if waiting:
            raise Conflict(
                _("以下部门尚未记录踏勘意见：%(names)s")
                % {"names": "、".join(d.name for d in waiting)},
                code="findings_missing",
                fields={"departments": [d.code for d in waiting]},
            )
        point = bundle_case.service_point or _service_point_of(actor)
        if point is None:
            raise _invalid("service_point", _("未找到受理网点，无法登记踏勘"))
        visit: Visit = add_visit(
            actor=actor,
            applicant=bundle_case.applicant,
            service_point=point,
            window=None,
            case=None,
            purpose=_("联合踏勘"),
            now=fresh.scheduled_at,
        )
        bundle_case.visits.add(visit)
        fresh.visit = visit
        fresh.status = InspectionStatus.DONE
        fresh.completed_at = now
        fresh.save(update_fields=["visit", "status", "completed_at"])
        record(
            action="bundle_case.inspection_completed",
            actor=actor,
            obj=bundle_case,
            at=now,
            summary=f"{bundle_case.number} 联合踏勘完成",
            payload={
                "inspection": fresh.pk,
                "visit": visit.pk,
                "findings": {
                    str(f.department_id): f.result for f in fresh.findings.order_by("department_id")
                },
            },
        )
    return fresh


def bundle_inspection_cancel(
    *, actor: Any, inspection: JointInspection, reason: str, now: datetime | None = None
) -> JointInspection:
    """The lead cancels a scheduled inspection (no visit is recorded)."""
    now = now or clock.now()
    authenticated(actor)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("请填写取消理由"))
    require_lead(actor, inspection.bundle_case, what=_("取消联合踏勘"))
    with transaction.atomic():
        fresh = _locked(inspection)
        if fresh.status != InspectionStatus.SCHEDULED:
            raise Conflict(_("该联合踏勘已结束"), code="inspection_closed")
        fresh.status = InspectionStatus.CANCELLED
        fresh.completed_at = now
        fresh.save(update_fields=["status", "completed_at"])
        record(
            action="bundle_case.inspection_cancelled",
            actor=actor,
            obj=fresh.bundle_case,
            at=now,
            summary=f"{fresh.bundle_case.number} 取消联合踏勘",
            payload={"inspection": fresh.pk, "reason": reason[:NOTE_MAX]},
        )
    return fresh
