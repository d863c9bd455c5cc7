"""The bundle cases API end to end: 张三 applies for 我要开理发店, uploads each material once,
submits; 李四 accepts at one window; 韩梅 (lead) sees the whole bundle, 王五 (cooperating)
gets 404; 张三 withdraws the whole."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.cases.models import BundleCase, CaseMaterial, MaterialStatus
from onewindow.cases.services.bundle import bundle_due_at
from onewindow.org.models import Applicant, User
from tests.cases.test_bundle_cases import merged_form
from tests.cases.test_submission import BARBER_USCC
from tests.cases.test_uploads import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    return tmp_path


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_bundle_case_from_application_to_withdrawal(
    people: dict[str, User], zhangsan_applicant: Applicant
) -> None:
    from onewindow.bundles.models import Bundle

    code = Bundle.objects.get(current_version__name="我要开理发店").code
    shop = Applicant.objects.get(uscc=BARBER_USCC)
    zs = client_for(people["zhangsan"])
    form = {k: v for k, v in merged_form(zhangsan_applicant).items() if not k.startswith("sign")}
    body = {
        "bundle": code,
        "applicant": zhangsan_applicant.pk,
        "business": shop.pk,
        "answers": {"sign": "no", "staff": "no"},
        "form_data": form,
    }
    # Structured errors: an unknown bundle, an unanswered question.
    missing = zs.post(
        "/api/v1/bundle-cases", body | {"bundle": "NOPE"}, content_type="application/json"
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    unanswered = zs.post(
        "/api/v1/bundle-cases", body | {"answers": {"sign": "no"}}, content_type="application/json"
    )
    assert unanswered.status_code == 422
    assert "answers.staff" in unanswered.json()["fields"]

    r = zs.post("/api/v1/bundle-cases", body, content_type="application/json")
    assert r.status_code == 201, r.json()
    bc = r.json()
    number = bc["number"]
    assert bc["status"] == "draft"
    assert bc["lead_department"] == "区卫生健康委"
    assert len(bc["sub_cases"]) == 4

    # Each material type once.
    codes = sorted(
        set(
            CaseMaterial.objects.filter(
                case__bundle_case__number=number,
                status=MaterialStatus.PENDING,
                item_material__required=True,
            ).values_list("material_type__code", flat=True)
        )
    )
    for mt in codes:
        up = zs.post(
            f"/api/v1/bundle-cases/{number}/materials/{mt}",
            {"file": SimpleUploadedFile("材料.pdf", pdf_bytes())},
        )
        assert up.status_code == 200, up.json()
        if mt == "M0003":
            assert len(up.json()["sub_cases"]) == 2
    bad = zs.post(
        f"/api/v1/bundle-cases/{number}/materials/M0012",
        {"file": SimpleUploadedFile("x.pdf", b"not a pdf at all")},
    )
    assert bad.status_code == 422

    # Nobody else sees a draft; the applicant cannot accept.
    qq = client_for(people["qianqi"])
    assert qq.get(f"/api/v1/bundle-cases/{number}").json()["code"] == "bundle_case_not_found"
    submitted = zs.post(f"/api/v1/bundle-cases/{number}/submit")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert {s["status"] for s in submitted.json()["sub_cases"]} == {"submitted"}
    assert zs.post(f"/api/v1/bundle-cases/{number}/accept").status_code == 403
    again = zs.post(f"/api/v1/bundle-cases/{number}/submit")
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_transition"

    lisi = client_for(people["lisi"])
    accepted = lisi.post(f"/api/v1/bundle-cases/{number}/accept")
    assert accepted.status_code == 200, accepted.json()
    out = accepted.json()
    assert out["status"] == "accepted"
    assert out["promised_limit"] == 5
    stored = BundleCase.objects.get(number=number)
    assert stored.promised_due_at == bundle_due_at(stored.accepted_at, 5)
    assert datetime.fromisoformat(out["promised_due_at"]) == stored.promised_due_at
    assert all(s["promised_due_at"] and s["legal_due_at"] for s in out["sub_cases"])

    hanmei = client_for(people["hanmei"]).get(f"/api/v1/bundle-cases/{number}")
    assert hanmei.status_code == 200
    assert {s["lead"] for s in hanmei.json()["sub_cases"]} == {True, False}
    wangwu = client_for(people["wangwu"])
    assert wangwu.get(f"/api/v1/bundle-cases/{number}").status_code == 404
    individual = next(s for s in out["sub_cases"] if s["item_name"] == "个体工商户设立登记")
    assert wangwu.get(individual["url"]).status_code == 200  # his own sub-case

    withdrawn = zs.post(
        f"/api/v1/bundle-cases/{number}/withdraw",
        {"reason": "改变计划"},
        content_type="application/json",
    )
    assert withdrawn.status_code == 200, withdrawn.json()
    assert withdrawn.json()["status"] == "withdrawn"
    assert {s["status"] for s in withdrawn.json()["sub_cases"]} == {"withdrawn"}
    assert client_for(people["zhangsan"]).get("/api/v1/bundle-cases/NOPE").status_code == 404


def test_a_double_click_makes_one_bundle_case(
    people: dict[str, User], zhangsan_applicant: Applicant
) -> None:
    from onewindow.bundles.models import Bundle
    from onewindow.cases.models import Case

    code = Bundle.objects.get(current_version__name="我要开理发店").code
    shop = Applicant.objects.get(uscc=BARBER_USCC)
    zs = client_for(people["zhangsan"])
    form = {k: v for k, v in merged_form(zhangsan_applicant).items() if not k.startswith("sign")}
    body = {
        "bundle": code,
        "applicant": zhangsan_applicant.pk,
        "business": shop.pk,
        "answers": {"sign": "no", "staff": "no"},
        "form_data": form,
    }
    key = {"Idempotency-Key": "yjs-1"}
    first = zs.post("/api/v1/bundle-cases", body, content_type="application/json", headers=key)
    assert first.status_code == 201, first.json()
    cases = Case.objects.count()
    again = zs.post("/api/v1/bundle-cases", body, content_type="application/json", headers=key)
    assert again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert BundleCase.objects.count() == 1
    assert Case.objects.count() == cases  # no second set of sub-cases
    other = body | {"applicant": shop.pk, "business": None}
    reused = zs.post("/api/v1/bundle-cases", other, content_type="application/json", headers=key)
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    too_long = zs.post(
        "/api/v1/bundle-cases",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "x" * 65},
    )
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "invalid_idempotency_key"
