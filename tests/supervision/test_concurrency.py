"""Two sweeps at once on PostgreSQL: each change is recorded exactly once (the advisory
lock serialises them; the unique ``(light, seq)`` is the last line of defence)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import override_settings

from onewindow.catalog.models import ItemVersion
from onewindow.org.models import User
from onewindow.supervision.models import CaseLight, LightEvent, SweepRun
from onewindow.supervision.services import SweepResult, lights_sweep
from tests.cases.test_processing_support import accepted_case, at

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_root", "no_alerts"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency on PostgreSQL"),
]


def test_two_sweeps_at_once_record_each_change_once() -> None:
    from onewindow.demo.loader import load_demo
    from tests.conftest import reseed_calendar

    reseed_calendar()  # a transactional test before this one may have flushed it
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        load_demo()
    version = ItemVersion.objects.get(name="公共场所卫生许可证核发", status="published")
    zhangsan, lisi = User.objects.get(username="zhangsan"), User.objects.get(username="lisi")
    for day in (2, 3, 4):
        accepted_case(version, zhangsan, lisi, when=at(2026, 3, day, 9))

    barrier = threading.Barrier(2)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(lights_sweep(now=at(2026, 3, 10, 9)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(r.events for r in results) == [0, 3]
    assert CaseLight.objects.count() == 3
    assert LightEvent.objects.count() == 3
    assert SweepRun.objects.count() == 1
    # and the constraint refuses a second copy of an event outright
    event: Any = LightEvent.objects.first()
    event.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()
