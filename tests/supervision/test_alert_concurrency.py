"""Two alert runs at once on PostgreSQL: each event is claimed by one of them (row lock,
SKIP LOCKED), so each person gets one SMS per event and the SMS adapter writes each once.
(A module of its own: the demo fixture of the other alert tests holds an open transaction
that the threads' connections could not see through.)"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import override_settings

from onewindow.notify.models import Notification
from onewindow.notify.services import send_pending
from onewindow.org.models import User
from onewindow.supervision.alerts import lights_alert_pending
from onewindow.supervision.models import LightEvent
from onewindow.supervision.services import lights_sweep
from tests.cases.test_processing_support import accepted_case, at
from tests.supervision.test_alert_channels import set_supervision, sms_log

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_root"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency on PostgreSQL"),
]


def test_two_alert_runs_at_once_send_one_sms_per_person(settings: Any) -> None:
    from onewindow.catalog.models import ItemVersion
    from onewindow.demo.loader import load_demo
    from tests.conftest import reseed_calendar

    reseed_calendar()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        load_demo()
    set_supervision(settings, ALERTS="off")
    version = ItemVersion.objects.get(name="营业执照设立登记", status="published")
    zhangsan, lisi = User.objects.get(username="zhangsan"), User.objects.get(username="lisi")
    for hour in (9, 10, 11):
        accepted_case(version, zhangsan, lisi, when=at(2026, 3, 2, hour))
    lights_sweep(now=at(2026, 3, 4, 9))  # three cases red: three events
    assert LightEvent.objects.count() == 3
    before = len(sms_log())  # the applicant's own messages (accepted, receipt)

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            lights_alert_pending(now=at(2026, 3, 4, 9, 1))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert not LightEvent.objects.filter(alerted_at__isnull=True).exists()
    expected = sum(e.reached["sms"] for e in LightEvent.objects.all())
    assert expected > 0
    pairs = list(
        Notification.objects.filter(channel="sms", template__startswith="supervision.").values_list(
            "recipient_id", "object_id"
        )
    )
    assert len(pairs) == expected
    assert len(set(pairs)) == len(pairs)  # one SMS per person and case
    send_pending(now=at(2026, 3, 4, 9, 2))
    assert len(sms_log()) - before == expected
