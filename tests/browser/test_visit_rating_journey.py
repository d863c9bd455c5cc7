"""Window services rated (好差评 一次一评) in real Chromium, on the demo district:

李四 (window clerk) starts a window application of 个体工商户设立登记 for 张三 at the
counter (which records the visit), opens 窗口评价器 and hands it to 张三, who chooses 不满意
with a reason; the device returns to today's list with 感谢您的评价. The bad rating opens a
rectification that 孙丽 (区市场监管局, the case's department) finds in 差评整改. Then 张三,
at home, rates another window service (a consultation at the 社保 window, which 李四
recorded on 登记窗口服务) online from
评价与投诉 → 我的窗口服务评价.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from onewindow.cases.models import Case, Visit
from onewindow.demo.data.org import ZHANGSAN_ID
from onewindow.ratings.models import Rating, Rectification
from tests.browser.conftest import screenshot
from tests.browser.test_case_journeys import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = "个体工商户设立登记"  # 区市场监管局
SHOTS = Path("/tmp/s4")


def also_in_tmp(page: Any, name: str) -> None:
    """The screenshot in test-artifacts/ and, for the reviewer, in /tmp/s4/."""
    screenshot(page, name)
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_window_service_rated_on_the_device_and_online(
    live_server: Any, browser: Browser, district: Path
) -> None:
    base = live_server.url

    # 李四 at the counter: 一窗受理 → 张三 → 个体工商户设立登记 (records the visit).
    lisi = person(browser, base, "lisi")
    menu = lisi.get_by_role("navigation", name="后台菜单")
    menu.get_by_role("link", name="一窗受理").click()
    lisi.get_by_label("申请人身份证号码或统一社会信用代码").fill(ZHANGSAN_ID)
    lisi.get_by_role("button", name="查找申请人").click()
    lisi.get_by_role("link", name="张三").first.click()
    lisi.get_by_label("选择办理事项").fill(ITEM)
    lisi.get_by_role("button", name="搜索事项").click()
    lisi.get_by_role("button", name=f"为其申请“{ITEM}”").click()
    expect(lisi.locator(".messages")).to_contain_text("请填写申请表并扫描材料")
    case = Case.objects.filter(item_version__name=ITEM, channel="window").latest("pk")
    visit = Visit.objects.get(case=case)
    assert visit.recorded_by.username == "lisi"

    # The rating device: today's services of 李四, newest first; 张三 rates 不满意.
    lisi.get_by_role("navigation", name="后台菜单").get_by_role("link", name="窗口评价器").click()
    expect(lisi.get_by_role("heading", level=1)).to_have_text("窗口评价器")
    row = lisi.locator("tr", has_text=case.number)
    expect(row).to_contain_text("张三")
    row.get_by_role("link", name="请群众评价").click()
    expect(lisi.get_by_role("heading", level=1)).to_have_text("请您对本次窗口服务进行评价")
    levels = lisi.locator(".rate-levels")
    levels.locator("label").filter(has_text="不满意").filter(has_not_text="非常").click()
    lisi.locator(".rate-dims").get_by_role("radiogroup", name="服务效率").get_by_text(
        "非常不满意"
    ).click()
    lisi.get_by_role("button", name="提交评价").click()  # no reason: told so, nothing stored
    expect(lisi.locator(".rate-comment .error")).to_contain_text("请填写不满意的原因")
    assert not Rating.objects.filter(visit=visit).exists()
    lisi.get_by_label("评价内容（不满意时请写明原因，最多500字）").fill(
        "材料清单讲了两遍还是不清楚，等候四十分钟"
    )
    also_in_tmp(lisi, "visit-rating-01-device-form")
    lisi.get_by_role("button", name="提交评价").click()
    expect(lisi.locator(".messages")).to_contain_text("感谢您的评价")
    expect(lisi.get_by_role("heading", level=1)).to_have_text("窗口评价器")
    expect(lisi.locator("tr", has_text=case.number)).to_contain_text("不满意")
    also_in_tmp(lisi, "visit-rating-02-device-thanks")
    rating = Rating.objects.get(visit=visit)
    assert (rating.channel, rating.level, rating.dimensions) == (
        "window_device",
        2,
        {"overall": 2, "service_efficiency": 1},
    )
    rect = Rectification.objects.get(rating=rating)
    assert rect.department == case.department

    # 孙丽 (区市场监管局): the rectification is in 差评整改.
    sunli = person(browser, base, "sunli")
    sunli.goto(base + "/backoffice/")
    sunli.get_by_role("navigation", name="后台菜单").get_by_role("link", name="差评整改").click()
    row = sunli.locator("tr", has_text="材料清单讲了两遍")
    expect(row).to_contain_text("窗口服务")
    expect(row).to_contain_text("区市场监管局")
    row.get_by_role("link", name="不满意").click()
    expect(sunli.locator("h1")).to_contain_text("待核实整改")
    expect(sunli.locator(".facts")).to_contain_text(case.number)
    also_in_tmp(sunli, "visit-rating-03-rectification")

    # 张三 also asks at the 社保 window: 李四 records the consultation (登记窗口服务).
    lisi.get_by_role("navigation", name="后台菜单").get_by_role("link", name="登记窗口服务").click()
    expect(lisi.get_by_role("heading", level=1)).to_have_text("今天登记的窗口服务")
    lisi.get_by_role("link", name="登记窗口服务").last.click()
    expect(lisi.get_by_role("heading", level=1)).to_have_text("登记窗口服务")
    lisi.get_by_label("申请人身份证号码或统一社会信用代码").fill(ZHANGSAN_ID[:-1] + "9")
    lisi.get_by_role("button", name="查找申请人").click()  # a wrong check digit: told so
    expect(lisi.locator(".field-error")).to_contain_text("居民身份证号码校验码错误")
    lisi.get_by_label("申请人身份证号码或统一社会信用代码").fill(ZHANGSAN_ID)
    lisi.get_by_role("button", name="查找申请人").click()
    expect(lisi.get_by_role("heading", name="办事人：张三")).to_be_visible()
    lisi.get_by_label("服务窗口").select_option(label="示范区政务服务中心 22号 社保窗口")
    lisi.get_by_label("其他", exact=True).check()
    lisi.get_by_role("button", name="登记", exact=True).click()  # 其他 without a text: told so
    expect(lisi.locator(".field-error")).to_contain_text("选择“其他”时请写明服务事由")
    lisi.get_by_label("咨询", exact=True).check()
    lisi.get_by_label("说明（选“其他”时必填）").fill("灵活就业人员参保")
    also_in_tmp(lisi, "visit-register")
    lisi.get_by_role("button", name="登记", exact=True).click()
    expect(lisi.locator(".messages")).to_contain_text("已登记，可请办事人在窗口评价器上评价")
    expect(lisi.locator("tr", has_text="咨询：灵活就业人员参保")).to_contain_text("张三")
    consulted = Visit.objects.get(purpose="咨询：灵活就业人员参保")
    assert (consulted.recorded_by.username, consulted.window.number) == ("lisi", "22")
    lisi.get_by_role("link", name="打开窗口评价器").click()
    expect(lisi.locator("tr", has_text="咨询：灵活就业人员参保")).to_contain_text("请群众评价")

    # 张三 online: 评价与投诉 → 我的窗口服务评价 → 去评价.
    zhangsan = person(browser, base, "zhangsan")
    zhangsan.get_by_role("link", name="评价与投诉").click()
    zhangsan.get_by_role("link", name="我的窗口服务评价").click()
    expect(zhangsan.get_by_role("heading", level=1)).to_have_text("我的窗口服务评价")
    rated_row = zhangsan.locator("tr", has_text=case.number)
    expect(rated_row).to_contain_text("不满意")
    expect(rated_row).to_contain_text("李四")
    also_in_tmp(zhangsan, "visit-rating-04-my-visits")
    zhangsan.locator("tr", has_text="咨询：灵活就业人员参保").get_by_role(
        "link", name="去评价"
    ).click()
    expect(zhangsan.get_by_role("heading", level=1)).to_have_text("窗口服务评价（一次一评）")
    expect(zhangsan.locator(".rl-visit-facts")).to_contain_text("社保")
    zhangsan.locator(".rate-levels label").filter(has_text="满意").filter(
        has_not_text="非常"
    ).filter(has_not_text="不").filter(has_not_text="基本").click()
    zhangsan.locator(".rate-dims").get_by_role("radiogroup", name="服务态度").get_by_text(
        "非常满意"
    ).click()
    also_in_tmp(zhangsan, "visit-rating-05-online-form")
    zhangsan.get_by_role("button", name="提交评价").click()
    expect(zhangsan.get_by_role("heading", level=1)).to_have_text("感谢您的评价")
    zhangsan.get_by_role("link", name="返回我的窗口服务评价").click()
    expect(zhangsan.locator("tr", has_text="咨询：灵活就业人员参保")).to_contain_text("满意")
    expect(
        zhangsan.locator("tr", has_text="咨询：灵活就业人员参保").get_by_role("link", name="去评价")
    ).to_have_count(0)
    also_in_tmp(zhangsan, "visit-rating-06-my-visits-rated")
    online = Rating.objects.get(visit=consulted)
    assert (online.channel, online.level, online.rated_by.username) == ("online", 4, "zhangsan")
    assert online.dimensions == {"overall": 4, "attitude": 5}
    assert not Rectification.objects.filter(rating=online).exists()
