"""The three case journeys of issue 3 in real Chromium, applicant and staff each in their
own browser context against ``live_server`` on the demo district:

1. 张三 applies online for 公共场所卫生许可证核发 without one material; 李四 issues a
   一次性告知书; 张三 reads it, supplies the material and resubmits; 李四 accepts; 韩梅 claims
   the decision task and approves; 李四 concludes with electronic delivery; 张三 downloads
   the result.
2. 周强 (chief representative of 区市场监管局 with the authorisation letter) files an instant
   item for 钱七 at the window and concludes it on the spot.
3. 容缺受理: an application missing a non-core material is accepted with a due date; 张三
   uploads it later from 我的办件 and the back office shows it received.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from onewindow.cases.models import Case, MaterialStatus, NoticeKind
from onewindow.cases.states import CaseStatus
from onewindow.common import clock
from onewindow.demo.data.org import DEMO_PASSWORD, QIANQI_ID
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.cases.test_acceptance import submitted_case
from tests.cases.test_uploads import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


HYGIENE = "公共场所卫生许可证核发"
LEFT_OUT = "卫生管理制度"  # a required, non-core material of the hygiene licence
BARBER_USCC = "925001026031885240"


@pytest.fixture
def a_pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "扫描件.pdf"
    path.write_bytes(pdf_bytes())
    return path


def person(browser: Browser, base: str, username: str) -> Page:
    """A logged-in page of ``username`` in a fresh browser context."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".site-header .who")).to_be_visible()
    return page


def pdf_at(page: Page, href: str) -> bytes:
    """GET a link with the page's session; it must be a PDF."""
    if href.startswith("/"):
        href = re.match(r"https?://[^/]+", page.url).group(0) + href  # type: ignore[union-attr]
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    body = response.body()
    assert body.startswith(b"%PDF")
    return body


def the_case(**filters: Any) -> Case:
    return Case.objects.filter(**filters).order_by("-pk").first()  # type: ignore[return-value]


def slot_id(case: Case, name: str) -> int:
    return case.materials.get(material_type__name=name).pk


