"""The applicant applies online: the guide's 在线办理 button, choosing on whose behalf,
the form rendered from the catalogue, uploads checked by content, saving, validation
errors next to their fields with nothing lost, and submitting."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.cases.models import Case, MaterialStatus
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import ItemVersion
from onewindow.org.models import User
from tests.cases import conftest as cases_fixtures
from tests.portal.applicant_support import (
    BARBER_FORM,
    CORE_UPLOADS,
    a_draft,
    barber,
    client_for,
    disguised_file,
    media,  # noqa: F401  (autouse: files under a temporary MEDIA_ROOT)
    pdf_file,
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
    return response.content.decode()


def form_post(case: Case, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {**BARBER_FORM, "delivery_method": "window", "key": "k-" + case.number}
    data.update(overrides)
    return data


# ------------------------------------------------------------------ the guide and apply


def test_guide_offers_online_application_and_anonymous_users_log_in_first(
    client: Client, hygiene_licence: ItemVersion
) -> None:
    code = hygiene_licence.item.code
    page = html(client.get(reverse("portal:guide", args=[code])))
    apply_url = reverse("portal:apply", args=[code])
    assert "在线办理" in page
    assert apply_url in page
    response = client.get(apply_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))
    assert "next=" in response["Location"]
    assert code in response["Location"]


def test_offline_items_have_no_apply_button(client: Client, demo: Any) -> None:
    offline = ItemVersion.objects.filter(status="published", online_level="offline").first()
    assert offline is not None
    page = html(client.get(reverse("portal:guide", args=[offline.item.code])))
    assert reverse("portal:apply", args=[offline.item.code]) not in page


def test_zhangsan_chooses_his_barber_shop_and_gets_a_prefilled_draft(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    client = client_for(people["zhangsan"])
    url = reverse("portal:apply", args=[hygiene_licence.item.code])
    page = html(client.get(url))
    assert "以谁的名义申请" in page
    assert "张三理发店" in page  # the legal person he represents
    assert "500102198506150130" not in page  # IDs are masked, and 张三 himself is not offered
    shop = barber(people)
    response = client.post(url, {"applicant": shop.pk, "key": "apply-1"})
    case = Case.objects.get(created_by=people["zhangsan"], idempotency_key="apply-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case_edit", args=[case.number])
    assert (case.status, case.channel, case.applicant_id) == ("draft", "online", shop.pk)
    assert case.form_data["applicant_name"] == "张三理发店"
    assert case.form_data["uscc"] == shop.uscc
    # a double click (the same form token) makes no second case
    client.post(url, {"applicant": shop.pk, "key": "apply-1"})
    assert Case.objects.filter(created_by=people["zhangsan"]).count() == 1


def test_someone_elses_applicant_cannot_be_chosen(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    client = client_for(people["qianqi"])
    url = reverse("portal:apply", args=[hygiene_licence.item.code])
    response = client.post(url, {"applicant": barber(people).pk})
    assert response.status_code == 200
    assert not Case.objects.filter(created_by=people["qianqi"]).exists()


def test_without_a_legal_person_a_clear_message_and_a_link_to_register(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    page = html(
        client_for(people["qianqi"]).get(reverse("portal:apply", args=[hygiene_licence.item.code]))
    )
    assert "本事项仅面向法人及其他组织" in page
    assert reverse("org:register_legal") in page


# ------------------------------------------------------------------ the form


def test_edit_page_renders_the_catalogue_form_and_the_material_slots(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case = a_draft(people, hygiene_licence)
    page = html(client_for(people["zhangsan"]).get(reverse("portal:case_edit", args=[case.number])))
    for item_field in hygiene_licence.fields.select_related("field"):
        assert item_field.field.label in page
        assert f'name="{item_field.field.code}"' in page
    assert 'class="req"' in page  # required marks
    assert "<select" in page
    assert "理发店" in page
    for m in hygiene_licence.materials.select_related("material_type"):
        assert m.material_type.name in page
    assert "免提交（数据跑腿）" in page  # the business licence, obtained from the register
    assert "核心要件" in page
    assert "非核心要件" in page
    assert "保存草稿" in page
    assert "提交申请" in page
    assert "窗口领取" in page
    assert "快递送达" in page
    assert "电子送达" in page
    assert "办理结果如何送达给您？" in page  # the delivery include, in the case form's words
    assert 'id="d-address"' in page
    licence = slot(case, "营业执照")
    assert f'name="file_{licence.pk}"' not in page  # nothing to upload for it


def test_upload_real_files_and_a_disguised_one_is_refused_in_chinese(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case = a_draft(people, hygiene_licence)
    client = client_for(people["zhangsan"])
    url = reverse("portal:case_edit", args=[case.number])
    form, lease, plan = (slot(case, name) for name in CORE_UPLOADS)
    response = client.post(
        url,
        {
            **form_post(case, action="save"),
            f"file_{form.pk}": pdf_file(),
            f"file_{plan.pk}": png_file(),
            f"file_{lease.pk}": disguised_file(),
        },
    )
    assert response.status_code == 422
    page = html(response)
    lease_box = page.split(f'id="m-{lease.pk}"')[1].split('<li class="slot')[0]
    assert 'class="error field-error"' in lease_box  # the message sits in its own slot
    assert "该文件实际为ZIP" in lease_box
    assert "该文件实际为ZIP" in page.split('class="error-summary"')[1].split("</div>")[0]
    assert (reload_slot := slot(case, "申请表（书）")).status == MaterialStatus.UPLOADED
    assert reload_slot.content_type == "application/pdf"
    assert slot(case, "经营场所平面布局图").content_type == "image/png"
    assert slot(case, "经营场所使用证明（房屋租赁合同或产权证明）").status == MaterialStatus.PENDING
    # the good files are listed with their size; the typed form was saved
    page = html(client.get(url))
    assert "申请表.pdf" in page
    assert "平面图.png" in page
    assert f"（{reload_slot.size} B）" in page
    assert reload(case).form_data["business_area_m2"] == "45"


def test_validation_errors_next_to_fields_and_nothing_typed_is_lost(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case = a_draft(people, hygiene_licence, business_area_m2="", business_address="")
    client = client_for(people["zhangsan"])
    url = reverse("portal:case_edit", args=[case.number])
    data = form_post(
        case,
        action="save",
        business_area_m2="五十",
        phone="12345",
        business_address="示范区滨江路8号",
    )
    response = client.post(url, data)
    assert response.status_code == 422
    page = html(response)
    area = page.split('id="f-business_area_m2"')[1].split('<div class="field')[0]
    assert "经营面积应为数字" in area
    assert 'value="五十"' in area
    phone = page.split('id="f-phone"')[1].split('<div class="field')[0]
    assert "手机号码" in phone
    assert 'value="12345"' in phone
    assert 'value="示范区滨江路8号"' in page  # the valid, typed value is shown...
    assert "有2处需要修改" in page  # ...the summary counts the problems
    saved = reload(case).form_data
    assert saved["business_address"] == "示范区滨江路8号"  # ...and the valid ones were saved
    assert saved["phone"] == "13900000001"  # the bad one did not overwrite the stored one
    assert "business_area_m2" not in saved


def test_express_delivery_needs_an_address(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case = a_draft(people, hygiene_licence)
    client = client_for(people["zhangsan"])
    url = reverse("portal:case_edit", args=[case.number])
    response = client.post(url, form_post(case, action="save", delivery_method="express"))
    assert "快递送达请填写收件地址" in html(response)
    client.post(
        url,
        form_post(
            case,
            action="save",
            delivery_method="express",
            delivery_recipient="张三",
            delivery_address="示范区城东大道96号",
        ),
    )
    assert reload(case).form_data["_delivery"] == {
        "method": "express",
        "recipient": "张三",
        "address": "示范区城东大道96号",
    }


def test_submit_refused_while_core_materials_are_missing_then_accepted(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case = a_draft(people, hygiene_licence)
    client = client_for(people["zhangsan"])
    url = reverse("portal:case_edit", args=[case.number])
    response = client.post(url, form_post(case, action="submit"))
    assert response.status_code == 422
    page = html(response)
    assert "以下材料尚未提交" in page
    plan = slot(case, "经营场所平面布局图")
    plan_box = page.split(f'id="m-{plan.pk}"')[1].split('<li class="slot')[0]
    assert "请上传“经营场所平面布局图”" in plan_box
    assert reload(case).status == CaseStatus.DRAFT

    files = {f"file_{slot(case, n).pk}": pdf_file() for n in CORE_UPLOADS[:2]}
    files[f"file_{plan.pk}"] = png_file()
    response = client.post(url, {**form_post(case, action="submit"), **files})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case_detail", args=[case.number])
    case = reload(case)
    assert case.status == CaseStatus.SUBMITTED
    assert case.form_data["_delivery"] == {"method": "window"}
    page = html(client.get(response["Location"]))
    assert "申请已提交" in page
    assert case.number in page
    assert "已提交，待受理" in page
    # a submitted case's form is closed: back to the detail page
    again = client.get(url)
    assert again.status_code == 302
    assert again["Location"].endswith(f"/my/cases/{case.number}/")


def test_a_required_field_left_empty_is_named_at_submission(
    people: dict[str, User], hygiene_licence: ItemVersion
) -> None:
    case = a_draft(people, hygiene_licence)
    client = client_for(people["zhangsan"])
    url = reverse("portal:case_edit", args=[case.number])
    page = html(client.post(url, form_post(case, action="submit", employees_count="")))
    employees = page.split('id="f-employees_count"')[1].split('<div class="field')[0]
    assert "请填写" in employees
    # every problem at once: a bad value, the empty required field and the missing files
    page = html(client.post(url, form_post(case, action="submit", phone="123", employees_count="")))
    assert "联系电话应为11位中国大陆手机号码" in page
    assert "请填写从业人员数" in page
    plan = slot(case, "经营场所平面布局图")
    plan_box = page.split(f'id="m-{plan.pk}"')[1].split('<li class="slot')[0]
    assert "请上传“经营场所平面布局图”" in plan_box
