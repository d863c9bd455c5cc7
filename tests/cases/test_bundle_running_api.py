# ruff: noqa: F811  (pytest fixtures imported from test_bundle_cases are parameters here)
"""The running of a bundle through /api/v1/bundle-cases: 张三's optional sign permit is
refused and he drops it; 韩梅 (lead) chases 区市场监管局, schedules the joint inspection,
王五 records his department's finding without seeing the bundle, 韩梅 issues the one output
and hands it over. Permission matrix: allowed (lead) / forbidden (applicant, 403) / other
department (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.bundles.models import BundleVersion
from onewindow.cases.models import BundleCase, Case
from onewindow.org.models import Applicant, Department, User
from tests.cases.test_bundle_cases import (  # noqa: F401  (fixtures)
    INDIVIDUAL,
    SIGN,
    barber,
    media_root,
    shop,
    subs,
)
from tests.cases.test_bundle_outcome import conclude
from tests.cases.test_bundle_refusal import accepted, decide

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return c.post(url, body or {}, content_type="application/json")


def test_running_a_bundle_through_the_api(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    admin = people["admin"]
    bc = accepted(people, barber, zhangsan_applicant, shop)
    base = f"/api/v1/bundle-cases/{bc.number}"
    zs, lead = client_for(people["zhangsan"]), client_for(people["hanmei"])
    coop, other = client_for(people["wangwu"]), client_for(people["qianqi"])
    sign = subs(bc)[SIGN]
    decide(sign, "refuse", admin, "设置位置位于禁设区域")

    seen = zs.get(base).json()
    assert seen["status"] == "awaiting_applicant"
    assert [(i["sub_case"], i["droppable"]) for i in seen["issues"]] == [(sign.number, True)]
    # Drop: the applicant only (lead 403, another applicant 404).
    assert post(lead, f"{base}/sub-cases/{sign.number}/drop").status_code == 403
    assert post(other, f"{base}/sub-cases/{sign.number}/drop").status_code == 404
    dropped = post(zs, f"{base}/sub-cases/{sign.number}/drop", {"reason": "不设招牌"})
    assert dropped.status_code == 200, dropped.json()
    assert dropped.json()["issues"][0]["resolution"] == "dropped"
    assert dropped.json()["status"] in ("accepted", "in_progress")

    # Chase: lead yes, applicant 403, cooperating department 404; unknown sub-case 404.
    individual = subs(bc)[INDIVIDUAL]
    url = f"{base}/sub-cases/{individual.number}/chase"
    assert post(zs, url, {"message": "快"}).status_code == 403
    assert post(coop, url, {"message": "快"}).status_code == 404
    assert post(lead, f"{base}/sub-cases/NOPE/chase", {"message": "快"}).status_code == 404
    chased = post(lead, url, {"message": "请尽快审查"})
    assert chased.status_code == 200
    assert chased.json()["chases"][0]["message"] == "请尽快审查"
    assert zs.get(base).json()["chases"] == []  # the lead's record, not the applicant's

    # Joint inspection: scheduled by the lead; 王五 records his department's finding.
    health = Department.objects.get(name="区卫生健康委").code
    market = Department.objects.get(name="区市场监管局").code
    body = {
        "at": "2026-12-02T09:30:00+08:00",
        "place": "城东大道96号",
        "departments": [health, market],
    }
    assert post(zs, f"{base}/inspections", body).status_code == 403
    scheduled = post(lead, f"{base}/inspections", body)
    assert scheduled.status_code == 200, scheduled.json()
    inspection = scheduled.json()["inspections"][0]
    assert inspection["status"] == "scheduled"
    furl = f"{base}/inspections/{inspection['id']}/findings"
    assert post(other, furl, {"result": "pass"}).status_code == 404
    bad = post(coop, furl, {"result": "fail"})
    assert bad.status_code == 422
    assert "note" in bad.json()["fields"]
    assert post(coop, furl, {"result": "pass"}).status_code == 201
    assert post(lead, furl, {"result": "pass"}).status_code == 201
    done = post(lead, f"{base}/inspections/{inspection['id']}/complete")
    assert done.status_code == 200
    assert done.json()["visits"] == 1
    assert done.json()["inspections"][0]["visit_recorded"] is True

    # One output once everything live is concluded.
    assert post(lead, f"{base}/outcome", {"delivery_method": "window"}).status_code == 409
    for case in Case.objects.filter(bundle_case=bc).exclude(pk=sign.pk):
        conclude(case, admin)
    assert post(zs, f"{base}/outcome", {"delivery_method": "window"}).status_code == 403
    assert post(lead, f"{base}/outcome", {"delivery_method": "pigeon"}).status_code == 422
    issued = post(lead, f"{base}/outcome", {"delivery_method": "window"})
    assert issued.status_code == 200, issued.json()
    assert sign.number not in issued.json()["outcome"]["sub_cases"]  # dropped: not in it
    handed = post(lead, f"{base}/outcome/deliver", {"recipient": "张三"})
    assert handed.status_code == 200
    assert handed.json()["outcome"]["status"] == "delivered"
    assert BundleCase.objects.get(pk=bc.pk).status == "delivered"
    measured = zs.get(f"{base}/measured")
    assert measured.status_code == 200
    assert measured.json()["visits"] == 1.0  # the inspection, once


# The staff endpoints of a running bundle and a valid body each: the applicant's side is
# refused (403) and a cooperating department's staff does not find the bundle (404).
STAFF_ENDPOINTS: list[tuple[str, dict[str, Any]]] = [
    ("accept-with-missing", {"missing": [{"material_type": "M0003", "due_date": "2026-12-08"}]}),
    ("request-correction", {"problems": [{"material_type": "M0003", "reason": "缺签字页"}]}),
    ("end", {"reason": "申请人要求"}),
    ("sub-cases/{case}/chase", {"message": "请尽快"}),
    (
        "inspections",
        {"at": "2026-12-02T09:30:00+08:00", "place": "城东大道96号", "departments": ["{dept}"]},
    ),
    ("outcome", {"delivery_method": "window"}),
    ("outcome/dispatch", {"carrier": "EMS", "tracking_number": "EMS1234567890"}),
    ("sub-cases/{case}/early-delivery", {"method": "window"}),
]


def test_staff_endpoints_forbid_the_applicant_and_hide_the_bundle_from_other_departments(
    people: dict[str, User], barber: BundleVersion, zhangsan_applicant: Applicant, shop: Applicant
) -> None:
    from tests.cases.test_bundle_cases import submitted

    bc = submitted(people, barber, zhangsan_applicant, shop)
    case = subs(bc)[INDIVIDUAL].number
    dept = Department.objects.get(name="区卫生健康委").code
    zs, coop = client_for(people["zhangsan"]), client_for(people["wangwu"])
    for path, body in STAFF_ENDPOINTS:
        url = f"/api/v1/bundle-cases/{bc.number}/{path.format(case=case)}"
        data = {k: [v[0].format(dept=dept)] if k == "departments" else v for k, v in body.items()}
        forbidden = post(zs, url, data)
        assert forbidden.status_code == 403, (path, forbidden.json())
        assert forbidden.json()["code"] in ("lead_only", "accept_forbidden"), path
        hidden = post(coop, url, data)
        assert hidden.status_code == 404, (path, hidden.json())
        assert hidden.json()["code"] == "bundle_case_not_found"
    # Nothing changed.
    assert BundleCase.objects.get(pk=bc.pk).status == "submitted"
