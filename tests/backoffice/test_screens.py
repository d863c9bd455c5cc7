"""Each back-office screen and each outcome through the Django test client on the demo
district: the window, the four acceptance outcomes and 即办, the task inbox and page,
conclusion and delivery — with the services' Chinese errors shown on the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.cases.models import Case, MaterialStatus, NoticeKind, TaskStatus
from onewindow.cases.services.acceptance import case_accept
from onewindow.cases.services.processing import case_decide
from onewindow.cases.states import CaseStatus
from onewindow.org.models import Applicant, User
from tests.backoffice.conftest import client_for, online_case, reload
from tests.cases.test_uploads import a_pdf

pytestmark = pytest.mark.django_db

HYGIENE = "公共场所卫生许可证核发"
NEW_ID = "11010519491231002X"
WRONG_ID = "110105194912310021"


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


# ------------------------------------------------------------------------- window
def test_window_finds_registers_and_files_a_case_at_the_window(people: dict[str, User]) -> None:
    lisi = client_for(people["lisi"])
    found = lisi.get(reverse("backoffice:window"), {"identifier": people_id(people)})
    assert found.status_code == 200
    assert "张三" in page(found)

    wrong = lisi.post(reverse("backoffice:window"), {"name": "刘一", "resident_id": WRONG_ID})
    assert wrong.status_code == 422
    assert "居民身份证号码校验码错误" in page(wrong)
    assert not Applicant.objects.filter(name="刘一").exists()

    made = lisi.post(reverse("backoffice:window"), {"name": "刘一", "resident_id": NEW_ID})
    applicant = Applicant.objects.get(resident_id=NEW_ID)
    assert made.status_code == 302
    assert made["Location"] == reverse("backoffice:window_applicant", args=[applicant.pk])

    search = lisi.get(made["Location"], {"q": "个体工商户设立"})
    assert "个体工商户设立登记" in page(search)
    assert "公共场所卫生许可证核发" not in page(search)

    proxy = lisi.post(
        reverse("backoffice:window_start", args=[applicant.pk]),
        {"item": item_code("个体工商户设立登记"), "channel": "proxy"},
    )
    assert proxy.status_code == 422
    assert "需注明申请人的授权或同意" in page(proxy)

    start = lisi.post(
        reverse("backoffice:window_start", args=[applicant.pk]),
        {"item": item_code("个体工商户设立登记"), "channel": "window"},
    )
    case = Case.objects.get(applicant=applicant)
    assert start["Location"] == reverse("backoffice:case_fill", args=[case.number])
    assert case.channel == "window"
    assert case.visits.count() == 1

    fill_url = start["Location"]
    incomplete = lisi.post(fill_url, {"action": "submit", "person_name": "刘一"})
    assert incomplete.status_code == 422
    assert "请填写居民身份证号码" in page(incomplete)
    assert reload(case).status == CaseStatus.DRAFT

    for m in case.materials.filter(item_material__core=True, item_material__required=True):
        up = lisi.post(
            reverse("backoffice:material_upload", args=[case.number, m.pk]),
            {"file": a_pdf("扫描件.pdf"), "next": fill_url},
        )
        assert up.status_code == 302, page(up)
    fake = case.materials.filter(item_material__core=False).first()
    disguised = lisi.post(
        reverse("backoffice:material_upload", args=[case.number, fake.pk]),
        {"file": SimpleUploadedFile("假.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert disguised.status_code == 422
    assert "文件" in page(disguised)
    assert reload(case).materials.get(pk=fake.pk).status == "pending"

    submitted = lisi.post(
        fill_url,
        {
            "action": "submit",
            "person_name": "刘一",
            "resident_id": NEW_ID,
            "phone": "13900000099",
            "business_name": "刘一小吃店",
            "business_address": "示范区城东大道1号",
            "business_scope": "小吃服务",
            "_delivery": "window",
        },
    )
    assert submitted["Location"] == reverse("backoffice:accept", args=[case.number])
    assert reload(case).status == CaseStatus.SUBMITTED


def people_id(people: dict[str, User]) -> str:
    return Applicant.objects.get(users=people["zhangsan"], kind="natural").resident_id


def item_code(name: str) -> str:
    from tests.cases.conftest import published

    return published(name).item.code


# ------------------------------------------------------------------------- acceptance
def test_queue_lists_oldest_first_with_the_art32_warning(people: dict[str, User]) -> None:
    old = online_case(HYGIENE, people["zhangsan"])
    Case.objects.filter(pk=old.pk).update(received_at=old.received_at - timedelta(days=10))
    new = online_case(HYGIENE, people["zhangsan"])
    html = page(client_for(people["lisi"]).get(reverse("backoffice:acceptance")))
    assert html.index(old.number) < html.index(new.number)
    assert "已超过5个工作日，将视为受理" in html


def test_accept_issues_the_acceptance_notice(people: dict[str, User]) -> None:
    case = online_case(HYGIENE, people["zhangsan"])
    url = reverse("backoffice:accept", args=[case.number])
    form = page(client_for(people["lisi"]).get(url))
    assert "经营面积" in form
    assert "受理" in form
    assert "不予受理" in form
    done = client_for(people["lisi"]).post(url, {"outcome": "accept"}, follow=True)
    case = reload(case)
    assert case.status == CaseStatus.IN_DECISION
    assert case.promised_due_at is not None
    notice = case.notices.get(kind=NoticeKind.ACCEPTANCE)
    html = page(done)
    assert "已受理，受理通知书已出具" in html
    assert notice.number in html
    assert reverse("backoffice:notice_pdf", args=[case.number, notice.pk]) in html
    assert "剩余" in html  # the colour-neutral remaining working days


def test_accept_refuses_incomplete_materials_in_chinese(people: dict[str, User]) -> None:
    case = online_case(HYGIENE, people["zhangsan"], uploaded=False)
    response = client_for(people["lisi"]).post(
        reverse("backoffice:accept", args=[case.number]), {"outcome": "accept"}
    )
    assert response.status_code == 409
    assert "以下必要材料尚未提交或需补正，不能受理" in page(response)
    assert reload(case).status == CaseStatus.SUBMITTED


def test_accept_with_missing_sets_due_dates(people: dict[str, User]) -> None:
    case = online_case(HYGIENE, people["zhangsan"], uploaded=False)
    url = reverse("backoffice:accept", args=[case.number])
    missing = list(case.materials.filter(item_material__core=False, item_material__required=True))
    lisi = client_for(people["lisi"])
    core = case.materials.filter(item_material__core=True).first()
    refused = lisi.post(
        url,
        {"outcome": "accept_with_missing", "missing": [core.pk], f"due_{core.pk}": "2026-12-10"},
    )
    assert refused.status_code == 422
    assert "是核心要件，不能容缺受理" in page(refused)
    past = lisi.post(
        url,
        {"outcome": "accept_with_missing", "missing": [missing[0].pk], "due_{}": "2020-01-01"},
    )
    assert past.status_code == 422
    assert "补交期限" in page(past)
    data: dict[str, object] = {"outcome": "accept_with_missing", "missing": [m.pk for m in missing]}
    data.update({f"due_{m.pk}": "2026-12-10" for m in missing})  # a Thursday
    ok = lisi.post(url, data, follow=True)
    assert "已容缺受理，容缺受理通知书已出具" in page(ok)
    case = reload(case)
    assert case.status == CaseStatus.IN_DECISION
    assert {m.status for m in case.materials.filter(pk__in=[m.pk for m in missing])} == {
        MaterialStatus.MISSING_ALLOWED
    }
    assert case.notices.filter(kind=NoticeKind.ACCEPTANCE_MISSING).exists()
    assert "补交期限 2026年12月10日" in page(ok)


def test_one_time_notice_lists_every_problem(people: dict[str, User]) -> None:
    case = online_case(HYGIENE, people["zhangsan"])
    url = reverse("backoffice:accept", args=[case.number])
    lisi = client_for(people["lisi"])
    empty = lisi.post(url, {"outcome": "request_correction"})
    assert empty.status_code == 422
    assert "请勾选需要补正的全部材料并写明原因" in page(empty)
    plan, health = (
        case.materials.get(material_type__name="经营场所平面布局图"),
        case.materials.get(material_type__name="从业人员健康证明"),
    )
    no_reason = lisi.post(url, {"outcome": "request_correction", "problem": [plan.pk]})
    assert no_reason.status_code == 422
    assert "请填写原因" in page(no_reason)
    ok = lisi.post(
        url,
        {
            "outcome": "request_correction",
            "problem": [plan.pk, health.pk],
            f"reason_{plan.pk}": "未标注面积",
            f"reason_{health.pk}": "已过期",
        },
        follow=True,
    )
    assert "已出具补正材料一次性告知书" in page(ok)
    case = reload(case)
    assert case.status == CaseStatus.AWAITING_CORRECTION
    assert case.notices.count() == 1
    assert case.notices.get().content["problems"][0]["reason"] == "未标注面积"


def test_refusal_needs_reasons(people: dict[str, User]) -> None:
    case = online_case(HYGIENE, people["zhangsan"])
    url = reverse("backoffice:accept", args=[case.number])
    lisi = client_for(people["lisi"])
    empty = lisi.post(url, {"outcome": "refuse"})
    assert empty.status_code == 422
    assert "请填写不予受理的理由" in page(empty)
    lisi.post(
        url,
        {"outcome": "refuse", "reasons": "不属于本部门职权", "competent_authority": "市卫生健康委"},
    )
    case = reload(case)
    assert case.status == CaseStatus.NOT_ACCEPTED
    assert case.notices.get().kind == NoticeKind.NON_ACCEPTANCE


def test_instant_only_with_decision_authority(people: dict[str, User]) -> None:
    case = online_case("个体工商户设立登记", people["zhangsan"])
    url = reverse("backoffice:accept", args=[case.number])
    lisi = client_for(people["lisi"])
    assert "您不持有该事项的授权书或审批决定权" in page(lisi.get(url))
    denied = lisi.post(url, {"outcome": "instant"})
    assert denied.status_code == 403
    assert "不能当场办结" in page(denied)
    zhouqiang = client_for(people["zhouqiang"])
    assert "当场办结" in page(zhouqiang.get(url))
    ok = zhouqiang.post(url, {"outcome": "instant"}, follow=True)
    assert "即办件已当场办结" in page(ok)
    case = reload(case)
    assert case.status == CaseStatus.CONCLUDED
    assert case.notices.get().kind == NoticeKind.APPROVAL


# ------------------------------------------------------------------------- tasks
def test_task_claim_release_and_decide(people: dict[str, User]) -> None:
    case = online_case(HYGIENE, people["zhangsan"])
    case_accept(actor=people["lisi"], case=case)
    task = case.tasks.get()
    hanmei = client_for(people["hanmei"])
    inbox = page(hanmei.get(reverse("backoffice:tasks")))
    assert case.number in inbox
    assert "剩余" in inbox
    assert "审批决定" in inbox
    url = reverse("backoffice:task", args=[task.pk])
    hanmei.post(url, {"action": "claim"})
    assert reload(case).tasks.get().status == TaskStatus.CLAIMED
    hanmei.post(url, {"action": "release"})
    assert reload(case).tasks.get().status == TaskStatus.OPEN
    hanmei.post(url, {"action": "claim"})
    refused = hanmei.post(url, {"action": "decide", "outcome": "refuse", "reason": ""})
    assert refused.status_code == 422
    assert "请填写不予许可的理由" in page(refused)
    ok = hanmei.post(url, {"action": "decide", "outcome": "approve"}, follow=True)
    assert "准予行政许可决定书" in page(ok)
    assert reload(case).status == CaseStatus.APPROVED


def test_suspend_resume_and_return(people: dict[str, User]) -> None:
    case = online_case(HYGIENE, people["zhangsan"])
    case_accept(actor=people["lisi"], case=case)
    url = reverse("backoffice:task", args=[case.tasks.get().pk])
    hanmei = client_for(people["hanmei"])
    bad = hanmei.post(url, {"action": "suspend", "kind": "site_inspection", "reason": ""})
    assert bad.status_code == 422
    assert "请填写中止原因" in page(bad)
    hanmei.post(
        url,
        {
            "action": "suspend",
            "kind": "site_inspection",
            "reason": "现场核查",
            "expected_days": "3",
        },
    )
    case = reload(case)
    assert case.status == CaseStatus.SUSPENDED
    assert case.promised_due_at is None
    assert "中止计时" in page(hanmei.get(url))
    hanmei.post(url, {"action": "resume"})
    assert reload(case).status == CaseStatus.IN_DECISION
    hanmei.post(url, {"action": "return", "reasons": "平面图比例不清"})
    assert reload(case).status == CaseStatus.RETURNED


# ------------------------------------------------------------------------- results
def test_conclude_dispatch_and_deliver_by_express(people: dict[str, User]) -> None:
    case = online_case(HYGIENE, people["zhangsan"])
    case_accept(actor=people["lisi"], case=case)
    case_decide(actor=people["hanmei"], case=case, outcome="approve")
    lisi = client_for(people["lisi"])
    assert case.number in page(lisi.get(reverse("backoffice:results")))
    url = reverse("backoffice:case", args=[case.number])
    lisi.post(url, {"action": "conclude", "delivery_method": "express"})
    assert reload(case).status == CaseStatus.CONCLUDED
    early = lisi.post(url, {"action": "deliver"})
    assert early.status_code == 409
    assert "快递尚未寄出" in page(early)
    bad = lisi.post(url, {"action": "dispatch", "carrier": "EMS", "tracking_number": "12"})
    assert bad.status_code == 422
    assert "运单号应为8至30位字母或数字" in page(bad)
    lisi.post(url, {"action": "dispatch", "carrier": "EMS", "tracking_number": "EA123456789CN"})
    assert "EA123456789CN" in page(lisi.get(url))
    lisi.post(url, {"action": "deliver", "recipient": "张三"})
    case = reload(case)
    assert case.status == CaseStatus.DELIVERED
    assert case.delivery.recipient == "张三"


def test_home_counts(people: dict[str, User]) -> None:
    online_case(HYGIENE, people["zhangsan"])
    html = page(client_for(people["lisi"]).get(reverse("backoffice:home")))
    assert "待受理" in html
    assert "<strong>1</strong>" in html
    search = page(client_for(people["zhaoliu"]).get(reverse("backoffice:cases"), {"q": "张三"}))
    assert HYGIENE in search
