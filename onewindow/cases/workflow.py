"""The one place where a case changes status.

``apply_transition`` looks the transition up in ``states.TRANSITIONS``, checks that the
actor may perform it on this case (capability scoped to the case's department, or the
applicant's own action), refuses an illegal one with ``Conflict`` (HTTP 409), calls the
django-fsm-2 method, saves, writes the ``CaseTransition`` row and the audit event — all in
the caller's transaction, which it requires.

The rules themselves (``transition_named``, ``resolve_target``, ``illegal``,
``check_performer``, ``may_transition``) are shared with the batch path
(``onewindow.cases.bulk``), which applies one transition to many cases set-based.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from onewindow.audit.services import record
from onewindow.cases.models import Case, CaseTransition, Counter
from onewindow.cases.states import TRANSITIONS, CaseStatus, Transition
from onewindow.catalog.models import ItemStep
from onewindow.common import clock
from onewindow.common.errors import Conflict, PermissionDenied
from onewindow.org.models import Applicant
from onewindow.org.permissions import has_capability

SYSTEM = None  # the actor of automatic transitions (Art. 32's deemed acceptance)


def next_number(key: str) -> int:
    """The next value of a gap-free counter, under a row lock (PostgreSQL: the UPDATE locks
    the row until commit; SQLite: the write transaction is already exclusive)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("next_number must run inside transaction.atomic")
    # One statement: the UPDATE takes the row lock and RETURNING gives the new value
    # (PostgreSQL; SQLite >= 3.35). The first number of a key creates its row.
    qn = connection.ops.quote_name
    table, value, name = qn(Counter._meta.db_table), qn("value"), qn("key")
    # quoted identifiers only; the key is a parameter
    sql = f"UPDATE {table} SET {value} = {value} + 1 WHERE {name} = %s RETURNING {value}"  # noqa: S608
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        Counter.objects.get_or_create(key=key)  # a concurrent creator: the unique key wins
    raise RuntimeError(f"counter {key!r} could not be advanced")  # pragma: no cover


def is_own_case(actor: Any, case: Case) -> bool:
    """True if ``actor`` may act as the applicant of ``case`` (their account is linked to
    the applicant, or they filed it on the applicant's behalf)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if case.created_by_id == actor.pk:
        return True
    links = Applicant.users.through.objects
    return links.filter(applicant_id=case.applicant_id, user_id=actor.pk).exists()


def transition_named(name: str) -> Transition:
    """The transition ``name`` of the table (a programming error if there is none)."""
    t = TRANSITIONS.get(name)
    if t is None:
        raise ValueError(f"unknown transition {name!r}")
    return t


def resolve_target(t: Transition, target: str | None) -> str:
    """The target state: the one given (which the table must allow) or, when the
    transition has a single target, that one."""
    if target is None:
        if len(t.targets) != 1:
            raise ValueError(f"{t.name}: a target is required, one of {sorted(t.targets)}")
        return next(iter(t.targets))
    if target not in t.targets:
        raise ValueError(f"{t.name}: target {target!r} not in {sorted(t.targets)}")
    return str(target)


def illegal(status: str, name: str) -> Conflict:
    """The 409 for transition ``name`` from a state the table does not allow it in."""
    label = TRANSITIONS[name].label if name in TRANSITIONS else name
    current = CaseStatus(status)
    return Conflict(
        f"办件当前状态为“{current.label}”，不能执行“{label}”",
        code="illegal_transition",
        fields={"status": current.value, "transition": name},
    )


def forbidden(t: Transition) -> PermissionDenied:
    """The 403 for an actor without the authority ``t`` needs."""
    return PermissionDenied(f"您无权对该办件执行“{t.label}”", fields={"transition": t.name})


def check_performer(t: Transition, *, system: bool) -> None:
    """Only transitions without a capability may be automatic (plus Art. 32's deemed
    acceptance)."""
    if system and t.capability is not None and t.name != "auto_accept":
        raise ValueError(f"{t.name} cannot be performed by the system")


def may_transition(actor: Any, case: Case, name: str) -> bool:
    t = TRANSITIONS[name]
    if case.status not in t.sources:
        return False
    if actor is SYSTEM:
        return t.capability is None
    # the department's id is enough (no query for the department row)
    if t.capability is None:
        return is_own_case(actor, case) or has_capability(
            actor, "case.accept", department=case.department_id
        )
    return has_capability(actor, t.capability, department=case.department_id)


def apply_transition(
    case: Case,
    name: str,
    *,
    actor: Any,
    target: str,
    note: str = "",
    step: ItemStep | None = None,
    now: datetime | None = None,
    payload: dict[str, Any] | None = None,
    system: bool = False,
    authorised: bool = False,
    save_fields: Iterable[str] | None = None,
) -> CaseTransition:
    """Move ``case`` along transition ``name`` to ``target``; audit it. ``system=True`` marks
    an automatic transition (no actor, only transitions without a capability).
    ``authorised=True``: the caller has checked another authority than the table's
    capability (an authorisation letter for the item; the applicant downloading an
    electronic result); the state check still applies. ``save_fields``: the other case
    fields the caller changed before calling (e.g. ``("accepted_at",)``); then only those,
    the status and the current step are written. Without it every field is written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("apply_transition must run inside transaction.atomic")
    t = transition_named(name)
    now = now or clock.now()
    status = CaseStatus(case.status)
    if status not in t.sources:
        raise illegal(status, name)
    target = resolve_target(t, target)
    check_performer(t, system=system)
    if not system and not authorised and not may_transition(actor, case, name):
        raise forbidden(t)
    getattr(case, f"t_{name}")(target)
    if step is not None:
        case.current_step = step
    if save_fields is None:
        case.save()
    else:
        case.save(update_fields={"status", "current_step", *save_fields})
    row = CaseTransition.objects.create(
        case=case,
        name=name,
        from_status=status.value,
        to_status=target,
        step=case.current_step,
        actor=actor if getattr(actor, "pk", None) else None,
        at=now,
        note=note,
    )
    record(
        action=f"case.{name}",
        actor=actor,
        obj=case,
        at=now,
        summary=f"{case.number} {t.label}",
        payload={"from": status.value, "to": target, "note": note, **(payload or {})},
    )
    return row
