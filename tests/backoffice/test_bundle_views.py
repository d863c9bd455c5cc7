"""一件事一次办 in the back office, on the demo district: 张三's 我要开理发店 (lead 区卫生健康委)
waits at the window; 李四 accepts it in one action; the lead's view shows every sub-case
with department, status, holder and deadline. Permission matrix for every screen: allowed,
forbidden (403 in Chinese), another department's bundle (404), anonymous (login)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.bundles.models import Bundle
from onewindow.bundles.selectors import published_version
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleChase,
    BundleDelivery,
    CaseMaterial,
    InspectionFinding,
    InspectionStatus,
    JointInspection,
    MaterialStatus,
)
from onewindow.cases.services.bundle import (
    bundle_case_accept,
    bundle_case_create,
    bundle_case_submit,
    bundle_material_upload,
)
from onewindow.cases.services.delivery import case_conclude
from onewindow.cases.services.processing import case_decide, task_complete
from onewindow.cases.states import CaseStatus
from onewindow.demo.data.org import BARBER_USCC
from onewindow.org.models import Applicant, Department, User
from tests.backoffice.conftest import client_for
from tests.cases.test_uploads import a_pdf

pytestmark = pytest.mark.django_db

PEOPLE = ["lisi", "wangwu", "hanmei", "zhouqiang", "zhaoliu", "zhangsan"]
FORM = {
    "person_name": "张三",
    "resident_id": "500102198506150130",
    "phone": "13900000001",
    "business_name": "张三理发店",
    "business_address": "示范区城东大道96号",
    "business_scope": "理发、美发服务",
    "employees_count": 3,
    "applicant_name": "张三理发店",
    "uscc": BARBER_USCC,
    "legal_representative": "张三",
    "business_area_m2": "45",
    "public_place_type": "理发店",
}


@pytest.fixture
def barber_bundle(people: dict[str, User]) -> BundleCase:
    """张三's 我要开理发店 (no sign, no staff: 4 items of 3 departments), submitted."""
    zhangsan = people["zhangsan"]
    version = published_version(Bundle.objects.get(current_version__name="我要开理发店").code)
    bc = bundle_case_create(
        actor=zhangsan,
        bundle_version=version,
        applicant=Applicant.objects.get(users=zhangsan, kind="natural"),
        business=Applicant.objects.get(users=zhangsan, uscc=BARBER_USCC),
        answers={"sign": "no", "staff": "no"},
        form_data=FORM,
    )
    codes = set(
        CaseMaterial.objects.filter(case__bundle_case=bc, status=MaterialStatus.PENDING)
        .filter(item_material__required=True)
        .values_list("material_type__code", flat=True)
    )
    for code in sorted(codes):
        bundle_material_upload(
            actor=zhangsan, bundle_case=bc, material_type_code=code, uploaded_file=a_pdf()
        )
    return bundle_case_submit(actor=zhangsan, bundle_case=bc)


def statuses(people: dict[str, User], url: str) -> dict[str, int]:
    return {name: client_for(people[name]).get(url).status_code for name in PEOPLE}


def test_menu_shows_the_bundle_screens_by_capability(people: dict[str, User]) -> None:
    def menu(username: str) -> list[str]:
        page = client_for(people[username]).get(reverse("backoffice:home")).content.decode()
        nav = page.split('class="bo-menu"', 1)[1].split("</nav>", 1)[0]
        return [label for label in ("一件事受理", "牵头一件事") if f">{label}</a>" in nav]

    assert menu("lisi") == ["一件事受理", "牵头一件事"]
    assert menu("hanmei") == ["牵头一件事"]
    assert menu("zhaoliu") == []


def test_window_list_matrix(people: dict[str, User], barber_bundle: BundleCase) -> None:
    url = reverse("backoffice:bundle_window")
    assert statuses(people, url) == {
        "lisi": 200,
        "zhouqiang": 200,
        "wangwu": 403,
        "hanmei": 403,
        "zhaoliu": 403,
        "zhangsan": 403,
    }
    assert barber_bundle.number in client_for(people["lisi"]).get(url).content.decode()
    # 周强 accepts for 区市场监管局 only: a bundle with 区卫生健康委 items is not his to accept.
    assert barber_bundle.number not in client_for(people["zhouqiang"]).get(url).content.decode()
    forbidden = client_for(people["hanmei"]).get(url)
    assert "您没有使用该功能的权限" in forbidden.content.decode()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("org:login"))


