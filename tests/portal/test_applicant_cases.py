"""My cases and a case's page: status, step, deadlines, notices (PDF), what is missing
with its upload, corrections, the result and its delivery, withdrawal; someone else's case
is 404 on every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.cases.models import Case, MaterialStatus, NoticeKind, Task
from onewindow.cases.services.acceptance import case_accept_with_missing
from onewindow.cases.services.delivery import case_conclude, case_dispatch
from onewindow.cases.services.processing import (
    case_decide,
    case_return_for_correction,
    case_suspend,
    task_complete,
)
from onewindow.cases.states import CLOCK_RUNNING, CaseStatus
from onewindow.catalog.models import ItemVersion
from onewindow.org.models import User
from onewindow.workdays.selectors import get_calendar
from tests.cases import conftest as cases_fixtures
from tests.portal.applicant_support import (
    a_corrected,
    a_draft,
    a_submitted,
    an_accepted,
    client_for,
    disguised_file,
    media,  # noqa: F401  (autouse: files under a temporary MEDIA_ROOT)
    png_file,
    reload,
    slot,
)

pytestmark = pytest.mark.django_db

# The demo district and its people (tests/cases/conftest.py), shared by reference.
demo = cases_fixtures.demo
hygiene_licence = cases_fixtures.hygiene_licence
people = cases_fixtures.people


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def cn(value: Any) -> str:
    d = timezone.localtime(value).date()
    return f"{d.year}年{d.month}月{d.day}日"


def detail(client: Client, case: Case) -> str:
    return html(client.get(reverse("portal:case_detail", args=[case.number])))


def decided(people: dict[str, User], version: ItemVersion) -> Case:
    """Accepted, reviewed by 韩梅, approved by 韩梅 (section chief of 区卫生健康委)."""
    case = an_accepted(people, version)
    while case.status == CaseStatus.IN_REVIEW:
        task = Task.objects.get(case=case, status__in=["open", "claimed"])
        task_complete(actor=people["hanmei"], task=task, opinion="材料齐全，符合条件")
        case = reload(case)
    case_decide(actor=people["hanmei"], case=case, outcome="approve")
    return reload(case)


def a_workday_ahead(days: int) -> Any:
    calendar = get_calendar()
    day = timezone.localdate() + timedelta(days=days)
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


# ------------------------------------------------------------------ my cases


def test_my_cases_lists_status_step_deadline_and_what_needs_action(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    draft = a_draft(people, hygiene_licence)
    corrected, _plan = a_corrected(people, hygiene_licence)
    accepted = an_accepted(people, hygiene_licence)
    returned = an_accepted(people, hygiene_licence)
    case_return_for_correction(
        actor=people["hanmei"], case=returned, reasons="场所面积与平面图不一致"
    )
    page = html(client_for(people["zhangsan"]).get(reverse("portal:my_cases")))
    assert "我的办件" in page
    assert 'lang="zh-hans"' in page
    for case in (draft, corrected, accepted, returned):
        assert case.number in page
        assert reverse("portal:case_detail", args=[case.number]) in page
    row = page.split(accepted.number)[2].split("</tr>")[0]
    assert accepted.current_step.name in row
    assert cn(accepted.promised_due_at) in row  # 2026年12月4日 style
    assert accepted.get_status_display() in row
    assert "草稿待提交" in page.split(draft.number)[2].split("</tr>")[0]
    assert "补齐材料" in page.split(corrected.number)[2].split("</tr>")[0]
    returned_row = page.split(returned.number)[2].split("</tr>")[0]
    assert "退回补正" in returned_row
    assert "暂停计时" in returned_row
    assert "未找到" not in page
    # 钱七 sees none of them
    other = html(client_for(people["qianqi"]).get(reverse("portal:my_cases")))
    assert draft.number not in other
    assert "您还没有办件" in other


def test_anonymous_users_are_sent_to_log_in(client: Client, demo: Any) -> None:
    for name in ("portal:my_cases", "portal:notifications"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("org:login") in response["Location"]


# ------------------------------------------------------------------ the case's page


def test_detail_shows_deadlines_timeline_and_the_notice_pdf(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case = an_accepted(people, hygiene_licence)
    client = client_for(people["zhangsan"])
    page = detail(client, case)
    assert case.get_status_display() in page
    assert case.current_step.name in page
    assert "承诺办结期限" in page
    assert cn(case.promised_due_at) in page
    assert "法定办结期限" in page
    assert cn(case.legal_due_at) in page
    assert "提交申请" in page
    assert "受理" in page
    notice = case.notices.get(kind=NoticeKind.ACCEPTANCE)
    url = reverse("portal:notice_pdf", args=[case.number, notice.pk])
    assert url in page
    assert "受理通知书" in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "撤回申请" in page


def test_one_time_notice_supply_the_material_and_resubmit(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case, plan = a_corrected(people, hygiene_licence)
    client = client_for(people["zhangsan"])
    page = detail(client, case)
    assert "需要您补充的材料" in page
    assert "平面布局图未标注消毒间位置" in page
    assert "补正材料一次性告知书" in page
    supply = reverse("portal:material_supply", args=[case.number, plan.pk])
    assert supply in page
    # a disguised file: refused, its Chinese message shown, nothing changes
    response = client.post(supply, {"file": disguised_file("平面图.png")}, follow=True)
    assert "经营场所平面布局图：" in html(response)
    assert slot(case, "经营场所平面布局图").status == MaterialStatus.DEFECTIVE
    # resubmitting before the material is supplied names it
    response = client.post(
        reverse("portal:case_finish", args=[case.number]), {"key": "r-1"}, follow=True
    )
    assert "经营场所平面布局图" in html(response)
    assert reload(case).status == CaseStatus.AWAITING_CORRECTION
    response = client.post(supply, {"file": png_file()}, follow=True)
    assert "已上传“经营场所平面布局图”" in html(response)
    assert slot(case, "经营场所平面布局图").status == MaterialStatus.UPLOADED
    response = client.post(
        reverse("portal:case_finish", args=[case.number]), {"key": "r-2"}, follow=True
    )
    assert "材料已补齐并重新提交" in html(response)
    assert reload(case).status == CaseStatus.SUBMITTED


def test_one_time_notice_corrected_through_the_form(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case, plan = a_corrected(people, hygiene_licence)
    client = client_for(people["zhangsan"])
    url = reverse("portal:case_edit", args=[case.number])
    page = html(client.get(url))
    assert "补齐后重新提交" in page
    assert "平面布局图未标注消毒间位置" in page
    from tests.portal.test_applicant_apply import form_post

    response = client.post(url, {**form_post(case, action="submit"), f"file_{plan.pk}": png_file()})
    assert response.status_code == 302
    assert reload(case).status == CaseStatus.SUBMITTED


def test_missing_material_accepted_later_is_supplied_from_the_case_page(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case = a_submitted(people, hygiene_licence)
    pending = [
        m
        for m in case.materials.select_related("item_material")
        if m.item_material.required and not m.item_material.core and m.status == "pending"
    ]
    due = a_workday_ahead(14)
    case_accept_with_missing(actor=people["lisi"], case=case, missing=[(m, due) for m in pending])
    missing = pending[0]
    client = client_for(people["zhangsan"])
    listing = html(client.get(reverse("portal:my_cases")))
    assert "容缺材料待补交" in listing.split(case.number)[2].split("</tr>")[0]
    page = detail(client, case)
    assert f"请于{due.year}年{due.month}月{due.day}日前补交" in page
    assert "容缺受理通知书" in page
    response = client.post(
        reverse("portal:material_supply", args=[case.number, missing.pk]),
        {"file": png_file("补交.png")},
        follow=True,
    )
    assert "已上传" in html(response)
    missing.refresh_from_db()
    assert missing.status == MaterialStatus.UPLOADED
    for m in pending[1:]:
        client.post(
            reverse("portal:material_supply", args=[case.number, m.pk]), {"file": png_file()}
        )
    listing = html(client.get(reverse("portal:my_cases")))
    assert "容缺材料待补交" not in listing.split(case.number)[2].split("</tr>")[0]


def test_returned_and_suspended_cases_show_the_stopped_clock(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    client = client_for(people["zhangsan"])
    suspended = an_accepted(people, hygiene_licence)
    case_suspend(
        actor=people["hanmei"], case=suspended, kind="site_inspection", reason="需现场核查"
    )
    page = detail(client, suspended)
    assert "中止中，暂停计时" in page
    assert "特别程序告知书" in page

    returned = an_accepted(people, hygiene_licence)
    case_return_for_correction(
        actor=people["hanmei"], case=returned, reasons="场所面积与平面图不一致"
    )
    page = detail(client, returned)
    assert "退回补正中，暂停计时" in page
    assert "场所面积与平面图不一致" in page
    assert "已补正，提交" in page
    response = client.post(reverse("portal:case_finish", args=[returned.number]), follow=True)
    assert "补正材料已提交" in html(response)
    assert reload(returned).status in CLOCK_RUNNING


def test_result_download_and_electronic_receipt(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case = decided(people, hygiene_licence)
    case_conclude(actor=people["lisi"], case=case, delivery_method="electronic")
    client = client_for(people["zhangsan"])
    listing = html(client.get(reverse("portal:my_cases")))
    assert "结果可下载" in listing.split(case.number)[2].split("</tr>")[0]
    page = detail(client, case)
    result = reverse("portal:case_result", args=[case.number])
    assert result in page
    assert "下载办理结果" in page
    assert "电子送达" in page
    response = client.get(result)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "撤回申请" not in page  # decided: too late to withdraw
    response = client.post(reverse("portal:case_receipt", args=[case.number]), follow=True)
    assert "已确认收到办理结果" in html(response)
    assert reload(case).status == CaseStatus.DELIVERED


def test_express_delivery_tracking(people: dict[str, User], hygiene_licence: ItemVersion) -> None:
    case = decided(people, hygiene_licence)
    case_conclude(actor=people["lisi"], case=case, delivery_method="express")
    case_dispatch(
        actor=people["lisi"], case=case, carrier="中国邮政EMS", tracking_number="EA123456789CN"
    )
    page = detail(client_for(people["zhangsan"]), case)
    assert "快递送达" in page
    assert "中国邮政EMS" in page
    assert "EA123456789CN" in page
    assert "已寄出" in page


def test_withdraw_with_confirmation(people: dict[str, User], hygiene_licence: ItemVersion) -> None:
    case = a_submitted(people, hygiene_licence)
    client = client_for(people["zhangsan"])
    url = reverse("portal:case_withdraw", args=[case.number])
    page = html(client.get(url))
    assert "确认撤回申请" in page
    assert "不能恢复" in page
    assert reload(case).status == CaseStatus.SUBMITTED  # showing the page changes nothing
    response = client.post(url, {"reason": "店面暂缓开业"}, follow=True)
    page = html(response)
    assert "申请已撤回" in page
    assert "已撤回" in page
    assert "店面暂缓开业" in page
    assert reload(case).status == CaseStatus.WITHDRAWN
    assert "撤回申请</a>" not in page
    again = client.post(url, {"reason": ""}, follow=True)
    assert "不能撤回" in html(again)


def test_someone_else_gets_404_on_every_page_of_the_case(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case, plan = a_corrected(people, hygiene_licence)
    notice = case.notices.get()
    number = case.number
    gets = [
        reverse("portal:case_detail", args=[number]),
        reverse("portal:case_edit", args=[number]),
        reverse("portal:case_withdraw", args=[number]),
        reverse("portal:case_result", args=[number]),
        reverse("portal:notice_pdf", args=[number, notice.pk]),
        reverse("portal:material_file", args=[number, slot(case, "申请表（书）").pk]),
    ]
    posts = [
        reverse("portal:case_edit", args=[number]),
        reverse("portal:case_withdraw", args=[number]),
        reverse("portal:case_finish", args=[number]),
        reverse("portal:case_receipt", args=[number]),
        reverse("portal:material_supply", args=[number, plan.pk]),
    ]
    for user in ("qianqi", "lisi"):  # another applicant; staff use the back office, not this
        client = client_for(people[user])
        for url in gets:
            assert client.get(url).status_code == 404, (user, url)
        for url in posts:
            assert client.post(url, {"file": png_file(), "reason": "x"}).status_code == 404, (
                user,
                url,
            )
    assert reload(case).status == CaseStatus.AWAITING_CORRECTION
    assert slot(case, "经营场所平面布局图").status == MaterialStatus.DEFECTIVE
    # the owner can
    assert client_for(people["zhangsan"]).get(gets[0]).status_code == 200
