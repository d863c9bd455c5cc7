"""The applicant's bundle case screens (一件事一次办) on the demo district: 张三 applies for
我要开理发店 from the merged guide with his answers, fills ONE merged form (server-side
errors in Chinese next to each field, typed text kept), uploads each material type once
(checked by content), submits; 我的一件事 and the bundle case page; withdrawal; and the
permission matrix (another applicant and staff get 404, anonymous goes to the login)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.bundles.models import Bundle
from onewindow.cases.models import (
    BundleCase,
    BundleCaseStatus,
    BundleIssue,
    CaseMaterial,
    IssueResolution,
    MaterialStatus,
)
from onewindow.cases.services.bundle import bundle_case_accept
from onewindow.cases.services.bundle_acceptance import (
    bundle_case_accept_with_missing,
    bundle_case_request_correction,
)
from onewindow.cases.services.processing import case_decide
from onewindow.cases.states import CaseStatus
from onewindow.org.models import User
from tests.cases import conftest as cases_fixtures
from tests.portal.applicant_support import (
    client_for,
    disguised_file,
    media,  # noqa: F401  (autouse: files under a temporary MEDIA_ROOT)
    pdf_file,
)

pytestmark = pytest.mark.django_db

demo = cases_fixtures.demo
people = cases_fixtures.people

BARBER = "我要开理发店"
SIGN = "户外广告设施设置备案"
SOCIAL = "单位参保登记（社会保险登记）"
FORM = {
    "person_name": "张三",
    "resident_id": "500102198506150130",
    "uscc": "925001026031885240",
    "phone": "13900000001",
    "business_name": "张三理发店",
    "business_address": "示范区城东大道96号",
    "business_scope": "理发、美发服务",
    "employees_count": "3",
    "applicant_name": "张三理发店",
    "legal_representative": "张三",
    "business_area_m2": "45",
    "public_place_type": "理发店",
    "sign_location": "城东大道96号门头",
    "sign_size": "3米×0.8米",
    "delivery_method": "electronic",
}


def html(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def barber_code(demo: Any, db: Any) -> str:
    return Bundle.objects.get(current_version__name=BARBER).code


def apply(client: Client, code: str, answers: dict[str, str]) -> Any:
    page = client.get(reverse("portal:bundle_apply", args=[code]))
    applicant = re.search(r'name="applicant" value="(\d+)"[^>]*checked', html(page))
    business = re.search(r'name="business" value="(\d+)"[^>]*checked', html(page))
    assert applicant
    assert business
    data = {"applicant": applicant.group(1), "business": business.group(1)}
    data.update({f"a_{k}": v for k, v in answers.items()})
    return client.post(reverse("portal:bundle_apply", args=[code]), data)


def draft(people: dict[str, User], code: str, answers: dict[str, str] | None = None) -> BundleCase:
    response = apply(
        client_for(people["zhangsan"]), code, answers or {"sign": "yes", "staff": "no"}
    )
    assert response.status_code == 302, html(response)
    return BundleCase.objects.filter(created_by=people["zhangsan"]).latest("id")


def material_codes(bc: BundleCase, *, required_only: bool = True) -> list[str]:
    qs = CaseMaterial.objects.filter(case__bundle_case=bc).exclude(status=MaterialStatus.OBTAINED)
    if required_only:
        qs = qs.filter(item_material__required=True)
    return sorted(set(qs.values_list("material_type__code", flat=True)))


def submitted(people: dict[str, User], code: str) -> BundleCase:
    bc = draft(people, code)
    data: dict[str, Any] = {**FORM, "action": "submit"}
    for mt in material_codes(bc):
        data[f"mt_{mt}"] = pdf_file(f"{mt}.pdf")
    response = client_for(people["zhangsan"]).post(
        reverse("portal:bundle_case_edit", args=[bc.number]), data
    )
    assert response.status_code == 302, html(response)
    bc.refresh_from_db()
    return bc


# ---------------------------------------------------------------------------- apply


def test_guide_links_to_apply_with_the_answers(people: dict[str, User], barber_code: str) -> None:
    page = Client().get(
        reverse("portal:bundle_guide", args=[barber_code]), {"sign": "no", "staff": "yes"}
    )
    body = html(page)
    apply_url = reverse("portal:bundle_apply", args=[barber_code])
    assert f'href="{apply_url}?sign=no&amp;staff=yes"' in body
    assert "在线申请" in body
    # The apply page shows the answers pre-filled, the person and the business chosen.
    form = html(client_for(people["zhangsan"]).get(apply_url + "?sign=no&staff=yes"))
    assert re.search(r'name="a_sign" value="no"\s+checked', form)
    assert re.search(r'name="a_staff" value="yes"\s+checked', form)
    assert "张三理发店" in form
    assert "经营主体" in form


def test_apply_requires_login(barber_code: str) -> None:
    url = reverse("portal:bundle_apply", args=[barber_code])
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


def test_apply_with_a_missing_answer_says_which(people: dict[str, User], barber_code: str) -> None:
    response = apply(client_for(people["zhangsan"]), barber_code, {"sign": "yes"})
    assert response.status_code == 422
    assert "请回答：是否招用员工？" in html(response)
    assert not BundleCase.objects.filter(created_by=people["zhangsan"]).exists()


def test_apply_creates_one_draft_per_applicable_item_prefilled(
    people: dict[str, User], barber_code: str
) -> None:
    bc = draft(people, barber_code, {"sign": "yes", "staff": "no"})
    names = set(bc.sub_cases.values_list("item_version__name", flat=True))
    assert SIGN in names
    assert SOCIAL not in names
    assert len(names) == 5
    page = html(
        client_for(people["zhangsan"]).get(reverse("portal:bundle_case_edit", args=[bc.number]))
    )
    assert "一表申请：合并申请表" in page
    # Pre-filled once from the records: the person's ID, the business's USCC.
    assert 'value="500102198506150130"' in page
    assert "925001026031885240" in page
    # Each material type has one slot, shared ones say so.
    assert page.count('type="file"') == len(material_codes(bc, required_only=False))
    assert "个事项共用，只传一次" in page
    # the merged form's markup is shared with the window's (one include); the applicant's
    # wording: upload once, the result delivered to "您"
    assert "每种只传一次" in page
    assert "全部办结后，办理结果一次送达给您：" in page
    assert "选择快递送达时请填写（免费寄递）：" in page
    assert "每种只扫描一次" not in page


# ---------------------------------------------------------------------------- fill in


def test_merged_form_errors_per_field_valid_values_saved(
    people: dict[str, User], barber_code: str
) -> None:
    bc = draft(people, barber_code)
    url = reverse("portal:bundle_case_edit", args=[bc.number])
    data = {**FORM, "business_area_m2": "-3", "phone": "12345", "action": "save"}
    response = client_for(people["zhangsan"]).post(url, data)
    body = html(response)
    assert response.status_code == 422
    assert "有2处需要修改" in body
    assert 'id="f-business_area_m2"' in body
    assert 'value="-3"' in body
    assert "11位" in body  # the phone's Chinese message
    # The valid values were saved on every sub-case asking them, once.
    hygiene = bc.sub_cases.get(item_version__name="公共场所卫生许可证核发")
    assert hygiene.form_data["public_place_type"] == "理发店"
    individual = bc.sub_cases.get(item_version__name="个体工商户设立登记")
    assert individual.form_data["business_name"] == "张三理发店"
    assert "phone" not in individual.form_data or individual.form_data["phone"] != "12345"


def test_upload_once_checked_by_content_and_copied(
    people: dict[str, User], barber_code: str
) -> None:
    bc = draft(people, barber_code)
    url = reverse("portal:bundle_case_edit", args=[bc.number])
    shared = (
        CaseMaterial.objects.filter(case__bundle_case=bc)
        .exclude(status=MaterialStatus.OBTAINED)
        .values("material_type__code")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("material_type__code", flat=True)
    )
    code = shared[0]
    client = client_for(people["zhangsan"])
    bad = client.post(url, {**FORM, "action": "save", f"mt_{code}": disguised_file()})
    assert bad.status_code == 422
    assert "文件内容" in html(bad) or "不符" in html(bad)
    assert not CaseMaterial.objects.filter(
        case__bundle_case=bc, material_type__code=code, status=MaterialStatus.UPLOADED
    ).exists()
    good = client.post(url, {**FORM, "action": "save", f"mt_{code}": pdf_file()})
    assert good.status_code == 302
    slots = CaseMaterial.objects.filter(case__bundle_case=bc, material_type__code=code)
    assert slots.count() > 1
    assert {s.status for s in slots} == {MaterialStatus.UPLOADED}
    assert len({s.sha256 for s in slots}) == 1


def test_submit_lists_every_problem_at_once(people: dict[str, User], barber_code: str) -> None:
    bc = draft(people, barber_code)
    url = reverse("portal:bundle_case_edit", args=[bc.number])
    data = {k: v for k, v in FORM.items() if k != "business_scope"}
    response = client_for(people["zhangsan"]).post(url, {**data, "action": "submit"})
    body = html(response)
    assert response.status_code == 422
    assert "请填写经营范围" in body
    assert body.count("请上传“") >= 2
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.DRAFT
    assert set(bc.sub_cases.values_list("status", flat=True)) == {CaseStatus.DRAFT}


def test_submit_then_list_and_page(people: dict[str, User], barber_code: str) -> None:
    bc = submitted(people, barber_code)
    assert bc.status == BundleCaseStatus.SUBMITTED
    client = client_for(people["zhangsan"])
    listing = html(client.get(reverse("portal:my_bundle_cases")))
    assert bc.number in listing
    assert BARBER in listing
    assert "已提交，待受理" in listing
    # The editor is closed once submitted.
    edit = client.get(reverse("portal:bundle_case_edit", args=[bc.number]))
    assert edit.status_code == 302
    bundle_case_accept(actor=people["lisi"], bundle_case=bc)
    bc.refresh_from_db()
    page = html(client.get(reverse("portal:bundle_case_detail", args=[bc.number])))
    due = bc.promised_due_at
    assert due is not None
    local = timezone.localtime(due).date()  # shown as 2026年12月4日
    assert f"{local.year}年{local.month}月{local.day}日" in page
    assert "一件事承诺办结期限" in page
    for case in bc.sub_cases.select_related("department", "item_version"):
        assert case.item_version.name in page
        assert case.department.name in page
        assert case.number in page
    assert "受理通知书" in page  # each sub-case's notice to download
    assert "牵头" in page
    assert "配合" in page


def test_withdraw_whole_bundle(people: dict[str, User], barber_code: str) -> None:
    bc = submitted(people, barber_code)
    client = client_for(people["zhangsan"])
    url = reverse("portal:bundle_case_withdraw", args=[bc.number])
    assert "确认撤回整个一件事申请" in html(client.get(url))
    response = client.post(url, {"reason": "改期开业"})
    assert response.status_code == 302
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.WITHDRAWN
    assert set(bc.sub_cases.values_list("status", flat=True)) == {CaseStatus.WITHDRAWN}


# ---------------------------------------------------------------------------- permissions


def test_pages_are_404_for_another_applicant_and_staff(
    people: dict[str, User], barber_code: str
) -> None:
    bc = submitted(people, barber_code)
    urls = [
        reverse("portal:bundle_case_detail", args=[bc.number]),
        reverse("portal:bundle_case_edit", args=[bc.number]),
        reverse("portal:bundle_case_withdraw", args=[bc.number]),
    ]
    for url in urls:
        assert client_for(people["zhangsan"]).get(url).status_code in (200, 302)
        # 钱七 (another applicant), 韩梅 (staff of the lead department), 李四 (window).
        for name in ("qianqi", "hanmei", "lisi"):
            assert client_for(people[name]).get(url).status_code == 404, (name, url)
        anonymous = Client().get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("org:login"))
    post = client_for(people["qianqi"]).post(urls[2], {"reason": "x"})
    assert post.status_code == 404
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.SUBMITTED
    assert bc.number not in html(
        client_for(people["qianqi"]).get(reverse("portal:my_bundle_cases"))
    )
    unknown = client_for(people["zhangsan"]).get(
        reverse("portal:bundle_case_detail", args=["YJS50010220990101000001"])
    )
    assert unknown.status_code == 404


# ---------------------------------------------------------------------------- partial refusal


def test_refused_optional_item_can_be_dropped_and_the_rest_continues(
    people: dict[str, User], barber_code: str
) -> None:
    bc = submitted(people, barber_code)  # with the shop sign (户外广告设施设置备案, optional)
    bundle_case_accept(actor=people["lisi"], bundle_case=bc)
    sign = bc.sub_cases.get(item_version__name=SIGN)
    assert sign.status == CaseStatus.IN_DECISION
    # 区城市管理局 refuses the sign (the superuser stands in for its officer here).
    case_decide(actor=people["admin"], case=sign, outcome="refuse", reason="招牌位置占用消防通道")
    bc.refresh_from_db()
    assert bc.status == BundleCaseStatus.AWAITING_APPLICANT
    url = reverse("portal:bundle_case_detail", args=[bc.number])
    page = html(client_for(people["zhangsan"]).get(url))
    assert "放弃该事项，其余继续" in page
    assert "招牌位置占用消防通道" in page
    assert "不予" in page  # the refusal decision to download
    drop = reverse("portal:bundle_member_drop", args=[bc.number, sign.number])
    # Nobody else may choose for him.
    assert client_for(people["qianqi"]).post(drop).status_code == 404
    assert client_for(people["hanmei"]).post(drop).status_code == 404
    response = client_for(people["zhangsan"]).post(drop, follow=True)
    assert "其余事项继续办理" in html(response)
    bc.refresh_from_db()
    assert bc.status != BundleCaseStatus.AWAITING_APPLICANT
    issue = BundleIssue.objects.get(case=sign)
    assert issue.resolution == IssueResolution.DROPPED
    assert "放弃该事项，其余继续" not in html(client_for(people["zhangsan"]).get(url))


# ---------------------------------------------------------------------------- supply, resubmit

RULES = "M0007"  # 卫生管理制度, asked by the hygiene licence


def test_one_time_notice_supply_once_and_resubmit(
    people: dict[str, User], barber_code: str
) -> None:
    bc = submitted(people, barber_code)
    bundle_case_request_correction(
        actor=people["lisi"],
        bundle_case=bc,
        problems=[
            {"material_type": RULES, "reason": "卫生管理制度未加盖公章"},
            {"material_type": None, "reason": "经营场所地址与租赁合同不一致"},
        ],
    )
    client = client_for(people["zhangsan"])
    url = reverse("portal:bundle_case_detail", args=[bc.number])
    page = html(client.get(url))
    assert "一次性告知：请补齐以下材料" in page
    assert "卫生管理制度未加盖公章" in page
    assert "经营场所地址与租赁合同不一致" in page  # the general reason
    assert f'name="mt_{RULES}"' in page
    assert page.count('name="mt_') == 1  # only what the notice asks, once per type
    assert "补齐后重新提交" in page
    supply = reverse("portal:bundle_case_supply", args=[bc.number])
    # Resubmitting without the replacement: refused next to its slot, nothing moves.
    early = client.post(supply, {"action": "resubmit"})
    assert early.status_code == 422
    assert "需补正后重新上传" in html(early)
    # A file that is not what it claims: refused by content.
    bad = client.post(supply, {"action": "upload", f"mt_{RULES}": disguised_file("制度.pdf")})
    assert bad.status_code == 422
    assert "有1份材料未能上传" in html(bad)
    waiting = bc.sub_cases.filter(status=CaseStatus.AWAITING_CORRECTION)
    assert waiting.count() == bc.sub_cases.count()  # the general reason: every item
    ok = client.post(supply, {"action": "resubmit", f"mt_{RULES}": pdf_file("制度.pdf")})
    assert ok.status_code == 302, html(ok)
    assert set(bc.sub_cases.values_list("status", flat=True)) == {CaseStatus.SUBMITTED}
    slot = CaseMaterial.objects.get(case__bundle_case=bc, material_type__code=RULES)
    assert slot.status == MaterialStatus.UPLOADED
    assert "一次性告知：请补齐以下材料" not in html(client.get(url))
    bundle_case_accept(actor=people["lisi"], bundle_case=bc)  # the window accepts it whole
    bc.refresh_from_db()
    assert bc.status in (BundleCaseStatus.ACCEPTED, BundleCaseStatus.IN_PROGRESS)


def test_supply_is_404_for_others_and_login_for_anonymous(
    people: dict[str, User], barber_code: str
) -> None:
    bc = submitted(people, barber_code)
    bundle_case_request_correction(
        actor=people["lisi"],
        bundle_case=bc,
        problems=[{"material_type": RULES, "reason": "未盖章"}],
    )
    supply = reverse("portal:bundle_case_supply", args=[bc.number])
    for name in ("qianqi", "hanmei", "lisi"):
        response = client_for(people[name]).post(
            supply, {"action": "resubmit", f"mt_{RULES}": pdf_file()}
        )
        assert response.status_code == 404, name
    anonymous = Client().post(supply, {"action": "resubmit"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("org:login"))
    assert client_for(people["zhangsan"]).get(supply).status_code == 405
    assert bc.sub_cases.filter(status=CaseStatus.AWAITING_CORRECTION).count() == 1
    slot = CaseMaterial.objects.get(case__bundle_case=bc, material_type__code=RULES)
    assert slot.status == MaterialStatus.DEFECTIVE


def test_missing_material_supplied_once_after_acceptance(
    people: dict[str, User], barber_code: str
) -> None:
    bc = draft(people, barber_code)
    data: dict[str, Any] = {**FORM, "action": "submit"}
    for mt in material_codes(bc):
        if mt != RULES:
            data[f"mt_{mt}"] = pdf_file(f"{mt}.pdf")
    client = client_for(people["zhangsan"])
    edit = reverse("portal:bundle_case_edit", args=[bc.number])
    assert client.post(edit, data).status_code == 302
    due = timezone.localdate() + timedelta(days=14)
    while due.weekday() >= 5:
        due += timedelta(days=1)
    bundle_case_accept_with_missing(actor=people["lisi"], bundle_case=bc, missing=[(RULES, due)])
    url = reverse("portal:bundle_case_detail", args=[bc.number])
    page = html(client.get(url))
    assert "容缺受理：请按期补交以下材料" in page
    assert f"{due.year}年{due.month}月{due.day}日" in page
    assert "补齐后重新提交" not in page  # accepted: nothing to resubmit
    supply = reverse("portal:bundle_case_supply", args=[bc.number])
    nothing = client.post(supply, {"action": "upload"})
    assert nothing.status_code == 422
    assert "请选择要上传的文件" in html(nothing)
    ok = client.post(supply, {"action": "upload", f"mt_{RULES}": pdf_file("制度.pdf")})
    assert ok.status_code == 302
    slot = CaseMaterial.objects.get(case__bundle_case=bc, material_type__code=RULES)
    assert slot.status == MaterialStatus.UPLOADED
    assert "容缺受理：请按期补交以下材料" not in html(client.get(url))
