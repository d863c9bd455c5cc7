"""Writing to the outbox and sending from it.

``notify`` writes one row per channel inside the caller's transaction and asks, after
commit, for those rows to be sent. ``send_pending`` delivers due rows through the channel
adapters, one row per short transaction holding the row's lock, so a row is never sent
twice; a failure is retried after 1, 5, 30 and 120 minutes, and a row that failed 5 times
is dead (the admin can retry it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet

from onewindow.audit.services import record
from onewindow.common import clock
from onewindow.common.errors import NotFound
from onewindow.notify.channels import ChannelError, channel_for
from onewindow.notify.models import ChannelKind, DeliveryState, Notification
from onewindow.notify.templates import render

log = logging.getLogger(__name__)

BACKOFF_MINUTES = (1, 5, 30, 120)
MAX_ATTEMPTS = 5
DUE_STATES = (DeliveryState.PENDING, DeliveryState.FAILED)


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(context, cls=DjangoJSONEncoder))
    return result


def notify(
    *,
    recipient_user: Any = None,
    phone: str = "",
    email: str = "",
    channels: Sequence[str] = ("in_app", "sms"),
    template: str,
    context: dict[str, Any],
    obj: models.Model | None = None,
    now: datetime | None = None,
    not_before: datetime | None = None,
) -> list[Notification]:
    """Write the outbox rows of one message (one per channel that has an address) in the
    caller's transaction; they are sent after commit. In-app needs ``recipient_user``; SMS
    uses ``phone`` or the user's phone; e-mail ``email`` or the user's address.
    ``not_before`` holds the rows in the outbox until that instant (e.g. no SMS at night):
    their first ``next_attempt_at``, so only a sender running from then on sends them."""
    now = now or clock.now()
    first_attempt = max(now, not_before) if not_before is not None else now
    ctx = _jsonable(context)
    subject, body = render(template, ctx)
    rows: list[Notification] = []
    with transaction.atomic(savepoint=False):  # one statement: no savepoint needed
        for kind in channels:
            ChannelKind(kind)  # an unknown channel is a programming error
            if kind == ChannelKind.IN_APP:
                if recipient_user is None:
                    continue
                address = ""
            elif kind == ChannelKind.SMS:
                address = phone or getattr(recipient_user, "phone", "") or ""
            else:
                address = email or getattr(recipient_user, "email", "") or ""
            if kind != ChannelKind.IN_APP and not address:
                continue
            rows.append(
                Notification(
                    recipient=recipient_user,
                    channel=kind,
                    address=address,
                    template=template,
                    context=ctx,
                    subject=subject[:200],
                    body=body,
                    object_type=obj._meta.label_lower if obj is not None else "",
                    object_id=str(obj.pk) if obj is not None else "",
                    state=DeliveryState.PENDING,
                    next_attempt_at=first_attempt,
                    created_at=now,
                )
            )
        if rows:
            Notification.objects.bulk_create(rows)  # one INSERT for every channel
            ids = [r.pk for r in rows]
            if getattr(settings, "NOTIFY_SEND_MODE", "inline") != "outbox":
                transaction.on_commit(lambda: dispatch(ids))
    return rows


def dispatch(ids: list[int]) -> None:
    """After commit: send the new rows now (``NOTIFY_SEND_MODE = "inline"``, the default)
    or enqueue the sender task (``"task"``, for slow gateways). (With ``"outbox"`` nothing
    runs after commit: the periodic ``notify_send_pending`` sends them.) Never raises: a failure
    stays in the outbox for the next run."""
    try:
        if getattr(settings, "NOTIFY_SEND_MODE", "inline") == "task":
            from onewindow.notify.tasks import send_pending_task

            send_pending_task.enqueue()
        else:
            send_pending(ids=ids)
    except Exception:  # the message is in the outbox; the periodic sender will retry
        log.exception("notify: sending after commit failed")


def due(now: datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), state__in=DUE_STATES
    ).order_by("next_attempt_at", "id")


def send_pending(
    now: datetime | None = None, limit: int = 100, *, ids: Iterable[int] | None = None
) -> int:
    """Send up to ``limit`` due rows (only ``ids`` if given); return how many were sent."""
    now = now or clock.now()
    candidates = due(now)
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    sent = 0
    for pk in list(candidates.values_list("pk", flat=True)[:limit]):
        if _send_one(pk, now):
            sent += 1
    return sent


def _locked(pk: int, now: datetime) -> Notification | None:
    qs = due(now).filter(pk=pk)
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
    return qs.first()


def _send_one(pk: int, now: datetime) -> bool:
    with transaction.atomic():
        row = _locked(pk, now)
        if row is None:  # sent meanwhile, or locked by another sender
            return False
        row.attempts += 1
        try:
            row.provider_id = channel_for(row.channel).send(row)[:128]
        except Exception as exc:  # ChannelError, or an adapter's own bug: retry either way
            if not isinstance(exc, ChannelError):
                log.exception("notify: adapter for %s raised", row.channel)
            row.last_error = str(exc)[:255] or exc.__class__.__name__
            if row.attempts >= MAX_ATTEMPTS:
                row.state = DeliveryState.DEAD
                row.next_attempt_at = None
            else:
                row.state = DeliveryState.FAILED
                minutes = BACKOFF_MINUTES[min(row.attempts, len(BACKOFF_MINUTES)) - 1]
                row.next_attempt_at = now + timedelta(minutes=minutes)
            row.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            return False
        row.state = DeliveryState.SENT
        row.sent_at = now
        row.next_attempt_at = None
        row.save(update_fields=["attempts", "provider_id", "state", "sent_at", "next_attempt_at"])
        return True


def retry(*, actor: Any, notification: Notification, now: datetime | None = None) -> None:
    """Put a failed or dead row back in the queue (the admin's action)."""
    now = now or clock.now()
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=notification.pk)
        if row.state not in (DeliveryState.FAILED, DeliveryState.DEAD):
            return
        row.state = DeliveryState.PENDING
        row.attempts = 0
        row.next_attempt_at = now
        row.save(update_fields=["state", "attempts", "next_attempt_at"])
        record(
            action="notify.retry",
            actor=actor,
            obj=row,
            at=now,
            summary=f"重新发送通知 {row.pk}",
            payload={"channel": row.channel, "last_error": row.last_error},
        )
        transaction.on_commit(lambda: dispatch([row.pk]))


# ------------------------------------------------------------------ in-app messages
def inbox_for(user: Any) -> QuerySet[Notification]:
    """The user's in-app messages, unread first, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=ChannelKind.IN_APP).order_by(
        models.F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def unread_for(user: Any) -> QuerySet[Notification]:
    return inbox_for(user).filter(read_at__isnull=True)


def mark_read(*, actor: Any, notification: Notification, now: datetime | None = None) -> None:
    """Mark one of the actor's own in-app messages read (someone else's: NotFound)."""
    now = now or clock.now()
    if (
        actor is None
        or notification.recipient_id != getattr(actor, "pk", None)
        or notification.channel != ChannelKind.IN_APP
    ):
        raise NotFound("未找到该消息", code="notification_not_found")
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if updated:
            notification.read_at = now
            record(
                action="notify.read",
                actor=actor,
                obj=notification,
                at=now,
                summary=f"阅读消息 {notification.pk}",
            )
