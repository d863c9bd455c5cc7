"""What the rating, rectification and complaint services share: text checks, the
capability check scoped to a department (or the centre), the state step, call-backs,
closing and reopening by the supervisor, and messages to the department's handlers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models

from onewindow.audit.services import record
from onewindow.common.errors import PermissionDenied, ValidationFailed
from onewindow.notify.services import notify
from onewindow.org.models import Department, RoleAssignment
from onewindow.org.permissions import has_capability, is_centre_wide, roles_with
from onewindow.ratings.models import CallBack, Complaint, Rectification, Rejection
from onewindow.ratings.states import (
    UNREACHABLE_ATTEMPTS,
    CallBackResult,
    Transition,
    transition,
)

TEXT_MAX = 1000
Tracked = Rectification | Complaint


def invalid(field: str, message: str, code: str = "validation_failed") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def text(field: str, value: Any, *, label: str, required: bool, maximum: int = TEXT_MAX) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise invalid(field, f"请填写{label}", code="required")
    if len(value) > maximum:
        raise invalid(field, f"{label}不能超过{maximum}个字", code="too_long")
    return value


def may(actor: Any, capability: str, department_id: int | None) -> bool:
    """``capability`` for this department; a thing without a department is the centre's
    (only a centre-wide holder acts on it)."""
    if department_id is None:
        return is_centre_wide(actor, capability)
    return has_capability(actor, capability, department=department_id)


def step(
    obj: Tracked, table: dict[str, Transition], name: str, *, actor: Any, now: datetime
) -> Transition:
    """Check the step is allowed from the object's status and the actor holds its
    capability; set the new status (the caller saves)."""
    t = transition(table, name, obj.status)
    if not may(actor, t.capability, obj.department_id):
        raise PermissionDenied("您没有执行此操作的权限", fields={"capability": t.capability})
    obj.status = t.target
    return t


def locked(obj: Tracked) -> Any:
    model: type[models.Model] = type(obj)
    return model._default_manager.select_for_update().get(pk=obj.pk)


def sync(stale: Tracked, fresh: Tracked) -> None:
    for field in fresh._meta.concrete_fields:
        setattr(stale, field.attname, getattr(fresh, field.attname))


def call_back(
    obj: Tracked,
    table: dict[str, Transition],
    *,
    actor: Any,
    result: str,
    note: str,
    now: datetime,
    action: str,
) -> CallBack:
    """Record one call-back attempt; a reached applicant (or the last unreachable attempt)
    completes the call-back and moves the object on."""
    if result not in CallBackResult.values:
        raise invalid("result", "请选择回访结果", code="invalid_result")
    note = text("note", note, label="回访记录", required=False)
    t = transition(table, "call_back", obj.status)
    if not may(actor, t.capability, obj.department_id):
        raise PermissionDenied("您没有执行此操作的权限", fields={"capability": t.capability})
    kind = "rectification" if isinstance(obj, Rectification) else "complaint"
    cb = CallBack.objects.create(**{kind: obj}, at=now, by=actor, result=result, note=note)
    attempts = CallBack.objects.filter(**{kind: obj}).count()
    done = result != CallBackResult.UNREACHABLE or attempts >= UNREACHABLE_ATTEMPTS
    if done:
        obj.status = t.target
        obj.called_back_at = now
        obj.callback_result = result
        obj.save(update_fields=["status", "called_back_at", "callback_result"])
    record(
        action=action,
        actor=actor,
        obj=obj,
        at=now,
        summary=f"回访：{CallBackResult(result).label}",
        payload={"result": result, "attempt": attempts, "completed": done},
    )
    return cb


def close(
    obj: Tracked, table: dict[str, Transition], *, actor: Any, note: str, now: datetime, action: str
) -> None:
    note = text("note", note, label="审核意见", required=False)
    step(obj, table, "close", actor=actor, now=now)
    obj.closed_at, obj.closed_by, obj.review_note = now, actor, note
    obj.save(update_fields=["status", "closed_at", "closed_by", "review_note"])
    record(action=action, actor=actor, obj=obj, at=now, summary="审核通过，办结", payload={})


def reject(
    obj: Tracked, table: dict[str, Transition], *, actor: Any, note: str, now: datetime, action: str
) -> None:
    """The supervisor sends it back: the work and the call-back start again. The times of
    the call-back (and a complaint's answer) sent back are kept in a ``Rejection``, so a
    past period's rates (``rates`` with ``as_of``) still count them before ``now``."""
    note = text("note", note, label="退回理由", required=True)
    step(obj, table, "reject", actor=actor, now=now)
    kind = "rectification" if isinstance(obj, Rectification) else "complaint"
    Rejection.objects.create(
        **{kind: obj},
        rejected_at=now,
        rejected_by=actor,
        note=note,
        called_back_at=obj.called_back_at,
        responded_at=obj.responded_at if isinstance(obj, Complaint) else None,
    )
    obj.review_note = note
    obj.reopened += 1
    obj.called_back_at = None
    obj.callback_result = ""
    obj.save(
        update_fields=["status", "review_note", "reopened", "called_back_at", "callback_result"]
    )
    record(action=action, actor=actor, obj=obj, at=now, summary="审核不通过，退回重办", payload={})


def tell_handlers(
    department: Department | None, *, template: str, context: dict[str, Any], obj: Any, now: Any
) -> None:
    """In-app messages to whoever handles ratings in the department (or centre-wide)."""
    roles = roles_with("ratings.handle")
    rows = RoleAssignment.objects.filter(role__in=roles, user__is_active=True)
    rows = rows.filter(department=department) if department else rows.filter(department=None)
    for user in {r.user for r in rows.select_related("user")}:
        notify(
            recipient_user=user,
            channels=("in_app",),
            template=template,
            context=context,
            obj=obj,
            now=now,
        )
