"""Journeys through the online hall in real Chromium: search → guide → print; no results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.portal import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_to_guide_to_print(live_server, page: Page) -> None:
    item = f.hygiene_licence()
    f.make_item("食品经营许可证核发", dept=f.department("SCJ", "区市场监管局"))

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="网上办事大厅")).to_be_visible()
    screenshot(page, "portal-home")

    page.get_by_label("搜索办事事项").fill("公共场所卫生许可证")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_text("找到 1 个与“公共场所卫生许可证”相关的事项")).to_be_visible()
    result = page.get_by_role("link", name="公共场所卫生许可证核发")
    expect(result).to_be_visible()
    expect(page.get_by_role("link", name="食品经营许可证核发")).to_have_count(0)
    screenshot(page, "portal-results")

    result.click()
    expect(page).to_have_url(re.compile(re.escape(f"/items/{item.code}/") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("公共场所卫生许可证核发")
    materials = page.locator("table.materials")
    expect(materials).to_contain_text("公共场所卫生许可申请表")
    expect(materials).to_contain_text("免提交（电子证照调取）")
    expect(materials.get_by_role("link", name="空白表格")).to_be_visible()
    limits = page.locator(".limit-cards")
    expect(limits).to_contain_text("法定时限")
    expect(limits).to_contain_text("20")
    expect(limits).to_contain_text("承诺时限")
    expect(limits).to_contain_text("3")
    expect(limits).to_contain_text("85%")
    expect(page.locator(".points")).to_contain_text("示范区人民路100号政务服务中心一楼")
    expect(page.locator(".points")).to_contain_text("09:00–12:00")
    expect(page.get_by_role("heading", name="收费标准")).to_be_visible()
    expect(page.locator("#g-fee + p")).to_have_text("不收费")
    expect(
        page.get_by_text(re.compile(r"本指南第1版，发布于\d{4}年\d{1,2}月\d{1,2}日"))
    ).to_be_visible()
    screenshot(page, "portal-guide")

    page.get_by_role("link", name="打印版").click()
    expect(page).to_have_url(re.compile(r"/print/$"))
    expect(page.locator(".site-header")).to_have_count(0)
    expect(page.locator("table.materials")).to_contain_text("营业执照")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="返回办事指南")).to_be_hidden()
    png = screenshot(page, "portal-guide-print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    png.with_suffix(".pdf").write_bytes(pdf)


def test_search_absent_item_shows_chinese_hints(live_server, page: Page) -> None:
    f.hygiene_licence()
    page.goto(live_server.url + "/")
    page.get_by_label("搜索办事事项").fill("月球土地登记")
    page.keyboard.press("Enter")
    no_results = page.get_by_role("status")
    expect(no_results).to_contain_text("没有找到与“月球土地登记”相关的事项。")
    expect(no_results).to_contain_text("12345")
    screenshot(page, "portal-no-results")

    # With JavaScript, htmx refreshes the results while typing (no submit).
    page.get_by_label("搜索办事事项").fill("卫生许可")
    expect(page.get_by_role("link", name="公共场所卫生许可证核发")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=%E5%8D%AB%E7%94%9F"))
