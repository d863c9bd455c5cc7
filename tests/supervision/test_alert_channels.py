"""Alert channels: in-app, SMS and e-mail per kind of alert as configured, each person
through the channels they can receive, SMS held during the quiet hours, one SMS per
person and event however often (or however concurrently) the alerts run."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from onewindow.cases.models import Case
from onewindow.notify.models import DeliveryState, Notification
from onewindow.notify.services import send_pending
from onewindow.notify.templates import SMS_SEGMENT_CHARS, render, sms_text
from onewindow.org.models import User
from onewindow.supervision import alerts
from onewindow.supervision.alerts import lights_alert_pending, sms_not_before
from onewindow.supervision.models import LightEvent
from onewindow.supervision.rules import rules
from onewindow.supervision.services import lights_sweep
from tests.cases.test_processing_support import at
from tests.supervision.test_alerts import licence_case  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def red_case(licence_case: tuple[Case, Any]) -> tuple[Case, Any]:  # noqa: F811
    """The licence case of test_alerts (red on 03-04, past the legal deadline after
    03-05) with the outbox emptied of the applicant's own messages (accepted, receipt)."""
    Notification.objects.all().delete()
    return licence_case


def told_at_red(case: tuple[Case, Any]) -> int:
    """How many people a red light of ``red_case`` reaches: the holder (王五 or 孙丽), 孙丽
    the section chief, 赵六 the supervisor and 周强 the chief representative."""
    return len({case[1].username, "sunli", "zhaoliu", "zhouqiang"})


def sms_log() -> list[dict[str, Any]]:
    path = Path(django_settings.NOTIFY_OUTBOX_DIR) / "sms.log"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rows(template: str, channel: str) -> set[str]:
    return set(
        Notification.objects.filter(template=template, channel=channel).values_list(
            "recipient__username", flat=True
        )
    )


def set_supervision(settings: Any, **values: Any) -> None:
    settings.SUPERVISION = {**settings.SUPERVISION, **values}


