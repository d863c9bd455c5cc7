"""The notification outbox: written in the caller's transaction, sent after commit through
the channel adapters, retried with backoff, dead after five failures, never sent twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings

from onewindow.audit.models import AuditEvent
from onewindow.notify.admin import NotificationAdmin
from onewindow.notify.channels import Channel, ChannelError
from onewindow.notify.models import DeliveryState, Notification
from onewindow.notify.services import mark_read, notify, send_pending, unread_for
from onewindow.notify.tasks import send_pending_task
from onewindow.notify.templates import render
from onewindow.org.models import Role, RoleAssignment, User
from onewindow.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
CTX = {"centre": "示范区政务服务中心", "number": "SF2026000001", "item": "公共场所卫生许可证核发"}


class FlakyGateway(Channel):
    """A gateway that is down: every call fails (and is counted)."""

    calls = 0

    def send(self, notification: Notification) -> str:
        type(self).calls += 1
        raise ChannelError("短信网关超时")


class CountingGateway(Channel):
    """A gateway that accepts everything and returns a receipt per call."""

    calls = 0

    def send(self, notification: Notification) -> str:
        type(self).calls += 1
        return f"gw-{type(self).calls}"


@pytest.fixture(autouse=True)
def outbox(tmp_path: Path) -> Iterator[Path]:
    FlakyGateway.calls = CountingGateway.calls = 0
    with override_settings(NOTIFY_OUTBOX_DIR=tmp_path):
        yield tmp_path


@pytest.fixture
def zhangsan(db: Any) -> User:
    return User.objects.create_user(
        "zhangsan", display_name="张三", phone="13800138000", email="zhangsan@example.cn"
    )


def sms_lines(folder: Path) -> list[dict[str, Any]]:
    path = folder / "sms.log"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_rows_are_written_in_the_transaction_and_sent_after_commit(
    zhangsan: User, outbox: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        rows = notify(recipient_user=zhangsan, template="case.submitted", context=CTX, now=NOW)
        assert {r.channel for r in rows} == {"in_app", "sms"}
        assert all(r.state == DeliveryState.PENDING for r in rows)
        assert sms_lines(outbox) == []  # nothing leaves before commit
    sms = Notification.objects.get(channel="sms")
    assert sms.state == DeliveryState.SENT
    assert sms.attempts == 1
    assert sms.provider_id == f"file-sms-{sms.pk}"
    assert sms.address == "13800138000"
    assert "SF2026000001" in sms.body
    assert sms.subject == "【示范区政务服务中心】申请已提交"
    lines = sms_lines(outbox)
    assert len(lines) == 1
    assert lines[0]["to"] == "13800138000"
    assert "公共场所卫生许可证核发" in lines[0]["text"]
    assert Notification.objects.get(channel="in_app").state == DeliveryState.SENT


def test_nothing_is_written_or_sent_on_rollback(
    zhangsan: User, outbox: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(recipient_user=zhangsan, template="case.submitted", context=CTX, now=NOW)
                raise RuntimeError("业务失败")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists()
    assert sms_lines(outbox) == []


def test_channels_without_an_address_are_skipped(db: Any) -> None:
    with transaction.atomic():
        rows = notify(
            phone="", channels=("in_app", "sms", "email"), template="case.submitted", context=CTX
        )
    assert rows == []
    with pytest.raises(KeyError, match="item"):
        render("case.submitted", {"centre": "x", "number": "y"})
    with pytest.raises(KeyError, match="unknown notification template"):
        render("no.such.template", CTX)


@override_settings(NOTIFY_CHANNELS={"sms": "tests.notify.test_outbox.FlakyGateway"})
def test_failures_back_off_and_die_after_five_attempts(zhangsan: User) -> None:
    with transaction.atomic():
        (row,) = notify(
            recipient_user=zhangsan,
            channels=("sms",),
            template="case.submitted",
            context=CTX,
            now=NOW,
        )
    at = NOW
    waits = [1, 5, 30, 120]
    for attempt, minutes in enumerate(waits, start=1):
        assert send_pending(now=at) == 0
        row.refresh_from_db()
        assert row.state == DeliveryState.FAILED
        assert row.attempts == attempt
        assert row.last_error == "短信网关超时"
        assert row.next_attempt_at == at + timedelta(minutes=minutes)
        # Not due yet a second before: no call to the gateway.
        calls = FlakyGateway.calls
        send_pending(now=at + timedelta(minutes=minutes) - timedelta(seconds=1))
        assert FlakyGateway.calls == calls
        at = at + timedelta(minutes=minutes)
    send_pending(now=at)
    row.refresh_from_db()
    assert row.state == DeliveryState.DEAD
    assert row.attempts == 5
    assert row.next_attempt_at is None
    send_pending(now=at + timedelta(days=1))
    assert FlakyGateway.calls == 5


@override_settings(NOTIFY_CHANNELS={"sms": "tests.notify.test_outbox.CountingGateway"})
def test_a_row_is_never_sent_twice(zhangsan: User) -> None:
    with transaction.atomic():
        notify(
            recipient_user=zhangsan,
            channels=("sms",),
            template="case.submitted",
            context=CTX,
            now=NOW,
        )
    assert send_pending(now=NOW) == 1
    assert send_pending(now=NOW) == 0
    assert send_pending(now=NOW + timedelta(hours=1)) == 0
    assert CountingGateway.calls == 1
    row = Notification.objects.get()
    assert row.provider_id == "gw-1"
    assert row.sent_at == NOW


@override_settings(
    MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
)
def test_email_through_django_mail(zhangsan: User, django_capture_on_commit_callbacks: Any) -> None:
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(recipient_user=zhangsan, channels=("email",), template="case.submitted", context=CTX)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangsan@example.cn"]
    assert message.subject == "【示范区政务服务中心】申请已提交"
    assert "SF2026000001" in message.body
    row = Notification.objects.get()
    assert row.state == DeliveryState.SENT
    assert row.provider_id.startswith("<notification-")


def test_in_app_unread_and_mark_read(zhangsan: User) -> None:
    qianqi = User.objects.create_user("qianqi", display_name="钱七")
    with transaction.atomic():
        (first,) = notify(
            recipient_user=zhangsan, channels=("in_app",), template="case.submitted", context=CTX
        )
        notify(
            recipient_user=zhangsan,
            channels=("in_app",),
            template="case.one_time_notice",
            context={**CTX, "count": 2, "materials": "营业执照、平面图"},
        )
    assert unread_for(zhangsan).count() == 2
    assert unread_for(qianqi).count() == 0
    from onewindow.common.errors import NotFound

    with pytest.raises(NotFound):
        mark_read(actor=qianqi, notification=first)
    mark_read(actor=zhangsan, notification=first, now=NOW)
    mark_read(actor=zhangsan, notification=first, now=NOW + timedelta(hours=1))  # no-op
    first.refresh_from_db()
    assert first.read_at == NOW
    assert unread_for(zhangsan).count() == 1
    assert AuditEvent.objects.filter(action="notify.read").count() == 1


@override_settings(NOTIFY_CHANNELS={"sms": "tests.notify.test_outbox.FlakyGateway"})
def test_command_task_and_admin_retry(zhangsan: User) -> None:
    with transaction.atomic():
        (row,) = notify(
            recipient_user=zhangsan, channels=("sms",), template="case.submitted", context=CTX
        )
    out = StringIO()
    call_command("notify_send_pending", stdout=out)
    assert "已发送 0 条通知" in out.getvalue()
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED
    # The gateway is back: the admin (centre administrator) puts the row back in the queue.
    admin_user = User.objects.create_user("admin2", is_staff=True)
    RoleAssignment.objects.create(user=admin_user, role=Role.CENTRE_ADMIN)
    request = RequestFactory().post("/")
    request.user = admin_user
    request._messages = _Messages()  # type: ignore[attr-defined]
    model_admin = NotificationAdmin(Notification, site)
    assert "retry_selected" in model_admin.get_actions(request)
    with override_settings(NOTIFY_CHANNELS={"sms": "tests.notify.test_outbox.CountingGateway"}):
        model_admin.retry_selected(request, Notification.objects.all())
        row.refresh_from_db()
        assert row.state == DeliveryState.PENDING
        assert row.attempts == 0
        result = send_pending_task.call()
    assert result == 1
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT
    assert AuditEvent.objects.filter(action="notify.retry").count() == 1
    clerk = User.objects.create_user("lisi", is_staff=True)
    RoleAssignment.objects.create(user=clerk, role=Role.WINDOW_CLERK)
    request.user = clerk
    assert not model_admin.has_view_permission(request)


class _Messages:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, level: int, message: str, extra_tags: str = "") -> None:
        self.items.append(message)
