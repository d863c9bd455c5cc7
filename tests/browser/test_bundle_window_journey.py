"""一件事 filed at the window, in real Chromium, on the demo district:

李四 (window clerk) files 我要开理发店 for 张三 and 张三理发店 at the counter: picks the bundle,
answers its questions with him, identifies him by resident ID and the business by USCC,
fills the ONE merged form and scans each material type once — two non-core materials
(卫生管理制度, 公共场所卫生检测报告) are not with him — and submits. 李四 issues the
one-time notice for 卫生管理制度; 张三 supplies it online on the bundle's page (one slot
for the whole bundle) and resubmits; 李四 accepts the whole bundle with the inspection report
missing (容缺, a due date); 张三 sees what to supply by when; the bundle shows one visit.
Once 区市场监管局 has concluded the individual business registration, 韩梅 (the lead)
delivers it ahead of the rest (提前出件) and 张三 sees it on his page.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    Case,
    CaseMaterial,
    MaterialStatus,
)
from onewindow.cases.services.delivery import case_conclude
from onewindow.cases.services.processing import case_decide
from onewindow.cases.states import CaseStatus
from onewindow.demo.data.org import BARBER_USCC
from onewindow.org.models import User
from tests.browser.conftest import screenshot
from tests.browser.test_bundle_case_journey import district, person  # noqa: F401
from tests.cases.test_uploads import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BARBER = "我要开理发店"
ZHANGSAN_ID = "500102198506150130"
RULES = "M0007"  # 卫生管理制度 (non-core)
REPORT = "M0047"  # 公共场所卫生检测（评价）报告 (non-core)


def test_window_filing_one_time_notice_resubmit_and_acceptance_with_missing(
    live_server: Any,
    browser: Browser,
    district: Any,  # noqa: F811
) -> None:
    base = live_server.url
    scan = {"name": "扫描件.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}

    # ------------------------------------------------ 李四 files the bundle at the window
    lisi = person(browser, base, "lisi")
    menu = lisi.get_by_role("navigation", name="后台菜单")
    menu.get_by_role("link", name="一件事窗口申请").click()
    lisi.get_by_role("link", name=f"办理“{BARBER}”").click()
    lisi.get_by_role("group", name="是否设置门头招牌或其他户外广告设施？").get_by_label(
        "否"
    ).check()
    lisi.get_by_role("group", name="是否招用员工？").get_by_label("否").check()
    # A mistyped ID is caught by its check character.
    lisi.get_by_label("申请人身份证号码或统一社会信用代码").fill("500102198506150131")
    lisi.get_by_label("经营主体统一社会信用代码（个人申请企业事项时填写）").fill(BARBER_USCC)
    lisi.get_by_role("button", name="下一步：填写申请表").click()
    expect(lisi.locator(".field.has-error")).to_contain_text("居民身份证号码校验码错误")
    # The answers and the business stay as given.
    expect(lisi.locator("input[name=a_sign][value=no]")).to_be_checked()
    expect(lisi.locator("input[name=a_staff][value=no]")).to_be_checked()
    lisi.get_by_label("申请人身份证号码或统一社会信用代码").fill(ZHANGSAN_ID)
    expect(lisi.get_by_label("窗口申请")).to_be_checked()
    screenshot(lisi, "bundle-window-01-file")
    lisi.get_by_role("button", name="下一步：填写申请表").click()
    expect(lisi.locator(".messages")).to_contain_text("请填写一张申请表并扫描材料")
    bc = BundleCase.objects.get(created_by__username="lisi")
    assert bc.sub_cases.count() == 4
    assert bc.visits.count() == 1

    # ONE merged form, each material type scanned once (two non-core ones not with him).
    form = lisi.locator("form.bo-bundle-fill")
    expect(form.locator("#i-applicant_name")).to_have_value("张三理发店")  # pre-filled
    expect(form.locator("#i-resident_id")).to_have_value(ZHANGSAN_ID)
    for code, value in {
        "business_name": "张三理发店",
        "business_address": "示范区城东大道96号",
        "business_scope": "理发、美发服务",
        "employees_count": "3",
        "business_area_m2": "45",
    }.items():
        form.locator(f"#i-{code}").fill(value)
    form.locator("#i-public_place_type").select_option("理发店")
    files = form.locator("input[type=file]")
    for i in range(files.count()):
        name = files.nth(i).get_attribute("name") or ""
        if name not in (f"mt_{RULES}", f"mt_{REPORT}"):
            files.nth(i).set_input_files(scan)  # type: ignore[arg-type]
    form.get_by_label("电子送达").check()
    screenshot(lisi, "bundle-window-02-fill")
    form.get_by_role("button", name="提交并受理").click()
    expect(lisi.locator(".messages")).to_contain_text("已提交，请作出受理决定")

    # ------------------------------------------------ 一次性告知 for the whole bundle
    correction = lisi.locator("form.bo-bundle-correction")
    correction.get_by_role("checkbox", name="卫生管理制度").check()
    correction.get_by_label("“卫生管理制度”需补正的原因").fill("未提交卫生管理制度，请补交")
    screenshot(lisi, "bundle-window-03-accept-page")
    correction.get_by_role("button", name="出具一次性告知书").click()
    expect(lisi.locator(".messages")).to_contain_text("已出具一次性告知书")
    lisi.get_by_role("navigation", name="后台菜单").get_by_role("link", name="一件事受理").click()
    expect(lisi.locator(".bo-bundles")).to_contain_text("已一次性告知，待补正")

    # ------------------------------------------------ 张三 supplies it online, resubmits
    zhangsan = person(browser, base, "zhangsan")
    zhangsan.get_by_role("navigation", name="主导航").get_by_role("link", name="我的一件事").click()
    zhangsan.get_by_role("link", name=bc.number).click()
    supply = zhangsan.locator("section.bundle-supply")
    expect(supply).to_contain_text("一次性告知：请补齐以下材料")
    expect(supply).to_contain_text("未提交卫生管理制度，请补交")
    expect(supply.locator("input[type=file]")).to_have_count(1)
    supply.locator(f"#file-{RULES}").set_input_files(scan)  # type: ignore[arg-type]
    screenshot(zhangsan, "bundle-window-04-supply")
    supply.get_by_role("button", name="补齐后重新提交").click()
    expect(zhangsan.locator(".messages")).to_contain_text("已补齐材料并重新提交")
    assert set(bc.sub_cases.values_list("status", flat=True)) == {CaseStatus.SUBMITTED}

    # ------------------------------------------------ 李四 accepts whole, report missing
    lisi.reload()
    lisi.locator(".bo-bundles tr", has_text=bc.number).get_by_role("link", name="审核受理").click()
    missing = lisi.locator("form.bo-bundle-missing")
    missing.get_by_role("checkbox", name="公共场所卫生检测（评价）报告").check()
    expect(missing.get_by_label("“公共场所卫生检测（评价）报告”的补交期限")).not_to_have_value("")
    expect(lisi.locator(".bo-visits")).to_contain_text("1次")
    missing.get_by_role("button", name="容缺受理").click()
    expect(lisi.locator(".messages")).to_contain_text("已容缺受理")
    bc.refresh_from_db()
    assert bc.status in (BundleCaseStatus.ACCEPTED, BundleCaseStatus.IN_PROGRESS)
    report = CaseMaterial.objects.get(case__bundle_case=bc, material_type__code=REPORT)
    assert report.status == MaterialStatus.MISSING_ALLOWED
    assert report.due_date is not None

    # ------------------------------------------------ 张三: what to supply by when; one visit
    zhangsan.reload()
    expect(zhangsan.locator(".bundle-status")).to_contain_text("已受理")
    supply = zhangsan.locator("section.bundle-supply")
    expect(supply).to_contain_text("容缺受理：请按期补交以下材料")
    due = report.due_date
    expect(supply).to_contain_text(f"{due.year}年{due.month}月{due.day}日")
    expect(zhangsan.locator(".bundle-visits")).to_have_text("1次")
    screenshot(zhangsan, "bundle-window-05-accepted-missing")
    bc.refresh_from_db()
    assert bc.visits.count() == 1  # one visit for the whole bundle

    # ------------------------------------------------ 提前出件: the business licence first
    # 区市场监管局 decides the on-the-spot registration and the window concludes it (their
    # screens are other journeys'); 韩梅 (the lead) delivers it ahead of the rest.
    individual = bc.sub_cases.get(item_version__name="个体工商户设立登记")
    if individual.status == CaseStatus.IN_DECISION:
        case_decide(actor=User.objects.get(username="sunli"), case=individual, outcome="approve")
        individual = Case.objects.get(pk=individual.pk)
    case_conclude(actor=User.objects.get(username="lisi"), case=individual)
    hanmei = person(browser, base, "hanmei")
    hanmei.goto(f"{base}/backoffice/bundles/{bc.number}/")
    early = hanmei.locator("form.bo-early")
    expect(early).to_contain_text("个体工商户设立登记")
    early.get_by_label("“个体工商户设立登记”的先行出件送达方式").select_option("electronic")
    screenshot(hanmei, "bundle-window-06-early-delivery")
    early.get_by_role("button", name="提前出件").click()
    expect(hanmei.locator(".messages")).to_contain_text("已先行出件")
    expect(hanmei.locator(".bo-early-done")).to_contain_text("个体工商户设立登记")
    zhangsan.reload()
    expect(zhangsan.locator("section.bundle-early")).to_contain_text("个体工商户设立登记")
    screenshot(zhangsan, "bundle-window-07-applicant-early")
