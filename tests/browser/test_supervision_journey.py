"""The traffic-light journey in real Chromium on the demo district: 赵六, the centre's
supervisor, watches a 营业执照设立登记 case (区市场监管局, 1 promised / 3 legal working days)
turn yellow and then red as the clock moves (time-machine; the sweep runs as the periodic
task would, at the moved "now"), sees who holds it on the red list, and the holder and the
section chief 孙丽 find the alerts among their in-app messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Browser, expect

from onewindow.cases.models import Task
from onewindow.cases.services.processing import task_claim
from onewindow.org.models import User
from onewindow.supervision.services import lights_sweep
from tests.browser.conftest import screenshot
from tests.browser.test_case_journeys import person
from tests.cases.conftest import published
from tests.cases.test_processing_support import accepted_case, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOARD = "/backoffice/supervision/"


def test_a_supervisor_sees_a_case_turn_yellow_then_red(
    district: Path, live_server: object, browser: Browser
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    zhangsan, lisi = User.objects.get(username="zhangsan"), User.objects.get(username="lisi")
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=True) as clock:
        case = accepted_case(published("营业执照设立登记"), zhangsan, lisi, when=at(2026, 3, 2, 9))
        task = Task.objects.get(case=case, status="open")
        holder = User.objects.get(username="wangwu" if task.role == "approver" else "sunli")
        task_claim(actor=holder, task=task, now=at(2026, 3, 2, 9, 30))

        # Monday 10:00: green.
        clock.move_to(at(2026, 3, 2, 10, 0))
        lights_sweep()
        zhaoliu = person(browser, base, "zhaoliu")
        zhaoliu.goto(base + BOARD)
        expect(zhaoliu.get_by_role("heading", name="红黄绿督查看板（全厅）")).to_be_visible()
        expect(zhaoliu.locator("strong[data-colour='0']")).to_have_text("1")
        expect(zhaoliu.locator(".red-list")).to_contain_text("没有红灯办件")

        # Tuesday 09:00: the promised day itself, one working day left → yellow.
        clock.move_to(at(2026, 3, 3, 9, 0))
        lights_sweep()
        zhaoliu.reload()
        expect(zhaoliu.locator("strong[data-colour='1']")).to_have_text("1")
        zhaoliu.goto(base + f"/backoffice/cases/{case.number}/")
        expect(zhaoliu.locator(".light-badge")).to_contain_text("黄灯")
        screenshot(zhaoliu, "supervision-case-yellow")

        # Wednesday 09:00: past the promised deadline → red, on the red list with its holder.
        clock.move_to(at(2026, 3, 4, 9, 0))
        lights_sweep()
        zhaoliu.goto(base + BOARD)
        expect(zhaoliu.locator("strong[data-colour='2']")).to_have_text("1")
        row = zhaoliu.locator(f".red-list tr[data-number='{case.number}']")
        expect(row).to_contain_text("红灯")
        expect(row).to_contain_text(str(holder))
        expect(row).to_contain_text("2 个工作日")
        screenshot(zhaoliu, "supervision-board-red")

        # The holder and the section chief were told, in their in-app messages.
        for username in sorted({holder.username, "sunli"}):
            staff = person(browser, base, username)
            staff.goto(base + "/my/notifications/")
            expect(staff.get_by_text(f"【黄灯预警】办件 {case.number} 即将到期")).to_be_visible()
            expect(staff.get_by_text(f"【红灯】办件 {case.number} 已超过承诺时限")).to_be_visible()
            screenshot(staff, f"supervision-alerts-{username}")
        # 孙丽's own department board shows it too.
        sunli = person(browser, base, "sunli")
        sunli.goto(base + BOARD + "department/")
        expect(sunli.locator(f".red-list tr[data-number='{case.number}']")).to_be_visible()
