"""Alerts: who is told at yellow, red, past the legal deadline and on escalation, each
event exactly once, after commit."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases.models import Case, Task
from onewindow.cases.services.processing import task_claim
from onewindow.notify.models import Notification
from onewindow.supervision.alerts import lights_alert_pending
from onewindow.supervision.models import LightEvent
from onewindow.supervision.services import lights_sweep
from tests.cases.conftest import published
from tests.cases.test_processing_support import accepted_case, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def licence_case(people: dict[str, Any]) -> tuple[Case, Any]:
    """营业执照设立登记 (区市场监管局: 1 promised / 3 legal working days) accepted Monday
    2026-03-02: yellow 03-03, red 03-04, past the legal deadline 03-06. Its first task is
    claimed by whoever holds the step's role there (王五 the approver or 孙丽 the chief)."""
    case = accepted_case(
        published("营业执照设立登记"), people["zhangsan"], people["lisi"], when=at(2026, 3, 2, 9)
    )
    task = Task.objects.get(case=case, status="open")
    holder = people["wangwu"] if task.role == "approver" else people["sunli"]
    task_claim(actor=holder, task=task, now=at(2026, 3, 2, 9, 30))
    return case, holder


def told(template: str) -> set[str]:
    return set(
        Notification.objects.filter(template=template, channel="in_app").values_list(
            "recipient__username", flat=True
        )
    )


def test_yellow_then_red_then_legal_reach_the_right_people(
    licence_case: tuple[Case, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case, holder = licence_case
    settings.SUPERVISION = {**settings.SUPERVISION, "ALERTS": "inline"}
    with django_capture_on_commit_callbacks(execute=True):
        lights_sweep(now=at(2026, 3, 3, 9))
    assert told("supervision.yellow") == {holder.username, "sunli"}
    with django_capture_on_commit_callbacks(execute=True):
        lights_sweep(now=at(2026, 3, 4, 9))
    # red: also the centre's supervisor 赵六 and the department head 周强 (首席代表)
    assert told("supervision.red") == {holder.username, "sunli", "zhaoliu", "zhouqiang"}
    with django_capture_on_commit_callbacks(execute=True):
        lights_sweep(now=at(2026, 3, 6, 9))
    # past the legal deadline: also the centre administrator 吴敏
    assert told("supervision.legal") == {
        holder.username,
        "sunli",
        "zhaoliu",
        "zhouqiang",
        "wumin",
    }
    message = Notification.objects.filter(template="supervision.red").first()
    assert message is not None
    assert case.number in message.subject
    assert "2026年3月3日" in message.body
    assert not LightEvent.objects.filter(alerted_at__isnull=True).exists()


def test_no_alert_is_sent_twice(licence_case: tuple[Case, Any], settings: Any) -> None:
    settings.SUPERVISION = {**settings.SUPERVISION, "ALERTS": "off"}
    lights_sweep(now=at(2026, 3, 4, 9))  # green → red at once: one event
    lights_sweep(now=at(2026, 3, 4, 10))
    assert lights_alert_pending(now=at(2026, 3, 4, 10)) == 1
    assert lights_alert_pending(now=at(2026, 3, 4, 11)) == 0
    lights_sweep(now=at(2026, 3, 4, 12))
    assert lights_alert_pending(now=at(2026, 3, 4, 12)) == 0
    per_user = list(
        Notification.objects.filter(template__startswith="supervision.").values_list(
            "recipient__username", "channel"
        )
    )
    assert sorted(per_user) == sorted(set(per_user))  # one message per person and channel
    event = LightEvent.objects.get()
    holder = licence_case[1].username
    people = {holder, "sunli", "zhaoliu", "zhouqiang"}
    assert {u for u, _c in per_user} == people
    assert event.recipients == len(people)
    assert event.reached == {"in_app": len(people), "sms": len(people)}  # all have phones


def test_escalation_when_nothing_moves_once_per_level(
    licence_case: tuple[Case, Any], settings: Any
) -> None:
    settings.SUPERVISION = {**settings.SUPERVISION, "ALERTS": "off"}
    lights_sweep(now=at(2026, 3, 4, 9))  # red (promised 03-03)
    lights_alert_pending(now=at(2026, 3, 4, 9))
    # 3 working days after the red date 03-03 without a move: after Friday 03-06 → level 1
    lights_sweep(now=at(2026, 3, 6, 23, 0))
    assert not LightEvent.objects.filter(kind="escalation").exists()
    lights_sweep(now=at(2026, 3, 9, 9))
    lights_sweep(now=at(2026, 3, 10, 9))
    first = LightEvent.objects.get(kind="escalation")
    assert (first.from_level, first.level) == (0, 1)
    lights_alert_pending(now=at(2026, 3, 10, 9))
    # level 1: the department's leadership (周强, 郑华) and the supervisor
    assert told("supervision.escalation") == {"zhouqiang", "zhenghua", "zhaoliu"}
    # 6 working days: after Wednesday 03-11 → level 2, the centre
    lights_sweep(now=at(2026, 3, 12, 9))
    lights_sweep(now=at(2026, 3, 20, 9))
    assert list(
        LightEvent.objects.filter(kind="escalation").values_list("from_level", "level")
    ) == [(0, 1), (1, 2)]
    Notification.objects.filter(template="supervision.escalation").delete()
    lights_alert_pending(now=at(2026, 3, 20, 9))
    assert told("supervision.escalation") == {"wumin", "zhaoliu"}