# --------------------------------------------------------------------------- journey 1
def test_online_application_one_time_notice_acceptance_decision_and_download(
    live_server: Any, browser: Browser, district: Path, a_pdf_file: Path
) -> None:
    base = live_server.url
    zhangsan = person(browser, base, "zhangsan")
    expect(zhangsan).to_have_url(base + "/")

    # The guide's 在线办理, as 张三理发店.
    zhangsan.goto(base + "/items/?q=" + HYGIENE)
    zhangsan.get_by_role("link", name=HYGIENE, exact=True).first.click()
    zhangsan.get_by_role("link", name="在线办理").click()
    zhangsan.get_by_label("张三理发店").check()
    zhangsan.get_by_role("button", name="下一步：填写申请").click()
    expect(zhangsan.get_by_role("heading", level=1)).to_have_text(HYGIENE)
    case = the_case(item_version__name=HYGIENE, applicant__uscc=BARBER_USCC)
    assert case.status == CaseStatus.DRAFT

    values = {
        "applicant_name": "张三理发店",
        "uscc": BARBER_USCC,
        "legal_representative": "张三",
        "phone": "13900000001",
        "business_address": "示范区城东大道96号",
        "business_area_m2": "45",
        "employees_count": "3",
    }
    for code, value in values.items():
        zhangsan.locator(f"#i-{code}").fill(value)
    zhangsan.locator("#i-public_place_type").select_option("理发店")
    for m in case.materials.select_related("item_material").exclude(status="obtained"):
        if m.item_material.required and m.material_type.name != LEFT_OUT:
            zhangsan.locator(f"#file-{m.pk}").set_input_files(str(a_pdf_file))
    zhangsan.get_by_label("电子送达").check()
    zhangsan.get_by_role("button", name="提交申请").click()
    expect(zhangsan.locator(".case-status")).to_contain_text("已提交，待受理")
    screenshot(zhangsan, "journey1-01-submitted")

    # 李四 at the window: the queue, the acceptance page, one notice for the missing one.
    lisi = person(browser, base, "lisi")
    expect(lisi).to_have_url(base + "/backoffice/")
    expect(lisi.locator(".bo-counts")).to_contain_text("待受理")
    screenshot(lisi, "journey1-01a-back-office-home")
    lisi.get_by_role("navigation", name="后台菜单").get_by_role("link", name="受理队列").click()
    lisi.get_by_role("link", name=case.number).click()
    expect(lisi.get_by_role("heading", name="受理决定")).to_be_visible()
    screenshot(lisi, "journey1-02-acceptance-page")
    missing = slot_id(case, LEFT_OUT)
    one_time = lisi.locator(
        "form.bo-outcome", has=lisi.get_by_role("button", name="出具一次性告知书")
    )
    one_time.locator(f"input[name=problem][value='{missing}']").check()
    one_time.locator(f"input[name=reason_{missing}]").fill(
        "未提交卫生管理制度，请补交加盖公章的制度文本"
    )
    one_time.get_by_role("button", name="出具一次性告知书").click()
    expect(lisi.locator(".messages")).to_contain_text("已出具补正材料一次性告知书")
    notice_link = lisi.get_by_role("link", name="查看PDF")
    expect(notice_link).to_have_count(1)
    pdf_at(lisi, notice_link.get_attribute("href") or "")
    screenshot(lisi, "journey1-03-one-time-notice-issued")

    # 张三 sees the notice, supplies the material, resubmits.
    zhangsan.goto(base + f"/my/cases/{case.number}/")
    notice = zhangsan.locator(".notice-list").get_by_role("link", name="补正材料一次性告知书")
    pdf_at(zhangsan, notice.get_attribute("href") or "")
    screenshot(zhangsan, "journey1-04-applicant-sees-notice")
    zhangsan.locator(f"#sf-{missing}").set_input_files(str(a_pdf_file))
    zhangsan.locator(f"#m-{missing}").get_by_role("button", name="上传").click()
    zhangsan.get_by_role("button", name="补齐后重新提交").click()
    expect(zhangsan.locator(".case-status")).to_contain_text("已提交，待受理")

    # 李四 accepts: 受理通知书.
    lisi.goto(base + f"/backoffice/acceptance/{case.number}/")
    lisi.get_by_role("button", name="受理", exact=True).click()
    expect(lisi.locator(".messages")).to_contain_text("已受理，受理通知书已出具")
    expect(lisi.locator(".bo-notices")).to_contain_text("受理通知书")
    expect(lisi.locator(".bo-case-head")).to_contain_text("剩余")
    screenshot(lisi, "journey1-05-accepted")

    # 韩梅 claims the decision task and approves.
    hanmei = person(browser, base, "hanmei")
    hanmei.get_by_role("navigation", name="后台菜单").get_by_role("link", name="我的任务").click()
    expect(hanmei.locator(".bo-tasks")).to_contain_text("剩余")
    screenshot(hanmei, "journey1-06a-task-inbox")
    hanmei.get_by_role("link", name=case.number).click()
    hanmei.get_by_role("button", name="认领").click()
    expect(hanmei.locator(".messages")).to_contain_text("已认领该任务")
    hanmei.get_by_label("准予许可").check()
    hanmei.get_by_role("button", name="作出决定").click()
    expect(hanmei.locator(".messages")).to_contain_text("准予行政许可决定书")
    screenshot(hanmei, "journey1-06-approved")

    # 李四 concludes with the applicant's electronic delivery.
    lisi.get_by_role("navigation", name="后台菜单").get_by_role("link", name="办结出件").click()
    lisi.get_by_role("link", name=case.number).click()
    lisi.get_by_role("button", name="办结").click()
    expect(lisi.locator(".messages")).to_contain_text("已办结，送达方式：电子送达")
    screenshot(lisi, "journey1-07-concluded")

    # 张三 downloads the result.
    zhangsan.goto(base + f"/my/cases/{case.number}/")
    expect(zhangsan.locator(".case-status")).to_contain_text("已办结")
    result = zhangsan.get_by_role("link", name="下载办理结果")
    pdf_at(zhangsan, result.get_attribute("href") or "")
    screenshot(zhangsan, "journey1-08-result")
    zhangsan.get_by_role("button", name="我已下载，确认收到").click()
    expect(zhangsan.locator(".case-status")).to_contain_text("已送达")
    case = the_case(pk=case.pk)
    kinds = list(case.notices.order_by("issued_at", "id").values_list("kind", flat=True))
    assert kinds == [NoticeKind.ONE_TIME, NoticeKind.ACCEPTANCE, NoticeKind.APPROVAL]
    assert case.delivery.method == "electronic"
    assert case.status == CaseStatus.DELIVERED


