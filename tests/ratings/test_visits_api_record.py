"""POST /api/v1/visits/ (登记窗口服务 through the API): 201 with the visit, which then is on
the clerk's device list (/visits/served-today), in the applicant's own list (/visits/) and
in the case's visits; structured 403 / 404 / 422 errors and nothing written on a refusal.
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from onewindow.cases.models import Visit
from onewindow.common import clock
from onewindow.demo.data.org import ZHANGSAN_ID
from onewindow.org.models import Applicant, User
from tests.ratings.conftest import concluded_case

pytestmark = pytest.mark.django_db

URL = "/api/v1/visits/"
POST_URL = "/api/v1/visits"  # as the other collections (the trailing slash works too)


def client_of(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(user: Any, **body: Any) -> Any:
    data = {"id_number": ZHANGSAN_ID, "service_point": "SP-D01", "window": "22"}
    data.update({"purpose": "咨询灵活就业人员参保"})
    data.update(body)
    data = {k: v for k, v in data.items() if v is not None}
    return client_of(user).post(POST_URL, json.dumps(data), content_type="application/json")


def test_record_a_consultation_and_see_it_everywhere(people: dict[str, User]) -> None:
    response = post(people["lisi"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["purpose"] == "咨询灵活就业人员参保"
    assert body["window"].endswith("22号 社保窗口")
    assert body["clerk"] == "李四"
    assert body["may_rate"] is True
    assert body["rating"] is None
    served = client_of(people["lisi"]).get(URL + "served-today").json()
    assert body["id"] in [v["id"] for v in served]
    mine = client_of(people["zhangsan"]).get(URL).json()["items"]
    assert body["id"] in [v["id"] for v in mine]
    visit = Visit.objects.get(pk=body["id"])
    assert visit.applicant.resident_id == ZHANGSAN_ID
    assert visit.recorded_by == people["lisi"]


def test_a_pick_up_counts_in_the_case_visits(people: dict[str, User]) -> None:
    case = concluded_case(people, when=clock.now() - timedelta(hours=3))
    before = case.visits.count()
    response = post(
        people["lisi"],
        id_number=None,
        applicant=case.applicant_id,
        purpose="取件",
        case=case.number,
    )
    assert response.status_code == 201, response.content
    assert response.json()["cases"] == [{"number": case.number, "name": case.item_version.name}]
    assert case.visits.count() == before + 1
    detail = client_of(people["zhangsan"]).get(f"/api/v1/cases/{case.number}").json()
    assert detail["visits"] == before + 1


def test_structured_errors_and_nothing_written(people: dict[str, User]) -> None:
    lisi = people["lisi"]
    before = Visit.objects.count()
    bad = post(lisi, id_number=ZHANGSAN_ID[:-1] + ("0" if ZHANGSAN_ID[-1] != "0" else "1"))
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_id_number"
    assert bad.json()["fields"]["id_number"] == ["居民身份证号码校验码错误"]
    long = post(lisi, purpose="咨" * 65)
    assert long.status_code == 422
    assert long.json()["fields"] == {"purpose": "来访事由不能超过64个字符"}
    empty = post(lisi, purpose="  ")
    assert empty.status_code == 422
    assert "purpose" in empty.json()["fields"]
    # A case of another applicant (钱七's, while 张三 is at the window).
    other = concluded_case(people, when=clock.now() - timedelta(hours=3), user="qianqi")
    foreign = post(lisi, case=other.number)
    assert foreign.status_code == 422
    assert foreign.json()["fields"] == {"case": "该办件不是此申请人的办件"}
    unknown = {
        "applicant_not_found": {"id_number": "110101199001011237"},
        "service_point_not_found": {"service_point": "SP-XX"},
        "window_not_found": {"window": "99"},
        "case_not_found": {"case": "NOPE"},
    }
    for code, body in unknown.items():
        response = post(lisi, **body)
        assert response.status_code == 404, code
        assert response.json()["code"] == code
    missing = post(lisi, purpose=None)
    assert missing.status_code == 422
    assert Visit.objects.count() == before


def test_permission_matrix(people: dict[str, User]) -> None:
    before = Visit.objects.count()
    # No window role anywhere (王五, approver): 403 before anything is looked up.
    none = post(people["wangwu"], id_number="110101199001011237")
    assert none.status_code == 403
    assert none.json()["code"] == "permission_denied"
    # The applicant themselves: 403.
    assert post(people["zhangsan"]).status_code == 403
    # A clerk of another service point (蒋芳, SP-T01) at SP-D01: refused by record_visit.
    other = post(User.objects.get(username="jiangfang"))
    assert other.status_code == 403
    assert other.json()["message"] == "您没有在该网点登记来访的权限"
    # Anonymous: 401.
    anonymous = Client().post(URL, "{}", content_type="application/json")
    assert anonymous.status_code == 401
    assert Visit.objects.count() == before
    # hall.serve only (陈晨, pre-reviewer at SP-D01), no window given: allowed.
    chen = User.objects.get(username="chenchen")
    ok = post(chen, window=None, purpose="帮办指导")
    assert ok.status_code == 201, ok.content
    assert ok.json()["window"] is None
    assert (
        Applicant.objects.get(pk=Visit.objects.get(pk=ok.json()["id"]).applicant_id).name == "张三"
    )
