"""The yearly assessment in real Chromium on the demo district: 赵六, the centre's supervisor,
opens 督查报告, follows 年考核, asks for 2026 and reads the departments ranked by score with
their grades, then downloads the Excel workbook from the page's link."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from onewindow.org.models import User
from onewindow.ratings.services import rate_case
from tests.browser.conftest import screenshot
from tests.browser.test_case_journeys import person
from tests.supervision_reports.conftest import HYGIENE, MARKET, at, case_with, end_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_reads_the_yearly_assessment(
    district: Path, live_server: object, browser: Browser
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    people = {u.username: u for u in User.objects.all()}
    # 区市场监管局 concludes on time; 区卫生健康委 late, and is rated 非常不满意.
    case_with(people, MARKET, at(2026, 3, 3), end_of(2026, 3, 6), concluded=at(2026, 3, 5))
    late = case_with(people, HYGIENE, at(2026, 3, 2), end_of(2026, 3, 5), concluded=at(2026, 3, 10))
    rate_case(actor=people["zhangsan"], case=late, level=1, comment="超期", now=at(2026, 3, 11))

    page = person(browser, base, "zhaoliu")
    page.goto(base + "/backoffice/")
    page.get_by_role("link", name="督查报告").first.click()
    expect(
        page.get_by_role("heading", name="督查报告：日扫描、周调度、月通报、季分析、年考核")
    ).to_be_visible()
    page.get_by_role("link", name="年考核").click()
    page.get_by_label("周期").fill("2026")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("h1")).to_contain_text("政务服务年度考核（2026年度，截至")
    ranking = page.locator(".report-table").first
    expect(ranking).to_contain_text("各部门年度考核综合得分与等级")
    rows = ranking.locator("tbody tr")
    health = rows.filter(has_text="区卫生健康委")
    expect(health).to_contain_text("0.00不合格")  # late, red, rated 非常不满意: nothing earned
    names = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    assert names.index("区市场监管局") < names.index("区卫生健康委")
    assert names[-1] == "合计"
    path = screenshot(page, "reports-year-assessment")
    page.screenshot(path="/tmp/s4/reports-year-assessment.png", full_page=True)
    assert path.exists()

    href = page.get_by_role("link", name="下载 Excel").get_attribute("href")
    assert href
    response = page.request.get(base + href if href.startswith("/") else href)
    assert response.status == 200
    workbook = load_workbook(BytesIO(response.body()))
    assert "考核排名" in workbook.sheetnames
