"""One short journey in real Chromium: 张三 opens 一件事一次办, opens 我要开理发店, answers
a question and sees the items change (the questions form is a plain GET form)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from onewindow.demo.loader import load_demo
from onewindow.workdays.selectors import invalidate_calendar
from tests.browser.conftest import screenshot
from tests.conftest import reseed_calendar

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
SIGN = "户外广告设施设置备案"


@pytest.fixture
def district() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        reseed_calendar()
        load_demo()
        yield
        invalidate_calendar()


def test_barber_shop_questions_change_the_items(live_server, page: Page, district) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="一件事一次办").click()
    expect(page.get_by_role("heading", name="一件事一次办", level=1)).to_be_visible()
    card = page.locator(".bundle-card", has_text="我要开理发店")
    expect(card).to_contain_text("牵头部门：区卫生健康委")
    expect(card).to_contain_text("跑动")
    screenshot(page, "bundles-list")

    card.get_by_role("link", name="我要开理发店").click()
    expect(page.get_by_role("heading", name="包含的6个事项")).to_be_visible()
    items = page.locator("table.bundle-items tbody")
    expect(items).to_contain_text(SIGN)
    expect(page.locator("table.reduction")).to_be_visible()
    screenshot(page, "bundle-barber-all")

    page.get_by_role("group", name="是否设置门头招牌或其他户外广告设施？").get_by_label(
        "否"
    ).check()
    page.get_by_role("group", name="是否招用员工？").get_by_label("是").check()
    page.get_by_role("button", name="确定需要办理的事项").click()
    expect(page.get_by_role("heading", name="您需要办理的5个事项")).to_be_visible()
    expect(items).not_to_contain_text(SIGN)
    expect(page.get_by_text(f"根据您的回答无需办理：{SIGN}")).to_be_visible()
    expect(page.get_by_role("group", name="是否招用员工？").get_by_label("是")).to_be_checked()
    screenshot(page, "bundle-barber-answered")
