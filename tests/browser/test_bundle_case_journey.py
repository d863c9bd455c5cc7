"""一件事一次办 in real Chromium, on the demo district (issue 4's "Done when"):

张三 opens 我要开理发店, answers the questions (a shop sign, no staff), applies online: ONE
merged form filled once, each material type uploaded once, submitted. 李四 accepts the
whole bundle at one window (一窗受理). The departments work in parallel: 区卫生健康委 (韩梅,
the lead) schedules the joint site inspection (区市场监管局's 王五 records his finding too),
chases 区税务局, and approves the hygiene licence and the health certificate through its
task screens; 区市场监管局 (孙丽) approves the individual business registration, 区城市管理局
(刘洋) refuses the optional shop sign, 区税务局 (陈静) confirms the tax information; 张三
drops the sign ("放弃该事项，其余继续"). The three on-the-spot items the window could not
decide are decided by those officers from their task inboxes, and the window concludes the
decided sub-cases through ``case_conclude`` (its 办结 screen is journey 1 of
test_case_journeys.py). 韩梅 issues the one outcome; 张三 downloads the results and confirms
the one delivery; the guide shows the reduction figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    Case,
)
from onewindow.cases.services.delivery import case_conclude
from onewindow.cases.states import CaseStatus
from onewindow.demo.data.org import DEMO_PASSWORD
from onewindow.org.models import Department, User
from onewindow.org.services.staff import staff_create
from tests.browser.conftest import TIMEOUT_MS, demo_district, screenshot
from tests.cases.test_uploads import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BARBER = "我要开理发店"
HYGIENE = "公共场所卫生许可证核发"
HEALTH = "从业人员预防性健康检查及健康证明办理"
INDIVIDUAL = "个体工商户设立登记"
SIGN = "户外广告设施设置备案"
TAX = "一照一码户涉税信息确认"


@pytest.fixture
def district(tmp_path: Path) -> Iterator[Path]:
    """The demo district plus the officers the demo lacks: 刘洋 (区城市管理局) and 陈静
    (区税务局), section chiefs, created through the org service."""
    with demo_district(tmp_path) as folder:
        admin = User.objects.get(username="admin")
        for username, name, dept in (("liuyang", "刘洋", "CGJ"), ("chenjing", "陈静", "SWJ")):
            staff_create(
                actor=admin,
                username=username,
                display_name=name,
                password=DEMO_PASSWORD,
                roles=[("section_chief", Department.objects.get(code=dept), None)],
            )
        yield folder


def person(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".site-header .who")).to_be_visible()
    return page


def sub(bc: BundleCase, name: str) -> Case:
    return bc.sub_cases.get(item_version__name=name)


def decide_through_task_screen(
    page: Page, base: str, case: Case, outcome: str, reason: str = "", shot: str = ""
) -> None:
    """The department's officer opens the sub-case from 我的任务, claims it and decides."""
    page.goto(f"{base}/backoffice/tasks/")
    page.get_by_role("link", name=case.number).click()
    # the task is named by what it is: a decision, also when it waits on the accept step
    # of an instant item the window could not decide (never "任务：受理")
    expect(page.locator(".bo-task h2")).to_contain_text("任务：")
    expect(page.locator(".bo-task h2")).not_to_contain_text("受理")
    if shot:
        screenshot(page, shot)
    page.get_by_role("button", name="认领").click()
    expect(page.locator(".messages")).to_contain_text("已认领该任务")
    label = "不予许可" if outcome == "refuse" else "准予许可"
    page.get_by_role("radio", name=label, exact=True).check()
    if reason:
        page.get_by_role("textbox", name="决定理由（不予许可时必填）").fill(reason)
    page.get_by_role("button", name="作出决定").click()
    expect(page.locator(".messages")).to_contain_text("决定书")


