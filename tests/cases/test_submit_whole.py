"""A whole application in one request (``POST /api/v1/cases/submissions``): the same
rules and rows as create + upload + submit, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case, CaseMaterial, CaseTransition, Visit
from onewindow.cases.services.whole import forget_version_specs, version_spec
from onewindow.notify.models import Notification
from onewindow.org.models import Applicant, User
from tests.cases.test_api_submission import barber_body, client_for
from tests.cases.test_submission import BARBER_FORM, CORE_UPLOADS
from tests.cases.test_uploads import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/submissions"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    forget_version_specs()
    return tmp_path


def codes(version: Any) -> dict[str, str]:
    """Material name → material type code of the version."""
    return {m.material_type.name: m.material_type.code for m in version_spec(version).materials}


def body(version: Any, **extra: Any) -> dict[str, Any]:
    base = barber_body(version)
    data: dict[str, Any] = {
        "item": base["item"],
        "applicant": base["applicant"],
        "form_data": json.dumps(base["form_data"], ensure_ascii=False),
    }
    by_name = codes(version)
    for name in CORE_UPLOADS:
        data[f"material.{by_name[name]}"] = SimpleUploadedFile(f"{name}.pdf", pdf_bytes())
    data.update(extra)
    return data


def post(c: Client, data: dict[str, Any], key: str = "") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return c.post(URL, data, headers=headers)


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def counts() -> tuple[int, int, int, int, int]:
    return (
        Case.objects.count(),
        CaseMaterial.objects.count(),
        CaseTransition.objects.count(),
        AuditEvent.objects.filter(action__startswith="case.").count(),
        Notification.objects.count(),
    )


def test_zhangsan_submits_a_whole_application_in_one_request(people, hygiene_licence, media):
    zhangsan = client_for(people["zhangsan"])
    r = post(zhangsan, body(hygiene_licence), key="whole-1")
    assert r.status_code == 201, r.json()
    case = r.json()
    assert case["status"] == "submitted"
    assert [t["name"] for t in case["transitions"]] == ["submit"]
    by_name = {m["name"]: m for m in case["materials"]}
    for name in CORE_UPLOADS:
        assert by_name[name]["status"] == "uploaded"
        assert by_name[name]["content_type"] == "application/pdf"
    assert by_name["营业执照"]["status"] == "obtained"  # 数据跑腿, as in the step path
    row = Case.objects.get(number=case["number"])
    assert row.submitted_at is not None
    assert row.received_at == row.submitted_at
    assert row.form_data["employees_count"] == BARBER_FORM["employees_count"]
    # the same rows and events as create + uploads + submit
    assert row.materials.count() == len(version_spec(hygiene_licence).materials)
    stored = [m for m in row.materials.all() if m.file]
    assert len(stored) == len(CORE_UPLOADS)
    assert all(Path(m.file.path).is_file() for m in stored)
    actions = list(
        AuditEvent.objects.filter(object_id=str(row.pk), object_type="cases.case")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["case.created"] + ["case.material_uploaded"] * 3 + ["case.submit"]
    assert Notification.objects.filter(object_id=str(row.pk), template="case.submitted").exists()

    # a retry with the same key: the same case, nothing new
    before = counts()
    again = post(zhangsan, body(hygiene_licence), key="whole-1")
    assert again.status_code == 201
    assert again.json()["number"] == case["number"]
    assert counts() == before


def test_the_key_of_another_application_is_409(people, hygiene_licence):
    zhangsan = client_for(people["zhangsan"])
    assert post(zhangsan, body(hygiene_licence), key="k").status_code == 201
    own = Applicant.objects.get(users=people["zhangsan"], kind="natural")
    r = post(zhangsan, body(hygiene_licence, applicant=own.pk), key="k")
    assert r.status_code in (409, 422)  # another applicant: never the first case silently
    if r.status_code == 409:
        assert r.json()["code"] == "idempotency_key_reused"


def test_every_problem_at_once_and_nothing_written(people, hygiene_licence, media):
    zhangsan = client_for(people["zhangsan"])
    by_name = codes(hygiene_licence)
    before = counts()
    form = {**BARBER_FORM, "employees_count": "abc"}
    data = body(hygiene_licence, form_data=json.dumps(form, ensure_ascii=False))
    first = by_name[CORE_UPLOADS[0]]
    data[f"material.{first}"] = SimpleUploadedFile("申请表.pdf", image_bytes("PNG"))
    r = post(zhangsan, data)
    assert r.status_code == 422
    fields = r.json()["fields"]
    assert fields["employees_count"] == "从业人员数应为整数"
    assert "文件内容与扩展名不符" in fields[f"materials.{first}"]
    assert counts() == before
    assert files_in(media) == []


def test_missing_core_materials_are_listed(people, hygiene_licence, media):
    zhangsan = client_for(people["zhangsan"])
    by_name = codes(hygiene_licence)
    data = body(hygiene_licence)
    del data[f"material.{by_name[CORE_UPLOADS[1]]}"]
    before = counts()
    r = post(zhangsan, data)
    assert r.status_code == 422
    assert r.json()["code"] == "materials_missing"
    assert list(r.json()["fields"]) == [f"materials.{by_name[CORE_UPLOADS[1]]}"]
    assert counts() == before
    assert files_in(media) == []


def test_a_bad_field_a_disguised_file_and_a_missing_core_material_come_together(
    people, hygiene_licence, media
):
    """One request, three kinds of problem: all three in one 422, nothing written."""
    zhangsan = client_for(people["zhangsan"])
    by_name = codes(hygiene_licence)
    form = {**BARBER_FORM, "employees_count": "abc"}
    data = body(hygiene_licence, form_data=json.dumps(form, ensure_ascii=False))
    disguised, missing = by_name[CORE_UPLOADS[0]], by_name[CORE_UPLOADS[1]]
    data[f"material.{disguised}"] = SimpleUploadedFile("申请表.pdf", image_bytes("PNG"))
    del data[f"material.{missing}"]
    before = counts()
    r = post(zhangsan, data, key="all-at-once")
    assert r.status_code == 422
    error = r.json()
    assert error["code"] == "form_invalid"
    assert error["message"] == "申请有3处需要修改"
    assert error["fields"] == {
        "employees_count": "从业人员数应为整数",
        f"materials.{disguised}": f"{CORE_UPLOADS[0]}：文件内容与扩展名不符",
        f"materials.{missing}": f"请上传“{CORE_UPLOADS[1]}”",
    }
    assert counts() == before
    assert files_in(media) == []
    # fixed, the same key files it: the refusal used nothing up
    fixed = body(hygiene_licence)
    assert post(zhangsan, fixed, key="all-at-once").status_code == 201


def test_unreadable_form_misnamed_fields_and_unknown_codes_come_with_the_missing_ones(
    people, hygiene_licence, media
):
    zhangsan = client_for(people["zhangsan"])
    by_name = codes(hygiene_licence)
    missing = by_name[CORE_UPLOADS[2]]
    data = body(hygiene_licence, form_data="[1, 2")
    del data[f"material.{missing}"]
    data["material.NOPE"] = SimpleUploadedFile("x.pdf", pdf_bytes())
    data["upload"] = SimpleUploadedFile("y.pdf", pdf_bytes())
    before = counts()
    r = post(zhangsan, data)
    assert r.status_code == 422
    assert r.json()["code"] == "form_invalid"
    assert r.json()["fields"] == {
        "upload": "文件字段名应为 material.<材料类型编码>",
        "form_data": "应为 JSON 对象",
        "materials.NOPE": "本事项不需要材料“NOPE”",
        f"materials.{missing}": f"请上传“{CORE_UPLOADS[2]}”",
    }
    assert counts() == before
    assert files_in(media) == []


def test_a_refused_core_file_is_not_also_called_missing(people, hygiene_licence, media):
    zhangsan = client_for(people["zhangsan"])
    first = codes(hygiene_licence)[CORE_UPLOADS[0]]
    data = body(hygiene_licence)
    data[f"material.{first}"] = SimpleUploadedFile("申请表.pdf", b"")
    r = post(zhangsan, data)
    assert r.status_code == 422
    assert r.json()["code"] == "materials_invalid"  # one kind of problem keeps its code
    assert list(r.json()["fields"]) == [f"materials.{first}"]

    data = body(hygiene_licence)
    data[f"material.{first}"] = [
        SimpleUploadedFile("a.pdf", pdf_bytes()),
        SimpleUploadedFile("b.pdf", pdf_bytes()),
    ]
    r = post(zhangsan, data)
    assert r.status_code == 422
    assert r.json()["fields"] == {f"materials.{first}": "每种材料只能提交一份文件"}


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"material.NOPE": SimpleUploadedFile("x.pdf", b"%PDF-1.4")}, "materials_invalid", None),
        ({"upload": SimpleUploadedFile("x.pdf", b"%PDF-1.4")}, "materials_invalid", "upload"),
        ({"form_data": "[1, 2"}, "form_invalid", "form_data"),
        ({"form_data": "[1, 2]"}, "form_invalid", "form_data"),
        ({"item": "no-such-item"}, "item_not_found", None),
    ],
)
def test_bad_requests_get_a_precise_error(people, hygiene_licence, extra, code, field):
    zhangsan = client_for(people["zhangsan"])
    before = counts()
    r = post(zhangsan, body(hygiene_licence, **extra))
    assert r.status_code in (404, 422), r.json()
    assert r.json()["code"] == code
    if field:
        assert field in r.json()["fields"]
    assert counts() == before


def test_qianqi_cannot_file_for_zhangsans_shop_and_anonymous_cannot_at_all(people, hygiene_licence):
    assert post(client_for(people["qianqi"]), body(hygiene_licence)).status_code == 403
    assert post(Client(), body(hygiene_licence)).status_code == 401
    assert Case.objects.count() == 0


def test_the_window_clerk_files_a_whole_application_and_the_visit_counts(people, hygiene_licence):
    lisi = client_for(people["lisi"])
    data = body(hygiene_licence, channel="assisted", service_point="SP-D01")
    r = post(lisi, data)
    assert r.status_code == 422
    assert r.json()["fields"] == {"consent_note": "需注明申请人的授权或同意"}
    r = post(
        lisi,
        body(
            hygiene_licence, channel="assisted", service_point="SP-D01", consent_note="张三当面同意"
        ),
    )
    assert r.status_code == 201, r.json()
    assert r.json()["on_behalf"] is True
    assert r.json()["visits"] == 1
    assert Visit.objects.filter(case__number=r.json()["number"]).count() == 1


def test_a_republished_item_is_not_served_from_the_kept_spec(people, hygiene_licence):
    spec = version_spec(hygiene_licence)
    assert version_spec(hygiene_licence) is spec  # kept
    hygiene_licence.published_at = None  # another publication: another key
    assert version_spec(hygiene_licence) is not spec


def test_the_endpoint_is_documented(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/cases/submissions"]["post"]
    assert op["summary"] == "一次提交完整申请"
    assert "material.<材料类型编码>" in op["description"]


def test_users_are_who_the_tests_think(people: dict[str, User]) -> None:
    assert {"zhangsan", "qianqi", "lisi"} <= set(people)
