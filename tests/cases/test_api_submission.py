"""The submission API end to end with Django's test client (which skips CSRF checks; a
browser sends X-CSRFToken with session authentication)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.cases.models import Case
from onewindow.demo.data.org import BARBER_USCC, QIANQI_ID, ZHANGSAN_ID
from onewindow.org.models import Applicant, User
from tests.cases.test_submission import BARBER_FORM, CORE_UPLOADS
from tests.cases.test_uploads import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def client_for(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def zhangsan(people: dict[str, User]) -> Client:
    return client_for(people["zhangsan"])


def create(c: Client, body: dict[str, Any], key: str = "") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return c.post("/api/v1/cases", body, content_type="application/json", headers=headers)


def barber_body(hygiene_licence: Any) -> dict[str, Any]:
    barber = Applicant.objects.get(uscc=BARBER_USCC)
    return {"item": hygiene_licence.item.code, "applicant": barber.pk, "form_data": BARBER_FORM}


def upload(c: Client, number: str, material_id: int, name: str, data: bytes) -> Any:
    return c.post(
        f"/api/v1/cases/{number}/materials/{material_id}",
        {"file": SimpleUploadedFile(name, data)},
    )


def test_zhangsan_applies_online_from_draft_to_submission(zhangsan, hygiene_licence):
    r = create(zhangsan, barber_body(hygiene_licence), key="9b1c-create")
    assert r.status_code == 201, r.json()
    case = r.json()
    number = case["number"]
    assert case["status"] == "draft"
    assert case["status_label"] == "草稿"
    by_name = {m["name"]: m for m in case["materials"]}
    assert by_name["营业执照"]["status"] == "obtained"
    assert by_name["营业执照"]["obtained_from"] == f"营业执照 {BARBER_USCC}"

    # a double click: the same key gives the same case
    again = create(zhangsan, barber_body(hygiene_licence), key="9b1c-create")
    assert again.status_code == 201
    assert again.json()["number"] == number
    assert Case.objects.filter(number__startswith=number[:14]).count() == 1

    r = zhangsan.patch(
        f"/api/v1/cases/{number}",
        {"form_data": {"employees_count": "abc"}},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["fields"] == {"employees_count": "从业人员数应为整数"}
    r = zhangsan.patch(
        f"/api/v1/cases/{number}",
        {"form_data": {"employees_count": 4}},
        content_type="application/json",
    )
    assert r.json()["form_data"]["employees_count"] == 4

    r = zhangsan.post(f"/api/v1/cases/{number}/submit", headers={"Idempotency-Key": "s1"})
    assert r.status_code == 422
    assert r.json()["code"] == "materials_missing"
    assert len(r.json()["fields"]) == len(CORE_UPLOADS)

    bad = upload(zhangsan, number, by_name["申请表（书）"]["id"], "申请表.pdf", image_bytes("PNG"))
    assert bad.status_code == 422
    assert bad.json() == {
        "code": "file_content_mismatch",
        "message": "文件内容与扩展名不符",
        "fields": {"file": "文件内容与扩展名不符"},
    }
    for name in CORE_UPLOADS:
        r = upload(zhangsan, number, by_name[name]["id"], f"{name}.pdf", pdf_bytes())
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "uploaded"
        assert r.json()["content_type"] == "application/pdf"

    first = zhangsan.post(f"/api/v1/cases/{number}/submit", headers={"Idempotency-Key": "s1"})
    assert first.status_code == 200, first.json()
    retry = zhangsan.post(f"/api/v1/cases/{number}/submit", headers={"Idempotency-Key": "s1"})
    assert retry.status_code == 200
    assert first.json()["status"] == retry.json()["status"] == "submitted"
    assert [t["name"] for t in retry.json()["transitions"]] == ["submit"]
    replay = zhangsan.post(f"/api/v1/cases/{number}/submit")
    assert replay.status_code == 409
    assert replay.json()["code"] == "illegal_transition"

    detail = zhangsan.get(f"/api/v1/cases/{number}").json()
    assert detail["submitted_at"] is not None
    assert detail["notices"] == []
    assert detail["visits"] == 0
    assert {"promised_due_at", "legal_due_at", "current_step"} <= set(detail)

    listed = zhangsan.get("/api/v1/cases", {"status": "submitted"}).json()
    assert [c["number"] for c in listed["items"]] == [number]
    assert zhangsan.get("/api/v1/cases", {"status": "draft"}).json()["count"] == 0
    assert zhangsan.get("/api/v1/cases", {"item": "nope"}).json()["count"] == 0


def test_key_reused_for_another_item_is_409(zhangsan, hygiene_licence):
    create(zhangsan, barber_body(hygiene_licence), key="k1")
    from tests.cases.conftest import published

    body = {**barber_body(hygiene_licence), "item": published("公共场所卫生许可证延续").item.code}
    body["form_data"] = {}
    r = create(zhangsan, body, key="k1")
    assert r.status_code == 409
    assert r.json()["code"] == "idempotency_key_reused"


def test_the_applicant_must_be_chosen_when_the_account_has_two(zhangsan, people):
    from tests.cases.conftest import published

    item = published("个体工商户设立登记").item.code
    r = create(zhangsan, {"item": item})
    assert r.status_code == 422
    assert r.json()["code"] == "applicant_required"
    qianqi = client_for(people["qianqi"])
    r = create(qianqi, {"item": item})  # 钱七 has exactly one applicant
    assert r.status_code == 201
    assert r.json()["applicant"] == "钱七"


def test_qianqi_cannot_see_or_touch_zhangsans_case(zhangsan, people, hygiene_licence):
    number = create(zhangsan, barber_body(hygiene_licence)).json()["number"]
    qianqi = client_for(people["qianqi"])
    for r in (
        qianqi.get(f"/api/v1/cases/{number}"),
        qianqi.patch(f"/api/v1/cases/{number}", {"form_data": {}}, content_type="application/json"),
        qianqi.post(f"/api/v1/cases/{number}/submit"),
    ):
        assert r.status_code == 404
        assert r.json()["code"] == "case_not_found"
    assert qianqi.get("/api/v1/cases").json()["count"] == 0
    r = create(qianqi, barber_body(hygiene_licence))  # filing for 张三理发店
    assert r.status_code == 403


def test_the_window_clerk_files_on_behalf_with_consent(people, hygiene_licence):
    lisi = client_for(people["lisi"])
    body = {**barber_body(hygiene_licence), "channel": "assisted"}
    r = create(lisi, body)
    assert r.status_code == 422
    assert r.json()["fields"] == {"consent_note": "需注明申请人的授权或同意"}
    r = create(lisi, {**body, "consent_note": "张三当面同意", "service_point": "SP-D01"})
    assert r.status_code == 201
    assert r.json()["on_behalf"] is True
    assert r.json()["visits"] == 1


def test_anonymous_lookup_needs_number_and_id_together(zhangsan, people, hygiene_licence):
    number = create(zhangsan, barber_body(hygiene_licence)).json()["number"]
    anon = client_for(None)
    # a draft is not public yet
    assert (
        anon.get("/api/v1/cases/lookup", {"number": number, "id_number": BARBER_USCC}).status_code
        == 404
    )
    case = Case.objects.get(number=number)
    from onewindow.cases.services.submission import case_submit
    from tests.cases.test_submission import upload_core

    upload_core(case, people["zhangsan"])
    case_submit(actor=people["zhangsan"], case=case)
    r = anon.get("/api/v1/cases/lookup", {"number": number, "id_number": BARBER_USCC.lower()})
    assert r.status_code == 200
    assert r.json() == {
        "number": number,
        "item_name": "公共场所卫生许可证核发",
        "status": "submitted",
        "status_label": "已提交，待受理",
        "current_step": "",
        "promised_due_at": None,
        "legal_due_at": None,
    }
    wrong = anon.get("/api/v1/cases/lookup", {"number": number, "id_number": QIANQI_ID})
    unknown = anon.get(
        "/api/v1/cases/lookup", {"number": "500102209901010000001", "id_number": BARBER_USCC}
    )
    other_person = anon.get("/api/v1/cases/lookup", {"number": number, "id_number": ZHANGSAN_ID})
    for r in (wrong, unknown, other_person):
        assert r.status_code == 404
        assert r.json() == wrong.json()
    # the authenticated endpoints refuse anonymous users
    assert anon.get(f"/api/v1/cases/{number}").status_code == 401
    assert create(anon, barber_body(hygiene_licence)).status_code == 401


def test_the_operations_are_documented_in_chinese():
    spec = Client().get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert paths["/api/v1/cases"]["post"]["summary"] == "创建办件（草稿）"
    assert paths["/api/v1/cases/{number}/submit"]["post"]["summary"] == "提交申请"
    assert paths["/api/v1/cases/lookup"]["get"]["summary"] == "办件查询（无需登录）"
    assert "multipart/form-data" in str(paths["/api/v1/cases/{number}/materials/{material_id}"])