def test_accept_page_matrix_and_one_acceptance(
    people: dict[str, User], barber_bundle: BundleCase
) -> None:
    url = reverse("backoffice:bundle_accept", args=[barber_bundle.number])
    assert statuses(people, url) == {
        "lisi": 200,
        "zhouqiang": 404,  # other departments' items in it
        "wangwu": 403,
        "hanmei": 403,
        "zhaoliu": 403,
        "zhangsan": 403,
    }
    page = client_for(people["lisi"]).get(url).content.decode()
    assert "一窗受理全部事项" in page
    for case in barber_bundle.sub_cases.select_related("item_version"):
        assert case.item_version.name in page
    # Someone who may not accept it changes nothing.
    assert client_for(people["zhouqiang"]).post(url).status_code == 404
    barber_bundle.refresh_from_db()
    assert barber_bundle.status == BundleCaseStatus.SUBMITTED

    response = client_for(people["lisi"]).post(url, follow=True)
    assert response.status_code == 200
    assert "已一窗受理" in response.content.decode()
    barber_bundle.refresh_from_db()
    assert barber_bundle.status in (BundleCaseStatus.ACCEPTED, BundleCaseStatus.IN_PROGRESS)
    assert barber_bundle.promised_due_at is not None
    statuses_after = set(barber_bundle.sub_cases.values_list("status", flat=True))
    assert CaseStatus.SUBMITTED not in statuses_after
    # Accepted: no longer waiting at the window; a second POST is a 404.
    assert client_for(people["lisi"]).post(url).status_code == 404


def test_lead_view_matrix_and_content(people: dict[str, User], barber_bundle: BundleCase) -> None:
    bundle_case_accept(actor=people["lisi"], bundle_case=barber_bundle)
    listing = reverse("backoffice:bundles")
    got = statuses(people, listing)
    assert got == {
        "lisi": 200,
        "zhouqiang": 200,
        "wangwu": 200,
        "hanmei": 200,
        "zhaoliu": 403,
        "zhangsan": 403,
    }
    assert barber_bundle.number in client_for(people["hanmei"]).get(listing).content.decode()
    # 周强 and 王五 (区市场监管局) co-operate: their department does not lead it.
    for name in ("zhouqiang", "wangwu"):
        assert barber_bundle.number not in client_for(people[name]).get(listing).content.decode()

    url = reverse("backoffice:bundle", args=[barber_bundle.number])
    got = statuses(people, url)
    assert got["hanmei"] == 200
    assert got["lisi"] == 200  # the centre's windows act for every department
    assert got["zhouqiang"] == 404  # cooperating department: its own sub-case only
    assert got["wangwu"] == 404
    assert got["zhaoliu"] == 403
    assert got["zhangsan"] == 403
    page = client_for(people["hanmei"]).get(url).content.decode()
    assert "各部门并联办理情况" in page
    assert "套餐承诺办结期限" in page
    for case in barber_bundle.sub_cases.select_related("item_version", "department"):
        assert case.number in page
        assert case.department.name in page
    assert "待认领" in page  # the holder: the inbox the task waits in
    due = barber_bundle.__class__.objects.get(pk=barber_bundle.pk).promised_due_at
    assert due is not None
    assert f"{due.year}年" in page
    unknown = client_for(people["hanmei"]).get(
        reverse("backoffice:bundle", args=["YJS50010220990101000001"])
    )
    assert unknown.status_code == 404


def test_draft_bundle_is_not_at_the_window(people: dict[str, User]) -> None:
    zhangsan = people["zhangsan"]
    version = published_version(Bundle.objects.get(current_version__name="我要开理发店").code)
    draft = bundle_case_create(
        actor=zhangsan,
        bundle_version=version,
        applicant=Applicant.objects.get(users=zhangsan, kind="natural"),
        business=Applicant.objects.get(users=zhangsan, uscc=BARBER_USCC),
        answers={"sign": "no", "staff": "no"},
        form_data={},
    )
    page = client_for(people["lisi"]).get(reverse("backoffice:bundle_window")).content.decode()
    assert draft.number not in page
    url = reverse("backoffice:bundle_accept", args=[draft.number])
    assert client_for(people["lisi"]).get(url).status_code == 404
    lead = reverse("backoffice:bundle", args=[draft.number])
    assert client_for(people["hanmei"]).get(lead).status_code == 404


def test_lead_chases_a_cooperating_department(
    people: dict[str, User], barber_bundle: BundleCase
) -> None:
    bundle_case_accept(actor=people["lisi"], bundle_case=barber_bundle)
    individual = barber_bundle.sub_cases.get(item_version__name="个体工商户设立登记")
    url = reverse("backoffice:bundle", args=[barber_bundle.number])
    data = {"action": "chase", "case": individual.number, "message": "请今日内办结营业执照"}
    # A cooperating department cannot chase (the bundle is not theirs to see).
    assert client_for(people["wangwu"]).post(url, data).status_code == 404
    assert client_for(people["zhaoliu"]).post(url, data).status_code == 403
    assert not BundleChase.objects.exists()
    empty = client_for(people["hanmei"]).post(url, {**data, "message": " "})
    assert empty.status_code == 422
    assert "请填写督办内容" in empty.content.decode()
    response = client_for(people["hanmei"]).post(url, data, follow=True)
    body = response.content.decode()
    assert "已督办“个体工商户设立登记”" in body
    assert "请今日内办结营业执照" in body  # the chase log
    chase = BundleChase.objects.get()
    assert chase.case == individual
    assert chase.by == people["hanmei"]


