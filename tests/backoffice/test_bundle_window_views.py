"""一件事 at the window, on the demo district: 李四 files 我要开理发店 for 张三 and 张三理发店
(the applicant identified by resident ID and USCC, check characters verified; window,
assisted with the consent noted), fills the ONE merged form and scans each material type
once, submits; the bundle records one visit. On the bundle acceptance page: 一次性告知 by
material type (a reason each, or a general reason) and 容缺受理 (non-core types, a due date
each), Chinese errors, nothing half-done. The lead's 提前出件 of a concluded sub-case.
Permission matrix for every new screen: allowed, forbidden (403 in Chinese), another
department's or clerk's bundle (404), anonymous (login)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.bundles.models import Bundle
from onewindow.bundles.selectors import published_version
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    CaseMaterial,
    Channel,
    MaterialStatus,
)
from onewindow.cases.services.bundle import (
    bundle_case_accept,
    bundle_case_create,
    bundle_case_submit,
    bundle_material_upload,
)
from onewindow.cases.services.delivery import case_conclude
from onewindow.cases.services.processing import case_decide
from onewindow.cases.states import CaseStatus
from onewindow.common import clock
from onewindow.demo.data.org import BARBER_USCC
from onewindow.org.models import Applicant, User
from tests.backoffice.conftest import client_for, reload
from tests.backoffice.test_bundle_views import FORM
from tests.cases.test_uploads import a_pdf

pytestmark = pytest.mark.django_db

PEOPLE = ["lisi", "wangwu", "hanmei", "zhouqiang", "zhaoliu", "zhangsan"]
ZHANGSAN_ID = "500102198506150130"
RULES = "M0007"  # 卫生管理制度: non-core, asked by the hygiene licence only
REPORT = "M0047"  # 公共场所卫生检测（评价）报告: non-core
PLAN = "M0008"  # 经营场所平面布局图: core
INDIVIDUAL = "个体工商户设立登记"  # early_delivery in the demo


def html(response: Any) -> str:
    return response.content.decode()


def statuses(people: dict[str, User], url: str, method: str = "get") -> dict[str, int]:
    return {name: getattr(client_for(people[name]), method)(url).status_code for name in PEOPLE}


@pytest.fixture
def barber_code(people: dict[str, User]) -> str:
    return Bundle.objects.get(current_version__name="我要开理发店").code


def file_at_window(
    people: dict[str, User], *, without: tuple[str, ...] = (RULES,), submit: bool = True
) -> BundleCase:
    """李四 files 我要开理发店 (no sign, no staff) for 张三 and 张三理发店, every required
    material scanned except ``without``, and submits it."""
    lisi = people["lisi"]
    version = published_version(Bundle.objects.get(current_version__name="我要开理发店").code)
    bc = bundle_case_create(
        actor=lisi,
        bundle_version=version,
        applicant=Applicant.objects.get(resident_id=ZHANGSAN_ID),
        business=Applicant.objects.get(uscc=BARBER_USCC),
        answers={"sign": "no", "staff": "no"},
        form_data=FORM,
        channel=Channel.WINDOW,
    )
    codes = set(
        CaseMaterial.objects.filter(case__bundle_case=bc, status=MaterialStatus.PENDING)
        .filter(item_material__required=True)
        .values_list("material_type__code", flat=True)
    )
    for code in sorted(codes - set(without)):
        bundle_material_upload(
            actor=lisi, bundle_case=bc, material_type_code=code, uploaded_file=a_pdf()
        )
    if submit:
        bundle_case_submit(actor=lisi, bundle_case=bc)
    bc.refresh_from_db()
    return bc


# ---------------------------------------------------------------------------- filing


def test_menu_has_window_filing_for_window_clerks(people: dict[str, User]) -> None:
    def menu(username: str) -> str:
        page = html(client_for(people[username]).get(reverse("backoffice:home")))
        return page.split('class="bo-menu"', 1)[1].split("</nav>", 1)[0]

    assert ">一件事窗口申请</a>" in menu("lisi")
    assert ">一件事窗口申请</a>" not in menu("hanmei")


def test_choose_page_matrix(people: dict[str, User], barber_code: str) -> None:
    url = reverse("backoffice:bundle_file_start")
    assert statuses(people, url) == {
        "lisi": 200,
        "zhouqiang": 200,
        "wangwu": 403,
        "hanmei": 403,
        "zhaoliu": 403,
        "zhangsan": 403,
    }
    assert "我要开理发店" in html(client_for(people["lisi"]).get(url))
    # 周强 accepts for 区市场监管局 only: the barber bundle has other departments' items.
    assert "我要开理发店" not in html(client_for(people["zhouqiang"]).get(url))
    assert "您没有使用该功能的权限" in html(client_for(people["hanmei"]).get(url))
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("org:login"))


def test_file_page_matrix(people: dict[str, User], barber_code: str) -> None:
    url = reverse("backoffice:bundle_file", args=[barber_code])
    assert statuses(people, url) == {
        "lisi": 200,
        "zhouqiang": 404,
        "wangwu": 403,
        "hanmei": 403,
        "zhaoliu": 403,
        "zhangsan": 403,
    }
    assert statuses(people, url, "post") == {
        "lisi": 422,  # an empty form: errors, nothing created
        "zhouqiang": 404,
        "wangwu": 403,
        "hanmei": 403,
        "zhaoliu": 403,
        "zhangsan": 403,
    }
    assert Client().post(url).status_code == 302
    assert not BundleCase.objects.exists()


def test_filing_checks_the_identifiers_and_the_consent(
    people: dict[str, User], barber_code: str
) -> None:
    client = client_for(people["lisi"])
    url = reverse("backoffice:bundle_file", args=[barber_code])
    answers = {"a_sign": "no", "a_staff": "no"}
    bad_id = client.post(url, {**answers, "identifier": "110105194912310021", "channel": "window"})
    assert bad_id.status_code == 422
    assert "居民身份证号码校验码错误" in html(bad_id)
    bad_uscc = client.post(
        url,
        {
            **answers,
            "identifier": ZHANGSAN_ID,
            "business": "91350100M000100Y44",
            "channel": "window",
        },
    )
    assert "统一社会信用代码校验码错误" in html(bad_uscc)
    unknown = client.post(url, {**answers, "identifier": "11010519491231002X", "channel": "window"})
    assert "未找到该申请人" in html(unknown)
    no_consent = client.post(
        url, {**answers, "identifier": ZHANGSAN_ID, "business": BARBER_USCC, "channel": "assisted"}
    )
    assert no_consent.status_code == 422
    assert "授权或同意说明" in html(no_consent)
    missing_answer = client.post(
        url, {"a_sign": "no", "identifier": ZHANGSAN_ID, "channel": "window"}
    )
    assert missing_answer.status_code == 422
    assert "请回答" in html(missing_answer)
    assert not BundleCase.objects.exists()


def test_assisted_filing_then_one_form_and_one_visit(
    people: dict[str, User], barber_code: str
) -> None:
    client = client_for(people["lisi"])
    response = client.post(
        reverse("backoffice:bundle_file", args=[barber_code]),
        {
            "a_sign": "no",
            "a_staff": "no",
            "identifier": ZHANGSAN_ID,
            "business": BARBER_USCC,
            "channel": "assisted",
            "consent_note": "张三口头同意由窗口代为填报",
        },
    )
    assert response.status_code == 302
    bc = BundleCase.objects.get()
    assert response["Location"] == reverse("backoffice:bundle_fill", args=[bc.number])
    assert bc.channel == Channel.ASSISTED
    assert bc.on_behalf
    assert bc.visits.count() == 1
    assert bc.sub_cases.count() == 4
    fill = reverse("backoffice:bundle_fill", args=[bc.number])
    page = html(client.get(fill))
    assert "一表申请：合并申请表" in page
    assert 'value="张三理发店"' in page  # pre-filled from the business
    # the applicant's merged form markup (one include), in the window's words: scanned once,
    # the result delivered to the applicant
    assert "每种只扫描一次" in page
    assert "全部办结后，办理结果一次送达申请人：" in page
    assert 'name="delivery_method"' in page
    assert "送达给您" not in page
    # Another clerk (or a lead officer) cannot open it; an applicant has no back office.
    assert client_for(people["zhouqiang"]).get(fill).status_code == 404
    assert client_for(people["hanmei"]).get(fill).status_code == 403
    assert client_for(people["zhangsan"]).get(fill).status_code == 403
    # A bad value: the Chinese error next to the field, the rest saved, nothing submitted.
    data: dict[str, Any] = {**FORM, "business_area_m2": "-45", "action": "submit"}
    data.update(delivery_method="window")
    bad = client.post(fill, data)
    assert bad.status_code == 422
    assert "经营面积" in html(bad)
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.DRAFT
    # Each material type scanned once (卫生管理制度 missing: non-core), then submitted.
    data["business_area_m2"] = "45"
    codes = set(
        CaseMaterial.objects.filter(case__bundle_case=bc, item_material__required=True)
        .exclude(status=MaterialStatus.OBTAINED)
        .values_list("material_type__code", flat=True)
    )
    for code in codes - {RULES}:
        data[f"mt_{code}"] = a_pdf()
    ok = client.post(fill, data)
    assert ok.status_code == 302, html(ok)
    assert ok["Location"] == reverse("backoffice:bundle_accept", args=[bc.number])
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.SUBMITTED
    assert bc.visits.count() == 1  # the bundle is one visit, whatever its items
    uploaded = CaseMaterial.objects.filter(case__bundle_case=bc, status=MaterialStatus.UPLOADED)
    assert uploaded.count() > len(codes) - 1  # shared types copied to every sub-case


# ---------------------------------------------------------------------------- acceptance


def test_one_time_notice_by_material_type(people: dict[str, User]) -> None:
    bc = file_at_window(people)
    url = reverse("backoffice:bundle_accept", args=[bc.number])
    client = client_for(people["lisi"])
    page = html(client.get(url))
    assert "容缺受理" in page
    assert "一次性告知补正" in page
    # A ticked type without its reason: refused in Chinese, nothing changes.
    no_reason = client.post(url, {"outcome": "request_correction", "problem": [RULES]})
    assert no_reason.status_code == 422
    assert "请写明“卫生管理制度”需要补正的原因" in html(no_reason)
    nothing = client.post(url, {"outcome": "request_correction"})
    assert "请勾选需要补正的全部材料并写明原因" in html(nothing)
    foreign = client.post(
        url, {"outcome": "request_correction", "problem": ["M9999"], "reason_M9999": "x"}
    )
    assert "材料不属于本一件事" in html(foreign)
    assert client_for(people["zhouqiang"]).post(url, {"outcome": "accept"}).status_code == 404
    assert not bc.sub_cases.filter(status=CaseStatus.AWAITING_CORRECTION).exists()
    done = client.post(
        url,
        {
            "outcome": "request_correction",
            "problem": [RULES],
            "reason_" + RULES: "未提交卫生管理制度",
            "other_reason": "",
        },
    )
    assert done.status_code == 302
    waiting = bc.sub_cases.filter(status=CaseStatus.AWAITING_CORRECTION)
    assert [c.item_version.name for c in waiting] == ["公共场所卫生许可证核发"]
    assert waiting.get().notices.filter(kind="one_time").count() == 1
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.SUBMITTED
    # The window list says it waits; the page offers no acceptance meanwhile.
    assert "已一次性告知，待补正" in html(client.get(reverse("backoffice:bundle_window")))
    page = html(client.get(url))
    assert "等待申请人补齐材料后重新提交" in page
    assert "一窗受理全部事项" not in page


def test_accept_with_missing_types_and_due_dates(people: dict[str, User]) -> None:
    bc = file_at_window(people, without=(RULES, REPORT))
    url = reverse("backoffice:bundle_accept", args=[bc.number])
    client = client_for(people["lisi"])
    page = html(client.get(url))
    assert 'name="missing" value="M0007"' in page
    assert f'name="missing" value="{PLAN}"' not in page  # core: never 容缺
    none = client.post(url, {"outcome": "accept_with_missing"})
    assert none.status_code == 422
    assert "请勾选容缺的材料并填写补交期限" in html(none)
    core = client.post(
        url, {"outcome": "accept_with_missing", "missing": [PLAN], f"due_{PLAN}": "2026-12-10"}
    )
    assert "材料不属于本一件事" in html(core)
    no_date = client.post(url, {"outcome": "accept_with_missing", "missing": [RULES]})
    assert "请填写“卫生管理制度”的补交期限" in html(no_date)
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.SUBMITTED
    due = (clock.now() + timedelta(days=14)).date()
    while due.weekday() >= 5:
        due += timedelta(days=1)
    ok = client.post(
        url,
        {
            "outcome": "accept_with_missing",
            "missing": [RULES, REPORT],
            f"due_{RULES}": due.isoformat(),
            f"due_{REPORT}": due.isoformat(),
        },
    )
    assert ok.status_code == 302, html(ok)
    bc.refresh_from_db()
    assert bc.status in (BundleCaseStatus.ACCEPTED, BundleCaseStatus.IN_PROGRESS)
    slot = CaseMaterial.objects.get(case__bundle_case=bc, material_type__code=RULES)
    assert slot.status == MaterialStatus.MISSING_ALLOWED
    assert slot.due_date == due
    # The applicant sees what to supply by when, with one slot per type.
    page = html(
        client_for(people["zhangsan"]).get(reverse("portal:bundle_case_detail", args=[bc.number]))
    )
    assert "容缺受理：请按期补交以下材料" in page
    assert f"{due.year}年{due.month}月{due.day}日" in page
    assert f'name="mt_{RULES}"' in page
    assert f'name="mt_{REPORT}"' in page


# ---------------------------------------------------------------------------- early delivery


def test_early_delivery_of_a_concluded_sub_case(people: dict[str, User]) -> None:
    bc = file_at_window(people, without=())
    bundle_case_accept(actor=people["lisi"], bundle_case=bc)
    individual = bc.sub_cases.get(item_version__name=INDIVIDUAL)
    if individual.status == CaseStatus.IN_DECISION:  # 即办: 孙丽 of 区市场监管局 decides
        case_decide(actor=people["sunli"], case=individual, outcome="approve")
    individual = reload(individual)
    if individual.status == CaseStatus.APPROVED:
        case_conclude(actor=people["lisi"], case=individual)
    individual = reload(individual)
    assert individual.status == CaseStatus.CONCLUDED
    url = reverse("backoffice:bundle", args=[bc.number])
    hanmei = client_for(people["hanmei"])
    page = html(hanmei.get(url))
    assert "提前出件" in page
    assert f'name="case" value="{individual.number}"' in page
    data = {"action": "early_delivery", "case": individual.number, "method": "electronic"}
    # A cooperating department's officer and an applicant change nothing.
    assert client_for(people["wangwu"]).post(url, data).status_code == 404
    assert client_for(people["zhangsan"]).post(url, data).status_code == 403
    wrong = hanmei.post(url, {**data, "method": "express"})
    assert wrong.status_code == 422
    assert reload(individual).status == CaseStatus.CONCLUDED
    ok = hanmei.post(url, data)
    assert ok.status_code == 302
    assert reload(individual).status == CaseStatus.DELIVERED
    assert "已先行出件" in html(hanmei.get(url))
    again = hanmei.post(url, data)
    assert again.status_code == 409
    applicant_page = html(
        client_for(people["zhangsan"]).get(reverse("portal:bundle_case_detail", args=[bc.number]))
    )
    assert "先行出件" in applicant_page
    assert reverse("portal:case_result", args=[individual.number]) in applicant_page
