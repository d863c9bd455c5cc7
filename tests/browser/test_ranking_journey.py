"""The public ranking journey of issue 5 in real Chromium: 吴敏 (centre administrator)
creates and opens a round from the back office; two members of the public vote on a phone
without logging in; the first tries again and is refused; 吴敏 closes and publishes; anyone
sees the published ranking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect

from onewindow.org.models import Department, RoleAssignment, User
from onewindow.ranking.models import Ballot, EvaluationRound, FollowUp, VoterMarker
from onewindow.workdays.selectors import invalidate_calendar
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.conftest import reseed_calendar
from tests.ranking.conftest import voter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Onewindow-2026"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def centre() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        reseed_calendar()
        Department.objects.create(code="SCJG", name="区市场监管局", order=1)
        Department.objects.create(code="WSJK", name="区卫生健康委", order=2)
        Department.objects.create(code="SW", name="区税务局", order=3)
        wumin = User.objects.create_user(username="wumin", password=PASSWORD, display_name="吴敏")
        RoleAssignment.objects.create(user=wumin, role="centre_admin")
        yield
        invalidate_calendar()


def context_page(browser: Browser, *, phone: bool = False) -> Page:
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=phone)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def vote(
    browser: Browser,
    base: str,
    resident_id: str,
    marks: dict[str, list[str]],
    problem: str,
    shot: str = "",
) -> Page:
    page = context_page(browser, phone=True)
    page.goto(base + "/")
    page.get_by_role("link", name="群众评议").first.click()
    page.get_by_role("link", name="参加评议").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026年第四季度最难办事科室群众评")
    for office, categories in marks.items():
        group = page.get_by_role("group", name=office)
        for c in categories:
            group.get_by_label(c, exact=True).check()
        if problem:
            group.get_by_role("textbox").fill(problem)
    page.get_by_label("居民身份证号码").fill(resident_id)
    if shot:
        screenshot(page, shot)
    page.get_by_role("button", name="提交评议").click()
    return page


def test_round_opened_voted_closed_and_published(
    live_server: Any, browser: Browser, centre: None
) -> None:
    base = live_server.url
    wumin = context_page(browser)
    wumin.goto(base + "/accounts/login/")
    wumin.get_by_label("账号").fill("wumin")
    wumin.get_by_label("密码").fill(PASSWORD)
    wumin.get_by_role("button", name="登录").click()
    wumin.goto(base + "/backoffice/")
    wumin.locator(".bo-menu").get_by_role("link", name="群众评议").click()
    wumin.get_by_role("link", name="创建评议").click()
    wumin.get_by_label("评议名称").fill("2026年第四季度最难办事科室群众评")
    wumin.get_by_label("评议期间起").fill("2026-10-01")
    wumin.get_by_label("评议期间止").fill("2026-12-31")
    wumin.get_by_label("区卫生健康委").check()
    wumin.get_by_label("区税务局").check()
    wumin.get_by_label("被评议科室（每行一个：部门名称 科室名称）").fill("区市场监管局 登记注册科")
    wumin.get_by_role("button", name="创建").click()
    expect(wumin.locator("#round-status")).to_have_text("草稿")
    wumin.get_by_role("button", name="开始评议").click()
    expect(wumin.locator("#round-status")).to_have_text("评议中")

    first = vote(
        browser,
        base,
        voter(1),
        {"区市场监管局 登记注册科": ["冷", "推"]},
        "窗口让我到另一个科室盖章，跑了三次",
        shot="ranking-01-vote-phone",
    )
    expect(first.get_by_role("heading", level=1)).to_have_text("评议已提交，感谢您的参与")
    second = vote(
        browser, base, voter(2), {"区市场监管局 登记注册科": ["懒"], "区税务局": ["乱"]}, ""
    )
    expect(second.get_by_role("heading", level=1)).to_have_text("评议已提交，感谢您的参与")
    again = vote(browser, base, voter(1).lower(), {"区卫生健康委": ["贪"]}, "")
    expect(again.locator(".error")).to_contain_text("您已参加过本轮评议，每人每轮只能评议一次")
    expect(again.get_by_role("group", name="区卫生健康委").get_by_label("贪")).to_be_checked()
    screenshot(again, "ranking-02-duplicate-refused")
    r = EvaluationRound.objects.get()
    assert Ballot.objects.filter(round=r).count() == 2
    assert VoterMarker.objects.filter(round=r).count() == 2

    # A not yet published round's results are not public.
    assert context_page(browser).goto(f"{base}/ranking/{r.pk}/results/").status == 404

    wumin.reload()
    wumin.get_by_role("button", name="结束评议").click()
    expect(wumin.locator("#round-status")).to_have_text("已结束评议")
    expect(wumin.locator(".rk-results tbody tr").first).to_contain_text("区市场监管局 登记注册科")
    expect(wumin.locator("main")).to_contain_text("窗口让我到另一个科室盖章，跑了三次")
    wumin.get_by_role("button", name="公布结果").click()
    expect(wumin.locator("#round-status")).to_have_text("已公布结果")
    screenshot(wumin, "ranking-03-manage-published")
    assert VoterMarker.objects.count() == 0
    assert FollowUp.objects.filter(round=r, office__section="登记注册科").count() == 3

    public = context_page(browser, phone=True)
    public.goto(base + "/ranking/")
    public.get_by_role("link", name="2026年第四季度最难办事科室群众评").click()
    expect(public.get_by_role("heading", level=1)).to_contain_text("评议结果")
    rows = public.locator(".rk-results tbody tr")
    expect(rows.nth(0)).to_contain_text("区市场监管局 登记注册科")
    expect(rows.nth(1)).to_contain_text("区税务局")
    expect(public.locator("main")).not_to_contain_text(
        "窗口让我到另一个科室盖章"
    )  # problems stay internal
    screenshot(public, "ranking-04-public-results")
