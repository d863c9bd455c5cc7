"""批量办理 in real Chromium: 韩梅 (approver of 区卫生健康委) ticks two review tasks in her
inbox, writes one opinion and completes both; the cases move on to the decision step, and a
third task she left unticked stays in her inbox."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from onewindow.cases.models import Task, TaskStatus
from onewindow.cases.states import CaseStatus
from onewindow.org.models import User
from tests.browser.conftest import screenshot
from tests.browser.test_case_journeys import person
from tests.cases.test_bulk_transitions import CLINIC, in_processing
from tests.cases.test_processing_support import reload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hanmei_completes_two_review_tasks_at_once(
    browser: Browser,
    live_server: Any,
    district: Any,
) -> None:
    names = ["zhangsan", "lisi", "hanmei"]
    people = {u.username: u for u in User.objects.filter(username__in=names)}
    cases = in_processing(CLINIC, people, 3)
    tasks = {c.pk: Task.objects.get(case=c, status=TaskStatus.OPEN) for c in cases}

    page = person(browser, live_server.url, "hanmei")
    page.goto(live_server.url + "/backoffice/tasks/")
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    for case in cases[:2]:
        page.get_by_label(f"选择办件 {case.number}").check()
    page.get_by_label("审查意见").fill("材料齐全，符合条件")
    screenshot(page, "bulk-tasks-ticked")
    page.get_by_role("button", name="批量完成审查").click()
    expect(page.locator(".messages")).to_contain_text("已批量完成2项审查任务，其中2件转入下一环节")
    screenshot(page, "bulk-tasks-done")

    assert [reload(c).status for c in cases] == [
        CaseStatus.IN_DECISION,
        CaseStatus.IN_DECISION,
        CaseStatus.IN_REVIEW,
    ]
    assert Task.objects.get(pk=tasks[cases[2].pk].pk).status == TaskStatus.OPEN
    # the decision tasks now wait in 韩梅's inbox too (she is the section chief)
    expect(page.get_by_role("link", name=cases[0].number)).to_be_visible()
    expect(page.get_by_label(f"选择办件 {cases[2].number}")).to_be_visible()
