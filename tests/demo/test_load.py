"""Loading the demo district: what it creates, that a second load changes nothing, that the
people can log in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.catalog.models import (
    FieldDefinition,
    ItemField,
    ItemMaterial,
    ItemStep,
    ItemVersion,
    MaterialType,
    ServiceItem,
    Theme,
    VersionStatus,
)
from onewindow.common.identifiers import resident_id_error, uscc_error
from onewindow.demo.accounts import demo_usernames
from onewindow.demo.data.org import DEMO_PASSWORD
from onewindow.org.models import (
    Applicant,
    AuthorisationLetter,
    AuthorisationLetterItem,
    Department,
    Role,
    RoleAssignment,
    ServicePoint,
    ServicePointLevel,
    User,
    Window,
    WindowKind,
)
from onewindow.org.permissions import has_capability

pytestmark = pytest.mark.django_db

COUNTED = (
    User,
    Department,
    ServicePoint,
    Window,
    RoleAssignment,
    Applicant,
    AuthorisationLetter,
    AuthorisationLetterItem,
    MaterialType,
    FieldDefinition,
    Theme,
    ServiceItem,
    ItemVersion,
    ItemStep,
    ItemMaterial,
    ItemField,
    AuditEvent,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_departments_are_real_style_with_valid_credit_codes(demo):
    departments = list(Department.objects.all())
    assert 20 <= len(departments) <= 25
    names = {d.name for d in departments}
    assert {"区市场监管局", "区税务局", "区卫生健康委", "区消防救援支队"} <= names
    assert all(uscc_error(d.uscc) is None for d in departments), [d.uscc for d in departments]
    assert len({d.uscc for d in departments}) == len(departments)


def test_three_level_network_and_proxy_points(demo):
    levels = {lvl: ServicePoint.objects.filter(level=lvl).count() for lvl in ServicePointLevel}
    assert levels[ServicePointLevel.DISTRICT] >= 1
    assert 6 <= levels[ServicePointLevel.TOWN] <= 8
    assert levels[ServicePointLevel.VILLAGE] >= 12
    assert levels[ServicePointLevel.POST] >= 1
    assert levels[ServicePointLevel.BANK] >= 1
    centre = ServicePoint.objects.get(code="SP-D01")
    assert centre.office_hours == [["09:00", "12:00"], ["13:30", "17:00"]]
    kinds = set(centre.windows.values_list("kind", flat=True))
    assert kinds == set(WindowKind.values)
    assert centre.windows.filter(kind=WindowKind.UNIVERSAL).count() == 12
    police = centre.windows.filter(kind=WindowKind.DEDICATED, departments__code="GAFJ")
    assert police.exists()


def test_every_role_is_held_by_someone(demo):
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)


def test_named_people_have_their_roles(demo):
    def roles(username: str) -> set[tuple[str, str | None]]:
        return {
            (a.role, a.department.name if a.department else None)
            for a in RoleAssignment.objects.filter(user__username=username)
        }

    assert ("window_clerk", None) in roles("lisi")
    assert ("approver", "区市场监管局") in roles("wangwu")
    assert ("supervisor", None) in roles("zhaoliu")
    assert ("applicant", None) in roles("zhangsan")
    assert ("applicant", None) in roles("qianqi")
    assert User.objects.get(username="admin").display_name == "系统管理员"
    assert User.objects.get(username="admin").is_superuser


def test_applicants_carry_valid_identifiers(demo):
    zhangsan = User.objects.get(username="zhangsan").applicants.get(kind="natural")
    assert zhangsan.name == "张三"
    assert resident_id_error(zhangsan.resident_id) is None
    company = User.objects.get(username="shunda").applicants.get()
    assert company.kind == "legal"
    assert uscc_error(company.uscc) is None
    assert company.legal_representative


def test_zhangsan_also_acts_for_his_barber_shop(demo):
    barber = User.objects.get(username="zhangsan").applicants.get(kind="legal")
    assert barber.name == "张三理发店"
    assert barber.uscc.startswith("92")
    assert uscc_error(barber.uscc) is None
    assert barber.legal_representative == "张三"


def test_chief_representative_may_decide_the_letters_items_on_the_spot(demo):
    letter = AuthorisationLetter.objects.get(number="示市监授〔2026〕1号")
    assert letter.officer.username == "zhouqiang"
    assert letter.department.code == "SCJGJ"
    codes = set(letter.items.values_list("item_code", flat=True))
    assert codes
    items = ServiceItem.objects.filter(code__in=codes).select_related("current_version")
    assert items.count() == len(codes)
    for item in items:
        assert item.department.code == "SCJGJ"
        version = item.current_version
        assert version is not None
        assert version.kind != "filing"
        assert list(version.steps.values_list("kind", flat=True)) == ["accept", "conclude"]
    chief = letter.officer
    assert has_capability(chief, "case.decide", department=letter.department)
    assert not has_capability(chief, "case.decide", department=Department.objects.get(code="SWJ"))


def test_second_load_changes_nothing(demo):
    before = counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert counts() == before
    assert "与已发布目录一致" in out.getvalue()


def test_a_changed_item_is_published_as_a_new_version(demo, monkeypatch):
    """The loader is not blind: if the demo data changes, the next load publishes it."""
    from onewindow.demo import loader

    real = loader.build_catalog

    def changed(area_code: str):
        catalog = real(area_code)
        catalog["items"][0]["promised_limit"] = 0 if catalog["items"][0]["is_instant"] else 2
        catalog["items"][0]["notes"] = "承诺时限调整"
        return catalog

    monkeypatch.setattr(loader, "build_catalog", changed)
    code = real("500102000000")["items"][0]["code"]
    before = ServiceItem.objects.get(code=code).current_version.number
    report = loader.load_demo()
    item = ServiceItem.objects.get(code=code)
    assert item.current_version.number == before + 1
    assert item.current_version.notes == "承诺时限调整"
    assert "发布1项" in report.catalog
    assert ItemVersion.objects.filter(item=item, status=VersionStatus.SUPERSEDED).count() == 1


@pytest.mark.parametrize("username", demo_usernames())
def test_every_demo_account_can_log_in(demo, username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD), username
    assert not Client().login(username=username, password="wrong-password")


def test_demo_accounts_command_lists_everyone(demo):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    for name in ("张三", "李四", "王五", "赵六", "钱七", "系统管理员", "首席代表", DEMO_PASSWORD):
        assert name in text
    for username in demo_usernames():
        assert username in text
