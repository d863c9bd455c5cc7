"""Departments, service points and windows: validation in Chinese, nothing written on
failure, idempotent upserts, audit events, and who may do it."""

from __future__ import annotations

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.common.errors import PermissionDenied, ValidationFailed
from onewindow.org.models import Department, ServicePoint, Window
from onewindow.org.services import department_upsert, service_point_upsert, window_upsert

pytestmark = pytest.mark.django_db


def test_department_upsert_creates_then_updates_and_audits(zhouba):
    d = department_upsert(actor=zhouba, code="WJW", name="区卫生健康委", phone="023-6123456")
    again = department_upsert(actor=zhouba, code="WJW", name="区卫生健康委", phone="023-6123456")
    renamed = department_upsert(actor=zhouba, code="WJW", name="区卫生健康委员会")
    assert d.pk == again.pk == renamed.pk
    assert Department.objects.get(code="WJW").name == "区卫生健康委员会"
    actions = list(
        AuditEvent.objects.filter(object_id=str(d.pk), object_type="org.department")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["org.department_created", "org.department_updated"]
    event = AuditEvent.objects.get(action="org.department_updated")
    assert event.actor == zhouba
    assert event.payload["changed"]["name"] == ["区卫生健康委", "区卫生健康委员会"]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"code": "", "name": "区民政局"}, "code", "请填写部门编码"),
        (
            {"code": "MZ J", "name": "区民政局"},
            "code",
            "部门编码只能包含字母、数字、下划线、点和连字符，最长32位",
        ),
        ({"code": "MZJ", "name": ""}, "name", "请填写部门名称"),
        (
            {"code": "MZJ", "name": "区民政局", "uscc": "91350100M000100Y44"},
            "uscc",
            "统一社会信用代码校验码错误",
        ),
        ({"code": "MZJ", "name": "区民政局", "phone": "电话"}, "phone", "电话号码格式不正确"),
        ({"code": "MZJ", "name": "区民政局", "order": -1}, "order", "排序应为非负整数"),
    ],
)
def test_department_validation(kwargs, field, message):
    with pytest.raises(ValidationFailed) as err:
        department_upsert(actor=None, **kwargs)
    assert err.value.fields[field] == message
    assert err.value.status == 422
    assert not Department.objects.exists()
    assert not AuditEvent.objects.exists()


def test_department_name_is_unique(market):
    with pytest.raises(ValidationFailed, match="已被其他部门使用"):
        department_upsert(actor=None, code="OTHER", name="区市场监管局")


def test_only_centre_administrators_manage_departments(market_admin, lisi):
    for actor in (market_admin, lisi):
        with pytest.raises(PermissionDenied):
            department_upsert(actor=actor, code="MZJ", name="区民政局")
    assert not Department.objects.filter(code="MZJ").exists()


def test_service_point_office_hours_are_kept(centre):
    assert centre.office_hours == [["09:00", "12:00"], ["13:30", "17:00"]]
    assert centre.level == "district"


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ([["9:00", "12:00"]], "第1个办公时段的时间“9:00”格式应为HH:MM"),
        ([["09:00", "24:00"]], "第1个办公时段的时间“24:00”格式应为HH:MM"),
        ([["12:00", "09:00"]], "第1个办公时段的开始时间应早于结束时间"),
        ([["09:00", "12:00"], ["11:30", "17:00"]], "第2个办公时段与上一时段重叠或顺序颠倒"),
        ([["13:30", "17:00"], ["09:00", "12:00"]], "第2个办公时段与上一时段重叠或顺序颠倒"),
        ([["09:00"]], "第1个办公时段应为开始和结束两个时间"),
        ("09:00-17:00", '办公时间应为时段列表，如 [["09:00","12:00"]]'),
    ],
)
def test_bad_office_hours(hours, message):
    with pytest.raises(ValidationFailed) as err:
        service_point_upsert(
            actor=None, code="D09", name="某中心", level="district", office_hours=hours
        )
    assert err.value.fields == {"office_hours": message}
    assert not ServicePoint.objects.exists()


def test_service_point_hierarchy(centre, town):
    village = service_point_upsert(
        actor=None,
        code="V01",
        name="东城社区便民服务站",
        level="village",
        parent=town,
        area_code="500102001001",
    )
    assert village.parent == town
    post = service_point_upsert(
        actor=None, code="P01", name="东城邮政代办点", level="post", parent=village
    )
    assert post.parent == village
    with pytest.raises(ValidationFailed, match="区级政务服务中心不能有上级网点"):
        service_point_upsert(actor=None, code="D02", name="另一中心", level="district", parent=town)
    with pytest.raises(ValidationFailed, match="镇街便民服务中心的上级不能是村（社区）便民服务站"):
        service_point_upsert(actor=None, code="T02", name="西城街道", level="town", parent=village)
    with pytest.raises(ValidationFailed, match="上级网点不能是本网点或其下级网点"):
        service_point_upsert(actor=None, code="T01", name="东城街道", level="town", parent=town)
    with pytest.raises(ValidationFailed, match="网点层级无效"):
        service_point_upsert(actor=None, code="X01", name="某处", level="province")
    with pytest.raises(ValidationFailed, match="行政区划代码应为6位、9位或12位数字"):
        service_point_upsert(actor=None, code="X01", name="某处", level="town", area_code="5001")
    assert ServicePoint.objects.count() == 4


def test_window_upsert(centre, market, tax):
    w = window_upsert(
        actor=None, service_point=centre, number="1", name="综合受理", kind="universal"
    )
    assert list(w.departments.all()) == []
    w2 = window_upsert(
        actor=None,
        service_point=centre,
        number="1",
        name="综合受理",
        kind="universal",
        departments=[market, tax],
    )
    assert w2.pk == w.pk
    assert set(w2.departments.all()) == {market, tax}
    assert AuditEvent.objects.filter(action="org.window_updated").get().payload["changed"] == {
        "departments": [[], ["SCJG", "SW"]]
    }


def test_window_validation_writes_nothing(centre):
    with pytest.raises(ValidationFailed) as err:
        window_upsert(actor=None, service_point=centre, number="", name="", kind="teller")
    assert err.value.fields == {
        "number": "请填写窗口号",
        "name": "请填写窗口名称",
        "kind": "窗口类型无效：teller",
    }
    with pytest.raises(ValidationFailed, match="专业窗口至少要有一个受理部门"):
        window_upsert(actor=None, service_point=centre, number="2", name="税务", kind="dedicated")
    assert not Window.objects.exists()