def test_barber_shop_one_thing_done_once(
    live_server: Any, browser: Browser, district: Path
) -> None:
    base = live_server.url
    scan = {"name": "扫描件.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}

    # ------------------------------------------------ 张三: guide → answers → 在线申请
    zhangsan = person(browser, base, "zhangsan")
    zhangsan.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="一件事一次办"
    ).click()
    zhangsan.locator(".bundle-card", has_text=BARBER).get_by_role("link", name=BARBER).click()
    zhangsan.get_by_role("group", name="是否设置门头招牌或其他户外广告设施？").get_by_label(
        "是"
    ).check()
    zhangsan.get_by_role("group", name="是否招用员工？").get_by_label("否").check()
    zhangsan.get_by_role("button", name="确定需要办理的事项").click()
    expect(zhangsan.get_by_role("heading", name="您需要办理的5个事项")).to_be_visible()
    zhangsan.get_by_role("link", name="在线申请").click()
    expect(zhangsan.get_by_role("heading", level=1)).to_contain_text(BARBER)
    # The answers came along; the person and the business are chosen already.
    expect(zhangsan.locator("input[name=a_sign][value=yes]")).to_be_checked()
    expect(zhangsan.locator("input[name=a_staff][value=no]")).to_be_checked()
    screenshot(zhangsan, "bundle-journey-01-apply")
    zhangsan.get_by_role("button", name="下一步：填写申请表").click()

    # ------------------------------------------------ ONE merged form, each material once
    expect(zhangsan.get_by_role("heading", name="一表申请：合并申请表")).to_be_visible()
    bc = BundleCase.objects.get(created_by__username="zhangsan")
    assert bc.sub_cases.count() == 5
    form = zhangsan.locator("form.app-form")
    expect(form.locator("#i-resident_id")).to_have_value("500102198506150130")  # pre-filled
    # A wrong value first: the Chinese error sits next to its field, the rest is kept.
    values = {
        "phone": "13900000001",
        "business_name": "张三理发店",
        "business_address": "示范区城东大道96号",
        "business_scope": "理发、美发服务",
        "employees_count": "3",
        "business_area_m2": "-45",
        "sign_location": "城东大道96号门头",
        "sign_size": "3米×0.8米",
    }
    for code, value in values.items():
        form.locator(f"#i-{code}").fill(value)
    form.locator("#i-public_place_type").select_option("理发店")
    files = form.locator("input[type=file]")
    slots = files.count()
    for i in range(slots):
        files.nth(i).set_input_files(scan)  # type: ignore[arg-type]
    form.get_by_label("电子送达").check()
    form.get_by_role("button", name="提交申请").click()
    expect(zhangsan.locator(".error-summary")).to_contain_text("经营面积")
    expect(zhangsan.locator("#i-business_name")).to_have_value("张三理发店")
    screenshot(zhangsan, "bundle-journey-02-form-error")
    zhangsan.locator("#i-business_area_m2").fill("45")
    zhangsan.get_by_role("button", name="提交申请").click()
    expect(zhangsan.locator(".bundle-status")).to_contain_text("已提交，待受理")
    # Uploaded once per material type, a copy in every sub-case asking for it.
    shared = bc.sub_cases.filter(materials__status="uploaded").count()
    assert shared > slots
    screenshot(zhangsan, "bundle-journey-03-submitted")

    # ------------------------------------------------ 李四: one acceptance at one window
    lisi = person(browser, base, "lisi")
    lisi.get_by_role("navigation", name="后台菜单").get_by_role("link", name="一件事受理").click()
    expect(lisi.locator(".bo-bundles")).to_contain_text(bc.number)
    lisi.get_by_role("link", name="审核受理").click()
    screenshot(lisi, "bundle-journey-04-window")
    lisi.get_by_role("button", name="一窗受理全部事项").click()
    expect(lisi.locator(".messages")).to_contain_text("5个事项已分送各部门并联办理")
    bc.refresh_from_db()
    assert bc.promised_due_at is not None
    assert sub(bc, HYGIENE).status == CaseStatus.IN_DECISION

    # ------------------------------------------------ 韩梅 (lead): joint inspection, chase
    hanmei = person(browser, base, "hanmei")
    hanmei.get_by_role("navigation", name="后台菜单").get_by_role("link", name="牵头一件事").click()
    hanmei.get_by_role("link", name=bc.number).click()
    expect(hanmei.locator(".bo-subcases tbody tr")).to_have_count(5)
    schedule = hanmei.locator("form.bo-schedule")
    schedule.locator("input[name=at]").fill("2026-12-03T09:30")
    schedule.get_by_label("区市场监管局").check()
    schedule.get_by_role("button", name="安排联合踏勘").click()
    expect(hanmei.locator(".messages")).to_contain_text("已安排联合踏勘")
    chase = hanmei.locator("form.bo-chase")
    chase.locator("select[name=case]").select_option(sub(bc, TAX).number)
    chase.get_by_role("button", name="督办").click()
    expect(hanmei.locator(".messages")).to_contain_text("已督办")
    screenshot(hanmei, "bundle-journey-05-lead-view")

    # Each department records its finding; the lead completes the one visit.
    inspection = bc.inspections.get()
    for page in (hanmei, person(browser, base, "wangwu")):
        page.goto(f"{base}/backoffice/bundles/inspections/{inspection.pk}/")
        page.get_by_role("button", name="提交踏勘意见").click()
        expect(page.locator(".messages")).to_contain_text("已记录本部门的踏勘意见")
    hanmei.goto(f"{base}/backoffice/bundles/{bc.number}/")
    hanmei.get_by_role("button", name="完成踏勘（计一次到现场）").click()
    expect(hanmei.locator(".messages")).to_contain_text("计一次到现场")

    # ------------------------------------------------ three departments in parallel
    # 区卫生健康委 works its two sub-cases through its task inbox (claim, decide).
    decide_through_task_screen(hanmei, base, sub(bc, HYGIENE), "approve")
    decide_through_task_screen(hanmei, base, sub(bc, HEALTH), "approve")
    screenshot(hanmei, "bundle-journey-06-decided")
    # The on-the-spot items (即办件) the window could not decide wait in their departments'
    # section chiefs' inboxes: 区市场监管局 (孙丽) approves the registration, 区城市管理局
    # (刘洋) refuses the optional shop sign, 区税务局 (陈静) confirms the tax information.
    decide_through_task_screen(
        person(browser, base, "sunli"),
        base,
        sub(bc, INDIVIDUAL),
        "approve",
        shot="bundle-journey-05b-instant-decision-task",
    )
    liuyang = person(browser, base, "liuyang")
    decide_through_task_screen(liuyang, base, sub(bc, SIGN), "refuse", "招牌位置占用消防通道")
    screenshot(liuyang, "bundle-journey-06a-refused-at-task")
    decide_through_task_screen(person(browser, base, "chenjing"), base, sub(bc, TAX), "approve")

    # ------------------------------------------------ 张三 drops the refused optional item
    zhangsan.get_by_role("navigation", name="主导航").get_by_role("link", name="我的一件事").click()
    zhangsan.get_by_role("link", name=bc.number).click()
    expect(zhangsan.locator(".bundle-status")).to_contain_text("待申请人选择")
    expect(zhangsan.locator(".bundle-choice")).to_contain_text("招牌位置占用消防通道")
    expect(zhangsan.locator(".bundle-subcases")).to_contain_text("区城市管理局")
    screenshot(zhangsan, "bundle-journey-07-choice")
    zhangsan.get_by_role("button", name="放弃该事项，其余继续").click()
    expect(zhangsan.locator(".messages")).to_contain_text("其余事项继续办理")

    # The window concludes each decided sub-case (journey 1 shows that screen).
    for case in bc.sub_cases.filter(status=CaseStatus.APPROVED):
        case_conclude(actor=User.objects.get(username="lisi"), case=case)
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.CONCLUDED

    # ------------------------------------------------ the lead issues the one outcome
    hanmei.goto(f"{base}/backoffice/bundles/{bc.number}/")
    issue = hanmei.locator("form.bo-issue")
    expect(issue.locator("select[name=delivery_method]")).to_have_value("electronic")
    issue.get_by_role("button", name="统一出件").click()
    expect(hanmei.locator(".messages")).to_contain_text("共4项结果")
    screenshot(hanmei, "bundle-journey-08-outcome")

    # ------------------------------------------------ 张三: one delivery, results downloaded
    zhangsan.reload()
    outcome = zhangsan.locator("section[aria-labelledby=b-outcome]")
    expect(outcome).to_contain_text("电子送达")
    links = outcome.get_by_role("link", name="下载办理结果")
    expect(links).to_have_count(4)
    href = links.first.get_attribute("href") or ""
    response = zhangsan.request.get(base + href)
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    expect(zhangsan.locator(".bundle-deadline")).to_contain_text(
        re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
    )
    zhangsan.get_by_role("button", name="我已下载，确认收到").click()
    expect(zhangsan.locator(".messages")).to_contain_text("已确认收到全部办理结果")
    expect(zhangsan.locator(".bundle-status")).to_contain_text("已送达")
    screenshot(zhangsan, "bundle-journey-09-delivered")
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.DELIVERED

    # ------------------------------------------------ the guide's reduction figures
    zhangsan.goto(f"{base}/bundles/{bc.bundle.code}/")
    reduction = zhangsan.locator("table.reduction")
    expect(reduction).to_contain_text("跑动次数")
    expect(reduction).to_contain_text("申请材料（份）")
    # Next to the catalogue figures, the figures measured from this concluded bundle case.
    expect(zhangsan.locator("#b-measured")).to_contain_text("已办结的1件一件事")
    screenshot(zhangsan, "bundle-journey-10-reduction")