def test_lead_ends_the_bundle_with_a_reason(
    people: dict[str, User], barber_bundle: BundleCase
) -> None:
    bundle_case_accept(actor=people["lisi"], bundle_case=barber_bundle)
    url = reverse("backoffice:bundle", args=[barber_bundle.number])
    missing = client_for(people["hanmei"]).post(url, {"action": "end", "reason": ""})
    assert missing.status_code == 422
    assert "请填写终止理由" in missing.content.decode()
    client_for(people["hanmei"]).post(url, {"action": "end", "reason": "申请人放弃开店"})
    barber_bundle.refresh_from_db()
    assert barber_bundle.status == BundleCaseStatus.ENDED


def test_joint_inspection_scheduled_recorded_and_completed(
    people: dict[str, User], barber_bundle: BundleCase
) -> None:
    bundle_case_accept(actor=people["lisi"], bundle_case=barber_bundle)
    url = reverse("backoffice:bundle", args=[barber_bundle.number])
    health = Department.objects.get(code="WSJKW")
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT09:30")
    data = {"action": "inspection", "at": when, "place": "示范区城东大道96号"}
    past = client_for(people["hanmei"]).post(
        url, {**data, "at": "2020-01-02T09:30", "departments": [health.pk]}
    )
    assert past.status_code == 422
    assert "踏勘时间应晚于当前时间" in past.content.decode()
    response = client_for(people["hanmei"]).post(url, {**data, "departments": [health.pk]})
    assert response.status_code == 302
    inspection = JointInspection.objects.get(bundle_case=barber_bundle)
    assert list(inspection.departments.all()) == [health]

    page = reverse("backoffice:bundle_inspection", args=[inspection.pk])
    assert statuses(people, page) == {
        "lisi": 403,  # the window does not inspect
        "wangwu": 404,  # 区市场监管局 does not take part in this one
        "hanmei": 200,
        "zhouqiang": 404,
        "zhaoliu": 403,
        "zhangsan": 403,
    }
    listing = client_for(people["hanmei"]).get(reverse("backoffice:bundles")).content.decode()
    assert "本部门参加的联合踏勘" in listing
    assert client_for(people["wangwu"]).post(page, {"result": "pass"}).status_code == 404
    rectify = client_for(people["hanmei"]).post(page, {"result": "rectify", "note": ""})
    assert rectify.status_code == 422
    assert "请填写整改要求或不符合的理由" in rectify.content.decode()
    client_for(people["hanmei"]).post(page, {"result": "pass", "note": "消毒间符合要求"})
    finding = InspectionFinding.objects.get(inspection=inspection)
    assert finding.department == health
    assert finding.by == people["hanmei"]

    done = client_for(people["hanmei"]).post(
        url, {"action": "inspection_complete", "inspection": inspection.pk}, follow=True
    )
    assert "计一次到现场" in done.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DONE
    assert inspection.visit is not None


def test_one_outcome_issued_by_the_lead_when_all_concluded(
    people: dict[str, User], barber_bundle: BundleCase
) -> None:
    bundle_case_accept(actor=people["lisi"], bundle_case=barber_bundle)
    url = reverse("backoffice:bundle", args=[barber_bundle.number])
    early = client_for(people["hanmei"]).post(
        url, {"action": "outcome", "delivery_method": "window"}
    )
    assert early.status_code == 409
    assert "全部事项办结后才能统一出件" in early.content.decode()
    for case in barber_bundle.sub_cases.all():
        if case.status == CaseStatus.IN_REVIEW:
            task = case.tasks.get(status="open")
            task_complete(actor=people["admin"], task=task, opinion="同意")
            case.refresh_from_db()
        case_decide(actor=people["admin"], case=case, outcome="approve")
        case_conclude(actor=people["lisi"], case=case)
    barber_bundle.refresh_from_db()
    assert barber_bundle.status == BundleCaseStatus.CONCLUDED
    page = client_for(people["hanmei"]).get(url).content.decode()
    assert "统一出件" in page
    assert 'name="delivery_method"' in page
    # A cooperating department cannot issue it.
    assert client_for(people["wangwu"]).post(url, {"action": "outcome"}).status_code == 404
    response = client_for(people["hanmei"]).post(
        url, {"action": "outcome", "delivery_method": "window"}, follow=True
    )
    assert "已统一出件（窗口领取），共4项结果" in response.content.decode()
    outcome = BundleDelivery.objects.get(bundle_case=barber_bundle)
    assert outcome.cases.count() == 4
    client_for(people["hanmei"]).post(url, {"action": "deliver", "recipient": "张三"})
    barber_bundle.refresh_from_db()
    assert barber_bundle.status == BundleCaseStatus.DELIVERED
