"""Applicant registration and login screens, through Django's test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.audit.models import AuditEvent
from onewindow.org.models import Applicant, User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ZHANG_ID = "11010519491231002X"
USCC = "91500102MA5U000A09"


def natural(**extra):
    return {
        "name": "张三",
        "resident_id": ZHANG_ID,
        "phone": "13800138000",
        "password": PASSWORD,
        "password2": PASSWORD,
    } | extra


def test_registration_page_is_chinese(client):
    page = client.get(reverse("org:register")).content.decode()
    for label in ("姓名", "身份证号码", "手机号码", "密码", "确认密码", "法人注册"):
        assert label in page
    assert "<script" not in page.split("</form>")[0].split("<form")[1]


def test_register_a_natural_person_and_land_on_the_portal(client):
    response = client.post(reverse("org:register"), natural())
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    user = User.objects.get(username="13800138000")
    assert user.display_name == "张三"
    assert user.applicants.get().resident_id == ZHANG_ID
    home = client.get(response["Location"])
    assert home.wsgi_request.user == user
    assert "注册成功" in home.content.decode()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"resident_id": "110105194912310021"}, "居民身份证号码校验码错误"),
        ({"resident_id": "11010519491231"}, "居民身份证号码应为18位"),
        ({"phone": "1380013800"}, "手机号码应为11位中国大陆手机号"),
        ({"password2": "Something-else-1"}, "两次输入的密码不一致"),
        ({"password": "12345678", "password2": "12345678"}, "这个密码太常见了"),
        ({"name": ""}, "这个字段是必填项"),
    ],
)
def test_failed_registration_explains_and_writes_nothing(client, extra, message):
    response = client.post(reverse("org:register"), natural(**extra))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert 'class="error field-error"' in page
    assert not User.objects.exists()
    assert not Applicant.objects.exists()
    assert not AuditEvent.objects.exists()
    assert 'value="张三"' in page or extra.get("name") == ""


def test_the_error_sits_next_to_its_field(client):
    page = client.post(
        reverse("org:register"), natural(resident_id="110105194912310021")
    ).content.decode()
    field_block = page.split('for="id_resident_id"')[1].split('for="id_phone"')[0]
    assert "居民身份证号码校验码错误" in field_block


def test_a_registered_phone_or_identity_is_refused(client):
    client.post(reverse("org:register"), natural())
    client.logout()
    again = client.post(reverse("org:register"), natural(phone="13900139000"))
    assert again.status_code == 422
    assert "该证件号码已注册账号，请直接登录" in again.content.decode()
    same_phone = client.post(
        reverse("org:register"),
        natural(name="钱七", resident_id="110105199003071239"),
    )
    assert "该用户名已注册，请直接登录" in same_phone.content.decode()
    assert User.objects.count() == 1


def test_register_a_legal_person(client):
    response = client.post(
        reverse("org:register_legal"),
        {
            "company": "重庆某某理发有限公司",
            "uscc": USCC.lower(),
            "legal_representative": "张三",
            "agent_name": "钱七",
            "phone": "13900139000",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    company = Applicant.objects.get(uscc=USCC)
    assert company.kind == "legal"
    assert company.users.get().display_name == "钱七"


def test_legal_registration_checks_the_uscc(client):
    response = client.post(
        reverse("org:register_legal"),
        {
            "company": "某公司",
            "uscc": "91500102MA5U000A08",
            "legal_representative": "张三",
            "agent_name": "钱七",
            "phone": "13900139000",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "统一社会信用代码校验码错误" in response.content.decode()
    assert not User.objects.exists()


@pytest.fixture
def zhangsan_account(client):
    client.post(reverse("org:register"), natural())
    client.logout()
    return User.objects.get(username="13800138000")


@pytest.mark.parametrize("login", ["13800138000", ZHANG_ID, ZHANG_ID.lower()])
def test_applicants_log_in_with_phone_or_resident_id(client, zhangsan_account, login):
    response = client.post(reverse("org:login"), {"username": login, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).wsgi_request.user == zhangsan_account


def test_login_honours_a_safe_next(client, zhangsan_account):
    ok = client.post(
        reverse("org:login") + "?next=/items/",
        {"username": "13800138000", "password": PASSWORD, "next": "/items/"},
    )
    assert ok["Location"] == "/items/"
    client.logout()
    evil = client.post(
        reverse("org:login"),
        {"username": "13800138000", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert evil["Location"] == reverse("portal:home")


def test_wrong_password_is_explained_in_chinese(client, zhangsan_account):
    response = client.post(
        reverse("org:login"), {"username": "13800138000", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "账号或密码错误，请重新输入" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_staff_land_in_the_back_office(client, lisi):
    response = client.post(reverse("org:login"), {"username": "lisi", "password": PASSWORD})
    assert response["Location"] == reverse("backoffice:home")


def test_logout(client, zhangsan_account):
    client.force_login(zhangsan_account)
    response = client.post(reverse("org:logout"))
    assert response.status_code == 302
    assert not client.get(reverse("portal:home")).wsgi_request.user.is_authenticated


def test_every_problem_shows_at_once(client):
    response = client.post(
        reverse("org:register"),
        natural(resident_id="110105194912310021", phone="123", password="a", password2="b"),
    )
    page = response.content.decode()
    for message in (
        "居民身份证号码校验码错误",
        "手机号码应为11位中国大陆手机号",
        "此密码太短",
        "两次输入的密码不一致",
    ):
        assert message in page
