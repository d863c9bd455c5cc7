"""Writes of permits and industry licences (docs/licences.md). Each runs in one
``transaction.atomic`` with its audit events; messages go through the notify outbox and
leave after commit.

- ``permit_issue_for_case``: the receiver of ``case_concluded`` (approved cases only, in the
  conclusion's transaction, idempotent).
- ``industry_licence_issue``: the receiver of ``bundle_outcome_issued`` for bundles marked as
  an industry (idempotent; the partial-refusal rule below).
- ``permit_revoke`` / ``permit_cancel``: staff holding ``licence.revoke`` in the issuing
  department; every industry licence listing the permit records the event at once.
- ``permits_record_expiry``: the daily sweep recording ``permit.expired`` once per permit.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.audit.services import record
from onewindow.bundles.models import BundleMember
from onewindow.cases.models import BundleCase, Case
from onewindow.cases.notices import area_name, chinese_date, department_abbreviation
from onewindow.cases.workflow import next_number
from onewindow.common import clock
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.licences.models import (
    IndustryLicence,
    IndustryLicenceComponent,
    LicenceEvent,
    LicenceEventKind,
    Permit,
    PermitStatus,
    PermitTerm,
)
from onewindow.licences.notifications import licence_note, notify_holder
from onewindow.org.models import ApplicantKind
from onewindow.org.permissions import has_capability

REASON_MAX = 500


def _local_date(at: datetime) -> date:
    return timezone.localtime(at).date()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity(item_id: int, valid_from: date) -> date | None:
    """The last valid day of a permit of this item issued on ``valid_from`` (a 60-month
    permit from 2026-12-01 is valid until 2031-11-30); None when the item has no term."""
    term = PermitTerm.objects.filter(item_id=item_id).first()
    if term is None or not term.months:
        return None
    return add_months(valid_from, term.months) - timedelta(days=1)


def permit_number(case: Case, at: datetime) -> str:
    """示卫健证字〔2026〕第000001号: gap-free per issuing department and year."""
    year = timezone.localtime(at).year
    seq = next_number(f"permit:{case.department.code}:{year}")
    return f"{area_name()[:1]}{department_abbreviation(case)}证字〔{year}〕第{seq:06d}号"


def licence_number(at: datetime) -> str:
    """示综许〔2026〕第000001号: gap-free per year."""
    year = timezone.localtime(at).year
    seq = next_number(f"industry_licence:{year}")
    return f"{area_name()[:1]}综许〔{year}〕第{seq:06d}号"


# ---------------------------------------------------------------------------- issuing


def permit_issue_for_case(*, case: Case, actor: Any, now: datetime | None = None) -> Permit:
    """The permit of an approved, concluded case: holder = the case's applicant, name = the
    item version's result (办理结果), valid from the conclusion day for the item's term.
    A second call returns the same permit."""
    now = now or clock.now()
    with transaction.atomic():
        existing = Permit.objects.filter(case=case).first()
        if existing is not None:
            return existing
        version = case.item_version
        valid_from = _local_date(now)
        permit = Permit.objects.create(
            number=permit_number(case, now),
            case=case,
            holder=case.applicant,
            item=case.item,
            item_version=version,
            name=version.result_name or version.name,
            department=case.department,
            issued_at=now,
            valid_from=valid_from,
            valid_until=validity(case.item_id, valid_from),
        )
        record(
            action="permit.issued",
            actor=actor,
            obj=permit,
            at=now,
            summary=f"{case.number} 核发“{permit.name}” {permit.number}",
            payload={
                "case": case.number,
                "number": permit.number,
                "valid_until": permit.valid_until.isoformat() if permit.valid_until else None,
            },
        )
    return permit


def licence_components(bundle_case: BundleCase) -> tuple[list[Permit], list[str]]:
    """The permits an industry licence of ``bundle_case`` lists, and the essential items
    not granted. The rule: every sub-case of an *essential* member must have been approved
    (it has a permit); then the licence lists every approved sub-case's permit, and a
    refused, withdrawn or dropped *optional* member is simply not listed. If an essential
    member was not granted (``on_refusal = continue_without``), no industry licence is
    issued: the granted permits stand on their own."""
    sub_cases = list(
        bundle_case.sub_cases.select_related("item_version").order_by("created_at", "id")
    )
    essential = set(
        BundleMember.objects.filter(
            version_id=bundle_case.bundle_version_id, essential=True
        ).values_list("item_id", flat=True)
    )
    permits = {
        p.case_id: p
        for p in Permit.objects.filter(case__in=[c.pk for c in sub_cases]).select_related(
            "department", "item"
        )
    }
    missing = [
        c.item_version.name for c in sub_cases if c.item_id in essential and c.pk not in permits
    ]
    order = {
        item_id: i
        for i, item_id in enumerate(
            BundleMember.objects.filter(version_id=bundle_case.bundle_version_id)
            .order_by("order", "id")
            .values_list("item_id", flat=True)
        )
    }
    granted = sorted(
        (permits[c.pk] for c in sub_cases if c.pk in permits),
        key=lambda p: (order.get(p.item_id, 999), p.pk),
    )
    return granted, missing


def _licence_holder(bundle_case: BundleCase, permits: list[Permit]) -> Any:
    """The business: the legal person holding most of the permits (张三理发店 rather than
    张三 who registered it), else the bundle case's applicant."""
    counts: dict[int, int] = {}
    holders = {}
    for p in permits:
        if p.holder.kind == ApplicantKind.LEGAL:
            counts[p.holder_id] = counts.get(p.holder_id, 0) + 1
            holders[p.holder_id] = p.holder
    if counts:
        best = max(sorted(counts), key=lambda pk: counts[pk])
        return holders[best]
    return bundle_case.applicant


