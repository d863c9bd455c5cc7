"""The ratings journey of issue 5 in real Chromium: 张三 gives a bad rating to his
concluded case from 我的办件; 韩梅 (区卫生健康委) verifies it, records the action and calls
him back; 赵六 (supervisor) closes the rectification; the board shows the rates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from onewindow.common import clock
from onewindow.org.models import User
from onewindow.ratings.models import Rating, Rectification
from tests.browser.conftest import screenshot
from tests.browser.test_case_journeys import person
from tests.ratings.conftest import concluded_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bad_rating_rectified_called_back_and_closed(
    live_server: Any, browser: Browser, district: Path
) -> None:
    base = live_server.url
    names = ["zhangsan", "lisi", "hanmei", "zhaoliu", "admin"]
    people = {u.username: u for u in User.objects.filter(username__in=names)}
    case = concluded_case(people, when=clock.now())

    # 张三: 我的办件 → the case → 去评价 → 不满意 with the reason.
    zhangsan = person(browser, base, "zhangsan")
    zhangsan.goto(base + "/my/cases/")
    row = zhangsan.locator("tr", has_text=case.number)
    expect(row.get_by_role("link", name="去评价", exact=True)).to_be_visible()
    screenshot(zhangsan, "rating-00-my-cases")
    row.get_by_role("link", name=case.number).click()
    expect(zhangsan.locator(".rate-line")).to_contain_text("前可评价")
    zhangsan.get_by_role("link", name="去评价", exact=True).click()
    expect(zhangsan.get_by_role("heading", level=1)).to_have_text("服务评价（好差评）")
    levels = zhangsan.locator(".rate-levels")
    zhangsan.get_by_role("button", name="提交评价").click()  # nothing chosen: told so
    expect(zhangsan.locator(".error").first).to_contain_text("评价等级应为1至5")
    levels.locator("label").filter(has_text="不满意").filter(has_not_text="非常").click()
    dims = zhangsan.locator(".rate-dims")
    dims.get_by_role("radiogroup", name="办事效率").get_by_text("非常不满意").click()
    screenshot(zhangsan, "rating-01-form")
    zhangsan.get_by_role("button", name="提交评价").click()
    expect(zhangsan.locator(".error").first).to_contain_text("请填写不满意的原因")
    zhangsan.get_by_label("评价内容（不满意时请写明原因，最多500字）").fill(
        "审批比承诺时间慢，电话咨询无人接听"
    )
    zhangsan.get_by_role("button", name="提交评价").click()
    expect(zhangsan.get_by_role("heading", level=1)).to_have_text("感谢您的评价")
    expect(zhangsan.locator(".rate-summary")).to_contain_text("不满意")
    screenshot(zhangsan, "rating-02-thanks")
    # back on 我的办件 and the case's page: the rating given, no 去评价 any more
    zhangsan.goto(base + "/my/cases/")
    row = zhangsan.locator("tr", has_text=case.number)
    expect(row).to_contain_text("已评价：不满意")
    expect(row.get_by_role("link", name="去评价")).to_have_count(0)
    row.get_by_role("link", name=case.number).click()
    expect(zhangsan.locator(".rate-line")).to_contain_text("您的评价：不满意")
    expect(zhangsan.get_by_role("link", name="去评价")).to_have_count(0)
    screenshot(zhangsan, "rating-02a-case-rated")
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.dimensions) == (2, {"overall": 2, "efficiency": 1})
    rect = Rectification.objects.get(rating=rating)

    # 韩梅: 差评整改 → the rectification → 属实, reason and action → call-back.
    hanmei = person(browser, base, "hanmei")
    hanmei.goto(base + "/backoffice/")
    hanmei.get_by_role("navigation", name="后台菜单").get_by_role("link", name="差评整改").click()
    hanmei.get_by_role("link", name="不满意").first.click()
    expect(hanmei.locator("h1")).to_contain_text("待核实整改")
    hanmei.get_by_label("属实", exact=True).check()
    hanmei.get_by_label("核实情况（不属实时写明理由）").fill("决定环节积压，超出承诺时限1天")
    hanmei.get_by_label("整改措施（属实时必填）").fill("增设审批岗，咨询电话专人值守")
    hanmei.get_by_role("button", name="提交整改").click()
    expect(hanmei.locator(".messages")).to_contain_text("已记录核实情况和整改措施")
    expect(hanmei.locator("h1")).to_contain_text("已整改，待回访")
    hanmei.get_by_label("未接通").check()
    hanmei.get_by_role("button", name="记录回访").click()
    expect(hanmei.locator("h1")).to_contain_text("已整改，待回访")  # an attempt only
    hanmei.get_by_label("满意", exact=True).check()
    hanmei.get_by_label("回访记录").fill("张三表示认可整改措施")
    hanmei.get_by_role("button", name="记录回访").click()
    expect(hanmei.locator("h1")).to_contain_text("已回访，待审核")
    expect(hanmei.get_by_role("button", name="审核通过，办结")).to_have_count(0)
    screenshot(hanmei, "rating-03-rectified")

    # 赵六: all open rectifications → close.
    zhaoliu = person(browser, base, "zhaoliu")
    zhaoliu.goto(base + "/backoffice/")
    zhaoliu.get_by_role("navigation", name="后台菜单").get_by_role("link", name="差评整改").click()
    expect(zhaoliu.locator("table")).to_contain_text(case.number)
    screenshot(zhaoliu, "rating-04-supervisor-list")
    zhaoliu.goto(base + f"/backoffice/ratings/rectifications/{rect.pk}/")
    zhaoliu.get_by_label("审核意见（退回时必填）").fill("整改到位，同意办结")
    zhaoliu.get_by_role("button", name="审核通过，办结").click()
    expect(zhaoliu.locator("h1")).to_contain_text("已办结")
    screenshot(zhaoliu, "rating-05-closed")
    stored = Rectification.objects.get(pk=rect.pk)
    assert (stored.status, stored.closed_by, stored.callback_result) == (
        "closed",
        people["zhaoliu"],
        "satisfied",
    )

    zhaoliu.get_by_role("navigation", name="后台菜单").get_by_role(
        "link", name="好差评看板"
    ).click()
    row = zhaoliu.locator("tr", has_text="区卫生健康委")
    expect(row).to_contain_text("100.00%")  # rectification and call-back rates
    screenshot(zhaoliu, "rating-06-board")

    # 张三 complains about 区卫生健康委 from 评价与投诉; the kiosk page for people without
    # an account.
    zhangsan.get_by_role("link", name="评价与投诉").click()
    expect(zhangsan.locator("table")).to_contain_text(case.number)
    zhangsan.get_by_role("link", name="我的投诉").click()
    zhangsan.get_by_role("link", name="我要投诉").click()
    zhangsan.get_by_label("部门", exact=True).check()
    zhangsan.get_by_label("部门（投诉部门时选择）").select_option(label="区卫生健康委")
    zhangsan.get_by_role("button", name="提交投诉").click()
    expect(zhangsan.locator(".error").first).to_contain_text("请填写投诉内容")
    zhangsan.get_by_label("投诉内容").fill("咨询电话长期无人接听")
    screenshot(zhangsan, "rating-07-complaint-form")
    zhangsan.get_by_role("button", name="提交投诉").click()
    expect(zhangsan.locator(".case-status")).to_contain_text("待答复")
    screenshot(zhangsan, "rating-08-complaint")
    zhangsan.goto(base + "/ratings/kiosk/")
    screenshot(zhangsan, "rating-09-kiosk")
