"""The acceptance API: outcomes over HTTP, 403 for a wrong role, 404 for another
department's case, PDF downloads, the caller's notifications."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from onewindow.cases.models import Case, MaterialStatus, NoticeKind
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import ItemVersion
from onewindow.notify.models import Notification
from onewindow.org.models import User
from onewindow.workdays.calendar import SHANGHAI
from tests.cases.conftest import published
from tests.cases.test_acceptance import media_root, submitted_case  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)


def client_for(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, data=json.dumps(body), content_type="application/json")


def test_accept_over_http_and_download_the_notice(
    people: dict[str, Any], hygiene_licence: ItemVersion, django_capture_on_commit_callbacks: Any
) -> None:
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    url = f"/api/v1/cases/{case.number}/accept"
    assert post(client_for(None), url, {"outcome": "accept"}).status_code == 401
    # The applicant: sees the case, lacks the capability.
    r = post(client_for(people["zhangsan"]), url, {"outcome": "accept"})
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied"
    # 王五 approves for 区市场监管局: this 区卫生健康委 case is not there for him.
    r = post(client_for(people["wangwu"]), url, {"outcome": "accept"})
    assert r.status_code == 404
    assert r.json()["code"] == "case_not_found"
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client_for(people["lisi"]), url, {"outcome": "accept"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] in (CaseStatus.IN_REVIEW, CaseStatus.IN_DECISION)
    assert body["promised_due_at"]
    (notice,) = body["notices"]
    assert notice["kind"] == NoticeKind.ACCEPTANCE
    assert notice["title"] == "受理通知书"
    # Twice: the second is an illegal transition.
    r = post(client_for(people["lisi"]), url, {"outcome": "accept"})
    assert r.status_code == 409
    assert r.json()["code"] == "illegal_transition"

    pdf_url = notice["pdf_url"]
    r = client_for(people["zhangsan"]).get(pdf_url)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"]
    assert b"".join(r.streaming_content)[:5] == b"%PDF-"
    assert client_for(people["qianqi"]).get(pdf_url).status_code == 404
    assert client_for(people["wangwu"]).get(pdf_url).status_code == 404
    assert client_for(None).get(pdf_url).status_code == 401

    # 张三's notifications: unread first; reading one.
    r = client_for(people["zhangsan"]).get("/api/v1/notifications")
    assert r.status_code == 200
    rows = r.json()
    assert {row["template"] for row in rows} >= {"case.accepted", "notice.issued"}
    assert all(row["read_at"] is None for row in rows)
    first = rows[0]["id"]
    r = client_for(people["zhangsan"]).post(f"/api/v1/notifications/{first}/read")
    assert r.status_code == 200
    assert r.json()["read_at"]
    assert (
        client_for(people["qianqi"]).post(f"/api/v1/notifications/{first}/read").status_code == 404
    )
    rows = client_for(people["zhangsan"]).get("/api/v1/notifications").json()
    assert rows[-1]["id"] == first  # read ones after the unread
    assert Notification.objects.get(pk=first).read_at is not None


def test_correction_missing_and_refusal_outcomes(
    people: dict[str, Any], hygiene_licence: ItemVersion
) -> None:
    lisi = client_for(people["lisi"])
    case = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    url = f"/api/v1/cases/{case.number}/accept"
    r = post(lisi, url, {"outcome": "request_correction", "problems": []})
    assert r.status_code == 422
    assert r.json()["code"] == "problems_required"
    m1, m2 = case.materials.filter(item_material__source="applicant")[:2]
    r = post(
        lisi,
        url,
        {
            "outcome": "request_correction",
            "problems": [
                {"material_id": m1.pk, "reason": "未签字"},
                {"material_id": m2.pk, "reason": "不清晰"},
            ],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == CaseStatus.AWAITING_CORRECTION
    assert [n["kind"] for n in r.json()["notices"]] == [NoticeKind.ONE_TIME]

    case2 = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    url2 = f"/api/v1/cases/{case2.number}/accept"
    core = case2.materials.filter(item_material__core=True).first()
    non_core = case2.materials.filter(item_material__core=False, item_material__required=True)[0]
    r = post(
        lisi,
        url2,
        {
            "outcome": "accept_with_missing",
            "missing": [{"material_id": core.pk, "due_date": "2026-12-15"}],
        },
    )
    assert r.status_code == 422
    assert r.json()["code"] == "core_material"
    assert core.material_type.name in r.json()["message"]
    r = post(
        lisi,
        url2,
        {
            "outcome": "accept_with_missing",
            "missing": [{"material_id": m1.pk, "due_date": "2026-12-15"}],
        },
    )
    assert r.status_code == 422  # a material of another case
    assert r.json()["code"] == "material_not_in_case"
    r = post(
        lisi,
        url2,
        {
            "outcome": "accept_with_missing",
            "missing": [{"material_id": non_core.pk, "due_date": "2026-12-15"}],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["notices"][0]["kind"] == NoticeKind.ACCEPTANCE_MISSING
    non_core.refresh_from_db()
    assert non_core.status == MaterialStatus.MISSING_ALLOWED

    case3 = submitted_case(hygiene_licence, people["zhangsan"], at=NOW)
    url3 = f"/api/v1/cases/{case3.number}/accept"
    r = post(lisi, url3, {"outcome": "refuse", "reasons": ""})
    assert r.status_code == 422
    r = post(lisi, url3, {"outcome": "refuse", "reasons": "不属于本事项范围"})
    assert r.status_code == 200
    assert r.json()["status"] == CaseStatus.NOT_ACCEPTED
    r = post(lisi, url3, {"outcome": "maybe"})
    assert r.status_code == 422


def test_prereview_and_instant_over_http(people: dict[str, Any]) -> None:
    version = published("个体工商户设立登记")
    case = submitted_case(version, people["zhangsan"], at=NOW)
    r = post(client_for(people["lisi"]), f"/api/v1/cases/{case.number}/prereview", {"note": ""})
    assert r.status_code == 403  # a window clerk is not a pre-reviewer
    r = post(client_for(people["chenchen"]), f"/api/v1/cases/{case.number}/prereview", {})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == CaseStatus.PREREVIEWED
    url = f"/api/v1/cases/{case.number}/accept"
    r = post(client_for(people["lisi"]), url, {"outcome": "instant"})
    assert r.status_code == 403
    assert r.json()["code"] == "no_decision_authority"
    r = post(client_for(people["zhouqiang"]), url, {"outcome": "instant"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == CaseStatus.CONCLUDED
    assert Case.objects.get(pk=case.pk).decided_by == people["zhouqiang"]