def industry_licence_issue(
    *, bundle_case: BundleCase, actor: Any, now: datetime | None = None
) -> IndustryLicence | None:
    """Issue the industry licence of a bundle case whose outcome was issued, if its bundle
    version is an industry (``industry_licence``) and the rule of ``licence_components``
    allows; None otherwise (recorded as ``industry_licence.not_issued`` with the reason).
    A second call returns the licence already issued."""
    now = now or clock.now()
    version = bundle_case.bundle_version
    if not version.industry_licence:
        return None
    with transaction.atomic():
        existing = IndustryLicence.objects.filter(bundle_case=bundle_case).first()
        if existing is not None:
            return existing
        permits, missing = licence_components(bundle_case)
        if missing or not permits:
            record(
                action="industry_licence.not_issued",
                actor=actor,
                obj=bundle_case,
                at=now,
                summary=f"{bundle_case.number} 未核发{version.industry_licence_name}",
                payload={"missing_essential": missing, "granted": [p.number for p in permits]},
            )
            return None
        holder = _licence_holder(bundle_case, permits)
        licence = IndustryLicence.objects.create(
            number=licence_number(now),
            name=version.industry_licence_name or version.name,
            holder=holder,
            bundle_id=bundle_case.bundle_id,
            bundle_version=version,
            bundle_case=bundle_case,
            department_id=bundle_case.lead_department_id,
            issued_at=now,
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        IndustryLicenceComponent.objects.bulk_create(
            IndustryLicenceComponent(licence=licence, permit=p, order=i)
            for i, p in enumerate(permits)
        )
        LicenceEvent.objects.create(
            licence=licence,
            kind=LicenceEventKind.ISSUED,
            at=now,
            actor=licence.issued_by,
            note="、".join(p.name for p in permits),
        )
        record(
            action="industry_licence.issued",
            actor=actor,
            obj=licence,
            at=now,
            summary=f"{bundle_case.number} 核发“{licence.name}” {licence.number}",
            payload={"bundle_case": bundle_case.number, "permits": [p.number for p in permits]},
        )
        notify_holder(
            holder,
            template="industry_licence.issued",
            context={"name": licence.name, "number": licence.number, "count": len(permits)},
            obj=licence,
            now=now,
        )
    return licence


# ---------------------------------------------------------------------------- the cascade

_COMPONENT_EVENT = {
    PermitStatus.REVOKED: LicenceEventKind.COMPONENT_REVOKED,
    PermitStatus.CANCELLED: LicenceEventKind.COMPONENT_CANCELLED,
}


def _cascade(
    permit: Permit, *, kind: str, actor: Any, now: datetime, note: str
) -> list[IndustryLicence]:
    """Record the component's change on every industry licence listing it (event + audit)."""
    licences = list(IndustryLicence.objects.filter(components__permit=permit).distinct())
    LicenceEvent.objects.bulk_create(
        LicenceEvent(
            licence=licence,
            kind=kind,
            permit=permit,
            at=now,
            actor=actor if getattr(actor, "pk", None) else None,
            note=note,
        )
        for licence in licences
    )
    for licence in licences:
        record(
            action=f"industry_licence.{kind}",
            actor=actor,
            obj=licence,
            at=now,
            summary=f"{licence.number} 组成许可“{permit.name}”{permit.number}：{note}"[:255],
            payload={"permit": permit.number, "kind": kind},
        )
    return licences


def _end(*, actor: Any, permit: Permit, reason: str, status: str, now: datetime | None) -> Permit:
    now = now or clock.now()
    reason = (reason or "").strip()
    label = "撤销" if status == PermitStatus.REVOKED else "注销"
    if not reason:
        raise ValidationFailed(f"请填写{label}原因", fields={"reason": [f"请填写{label}原因"]})
    if len(reason) > REASON_MAX:
        message = f"{label}原因不能超过{REASON_MAX}个字"
        raise ValidationFailed(message, fields={"reason": [message]})
    if not has_capability(actor, "licence.revoke", department=permit.department_id):
        raise PermissionDenied(f"只有发证部门可以{label}该证照", code="permit_forbidden")
    with transaction.atomic():
        fresh = Permit.objects.select_for_update().get(pk=permit.pk)
        if fresh.status != PermitStatus.VALID:
            raise Conflict(
                f"该证照{fresh.get_status_display()}，不能再{label}", code="permit_not_valid"
            )
        fresh.status = status
        fresh.revoked_at = now
        fresh.revoked_by = actor if getattr(actor, "pk", None) else None
        fresh.reason = reason
        fresh.save(update_fields=["status", "revoked_at", "revoked_by", "reason"])
        record(
            action=f"permit.{status}",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"{label}“{fresh.name}” {fresh.number}",
            payload={"number": fresh.number, "reason": reason},
        )
        licences = _cascade(
            fresh, kind=_COMPONENT_EVENT[PermitStatus(status)], actor=actor, now=now, note=reason
        )
        notify_holder(
            fresh.holder,
            template=f"permit.{status}",
            context={
                "name": fresh.name,
                "number": fresh.number,
                "date": chinese_date(now),
                "reason": reason,
                "licence_note": licence_note([licence.name for licence in licences]),
            },
            obj=fresh,
            now=now,
        )
    for name in ("status", "revoked_at", "revoked_by", "reason"):
        setattr(permit, name, getattr(fresh, name))
    return fresh


def permit_revoke(
    *, actor: Any, permit: Permit, reason: str, now: datetime | None = None
) -> Permit:
    """撤销 (Administrative Licensing Law Art. 69): the permit should not have been granted."""
    return _end(actor=actor, permit=permit, reason=reason, status=PermitStatus.REVOKED, now=now)


def permit_cancel(
    *, actor: Any, permit: Permit, reason: str, now: datetime | None = None
) -> Permit:
    """注销 (Art. 70): the business ended, the holder gave it up, it was withdrawn by law."""
    return _end(actor=actor, permit=permit, reason=reason, status=PermitStatus.CANCELLED, now=now)


def permits_record_expiry(*, now: datetime | None = None) -> int:
    """Record ``permit.expired`` once for every valid permit whose last valid day has
    passed (the daily sweep; the state reads as expired before it runs, from the date).
    Returns how many it recorded; a second run records none."""
    now = now or clock.now()
    today = _local_date(now)
    with transaction.atomic():
        due = list(
            Permit.objects.select_for_update()
            .filter(
                status=PermitStatus.VALID,
                valid_until__lt=today,
                expiry_recorded_at__isnull=True,
            )
            .select_related("holder")
        )
        if not due:
            return 0
        Permit.objects.filter(pk__in=[p.pk for p in due]).update(expiry_recorded_at=now)
        for permit in due:
            assert permit.valid_until is not None  # filtered above
            record(
                action="permit.expired",
                actor=None,
                obj=permit,
                at=now,
                summary=f"“{permit.name}” {permit.number} 有效期届满",
                payload={"number": permit.number, "valid_until": permit.valid_until.isoformat()},
            )
            licences = _cascade(
                permit,
                kind=LicenceEventKind.COMPONENT_EXPIRED,
                actor=None,
                now=now,
                note=f"有效期至{chinese_date(permit.valid_until)}",
            )
            notify_holder(
                permit.holder,
                template="permit.expired",
                context={
                    "name": permit.name,
                    "number": permit.number,
                    "date": chinese_date(permit.valid_until),
                    "licence_note": licence_note([licence.name for licence in licences]),
                },
                obj=permit,
                now=now,
            )
    return len(due)
