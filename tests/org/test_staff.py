"""Staff accounts and roles: scope rules, who may grant what, idempotent re-runs."""

from __future__ import annotations

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.common.errors import PermissionDenied, ValidationFailed
from onewindow.org.models import Role, RoleAssignment, User
from onewindow.org.selectors import staff_manageable_by, staff_of_department
from onewindow.org.services import (
    applicant_account_create,
    role_grant,
    role_revoke,
    staff_create,
    staff_update,
)

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_create_sets_roles_and_is_staff(lisi, market, centre):
    assert lisi.is_staff
    assert lisi.check_password(PASSWORD)
    assert [(a.role, a.department, a.service_point) for a in lisi.role_assignments.all()] == [
        ("window_clerk", market, centre)
    ]
    assert AuditEvent.objects.filter(action="org.staff_created", object_id=str(lisi.pk)).exists()


def test_staff_create_is_idempotent_and_syncs_roles(lisi, market, tax, centre):
    again = staff_create(
        actor=None,
        username="lisi",
        display_name="李四",
        password=PASSWORD,
        roles=[(Role.WINDOW_CLERK, market, centre), (Role.PRE_REVIEWER, tax, None)],
    )
    assert again.pk == lisi.pk
    roles = set(again.role_assignments.values_list("role", "department__code"))
    assert roles == {("window_clerk", "SCJG"), ("pre_reviewer", "SW")}
    staff_create(
        actor=None,
        username="lisi",
        display_name="李四",
        password="Another-pass-2026",
        roles=[(Role.PRE_REVIEWER, tax, None)],
    )
    lisi.refresh_from_db()
    assert set(lisi.role_assignments.values_list("role", flat=True)) == {"pre_reviewer"}
    assert lisi.check_password("Another-pass-2026")
    assert AuditEvent.objects.filter(action="org.role_revoked").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"username": ""}, "username", "请填写用户名"),
        ({"username": "li si"}, "username", "用户名只能包含字母、数字和 @/./+/-/_ 字符"),
        ({"display_name": ""}, "display_name", "请填写姓名"),
        ({"password": "123"}, "password", "此密码太短，至少要包含 8 个字符"),
        ({"password": "password"}, "password", "这个密码太常见了"),
    ],
)
def test_staff_validation_writes_nothing(kwargs, field, message):
    args = {"username": "lisi", "display_name": "李四", "password": PASSWORD} | kwargs
    with pytest.raises(ValidationFailed) as err:
        staff_create(actor=None, roles=[(Role.SUPERVISOR, None, None)], **args)
    assert message in err.value.fields[field]
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("role", "scoped", "message"),
    [
        (Role.CENTRE_ADMIN, True, "中心管理员为全中心角色，不能限定部门"),
        (Role.APPROVER, False, "审批人员必须属于一个部门"),
        (Role.DEPARTMENT_ADMIN, False, "部门管理员必须属于一个部门"),
        ("astronaut", False, "角色无效：astronaut"),
    ],
)
def test_role_scope_rules(market, role, scoped, message):
    with pytest.raises(ValidationFailed, match=message):
        staff_create(
            actor=None,
            username="x",
            display_name="某人",
            password=PASSWORD,
            roles=[(role, market if scoped else None, None)],
        )
    assert not User.objects.filter(username="x").exists()


def test_applicant_role_is_not_a_staff_role(market):
    with pytest.raises(ValidationFailed, match="工作人员账号不能授予申请人角色"):
        staff_create(
            actor=None,
            username="x",
            display_name="某人",
            password=PASSWORD,
            roles=[(Role.APPLICANT, None, None)],
        )


def test_staff_create_refuses_an_applicant_username(db):
    applicant_account_create(
        actor=None,
        username="13800138000",
        password=PASSWORD,
        display_name="张三",
        phone="13800138000",
        kind="natural",
        name="张三",
        resident_id="11010519491231002X",
    )
    with pytest.raises(ValidationFailed, match="已被申请人账号使用"):
        staff_create(
            actor=None,
            username="13800138000",
            display_name="张三",
            password=PASSWORD,
            roles=[(Role.SUPERVISOR, None, None)],
        )


