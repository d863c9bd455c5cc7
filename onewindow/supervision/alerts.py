"""Alerts of the traffic lights, keyed on the ``LightEvent``: each event is alerted once.

``lights_alert_pending`` takes the events not yet alerted, each in its own short
transaction holding the event's row lock (``SKIP LOCKED`` on PostgreSQL), writes the
messages (in-app, SMS, e-mail) to the notify outbox and stamps ``alerted_at`` in the same
transaction, so an event is never alerted twice even with two senders, and a crash before
the commit leaves no message behind; the outbox sends after commit, each row once.

Who is told (docs/supervision.md):

* yellow: the officer holding the case's open task and the department's section chiefs;
* red: also the supervisors (of the department or centre-wide) and the department head
  (the chief representative, 首席代表, who heads the department's work in the hall);
* past the legal deadline: also the centre (centre administrators and centre-wide
  supervisors);
* escalation (red and nothing moved): level 1 the department's leadership (chief
  representative and department administrators) and the supervisors; level 2 the centre.

Through which channels: ``SUPERVISION["ALERT_CHANNELS"]`` per kind (``rules.py``; by
default yellow in-app; red and escalation in-app and SMS; past the legal deadline also
e-mail). Each person gets the channels they can receive (no phone: no SMS; no address: no
e-mail); the event keeps how many were reached per channel (``LightEvent.reached``). SMS
use their own one-segment templates (``<template>.sms``) and wait in the outbox during the
quiet hours (``SMS_QUIET_HOURS``, 22:00-07:00 by default).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from onewindow.cases.models import Task, TaskStatus
from onewindow.cases.notices import centre_name
from onewindow.common import clock
from onewindow.notify.models import Notification
from onewindow.notify.services import notify
from onewindow.notify.templates import register
from onewindow.org.models import Role, RoleAssignment, User
from onewindow.supervision.models import Colour, EventKind, LightEvent
from onewindow.supervision.rules import CHANNELS, rules

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
# The SMS: the centre's signature as the subject, then the colour, the case number and the
# deadline, in one 70-character segment (SMS_SEGMENT_CHARS) even in the worst case: a
# 9-character centre name (示范区政务服务中心), a 22-character bundle number, an hour
# limit's deadline of another year (2025年12月31日17:30) and 2-digit escalation days. Dates
# carry the year only when it is not the current one.
register(
    "supervision.yellow.sms",
    "【{centre}】",
    "黄灯预警：办件{number}承诺期限{sms_due}，请抓紧办理。",
)
register(
    "supervision.red.sms",
    "【{centre}】",
    "红灯：办件{number}已超承诺期限{sms_due}，请立即办理。",
)
register(
    "supervision.legal.sms",
    "【{centre}】",
    "红灯严重超期：办件{number}超法定期限{sms_legal_due}，请立即督办。",
)
register(
    "supervision.escalation.sms",
    "【{centre}】",
    "红灯督办{level}级：办件{number}期限{sms_due}，{days}个工作日无进展",
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


_COLOUR_KIND = {Colour.YELLOW: "yellow", Colour.RED: "red", Colour.LEGAL: "legal"}


def _colour_template(event: LightEvent) -> str:
    kind = _COLOUR_KIND.get(Colour(event.to_colour))
    return f"supervision.{kind}" if kind else ""


def alert_kinds(event: LightEvent) -> list[str]:
    """The kinds of alert ``event`` is (``rules.ALERT_KINDS``): its new colour if it rose,
    and ``escalation`` if its level rose (one event can be both)."""
    kinds = []
    if event.kind == EventKind.COLOUR and event.to_colour > event.from_colour:
        kind = _COLOUR_KIND.get(Colour(event.to_colour))
        if kind:
            kinds.append(kind)
    if event.level > event.from_level:
        kinds.append("escalation")
    return kinds


def alert_channels(event: LightEvent) -> tuple[str, ...]:
    """The channels of ``event``: those configured for any of its kinds."""
    configured = rules().alert_channels
    wanted = {c for kind in alert_kinds(event) for c in configured[kind]}
    return tuple(c for c in CHANNELS if c in wanted)


def sms_not_before(now: datetime) -> datetime | None:
    """The end of the quiet hours if ``now`` (local time) falls in them, else None."""
    quiet = rules().sms_quiet_hours
    if quiet is None:
        return None
    start, end = quiet
    local = timezone.localtime(now)
    t = local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:  # after midnight's start: this morning; before it: tomorrow's
        release += timedelta(days=1)
    return release


def _local(value: datetime | None, *, with_time: bool) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    text = f"{local.year}年{local.month}月{local.day}日"
    return f"{text} {local:%H:%M}" if with_time else text


def _short(value: datetime | None, *, with_time: bool, now: datetime) -> str:
    """A date for an SMS: 3月3日 (14:30 for hour limits), with the year only if it is
    not the year of ``now``."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    text = f"{local.month}月{local.day}日"
    if local.year != timezone.localtime(now).year:
        text = f"{local.year}年{text}"
    return f"{text}{local:%H:%M}" if with_time else text


def _context(event: LightEvent, *, now: datetime) -> tuple[dict[str, Any], Any]:
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
            "sms_due": _short(light.src_promised_due_at, with_time=hours, now=now),
            "sms_legal_due": _short(light.src_legal_due_at, with_time=hours, now=now),
            "centre": centre_name(),
            "level": event.level,
            "days": rules().escalate_after_workdays * max(event.level, 1),
            "event": event.pk,
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
    """Alert one event (if nobody did yet); returns how many people were told.

    Every outbox row is written in the transaction that claims the event and stamps it, so
    the event's messages exist once or not at all; the outbox sends them after commit."""
    with transaction.atomic():
        event = _claim(pk)
        if event is None:
            return 0
        template, users = recipients(event)
        channels = alert_channels(event) if template else ()
        reached = dict.fromkeys(channels, 0)
        told = 0
        if channels:
            context, subject = _context(event, now=now)
            plain = tuple(c for c in channels if c != "sms")
            hold = sms_not_before(now) if "sms" in channels else None
            for user in User.objects.filter(pk__in=users, is_active=True).order_by("pk"):
                rows: list[Notification] = []
                if plain:
                    rows += notify(
                        recipient_user=user,
                        channels=plain,
                        template=template,
                        context=context,
                        obj=subject,
                        now=now,
                    )
                if "sms" in channels:
                    rows += notify(
                        recipient_user=user,
                        channels=("sms",),
                        template=f"{template}.sms",
                        context=context,
                        obj=subject,
                        now=now,
                        not_before=hold,
                    )
                for row in rows:
                    reached[row.channel] += 1
                told += bool(rows)
        event.alerted_at = now
        event.recipients = told
        event.reached = reached
        event.save(update_fields=["alerted_at", "recipients", "reached"])
        return told


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
    mode = rules().alerts
    if mode == "task":
        from onewindow.supervision.tasks import lights_alert_task

        lights_alert_task.enqueue()
    elif mode == "inline":
        lights_alert_pending(now=now)
