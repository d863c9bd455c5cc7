"""张三 registers in the online hall in real Chromium: a wrong ID check digit is refused in
Chinese next to the field and nothing is created; corrected, he is logged in on the home
page; after logging out he logs in again with his mobile number."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from onewindow.org.models import Applicant, Role, User
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"
WRONG_ID = "110105194912310021"  # check digit should be X
RIGHT_ID = "11010519491231002X"


def fill_passwords(page: Page, password: str) -> None:
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_label("确认密码").fill(password)


def test_register_natural_person_then_login_with_phone(
    live_server: Any, page: Page, password: str
) -> None:
    base = live_server.url
    page.goto(base + "/accounts/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("注册账号")
    expect(page.get_by_role("link", name="个人注册")).to_have_attribute("aria-current", "page")

    page.get_by_label("姓名").fill("张三")
    page.get_by_label("身份证号码").fill(WRONG_ID)
    page.get_by_label("手机号码").fill(PHONE)
    fill_passwords(page, password)
    page.get_by_role("button", name="注册").click()

    id_field = page.locator(".field", has=page.get_by_label("身份证号码"))
    expect(id_field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(id_field.get_by_role("alert")).to_have_text("居民身份证号码校验码错误")
    id_input = page.get_by_label("身份证号码")
    expect(id_input).to_have_attribute("aria-invalid", "true")
    expect(id_input).to_have_accessible_description(re.compile("居民身份证号码校验码错误"))
    expect(page.locator(".field.has-error")).to_have_count(1)  # only that field is wrong
    # What was typed stays (passwords excepted), so only the ID needs correcting.
    expect(page.get_by_label("姓名")).to_have_value("张三")
    expect(page.get_by_label("身份证号码")).to_have_value(WRONG_ID)
    expect(page.get_by_label("手机号码")).to_have_value(PHONE)
    expect(page.locator(".site-header .who")).to_have_count(0)  # still anonymous
    screenshot(page, "register-id-check-digit-error")
    assert not User.objects.filter(username=PHONE).exists()
    assert not Applicant.objects.exists()

    page.get_by_label("身份证号码").fill(RIGHT_ID)
    fill_passwords(page, password)
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(base + "/")
    expect(page.locator(".messages")).to_contain_text("注册成功，欢迎使用一窗通网上办事大厅")
    expect(page.locator(".site-header .who")).to_have_text("张三")
    expect(page.get_by_role("heading", name="网上办事大厅")).to_be_visible()
    screenshot(page, "register-done-home")
    user = User.objects.get(username=PHONE)
    assert user.display_name == "张三"
    assert not user.is_staff
    assert user.role_assignments.filter(role=Role.APPLICANT).exists()
    applicant = user.applicants.get()
    assert (applicant.name, applicant.resident_id) == ("张三", RIGHT_ID)

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(base + "/")
    expect(page.locator(".site-header .who")).to_have_count(0)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="登录").click()
    expect(page).to_have_url(base + "/accounts/login/")
    page.get_by_label("账号").fill(PHONE)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(base + "/")
    expect(page.locator(".site-header .who")).to_have_text("张三")
    screenshot(page, "register-login-again")
