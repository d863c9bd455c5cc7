"""登记窗口服务 (/backoffice/visits/new/): the clerk finds the applicant by resident ID or
USCC (check characters verified), picks the window, the purpose and optionally an open case,
and the visit is recorded (``record_visit``): it is on the clerk's list and rating device,
in the applicant's 我的窗口服务评价 and in the case's visits. The permission matrix (no
window role → 403, another service point refused) and the Chinese errors next to the fields.
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Visit
from onewindow.demo.data.org import ZHANGSAN_ID
from onewindow.org.models import ServicePoint, User, Window
from tests.backoffice.conftest import client_for, online_case

pytestmark = pytest.mark.django_db

NEW = "/backoffice/visits/new/"
HYGIENE = "公共场所卫生许可证核发"


def _ids() -> tuple[int, int]:
    point = ServicePoint.objects.get(code="SP-D01")
    return point.pk, Window.objects.get(service_point=point, number="22").pk


def _post(client: Client, **data: Any) -> Any:
    point, window = _ids()
    body = {"identifier": ZHANGSAN_ID, "service_point": point, "window": window}
    body.update({"purpose": "咨询", "detail": "", "case": ""})
    body.update(data)
    return client.post(NEW, body)


def _bad_check_digit(value: str) -> str:
    last = "0" if value[-1] != "0" else "1"
    return value[:-1] + last


def test_menu_entry_next_to_the_rating_device(as_user: Any) -> None:
    page = as_user("lisi").get("/backoffice/visits/").content.decode()
    assert "登记窗口服务" in page
    assert "窗口评价器" in page
    assert page.index("窗口评价器") < page.index('href="/backoffice/visits/"')


def test_find_then_record_a_consultation(as_user: Any, people: dict[str, User]) -> None:
    lisi = as_user("lisi")
    page = lisi.get(NEW, {"identifier": ZHANGSAN_ID.lower()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "张三" in html
    assert "社保窗口" in html
    assert "帮办指导" in html
    response = _post(lisi, detail="灵活就业人员参保")
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/visits/"
    visit = Visit.objects.get(recorded_by=people["lisi"], purpose="咨询：灵活就业人员参保")
    assert (visit.applicant.resident_id, visit.window.number, visit.case) == (
        ZHANGSAN_ID,
        "22",
        None,
    )
    assert AuditEvent.objects.filter(action="case.visit_recorded", object_id=str(visit.pk)).exists()
    listing = lisi.get("/backoffice/visits/")
    text = listing.content.decode()
    assert "已登记，可请办事人在窗口评价器上评价" in text
    assert "/backoffice/ratings/device/" in text
    assert "咨询：灵活就业人员参保" in text
    device = lisi.get("/backoffice/ratings/device/").content.decode()
    assert "咨询：灵活就业人员参保" in device
    assert f"/backoffice/ratings/device/{visit.pk}/" in device
    mine = client_for(people["zhangsan"]).get("/ratings/visits/").content.decode()
    assert "咨询：灵活就业人员参保" in mine


def test_a_pick_up_of_an_open_case_counts_in_its_visits(
    as_user: Any, people: dict[str, User]
) -> None:
    case = online_case(HYGIENE, people["zhangsan"])  # of 张三理发店 (by its USCC)
    uscc = case.applicant.uscc
    before = case.visits.count()
    lisi = as_user("lisi")
    assert case.number in lisi.get(NEW, {"identifier": uscc}).content.decode()
    response = _post(lisi, identifier=uscc, purpose="取件", case=case.number)
    assert response.status_code == 302
    assert case.visits.count() == before + 1
    assert case.visits.latest("pk").purpose == "取件"
    api = client_for(people["zhangsan"]).get(f"/api/v1/cases/{case.number}").json()
    assert api["visits"] == before + 1


def test_errors_next_to_the_fields_and_nothing_written(
    as_user: Any, people: dict[str, User]
) -> None:
    lisi = as_user("lisi")
    before = Visit.objects.count()
    bad = lisi.get(NEW, {"identifier": _bad_check_digit(ZHANGSAN_ID)})
    assert bad.status_code == 422
    assert "居民身份证号码校验码错误" in bad.content.decode()
    assert "社保窗口" not in bad.content.decode()  # no visit form for an unchecked person
    unknown = lisi.get(NEW, {"identifier": "110101199001011237"})
    assert unknown.status_code == 422
    assert "未找到该申请人" in unknown.content.decode()

    other = _post(lisi, purpose="其他")
    assert other.status_code == 422
    assert "选择“其他”时请写明服务事由" in other.content.decode()
    long = _post(lisi, purpose="其他", detail="很" * 65)
    assert long.status_code == 422
    assert "来访事由不能超过64个字符" in long.content.decode()
    # A case of another applicant (张三理发店's, not 张三's own): refused next to the field.
    shop_case = online_case(HYGIENE, people["zhangsan"])
    foreign = _post(lisi, purpose="取件", case=shop_case.number)
    assert foreign.status_code == 422
    assert "请选择该申请人未办结的办件" in foreign.content.decode()
    assert Visit.objects.count() == before
    assert shop_case.number not in lisi.get(NEW, {"identifier": ZHANGSAN_ID}).content.decode()
    shop = lisi.get(NEW, {"identifier": shop_case.applicant.uscc}).content.decode()
    assert shop_case.number in shop


def test_permission_matrix(as_user: Any, people: dict[str, User]) -> None:
    # No window role: 403 on both pages, no menu entry.
    for path in ("/backoffice/visits/", NEW):
        response = as_user("wangwu").get(path)
        assert response.status_code == 403
        assert "您没有使用该功能的权限" in response.content.decode()
    assert "登记窗口服务" not in as_user("wangwu").get("/backoffice/").content.decode()
    # Anonymous: the login form.
    assert Client().get(NEW).status_code == 302
    # A clerk of another service point (蒋芳, SP-T01): SP-D01 is not among the choices.
    jiang = client_for(User.objects.get(username="jiangfang"))
    page = jiang.get(NEW, {"identifier": ZHANGSAN_ID}).content.decode()
    assert "社保窗口" not in page
    refused = _post(jiang)
    assert refused.status_code == 422
    assert "请选择您服务的网点" in refused.content.decode()
    assert not Visit.objects.filter(recorded_by__username="jiangfang", purpose="咨询").exists()
    # hall.serve without case.accept (陈晨, pre-reviewer at SP-D01) may record.
    assert _post(as_user("chenchen"), purpose="帮办指导").status_code == 302
    assert Visit.objects.filter(recorded_by=people["chenchen"], purpose="帮办指导").exists()
