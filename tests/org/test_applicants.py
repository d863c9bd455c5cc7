"""Applicants: identifiers checked, duplicates handled as documented, accounts all or
nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from onewindow.audit.models import AuditEvent
from onewindow.common.errors import PermissionDenied, ValidationFailed
from onewindow.org.models import Applicant, Role, User
from onewindow.org.services import (
    applicant_account_create,
    applicant_register,
    applicant_update,
)

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ZHANG_ID = "11010519491231002X"
QIAN_ID = "110105199003071239"
USCC = "91500102MA5U000A09"


def zhangsan(**extra):
    args = {
        "actor": None,
        "username": "13800138000",
        "password": PASSWORD,
        "display_name": "张三",
        "phone": "13800138000",
        "kind": "natural",
        "name": "张三",
        "resident_id": ZHANG_ID,
    }
    return applicant_account_create(**(args | extra))


def test_account_create_makes_user_applicant_link_and_role():
    user = zhangsan()
    applicant = user.applicants.get()
    assert (applicant.kind, applicant.name, applicant.resident_id) == ("natural", "张三", ZHANG_ID)
    assert applicant.phone == "13800138000"
    assert not user.is_staff
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.APPLICANT]
    assert user.check_password(PASSWORD)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions == {
        "org.applicant_registered",
        "org.role_granted",
        "org.applicant_account_created",
    }
    registered = AuditEvent.objects.get(action="org.applicant_registered")
    assert registered.actor == user
    assert registered.payload["resident_id"] == "110105********002X"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"resident_id": "110105194912310021"}, "resident_id", "居民身份证号码校验码错误"),
        ({"resident_id": ""}, "resident_id", "请填写居民身份证号码"),
        ({"resident_id": "1101051949123100"}, "resident_id", "居民身份证号码应为18位"),
        ({"phone": "1380013800"}, "phone", "手机号码应为11位中国大陆手机号"),
        ({"phone": "12800138000"}, "phone", "手机号码应为11位中国大陆手机号"),
        ({"phone": ""}, "phone", "请填写手机号码"),
        ({"name": ""}, "name", "请填写姓名"),
        ({"password": "12345678"}, "password", "这个密码太常见了"),
        ({"kind": "alien"}, "kind", "申请人类型无效：alien"),
    ],
)
def test_bad_input_writes_nothing(extra, field, message):
    with pytest.raises(ValidationFailed) as err:
        zhangsan(**extra)
    assert message in err.value.fields[field]
    assert not User.objects.exists()
    assert not Applicant.objects.exists()
    assert not AuditEvent.objects.exists()


def test_all_problems_are_reported_at_once():
    with pytest.raises(ValidationFailed) as err:
        zhangsan(resident_id="110105194912310021", phone="123", password="1")
    assert set(err.value.fields) == {"resident_id", "phone", "password"}


def test_the_same_identity_cannot_open_two_accounts():
    zhangsan()
    with pytest.raises(ValidationFailed) as err:
        zhangsan(username="13900139000", phone="13900139000")
    assert err.value.fields == {"resident_id": "该证件号码已注册账号，请直接登录"}
    with pytest.raises(ValidationFailed) as err:
        zhangsan(resident_id=QIAN_ID, name="钱七", display_name="钱七")
    assert err.value.fields == {"username": "该用户名已注册，请直接登录"}
    assert User.objects.count() == 1


def test_legal_person_account():
    user = zhangsan(
        kind="legal",
        name="重庆某某理发有限公司",
        resident_id="",
        uscc=USCC.lower(),
        legal_representative="张三",
    )
    company = user.applicants.get()
    assert (company.kind, company.uscc, company.legal_representative) == ("legal", USCC, "张三")


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"uscc": "91500102MA5U000A08"}, "uscc", "统一社会信用代码校验码错误"),
        ({"uscc": "91500102MA5U000AO9"}, "uscc", "统一社会信用代码含有不允许的字符：O"),
        ({"uscc": ""}, "uscc", "请填写统一社会信用代码"),
        ({"legal_representative": ""}, "legal_representative", "请填写法定代表人姓名"),
        (
            {"resident_id": ZHANG_ID},
            "resident_id",
            "法人不填写居民身份证号码，请填写统一社会信用代码",
        ),
        (
            {"legal_representative_id": "110105194912310021"},
            "legal_representative_id",
            "居民身份证号码校验码错误",
        ),
    ],
)
def test_legal_person_validation(extra, field, message):
    args = {"kind": "legal", "name": "某某公司", "uscc": USCC, "legal_representative": "张三"}
    with pytest.raises(ValidationFailed) as err:
        applicant_register(actor=None, **(args | extra))
    assert err.value.fields[field] == message
    assert not Applicant.objects.exists()


def test_register_again_returns_the_existing_applicant(lisi):
    walk_in = applicant_register(actor=lisi, kind="natural", name="钱七", resident_id=QIAN_ID)
    again = applicant_register(actor=lisi, kind="natural", name="钱七", resident_id=QIAN_ID)
    assert again.pk == walk_in.pk
    assert AuditEvent.objects.filter(action="org.applicant_registered").count() == 1


def test_a_walk_in_later_registers_online(lisi):
    walk_in = applicant_register(actor=lisi, kind="natural", name="钱七", resident_id=QIAN_ID)
    user = zhangsan(
        username="13900139000",
        phone="13900139000",
        display_name="钱七",
        name="钱七",
        resident_id=QIAN_ID,
    )
    assert user.applicants.get() == walk_in


def test_a_registered_identity_with_another_name_is_refused(lisi):
    applicant_register(actor=lisi, kind="natural", name="钱七", resident_id=QIAN_ID)
    with pytest.raises(ValidationFailed) as err:
        applicant_register(actor=lisi, kind="natural", name="钱八", resident_id=QIAN_ID)
    assert (
        err.value.fields["resident_id"]
        == "该居民身份证号码已登记，但名称与登记信息不一致，请到窗口核验"
    )
    assert err.value.code == "applicant_exists"


def test_someone_else_cannot_claim_a_linked_identity():
    zhang = zhangsan()
    qian = zhangsan(
        username="13900139000",
        phone="13900139000",
        display_name="钱七",
        name="钱七",
        resident_id=QIAN_ID,
    )
    company = applicant_register(
        actor=zhang,
        user=zhang,
        kind="legal",
        name="某某公司",
        uscc=USCC,
        legal_representative="张三",
    )
    assert (
        applicant_register(
            actor=zhang,
            user=zhang,
            kind="legal",
            name="某某公司",
            uscc=USCC,
            legal_representative="张三",
        )
        == company
    )
    with pytest.raises(ValidationFailed) as err:
        applicant_register(
            actor=qian,
            user=qian,
            kind="legal",
            name="某某公司",
            uscc=USCC,
            legal_representative="张三",
        )
    assert (
        err.value.fields["uscc"]
        == "该统一社会信用代码已被其他账号注册，请使用该账号登录或到窗口核验"
    )
    with pytest.raises(ValidationFailed, match="该账号已绑定另一位自然人"):
        applicant_register(
            actor=qian, user=qian, kind="natural", name="孙某", resident_id="500102198506154326"
        )
    assert list(company.users.all()) == [zhang]


def test_who_may_register_applicants(wangwu):
    qian = zhangsan(
        username="13900139000",
        phone="13900139000",
        display_name="钱七",
        name="钱七",
        resident_id=QIAN_ID,
    )
    for actor in (AnonymousUser(), wangwu, qian):  # qian for nobody else; wangwu no capability
        with pytest.raises(PermissionDenied):
            applicant_register(actor=actor, kind="natural", name="张三", resident_id=ZHANG_ID)
    assert not Applicant.objects.filter(resident_id=ZHANG_ID).exists()


def test_applicant_update(zhouba):
    user = zhangsan()
    applicant = user.applicants.get()
    applicant_update(actor=user, applicant=applicant, phone="13700137000", address="东城路1号")
    applicant.refresh_from_db()
    assert (applicant.phone, applicant.address) == ("13700137000", "东城路1号")
    with pytest.raises(ValidationFailed, match="手机号码应为11位中国大陆手机号"):
        applicant_update(actor=zhouba, applicant=applicant, phone="023-61234567")
    other = zhangsan(
        username="13900139000",
        phone="13900139000",
        display_name="钱七",
        name="钱七",
        resident_id=QIAN_ID,
    )
    with pytest.raises(PermissionDenied):
        applicant_update(actor=other, applicant=applicant, phone="13900139000")