def test_department_admin_staffs_only_their_department(market_admin, market, tax, centre):
    clerk = staff_create(
        actor=market_admin,
        username="clerk",
        display_name="陈一",
        password=PASSWORD,
        roles=[(Role.WINDOW_CLERK, market, centre)],
    )
    assert clerk.is_staff
    with pytest.raises(PermissionDenied):
        staff_create(
            actor=market_admin,
            username="taxclerk",
            display_name="陈二",
            password=PASSWORD,
            roles=[(Role.WINDOW_CLERK, tax, centre)],
        )
    with pytest.raises(PermissionDenied):  # appointing department administrators: centre only
        role_grant(actor=market_admin, user=clerk, role=Role.DEPARTMENT_ADMIN, department=market)
    with pytest.raises(PermissionDenied):  # centre-wide roles: centre only
        role_grant(actor=market_admin, user=clerk, role=Role.SUPERVISOR)
    assert not User.objects.filter(username="taxclerk").exists()
    assert set(clerk.role_assignments.values_list("role", flat=True)) == {"window_clerk"}


def test_grant_and_revoke(zhouba, lisi, market, tax):
    a = role_grant(actor=zhouba, user=lisi, role=Role.APPROVER, department=tax)
    assert role_grant(actor=zhouba, user=lisi, role=Role.APPROVER, department=tax) == a
    assert AuditEvent.objects.filter(action="org.role_granted", object_id=str(a.pk)).count() == 1
    role_revoke(actor=zhouba, user=lisi, role=Role.APPROVER, department=tax)
    assert not RoleAssignment.objects.filter(pk=a.pk).exists()
    with pytest.raises(ValidationFailed, match="李四没有这一角色授予"):
        role_revoke(actor=zhouba, user=lisi, role=Role.APPROVER, department=tax)


def test_is_staff_follows_staff_roles(zhouba, lisi, market, centre):
    role_revoke(
        actor=zhouba,
        user=lisi,
        role=Role.WINDOW_CLERK,
        department=market,
        service_point=centre,
    )
    lisi.refresh_from_db()
    assert not lisi.is_staff
    role_grant(actor=zhouba, user=lisi, role=Role.SUPERVISOR)
    lisi.refresh_from_db()
    assert lisi.is_staff


def test_staff_of_department(market, tax, centre, town, lisi, wangwu, tax_officer, zhaoliu):
    assert list(staff_of_department(market)) == [lisi, wangwu]
    assert list(staff_of_department(market, roles=[Role.CHIEF_REPRESENTATIVE])) == [wangwu]
    assert list(staff_of_department(market, service_point=town)) == [wangwu]
    assert zhaoliu in staff_of_department(market, include_centre_wide=True)
    assert list(staff_of_department(tax)) == [tax_officer]


def test_who_a_department_admin_may_manage(
    market_admin, tax_admin, zhouba, lisi, wangwu, tax_officer, market, tax
):
    assert set(staff_manageable_by(market_admin)) == {market_admin, lisi, wangwu}
    assert set(staff_manageable_by(tax_admin)) == {tax_admin, tax_officer}
    # 李四 also works for the tax bureau: now only the centre may manage him.
    role_grant(actor=zhouba, user=lisi, role=Role.APPROVER, department=tax)
    assert lisi not in staff_manageable_by(market_admin)
    assert lisi in staff_manageable_by(zhouba)
    assert zhouba not in staff_manageable_by(market_admin)


def test_staff_update(market_admin, wangwu, tax_officer):
    staff_update(
        actor=market_admin,
        user=wangwu,
        display_name="王五",
        phone="13912345678",
        password="New-pass-2026",
    )
    wangwu.refresh_from_db()
    assert wangwu.phone == "13912345678"
    assert wangwu.check_password("New-pass-2026")
    event = AuditEvent.objects.get(action="org.staff_updated", object_id=str(wangwu.pk))
    assert event.payload["changed"]["password"] == "***"
    assert event.payload["changed"]["phone"] == ["", "139****5678"]
    with pytest.raises(PermissionDenied):
        staff_update(actor=market_admin, user=tax_officer, display_name="郑十一", is_active=False)
    tax_officer.refresh_from_db()
    assert tax_officer.is_active
    with pytest.raises(ValidationFailed, match="不能停用自己的账号"):
        staff_update(actor=market_admin, user=market_admin, display_name="孙九", is_active=False)