# --------------------------------------------------------------------------- journey 2
def test_chief_representative_concludes_an_instant_item_at_the_window(
    live_server: Any, browser: Browser, district: Path, a_pdf_file: Path
) -> None:
    base = live_server.url
    zhouqiang = person(browser, base, "zhouqiang")
    zhouqiang.get_by_role("navigation", name="后台菜单").get_by_role(
        "link", name="一窗受理"
    ).click()
    zhouqiang.get_by_label("申请人身份证号码或统一社会信用代码").fill(QIANQI_ID)
    zhouqiang.get_by_role("button", name="查找申请人").click()
    zhouqiang.get_by_role("link", name="钱七").click()
    zhouqiang.get_by_label("选择办理事项").fill("个体工商户设立")
    zhouqiang.get_by_role("button", name="搜索事项").click()
    zhouqiang.get_by_role("button", name="为其申请“个体工商户设立登记”").click()
    expect(zhouqiang.locator(".messages")).to_contain_text("请填写申请表并扫描材料")
    case = the_case(item_version__name="个体工商户设立登记", applicant__resident_id=QIANQI_ID)
    assert case.channel == "window"
    assert case.visits.count() == 1

    for m in case.materials.select_related("item_material").exclude(status="obtained"):
        if m.item_material.required:
            zhouqiang.locator(f"#file-{m.pk}").set_input_files(str(a_pdf_file))
            zhouqiang.locator(f"#material-{m.pk}").get_by_role(
                "button", name="上传", exact=True
            ).click()
            expect(zhouqiang.locator(".messages")).to_contain_text("已上传")
    zhouqiang.get_by_label("姓名（必填）").fill("钱七")
    zhouqiang.get_by_label("居民身份证号码（必填）").fill(QIANQI_ID)
    zhouqiang.get_by_label("联系电话（必填）").fill("13900000007")
    zhouqiang.get_by_label("名称（字号）（必填）").fill("钱七便利店")
    zhouqiang.get_by_label("经营场所（必填）").fill("示范区城东大道12号")
    zhouqiang.get_by_label("经营范围（必填）").fill("日用百货零售")
    zhouqiang.get_by_label("结果送达方式").select_option("window")
    screenshot(zhouqiang, "journey2-01-window-form")
    zhouqiang.get_by_role("button", name="提交申请").click()
    expect(zhouqiang.locator(".messages")).to_contain_text("已提交，请作出受理决定")
    zhouqiang.get_by_role("button", name="当场办结").click()
    expect(zhouqiang.locator(".messages")).to_contain_text("即办件已当场办结")
    expect(zhouqiang.locator(".bo-case-head")).to_contain_text("已办结")
    link = zhouqiang.locator(".bo-notices li", has_text="准予行政许可决定书").get_by_role(
        "link", name="查看PDF"
    )
    pdf_at(zhouqiang, link.get_attribute("href") or "")
    screenshot(zhouqiang, "journey2-02-concluded-on-the-spot")
    case = the_case(pk=case.pk)
    assert case.status == CaseStatus.CONCLUDED
    assert case.accepted_at == case.decided_at == case.concluded_at


# --------------------------------------------------------------------------- journey 3
def test_acceptance_with_a_missing_material_supplied_later(
    live_server: Any, browser: Browser, district: Path, a_pdf_file: Path
) -> None:
    from onewindow.org.models import User
    from tests.cases.conftest import published

    zhangsan_user = User.objects.get(username="zhangsan")
    case = submitted_case(published(HYGIENE), zhangsan_user, at=clock.now(), uploaded=False)
    base = live_server.url

    lisi = person(browser, base, "lisi")
    lisi.goto(base + f"/backoffice/acceptance/{case.number}/")
    form = lisi.locator("form.bo-outcome", has=lisi.get_by_role("button", name="容缺受理"))
    missing = [m for m in case.materials.select_related("item_material") if m.status == "pending"]
    missing = [m for m in missing if m.item_material.required]
    assert {m.material_type.name for m in missing} >= {LEFT_OUT}
    for m in missing:
        form.locator(f"input[name=missing][value='{m.pk}']").check()
    due = form.locator(f"input[name=due_{missing[0].pk}]").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", due)
    screenshot(lisi, "journey3-01-accept-with-missing")
    form.get_by_role("button", name="容缺受理").click()
    expect(lisi.locator(".messages")).to_contain_text("已容缺受理")
    expect(lisi.locator(f"#material-{missing[0].pk}")).to_contain_text("容缺后补")
    expect(lisi.locator(".bo-notices")).to_contain_text("容缺受理通知书")

    zhangsan = person(browser, base, "zhangsan")
    zhangsan.goto(base + "/my/cases/")
    zhangsan.get_by_role("link", name=case.number).first.click()
    expect(zhangsan.locator("#missing")).to_contain_text(LEFT_OUT)
    screenshot(zhangsan, "journey3-02-applicant-sees-missing")
    target = next(m for m in missing if m.material_type.name == LEFT_OUT)
    zhangsan.locator(f"#sf-{target.pk}").set_input_files(str(a_pdf_file))
    zhangsan.locator(f"#m-{target.pk}").get_by_role("button", name="上传").click()
    expect(zhangsan.locator(".messages")).to_contain_text(LEFT_OUT)

    lisi.goto(base + f"/backoffice/cases/{case.number}/")
    row = lisi.locator(f"#material-{target.pk}")
    expect(row).to_contain_text("已上传")
    expect(row.get_by_role("link", name="查看")).to_be_visible()
    screenshot(lisi, "journey3-03-received")
    assert case.materials.get(pk=target.pk).status == MaterialStatus.UPLOADED
