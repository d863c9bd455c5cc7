"""The hourly stall sweep of bundles as a command (the sweep itself: test_bundle_refusal)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onewindow.cases.tasks import bundle_stalls_task

pytestmark = pytest.mark.django_db


def test_the_command_reports_what_it_flagged() -> None:
    out = StringIO()
    call_command("cases_flag_stalled_bundles", "--now", "2026-11-30T09:00:00+08:00", stdout=out)
    assert out.getvalue().strip() == "标记超期事项 0 件"


@pytest.mark.parametrize("value", ["garbage", "2026-11-30T09:00:00"])
def test_a_bad_time_is_refused_in_chinese(value: str) -> None:
    with pytest.raises(CommandError, match="时间"):
        call_command("cases_flag_stalled_bundles", "--now", value)


def test_the_task_is_on_the_sweeps_queue() -> None:
    assert bundle_stalls_task.queue_name == "sweeps"
