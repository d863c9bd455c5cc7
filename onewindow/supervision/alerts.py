"""Alerts of the traffic lights, keyed on the ``LightEvent``: each event is alerted once.

``lights_alert_pending`` takes the events not yet alerted, each in its own short
transaction holding the event's row lock (``SKIP LOCKED`` on PostgreSQL), writes the
in-app messages to the notify outbox and stamps ``alerted_at`` in the same transaction, so
an event is never alerted twice even with two senders; the outbox sends after commit.

Who is told (docs/supervision.md):

* yellow: the officer holding the case's open task and the department's section chiefs;
* red: also the supervisors (of the department or centre-wide) and the department head
  (the chief representative, 首席代表, who heads the department's work in the hall);
* past the legal deadline: also the centre (centre administrators and centre-wide
  supervisors);
* escalation (red and nothing moved): level 1 the department's leadership (chief
  representative and department administrators) and the supervisors; level 2 the centre.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from onewindow.cases.models import Task, TaskStatus
from onewindow.common import clock
from onewindow.notify.services import notify
from onewindow.notify.templates import register
from onewindow.org.models import Role, RoleAssignment, User
from onewindow.supervision.models import Colour, EventKind, LightEvent

register(
    "supervision.yellow",
    "【黄灯预警】办件 {number} 即将到期",
    "{subject}（{department}）承诺办结期限 {due}，剩余时间不足，请抓紧办理。",
)
register(
    "supervision.red",
    "【红灯】办件 {number} 已超过承诺时限",
    "{subject}（{department}）已超过承诺办结期限 {due}，请立即办理并说明原因。",
)
register(
    "supervision.legal",
    "【严重超期】办件 {number} 已超过法定时限",
    "{subject}（{department}）已超过法定办结期限 {legal_due}，请中心督办。",
)
register(
    "supervision.escalation",
    "【督办升级】办件 {number} 红灯后 {days} 个工作日无进展",
    "{subject}（{department}）已超过承诺办结期限 {due}，红灯后 {days} 个工作日无进展，"
    "升级为第 {level} 级督办。",
)

BATCH = 200


def _users(q: Q) -> set[int]:
    return set(RoleAssignment.objects.filter(q).values_list("user_id", flat=True))


def recipients(event: LightEvent) -> tuple[str, set[int]]:
    """(template, user ids) of the people to tell about ``event``."""
    dept = event.department_id
    users: set[int] = set()
    holder = None
    if event.case_id is not None:
        holder = (
            Task.objects.filter(
                case_id=event.case_id,
                status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED],
                assignee__isnull=False,
            )
            .values_list("assignee_id", flat=True)
            .first()
        )
    chiefs = Q(role=Role.SECTION_CHIEF, department_id=dept)
    supervisors = Q(role=Role.SUPERVISOR) & (Q(department_id=dept) | Q(department__isnull=True))
    head = Q(role=Role.CHIEF_REPRESENTATIVE, department_id=dept)
    leadership = head | Q(role=Role.DEPARTMENT_ADMIN, department_id=dept)
    centre = Q(role=Role.CENTRE_ADMIN) | Q(role=Role.SUPERVISOR, department__isnull=True)
    template = ""
    if event.kind == EventKind.COLOUR and event.to_colour > event.from_colour:
        template = _colour_template(event)
        who = chiefs
        if event.to_colour >= Colour.RED:
            who |= supervisors | head
        if event.to_colour >= Colour.LEGAL:
            who |= centre
        users |= _users(who)
        if holder is not None:
            users.add(holder)
    if event.level > event.from_level:
        template = template or "supervision.escalation"
        if event.from_level < 1 <= event.level:
            users |= _users(leadership | supervisors)
        if event.from_level < 2 <= event.level:
            users |= _users(centre)
    return template, users


def _colour_template(event: LightEvent) -> str:
    return {
        Colour.YELLOW: "supervision.yellow",
        Colour.RED: "supervision.red",
        Colour.LEGAL: "supervision.legal",
    }.get(Colour(event.to_colour), "")


def _local(value: datetime | None, *, with_time: bool) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    text = f"{local.year}年{local.month}月{local.day}日"
    return f"{text} {local:%H:%M}" if with_time else text


def _context(event: LightEvent) -> tuple[dict[str, Any], Any]:
    from onewindow.supervision.rules import rules

    light = event.light
    hours = light.limit_unit == "working_hour"
    case, bundle = event.case, event.bundle_case  # exactly one of them (light_one_subject)
    subject: Any = case if case is not None else bundle
    if case is not None:
        title = f"{case.number} {case.item_version.name}"
        number = case.number
    elif bundle is not None:
        title = f"{bundle.number} {bundle.bundle_version.name}"
        number = bundle.number
    else:
        title = number = str(event.light_id)
    return (
        {
            "number": number,
            "subject": title,
            "department": event.department.name,
            "due": _local(light.src_promised_due_at, with_time=hours),
            "legal_due": _local(light.src_legal_due_at, with_time=hours),
            "level": event.level,
            "days": rules().escalate_after_workdays * max(event.level, 1),
        },
        subject,
    )


def _claim(pk: int) -> LightEvent | None:
    qs = LightEvent.objects.filter(pk=pk, alerted_at__isnull=True)
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(
            skip_locked=connection.features.has_select_for_update_skip_locked, of=("self",)
        )
    return qs.select_related(
        "light", "department", "case__item_version", "bundle_case__bundle_version"
    ).first()


def alert_one(pk: int, *, now: datetime) -> int:
    """Alert one event (if nobody did yet); returns how many people were told."""
    with transaction.atomic():
        event = _claim(pk)
        if event is None:
            return 0
        template, users = recipients(event)
        if template:
            context, subject = _context(event)
            for user in User.objects.filter(pk__in=users, is_active=True).order_by("pk"):
                notify(
                    recipient_user=user,
                    channels=("in_app",),
                    template=template,
                    context=context,
                    obj=subject,
                    now=now,
                )
        event.alerted_at = now
        event.recipients = len(users) if template else 0
        event.save(update_fields=["alerted_at", "recipients"])
        return event.recipients


def lights_alert_pending(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Alert up to ``limit`` events not alerted yet (oldest first); returns how many."""
    now = now or clock.now()
    ids = list(
        LightEvent.objects.filter(alerted_at__isnull=True)
        .order_by("at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in ids:
        alert_one(pk, now=now)
        done += 1
    return done


def dispatch(*, now: datetime) -> None:
    """After a sweep's commit: alert now (``ALERTS = "inline"``), through the task worker
    (``"task"``) or not at all (``"off"``: ``supervision_sweep --alerts-only`` later)."""
    from onewindow.supervision.rules import rules

    mode = rules().alerts
    if mode == "task":
        from onewindow.supervision.tasks import lights_alert_task

        lights_alert_task.enqueue()
    elif mode == "inline":
        lights_alert_pending(now=now)
