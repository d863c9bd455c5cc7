"""The org admin through Django's test client: access by capability, scope by department
(another department's objects answer 404), saves through the services."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from onewindow.audit.models import AuditEvent
from onewindow.org.models import (
    Applicant,
    AuthorisationLetter,
    Department,
    Role,
    RoleAssignment,
    ServicePoint,
    User,
)
from onewindow.org.services import applicant_register, authorisation_letter_issue

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
ITEM = "511A0138000000-500102000000-000-91350100M000100Y43-1-00"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        yield


def url(name, *args):
    return reverse(f"admin:org_{name}", args=args)


def test_a_department_admin_sees_only_their_staff(client, market_admin, lisi, wangwu, tax_officer):
    client.force_login(market_admin)
    page = client.get(url("user_changelist")).content.decode()
    assert "李四" in page
    assert "王五" in page
    assert "郑十一" not in page
    assert client.get(url("user_change", lisi.pk)).status_code == 200
    assert client.get(url("user_change", tax_officer.pk)).status_code == 404
    response = client.post(
        url("user_change", tax_officer.pk),
        {"display_name": "被篡改", "phone": "", "email": "", "is_active": "on"},
    )
    assert response.status_code == 404
    tax_officer.refresh_from_db()
    assert tax_officer.display_name == "郑十一"


def test_the_centre_admin_sees_everyone(client, zhouba, lisi, tax_officer):
    client.force_login(zhouba)
    page = client.get(url("user_changelist")).content.decode()
    assert "李四" in page
    assert "郑十一" in page
    assert client.get(url("user_change", tax_officer.pk)).status_code == 200


def test_a_department_admin_adds_staff_to_their_department(
    client, market_admin, market, tax, centre
):
    client.force_login(market_admin)
    form = {
        "username": "chenyi",
        "display_name": "陈一",
        "phone": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "role": Role.WINDOW_CLERK,
        "department": market.pk,
        "service_point": centre.pk,
    }
    response = client.post(url("user_add"), form)
    assert response.status_code == 302, response.content.decode()
    chen = User.objects.get(username="chenyi")
    assert chen.is_staff
    assert list(chen.role_assignments.values_list("role", "department")) == [
        ("window_clerk", market.pk)
    ]
    assert AuditEvent.objects.filter(action="org.staff_created", actor=market_admin).exists()
    refused = client.post(url("user_add"), form | {"username": "chener", "department": tax.pk})
    assert refused.status_code == 200
    assert "选择一个有效的选项" in refused.content.decode()
    centre_role = client.post(
        url("user_add"), form | {"username": "chener", "role": Role.SUPERVISOR, "department": ""}
    )
    assert "您无权在此范围授予该角色" in centre_role.content.decode()
    assert not User.objects.filter(username="chener").exists()


def test_staff_change_form_goes_through_the_service(client, market_admin, wangwu):
    client.force_login(market_admin)
    change = url("user_change", wangwu.pk)
    page = client.get(change)
    assert page.status_code == 200
    a = wangwu.role_assignments.get()
    data = {
        "display_name": "王五",
        "phone": "13912345678",
        "email": "",
        "is_active": "on",
        "new_password1": "New-pass-2026",
        "new_password2": "New-pass-2026",
        "role_assignments-TOTAL_FORMS": "2",
        "role_assignments-INITIAL_FORMS": "1",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-id": a.pk,
        "role_assignments-0-user": wangwu.pk,
        "role_assignments-0-role": a.role,
        "role_assignments-0-department": a.department_id,
        "role_assignments-0-service_point": "",
        "role_assignments-1-id": "",
        "role_assignments-1-user": wangwu.pk,
        "role_assignments-1-role": Role.APPROVER,
        "role_assignments-1-department": a.department_id,
        "role_assignments-1-service_point": "",
    }
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    wangwu.refresh_from_db()
    assert wangwu.phone == "13912345678"
    assert wangwu.check_password("New-pass-2026")
    assert set(wangwu.role_assignments.values_list("role", flat=True)) == {
        Role.CHIEF_REPRESENTATIVE,
        Role.APPROVER,
    }
    assert AuditEvent.objects.filter(action="org.role_granted", actor=market_admin).count() == 1


def test_who_may_open_the_pages(client, lisi, zhaoliu, market_admin, zhouba):
    client.force_login(lisi)  # a window clerk: applicants yes, staff no
    assert client.get(url("user_changelist")).status_code == 403
    assert client.get(url("applicant_changelist")).status_code == 200
    assert client.get(url("department_changelist")).status_code == 403
    client.force_login(market_admin)  # departments: may look, may not change
    assert client.get(url("department_changelist")).status_code == 200
    assert client.get(url("department_add")).status_code == 403
    client.force_login(zhouba)
    assert client.get(url("department_add")).status_code == 200


def test_applicants_do_not_enter_the_admin(client):
    user = User.objects.create_user(username="zhangsan", password=PASSWORD)
    client.force_login(user)
    response = client.get(url("user_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_department_admin_saves_through_the_service(client, zhouba):
    client.force_login(zhouba)
    data = {
        "code": "MZJ",
        "name": "区民政局",
        "short_name": "民政",
        "uscc": "",
        "phone": "",
        "order": 3,
        "is_active": "on",
    }
    assert client.post(url("department_add"), data).status_code == 302
    d = Department.objects.get(code="MZJ")
    assert AuditEvent.objects.filter(action="org.department_created", object_id=str(d.pk)).exists()
    bad = client.post(url("department_add"), data | {"code": "MZJ2", "uscc": "91350100M000100Y44"})
    assert "统一社会信用代码校验码错误" in bad.content.decode()
    assert not Department.objects.filter(code="MZJ2").exists()


def test_service_point_office_hours_are_checked(client, zhouba):
    client.force_login(zhouba)
    data = {
        "code": "T09",
        "name": "西城街道便民服务中心",
        "level": "town",
        "parent": "",
        "area_code": "",
        "address": "",
        "phone": "",
        "opening_note": "",
        "is_active": "on",
        "office_hours": '[["09:00","12:00"],["11:00","17:00"]]',
        "windows-TOTAL_FORMS": "0",
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url("servicepoint_add"), data)
    assert "第2个办公时段与上一时段重叠或顺序颠倒" in response.content.decode()
    assert not ServicePoint.objects.filter(code="T09").exists()
    data |= {
        "office_hours": '[["09:00","12:00"],["13:30","17:00"]]',
        "windows-TOTAL_FORMS": "1",
        "windows-0-number": "1",
        "windows-0-name": "综合受理",
        "windows-0-kind": "universal",
        "windows-0-is_active": "on",
    }
    response = client.post(url("servicepoint_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    point = ServicePoint.objects.get(code="T09")
    assert point.windows.get().name == "综合受理"
    assert AuditEvent.objects.filter(action="org.window_created").exists()


def test_applicant_list_masks_identifiers(client, lisi):
    applicant_register(
        actor=lisi,
        kind="natural",
        name="张三",
        resident_id="11010519491231002X",
        phone="13800138000",
    )
    client.force_login(lisi)
    page = client.get(url("applicant_changelist")).content.decode()
    assert "110105********002X" in page
    assert "11010519491231002X" not in page
    assert "138****8000" in page


def test_a_clerk_registers_a_walk_in_applicant(client, lisi):
    client.force_login(lisi)
    data = {
        "kind": "natural",
        "name": "钱七",
        "resident_id": "110105194912310021",
        "uscc": "",
        "legal_representative": "",
        "legal_representative_id": "",
        "phone": "",
        "address": "",
    }
    bad = client.post(url("applicant_add"), data)
    assert "居民身份证号码校验码错误" in bad.content.decode()
    assert not Applicant.objects.exists()
    ok = client.post(url("applicant_add"), data | {"resident_id": "110105199003071239"})
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(action="org.applicant_registered", actor=lisi).exists()


@pytest.fixture
def market_letter(market_admin, market, wangwu):
    return authorisation_letter_issue(
        actor=market_admin,
        number="SCJG-1",
        department=market,
        officer=wangwu,
        item_codes=[ITEM],
        valid_from=date(2026, 11, 1),
    )


def test_letters_are_scoped_to_the_granting_department(
    client, market_letter, tax_admin, market_admin, zhaoliu
):
    client.force_login(tax_admin)
    assert "SCJG-1" not in client.get(url("authorisationletter_changelist")).content.decode()
    assert client.get(url("authorisationletter_change", market_letter.pk)).status_code == 404
    client.force_login(zhaoliu)  # the supervisor reads every letter
    assert "SCJG-1" in client.get(url("authorisationletter_changelist")).content.decode()
    client.force_login(market_admin)
    assert client.get(url("authorisationletter_change", market_letter.pk)).status_code == 200


def test_issue_and_revoke_a_letter_in_the_admin(client, market_admin, market, wangwu):
    client.force_login(market_admin)
    data = {
        "number": "SCJG-2",
        "department": market.pk,
        "officer": wangwu.pk,
        "item_codes": f"{ITEM}\nOTHER-ITEM\n",
        "valid_from": "2026-12-01",
        "valid_until": "2026-11-30",
        "note": "",
    }
    bad = client.post(url("authorisationletter_add"), data)
    assert "失效日期不能早于生效日期" in bad.content.decode()
    assert not AuthorisationLetter.objects.exists()
    ok = client.post(url("authorisationletter_add"), data | {"valid_until": ""})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    letter = AuthorisationLetter.objects.get(number="SCJG-2")
    assert set(letter.items.values_list("item_code", flat=True)) == {ITEM, "OTHER-ITEM"}
    revoke = client.post(
        url("authorisationletter_change", letter.pk),
        {
            "revocation": "岗位调整",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "2",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-id": "",
            "items-1-id": "",
        },
    )
    assert revoke.status_code == 302, revoke.content.decode()[:3000]
    letter.refresh_from_db()
    assert letter.revocation_reason == "岗位调整"
    assert letter.revoked_by == market_admin


def test_on_the_spot_overview(client, market_letter, zhaoliu, tax_admin):
    client.force_login(zhaoliu)
    page = client.get(url("onthespotauthority_changelist") + "?status=valid")
    assert ITEM in page.content.decode()
    assert "王五" in page.content.decode()
    client.force_login(tax_admin)
    page = client.get(url("onthespotauthority_changelist"))
    assert ITEM not in page.content.decode()


def test_role_assignments_admin_is_scoped(client, market_admin, lisi, tax_officer):
    client.force_login(market_admin)
    page = client.get(url("roleassignment_changelist")).content.decode()
    assert "李四" in page
    assert "郑十一" not in page
    other = RoleAssignment.objects.get(user=tax_officer)
    assert client.get(url("roleassignment_delete", other.pk)).status_code == 404
    assert client.post(url("roleassignment_delete", other.pk), {"post": "yes"}).status_code == 404
    assert RoleAssignment.objects.filter(pk=other.pk).exists()
    own = RoleAssignment.objects.get(user=lisi)
    assert client.post(url("roleassignment_delete", own.pk), {"post": "yes"}).status_code == 302
    assert not RoleAssignment.objects.filter(pk=own.pk).exists()
    assert AuditEvent.objects.filter(action="org.role_revoked", actor=market_admin).exists()