# ------------------------------------------------------------------ who gets what
def test_red_goes_in_app_to_all_and_by_sms_to_those_with_a_phone(
    red_case: tuple[Case, Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case, holder = red_case
    set_supervision(settings, ALERTS="inline")
    User.objects.filter(username="zhouqiang").update(phone="")  # 首席代表 without a phone
    with django_capture_on_commit_callbacks(execute=True):
        lights_sweep(now=at(2026, 3, 4, 9))  # green → red (promised 03-03)
    everyone = {holder.username, "sunli", "zhaoliu", "zhouqiang"}  # (the holder may be 孙丽)
    assert rows("supervision.red", "in_app") == everyone
    assert rows("supervision.red.sms", "sms") == everyone - {"zhouqiang"}
    assert not Notification.objects.filter(channel="email").exists()
    event = LightEvent.objects.get()
    assert event.recipients == len(everyone)
    assert event.reached == {"in_app": len(everyone), "sms": len(everyone) - 1}
    # sent after commit by the file adapter, one line each, with the number and deadline
    sms = Notification.objects.filter(channel="sms")
    assert {r.state for r in sms} == {DeliveryState.SENT}
    lines = sms_log()
    assert sorted(line["to"] for line in lines) == sorted(r.address for r in sms)
    for line in lines:
        assert line["text"].startswith("【示范区政务服务中心】红灯：")
        assert case.number in line["text"]
        assert "3月3日" in line["text"]
        assert len(line["text"]) <= SMS_SEGMENT_CHARS
    assert "2026年" not in lines[0]["text"]  # this year's date needs no year


def test_yellow_stays_in_app(
    red_case: tuple[Case, Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _case, holder = red_case
    set_supervision(settings, ALERTS="inline")
    with django_capture_on_commit_callbacks(execute=True):
        lights_sweep(now=at(2026, 3, 3, 9))
    told = {holder.username, "sunli"}
    assert rows("supervision.yellow", "in_app") == told
    assert not Notification.objects.exclude(channel="in_app").exists()
    assert sms_log() == []
    assert LightEvent.objects.get().reached == {"in_app": len(told)}


@override_settings(MAILERS=LOCMEM)
def test_past_the_legal_deadline_adds_email_for_those_with_an_address(
    red_case: tuple[Case, Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case, holder = red_case
    set_supervision(settings, ALERTS="inline")
    User.objects.filter(username="wumin").update(email="wumin@example.cn")
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        lights_sweep(now=at(2026, 3, 6, 9))  # green → past the legal deadline (03-05)
    everyone = {holder.username, "sunli", "zhaoliu", "zhouqiang", "wumin"}
    n = len(everyone)
    event = LightEvent.objects.get()
    assert event.recipients == n
    assert event.reached == {"in_app": n, "sms": n, "email": 1}
    assert [m.to for m in mail.outbox] == [["wumin@example.cn"]]
    assert case.number in mail.outbox[0].subject  # the in-app wording, long form
    texts = [line["text"] for line in sms_log()]
    assert len(texts) == n
    assert all("红灯严重超期" in t and case.number in t and "3月5日" in t for t in texts)


def test_channels_follow_the_configuration(
    red_case: tuple[Case, Any],
    settings: Any,
) -> None:
    _case, holder = red_case
    set_supervision(settings, ALERTS="off", ALERT_CHANNELS={"yellow": "in_app,sms", "red": []})
    lights_sweep(now=at(2026, 3, 3, 9))
    lights_alert_pending(now=at(2026, 3, 3, 9))
    assert rows("supervision.yellow.sms", "sms") == {holder.username, "sunli"}
    lights_sweep(now=at(2026, 3, 4, 9))
    lights_alert_pending(now=at(2026, 3, 4, 9))
    red = LightEvent.objects.get(to_colour=2)
    assert red.alerted_at is not None
    assert (red.recipients, red.reached) == (0, {})  # red silenced: recorded, not sent
    assert not Notification.objects.filter(template__startswith="supervision.red").exists()


# ------------------------------------------------------------------ never twice
def test_alerting_twice_sends_one_sms_per_person(
    red_case: tuple[Case, Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    n = told_at_red(red_case)
    set_supervision(settings, ALERTS="off")
    lights_sweep(now=at(2026, 3, 4, 9))
    with django_capture_on_commit_callbacks(execute=True):
        assert lights_alert_pending(now=at(2026, 3, 4, 9)) == 1
    with django_capture_on_commit_callbacks(execute=True) as second:
        lights_alert_pending(now=at(2026, 3, 4, 9, 5))
    assert second == []  # nothing claimed, nothing written, nothing to send
    send_pending(now=at(2026, 3, 4, 9, 10))
    send_pending(now=at(2026, 3, 4, 10))
    per_person = list(
        Notification.objects.filter(channel="sms").values_list("recipient__username", flat=True)
    )
    assert len(per_person) == n
    assert sorted(per_person) == sorted(set(per_person))
    assert len(sms_log()) == n


def test_a_crash_before_commit_leaves_no_message(
    red_case: tuple[Case, Any],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    n = told_at_red(red_case)
    set_supervision(settings, ALERTS="off")
    lights_sweep(now=at(2026, 3, 4, 9))

    def crash(self: LightEvent, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("worker killed")

    with monkeypatch.context() as m, django_capture_on_commit_callbacks(execute=True) as calls:
        m.setattr(LightEvent, "save", crash)
        with pytest.raises(RuntimeError):
            lights_alert_pending(now=at(2026, 3, 4, 9))
    assert calls == []
    assert not Notification.objects.exists()
    assert LightEvent.objects.get().alerted_at is None
    with django_capture_on_commit_callbacks(execute=True):
        lights_alert_pending(now=at(2026, 3, 4, 9, 5))
    assert Notification.objects.filter(channel="sms").count() == n
    assert len(sms_log()) == n


# ------------------------------------------------------------------ quiet hours
def test_sms_written_at_night_wait_until_seven(
    red_case: tuple[Case, Any],
    settings: Any,
) -> None:
    n = told_at_red(red_case)
    set_supervision(settings, ALERTS="off")
    lights_sweep(now=at(2026, 3, 4, 23, 30))
    lights_alert_pending(now=at(2026, 3, 4, 23, 30))  # (after-commit sending not run here)
    sms = Notification.objects.filter(channel="sms")
    assert sms.count() == n
    assert {r.next_attempt_at for r in sms} == {at(2026, 3, 5, 7, 0)}
    assert {r.next_attempt_at for r in Notification.objects.filter(channel="in_app")} == {
        at(2026, 3, 4, 23, 30)
    }
    assert send_pending(now=at(2026, 3, 5, 6, 59)) == n  # the in-app messages only
    assert sms_log() == []
    assert send_pending(now=at(2026, 3, 5, 7, 0)) == n
    assert len(sms_log()) == n


@pytest.mark.parametrize(
    ("now", "held_until"),
    [
        (at(2026, 3, 4, 21, 59), None),
        (at(2026, 3, 4, 22, 0), at(2026, 3, 5, 7, 0)),
        (at(2026, 3, 5, 0, 30), at(2026, 3, 5, 7, 0)),
        (at(2026, 3, 5, 6, 59), at(2026, 3, 5, 7, 0)),
        (at(2026, 3, 5, 7, 0), None),
    ],
)
def test_quiet_hours_boundaries(now: datetime, held_until: datetime | None) -> None:
    assert sms_not_before(now) == held_until


def test_quiet_hours_settings(settings: Any) -> None:
    set_supervision(settings, SMS_QUIET_HOURS=None)
    assert sms_not_before(at(2026, 3, 5, 2, 0)) is None
    set_supervision(settings, SMS_QUIET_HOURS="12:00-13:30")  # a window within one day
    assert sms_not_before(at(2026, 3, 5, 12, 10)) == at(2026, 3, 5, 13, 30)
    assert sms_not_before(at(2026, 3, 5, 13, 30)) is None
    assert sms_not_before(at(2026, 3, 5, 23, 0)) is None


# ------------------------------------------------------------------ configuration
def test_defaults_and_partial_override(settings: Any) -> None:
    assert dict(rules().alert_channels) == {
        "yellow": ("in_app",),
        "red": ("in_app", "sms"),
        "legal": ("in_app", "sms", "email"),
        "escalation": ("in_app", "sms"),
    }
    set_supervision(settings, ALERT_CHANNELS={"yellow": " in_app, sms ,sms"})
    channels = rules().alert_channels
    assert channels["yellow"] == ("in_app", "sms")
    assert channels["legal"] == ("in_app", "sms", "email")  # untouched kinds keep defaults


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ALERT_CHANNELS": {"orange": ["in_app"]}}, "unknown alert kind 'orange'"),
        ({"ALERT_CHANNELS": {"red": ["in_app", "wechat"]}}, "red: unknown channel 'wechat'"),
        ({"ALERT_CHANNELS": {"red": 3}}, "red: expected a list of channels"),
        ({"ALERT_CHANNELS": ["sms"]}, "expected a mapping"),
        ({"SMS_QUIET_HOURS": ("22:00", "7")}, "'7' is not a time HH:MM"),
        ({"SMS_QUIET_HOURS": ("22:00", "22:00")}, "start and end at the same time"),
        ({"ALERTS": "sometimes"}, "'sometimes' (one of inline, task, off)"),
        ({"ALERT_CHANELS": {}}, "unknown setting(s) ALERT_CHANELS"),
        ({"YELLOW_PERCENT": "many"}, "'many' is not a whole number"),
    ],
)
def test_a_wrong_configuration_is_refused_clearly(
    settings: Any, values: dict[str, Any], message: str
) -> None:
    set_supervision(settings, **values)
    with pytest.raises(ImproperlyConfigured) as refused:
        rules()
    assert message in str(refused.value)
    assert str(refused.value).startswith("SUPERVISION")
    with pytest.raises(ImproperlyConfigured):  # and the start-up stops on it
        apps.get_app_config("supervision").ready()


# ------------------------------------------------------------------ templates and adapters
def test_sms_templates_fit_one_segment_in_the_worst_case() -> None:
    worst = {
        "centre": "示范区政务服务中心",
        "number": "YJS5001022026123112345",  # a bundle number (22 characters) ...
        "sms_due": "2025年12月31日17:30",  # ... hour limit, another year
        "sms_legal_due": "2025年12月31日17:30",
        "level": 2,
        "days": 30,
    }
    assert len(str(worst["number"])) == 22
    for kind, colour in [
        ("yellow", "黄灯"),
        ("red", "红灯"),
        ("legal", "红灯"),
        ("escalation", "红灯"),
    ]:
        text = sms_text(*render(f"supervision.{kind}.sms", worst))
        assert len(text) <= SMS_SEGMENT_CHARS, text
        assert colour in text
        assert worst["number"] in text
        assert "2025年12月31日17:30" in text


def test_console_adapter_prints_the_case_number(
    red_case: tuple[Case, Any],
    settings: Any,
    capsys: pytest.CaptureFixture[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    n = told_at_red(red_case)
    case, _holder = red_case
    set_supervision(settings, ALERTS="inline")
    settings.NOTIFY_CHANNELS = {"sms": "onewindow.notify.channels.ConsoleSmsChannel"}
    with django_capture_on_commit_callbacks(execute=True):
        lights_sweep(now=at(2026, 3, 4, 9))
    printed = [line for line in capsys.readouterr().out.splitlines() if "[短信 → " in line]
    assert len(printed) == n
    assert all(case.number in line and "红灯" in line for line in printed)
    assert sms_log() == []


def test_escalation_sms_names_the_level(
    red_case: tuple[Case, Any],
    settings: Any,
) -> None:
    case, _holder = red_case
    set_supervision(settings, ALERTS="off")
    lights_sweep(now=at(2026, 3, 4, 9))
    lights_sweep(now=at(2026, 3, 6, 23, 0))  # past the legal deadline (03-05)
    lights_sweep(now=at(2026, 3, 10, 9))  # then level 1 (see test_alerts)
    lights_alert_pending(now=at(2026, 3, 10, 9))
    escalation = LightEvent.objects.get(kind="escalation")
    texts = set(
        Notification.objects.filter(
            template="supervision.escalation.sms", object_id=str(case.pk)
        ).values_list("body", flat=True)
    )
    assert texts == {f"红灯督办1级：办件{case.number}期限3月3日，3个工作日无进展"}
    assert escalation.reached == {"in_app": 3, "sms": 3}
    assert alerts.alert_kinds(escalation) == ["escalation"]
