"""The life of a rectification (整改): the department verifies the bad rating and records its
finding (属实 / 不属实 with the reason) and action, calls the applicant back (回访), and the
supervisor closes it or sends it back; the department may appeal a mistaken or malicious
rating, which the supervisor upholds (the rating no longer counts) or dismisses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from onewindow.audit.services import record
from onewindow.common import clock
from onewindow.ratings.models import CallBack, Rating, Rectification
from onewindow.ratings.services import common
from onewindow.ratings.services.common import invalid, text
from onewindow.ratings.states import RECTIFICATION, Finding


def rectification_rectify(
    *,
    actor: Any,
    rectification: Rectification,
    finding: str,
    finding_reason: str,
    action: str = "",
    now: datetime | None = None,
) -> Rectification:
    """Record the verified finding and, when the complaint is true, the action taken."""
    now = now or clock.now()
    if finding not in Finding.values:
        raise invalid("finding", "请选择核实结果（属实或不属实）", code="invalid_finding")
    reason = text("finding_reason", finding_reason, label="核实情况", required=True)
    act = text("action", action, label="整改措施", required=finding == Finding.TRUE)
    with transaction.atomic():
        fresh = common.locked(rectification)
        common.step(fresh, RECTIFICATION, "rectify", actor=actor, now=now)
        fresh.finding, fresh.finding_reason, fresh.action = finding, reason, act
        fresh.rectified_at, fresh.rectified_by = now, actor
        fresh.save(
            update_fields=[
                "status",
                "finding",
                "finding_reason",
                "action",
                "rectified_at",
                "rectified_by",
            ]
        )
        record(
            action="rectification.rectified",
            actor=actor,
            obj=fresh,
            at=now,
            summary=f"核实：{Finding(finding).label}",
            payload={"finding": finding},
        )
    common.sync(rectification, fresh)
    return rectification


def rectification_call_back(
    *,
    actor: Any,
    rectification: Rectification,
    result: str,
    note: str = "",
    now: datetime | None = None,
) -> CallBack:
    now = now or clock.now()
    with transaction.atomic():
        fresh = common.locked(rectification)
        cb = common.call_back(
            fresh,
            RECTIFICATION,
            actor=actor,
            result=result,
            note=note,
            now=now,
            action="rectification.called_back",
        )
    common.sync(rectification, fresh)
    return cb


def rectification_close(
    *, actor: Any, rectification: Rectification, note: str = "", now: datetime | None = None
) -> Rectification:
    now = now or clock.now()
    with transaction.atomic():
        fresh = common.locked(rectification)
        common.close(
            fresh, RECTIFICATION, actor=actor, note=note, now=now, action="rectification.closed"
        )
    common.sync(rectification, fresh)
    return rectification


def rectification_reject(
    *, actor: Any, rectification: Rectification, note: str, now: datetime | None = None
) -> Rectification:
    now = now or clock.now()
    with transaction.atomic():
        fresh = common.locked(rectification)
        common.reject(
            fresh, RECTIFICATION, actor=actor, note=note, now=now, action="rectification.reopened"
        )
    common.sync(rectification, fresh)
    return rectification


def rectification_appeal(
    *, actor: Any, rectification: Rectification, reason: str, now: datetime | None = None
) -> Rectification:
    """The department appeals a mistaken or malicious rating (误评、恶意差评)."""
    now = now or clock.now()
    reason = text("reason", reason, label="申诉理由", required=True)
    with transaction.atomic():
        fresh = common.locked(rectification)
        common.step(fresh, RECTIFICATION, "appeal", actor=actor, now=now)
        fresh.appeal_reason = reason
        fresh.save(update_fields=["status", "appeal_reason"])
        record(action="rectification.appealed", actor=actor, obj=fresh, at=now, summary="申诉")
    common.sync(rectification, fresh)
    return rectification


def rectification_decide_appeal(
    *,
    actor: Any,
    rectification: Rectification,
    uphold: bool,
    note: str,
    now: datetime | None = None,
) -> Rectification:
    """Uphold (the rating stays on record but no longer counts) or dismiss (back to work)."""
    now = now or clock.now()
    note = text("note", note, label="审核意见", required=True)
    with transaction.atomic():
        fresh = common.locked(rectification)
        name = "uphold_appeal" if uphold else "dismiss_appeal"
        common.step(fresh, RECTIFICATION, name, actor=actor, now=now)
        fresh.review_note = note
        fields = ["status", "review_note"]
        if uphold:
            fresh.closed_at, fresh.closed_by = now, actor
            fields += ["closed_at", "closed_by"]
            Rating.objects.filter(pk=fresh.rating_id).update(excluded=True)
        fresh.save(update_fields=fields)
        record(
            action=f"rectification.{name}",
            actor=actor,
            obj=fresh,
            at=now,
            summary="申诉成立" if uphold else "申诉不成立",
            payload={"uphold": uphold},
        )
    common.sync(rectification, fresh)
    return rectification
