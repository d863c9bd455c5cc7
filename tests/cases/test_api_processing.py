"""The processing API end to end with the test client: inbox, review, decision, special
procedure, conclusion, express delivery; errors as {"code","message","fields"}."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.cases.models import Case
from onewindow.catalog.models import ItemVersion
from onewindow.common import clock
from tests.cases.conftest import published
from tests.cases.test_processing_support import accepted_case, media_root, reload  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


# The API acts at the real clock's now: the cases are accepted now too.


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, body: dict | None = None) -> Any:
    return c.post(url, body or {}, content_type="application/json")


@pytest.fixture
def clinic_case(people: dict[str, Any]) -> Case:
    return accepted_case(
        published("医疗机构执业登记"), people["zhangsan"], people["lisi"], when=clock.now()
    )


def test_review_decide_conclude_dispatch_deliver_over_http(
    clinic_case: Case, people: dict[str, Any]
) -> None:
    hanmei = client_for(people["hanmei"])
    lisi = client_for(people["lisi"])
    number = clinic_case.number

    r = hanmei.get("/api/v1/tasks")
    assert r.status_code == 200
    tasks = [t for t in r.json() if t["case"]["number"] == number]
    assert len(tasks) == 1
    task = tasks[0]
    assert (task["status"], task["step_kind"], task["role"]) == ("open", "review", "approver")
    assert task["case"]["promised_due_at"] is not None

    r = post(hanmei, f"/api/v1/tasks/{task['id']}/claim")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["assignee"]) == ("claimed", "hanmei")
    r = post(hanmei, f"/api/v1/tasks/{task['id']}/claim")
    assert r.status_code == 409
    assert r.json()["code"] == "task_not_open"
    assert [t["id"] for t in hanmei.get("/api/v1/tasks?status=claimed").json()] == [task["id"]]

    r = post(hanmei, f"/api/v1/tasks/{task['id']}/complete", {})
    assert r.status_code == 422
    assert any(key.endswith("opinion") for key in r.json()["fields"])
    r = post(hanmei, f"/api/v1/tasks/{task['id']}/complete", {"opinion": "符合设置规划"})
    assert r.status_code == 200
    assert r.json()["status"] == "done"

    r = post(
        hanmei, f"/api/v1/cases/{number}/suspend", {"kind": "site_inspection", "reason": "现场核查"}
    )
    assert r.status_code == 200
    assert r.json()["status"] == "suspended"
    assert r.json()["legal_due_at"] is None
    r = post(hanmei, f"/api/v1/cases/{number}/decide", {"outcome": "approve"})
    assert r.status_code == 409
    assert r.json()["code"] == "illegal_transition"
    assert r.json()["message"]
    r = post(hanmei, f"/api/v1/cases/{number}/resume")
    assert r.status_code == 200
    assert r.json()["status"] == "in_decision"
    assert r.json()["legal_due_at"] is not None

    r = post(hanmei, f"/api/v1/cases/{number}/decide", {"outcome": "refuse", "reason": ""})
    assert r.status_code == 422
    assert r.json()["code"] == "reason_required"
    r = post(hanmei, f"/api/v1/cases/{number}/decide", {"outcome": "approve", "reason": "符合条件"})
    assert r.status_code == 200
    assert r.json()["status"] == "approved"

    r = post(lisi, f"/api/v1/cases/{number}/deliver")
    assert r.status_code == 409
    r = post(lisi, f"/api/v1/cases/{number}/conclude", {"delivery_method": "express"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "concluded"
    assert body["delivery"]["method"] == "express"
    r = post(lisi, f"/api/v1/cases/{number}/dispatch", {"carrier": "EMS", "tracking_number": "12"})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_tracking_number"
    r = post(
        lisi,
        f"/api/v1/cases/{number}/dispatch",
        {"carrier": "EMS", "tracking_number": "1180512345678"},
    )
    assert r.status_code == 200
    assert r.json()["delivery"]["tracking_number"] == "1180512345678"
    r = post(lisi, f"/api/v1/cases/{number}/deliver", {"recipient": "张三"})
    assert r.status_code == 200
    assert r.json()["status"] == "delivered"
    assert r.json()["delivery"]["status"] == "delivered"


def test_return_correction_and_withdraw_over_http(
    hygiene_licence: ItemVersion, people: dict[str, Any]
) -> None:
    case = accepted_case(hygiene_licence, people["zhangsan"], people["lisi"], when=clock.now())
    hanmei = client_for(people["hanmei"])
    zhangsan = client_for(people["zhangsan"])
    r = post(hanmei, f"/api/v1/cases/{case.number}/return", {"reasons": ["平面图不清晰"]})
    assert r.status_code == 200
    assert r.json()["status"] == "returned"
    r = post(zhangsan, f"/api/v1/cases/{case.number}/correction-supplied")
    assert r.status_code == 200
    assert r.json()["status"] == "in_decision"
    r = post(zhangsan, f"/api/v1/cases/{case.number}/decide", {"outcome": "approve"})
    assert r.status_code == 403
    r = post(zhangsan, f"/api/v1/cases/{case.number}/withdraw", {"reason": "暂不开业"})
    assert r.status_code == 200
    assert r.json()["status"] == "withdrawn"
    assert reload(case).tasks.filter(status="cancelled").count() == 1


def test_the_api_needs_a_login(clinic_case: Case) -> None:
    c = Client()
    assert c.get("/api/v1/tasks").status_code == 401
    assert post(c, f"/api/v1/cases/{clinic_case.number}/withdraw").status_code == 401


def test_the_openapi_documents_the_processing_endpoints() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}/claim",
        "/api/v1/tasks/{task_id}/release",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/cases/{number}/decide",
        "/api/v1/cases/{number}/conclude",
        "/api/v1/cases/{number}/dispatch",
        "/api/v1/cases/{number}/deliver",
        "/api/v1/cases/{number}/suspend",
        "/api/v1/cases/{number}/resume",
        "/api/v1/cases/{number}/return",
        "/api/v1/cases/{number}/correction-supplied",
        "/api/v1/cases/{number}/withdraw",
    ]:
        assert path in paths, path
