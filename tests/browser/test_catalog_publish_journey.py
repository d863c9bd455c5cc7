"""The centre administrator changes a published guide in the Chinese admin and the online
hall shows the new version; another department's administrator does not even see the item.

Real Chromium against ``live_server``: login through the applicant/staff login form, admin
actions through their drop-down, validation errors as the browser shows them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.org.models import Role, User
from onewindow.org.services import staff_create
from tests.browser.conftest import screenshot
from tests.portal import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_CONDITIONS = (
    "1. 依法取得营业执照；2. 卫生设施符合规范；3. 从业人员持有效健康证明；4. 已建立卫生管理制度。"
)


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Drafts copy the blank forms of the version they start from: keep them out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def staff(username: str, name: str, password: str, role: str, dept: Any = None) -> User:
    return staff_create(
        actor=None,
        username=username,
        display_name=name,
        password=password,
        roles=[(role, dept, None)],
    )


def log_in(page: Page, base: str, username: str, password: str) -> None:
    """Through the real login form; staff land on the admin index."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def run_action(page: Page, label: str) -> None:
    """Choose an admin action from the drop-down and press 运行 (the page has one form)."""
    page.locator("select[name$='action']").select_option(label=label)
    page.get_by_role("button", name="运行").click()


def test_centre_admin_publishes_changed_guide(live_server: Any, page: Page, password: str) -> None:
    item = f.hygiene_licence()
    f.make_item("食品经营许可证核发", dept=f.department("SCJ", "区市场监管局"))
    staff("wangwu", "王五", password, Role.CENTRE_ADMIN)
    base = live_server.url

    log_in(page, base, "wangwu", password)
    expect(page).to_have_url(base + "/admin/")
    expect(page.locator("#user-tools")).to_contain_text("王五")

    # The item list: find the item, tick it, make a draft from version 1.
    page.goto(base + "/admin/catalog/serviceitem/")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.locator("#searchbar").fill("卫生许可证")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    row = page.locator("#result_list tbody tr", has_text="公共场所卫生许可证核发")
    expect(row).to_contain_text("已发布")
    row.locator("input.action-select").check()
    run_action(page, "基于当前版本新建草稿")
    expect(page.locator(".messagelist")).to_contain_text("已新建1份草稿")
    draft = ItemVersion.objects.get(item=item, number=2)
    assert draft.status == VersionStatus.DRAFT
    expect(row).to_contain_text("已发布（第2版草稿）")

    # The item's page links to its versions; open the draft's change form.
    row.get_by_role("link", name=item.code).click()
    page.get_by_role("link", name="第2版 公共场所卫生许可证核发").click()
    expect(page).to_have_url(re.compile(rf"/admin/catalog/itemversion/{draft.pk}/change/$"))
    promised = page.get_by_label("承诺时限")
    conditions = page.get_by_label("受理条件")
    expect(promised).to_have_value("3")

    # A promised limit beyond the legal one (20) is refused in Chinese; nothing is saved.
    promised.fill("25")
    conditions.fill(NEW_CONDITIONS)
    page.get_by_role("button", name="保存", exact=True).click()
    error = page.locator(".field-promised_limit .errorlist")
    expect(error).to_have_text("承诺时限不能超过法定时限（20）")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.get_by_label("承诺时限")).to_have_value("25")  # what was typed stays
    page.locator(".field-promised_limit").scroll_into_view_if_needed()
    screenshot(page, "catalog-admin-limit-error", full_page=False)
    draft.refresh_from_db()
    assert (draft.promised_limit, draft.conditions) == (3, item.current_version.conditions)
    assert draft.status == VersionStatus.DRAFT

    # Corrected: saved through the service; stay on the form to submit it.
    page.get_by_label("承诺时限").fill("2")
    page.get_by_role("button", name="保存并继续编辑").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.get_by_label("承诺时限")).to_have_value("2")
    expect(page.get_by_label("受理条件")).to_have_value(NEW_CONDITIONS)
    screenshot(page, "catalog-admin-change-form")
    draft.refresh_from_db()
    assert (draft.promised_limit, draft.conditions) == (2, NEW_CONDITIONS)

    run_action(page, "提交审核")
    expect(page.locator(".messagelist")).to_contain_text("已提交审核1个版本")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.IN_REVIEW

    run_action(page, "审核通过并发布")
    expect(page.locator(".messagelist")).to_contain_text("已发布1个版本")
    item.refresh_from_db()
    assert item.current_version_id == draft.pk

    # The online hall shows version 2.
    page.goto(f"{base}/items/{item.code}/")
    limits = page.locator(".limit-cards")
    expect(limits).to_contain_text("承诺时限")
    expect(limits.locator(".limit-card", has_text="承诺时限")).to_contain_text("2")
    expect(limits).to_contain_text("90%")  # 1 - 2/20
    expect(page.get_by_text(NEW_CONDITIONS)).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"本指南第2版，发布于\d{4}年\d{1,2}月\d{1,2}日"))
    ).to_be_visible()
    screenshot(page, "catalog-guide-after-publish")


def test_other_department_admin_cannot_see_item(
    live_server: Any, page: Page, password: str
) -> None:
    item = f.hygiene_licence()  # 区卫生健康委
    own = f.make_item("食品经营许可证核发", dept=f.department("SCJ", "区市场监管局"))
    staff("lisi", "李四", password, Role.DEPARTMENT_ADMIN, f.department("SCJ"))
    base = live_server.url

    log_in(page, base, "lisi", password)
    expect(page).to_have_url(base + "/admin/")

    page.goto(base + "/admin/catalog/serviceitem/")
    results = page.locator("#result_list")
    expect(results).to_contain_text("食品经营许可证核发")
    expect(results).not_to_contain_text("公共场所卫生许可证核发")
    expect(page.get_by_role("link", name=item.code)).to_have_count(0)
    expect(page.get_by_role("link", name=own.code)).to_have_count(1)
    # Not even the department filter names the other department.
    expect(page.locator("#content")).not_to_contain_text("区卫生健康委")
    screenshot(page, "catalog-admin-other-department")

    version = item.current_version
    assert version is not None
    for url in (
        f"/admin/catalog/serviceitem/{item.pk}/change/",
        f"/admin/catalog/itemversion/{version.pk}/change/",
    ):
        response = page.goto(base + url)
        assert response is not None
        assert response.status == 404, url
    expect(page.get_by_role("heading", level=1)).to_contain_text("没有找到")
