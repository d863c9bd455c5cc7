"""Holding a message: ``notify(not_before=...)`` keeps the rows in the outbox until then
(the after-commit send skips them; the periodic sender sends them when their time comes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from onewindow.common import clock
from onewindow.notify.models import DeliveryState, Notification
from onewindow.notify.services import notify, send_pending
from onewindow.org.models import User

pytestmark = pytest.mark.django_db

CTX = {"centre": "示范区政务服务中心", "number": "SF2026000001", "item": "公共场所卫生许可证核发"}


@pytest.fixture(autouse=True)
def outbox(tmp_path: Path) -> Iterator[Path]:
    with override_settings(NOTIFY_OUTBOX_DIR=tmp_path):
        yield tmp_path


def test_a_held_sms_waits_for_its_time(
    outbox: Path, django_capture_on_commit_callbacks: Any
) -> None:
    user = User.objects.create_user("zhangsan", display_name="张三", phone="13800138000")
    now = clock.now()
    later = now + timedelta(hours=8)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (held,) = notify(
            recipient_user=user,
            channels=("sms",),
            template="case.submitted",
            context=CTX,
            now=now,
            not_before=later,
        )
        (plain,) = notify(
            recipient_user=user, channels=("in_app",), template="case.submitted", context=CTX
        )
    assert held.next_attempt_at == later
    held.refresh_from_db()
    assert held.state == DeliveryState.PENDING  # the after-commit send skipped it
    assert Notification.objects.get(pk=plain.pk).state == DeliveryState.SENT
    assert not (outbox / "sms.log").exists()
    assert send_pending(now=later - timedelta(seconds=1)) == 0
    assert send_pending(now=later) == 1
    held.refresh_from_db()
    assert held.state == DeliveryState.SENT
    lines = (outbox / "sms.log").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["13800138000"]


def test_not_before_in_the_past_changes_nothing(db: Any) -> None:
    now = clock.now()
    with transaction.atomic():
        (row,) = notify(
            phone="13800138000",
            channels=("sms",),
            template="case.submitted",
            context=CTX,
            now=now,
            not_before=now - timedelta(hours=1),
        )
    assert row.next_attempt_at == now
