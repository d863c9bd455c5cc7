"""Authorisation letters (授权书): issuing, validity windows, revocation, and the selectors
that tell who may decide what on the spot (终审权授权率)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.audit.models import AuditEvent
from onewindow.common.errors import PermissionDenied, ValidationFailed
from onewindow.org.models import AuthorisationLetter, Role
from onewindow.org.selectors import (
    authorisation_rate,
    deciders_on_the_spot,
    items_with_on_the_spot_authority,
    on_the_spot_overview,
)
from onewindow.org.services import (
    authorisation_letter_issue,
    authorisation_letter_revoke,
    role_revoke,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
HAIR = "511A0138000000-500102000000-000-91350100M000100Y43-1-00"
FOOD = "511A0139000000-500102000000-000-91350100M000100Y43-1-00"


@pytest.fixture(autouse=True)
def clock_at():
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI), tick=False) as t:
        yield t


@pytest.fixture
def letter(market_admin, market, wangwu):
    return authorisation_letter_issue(
        actor=market_admin,
        number="SCJG-SQ-2026-001",
        department=market,
        officer=wangwu,
        item_codes=[HAIR, FOOD, HAIR],
        valid_from=date(2026, 12, 1),
        valid_until=date(2026, 12, 31),
        note="首席代表授权",
    )


def test_issue(letter, market_admin, wangwu):
    assert sorted(letter.items.values_list("item_code", flat=True)) == sorted([HAIR, FOOD])
    assert letter.issued_by == market_admin
    event = AuditEvent.objects.get(action="org.authorisation_letter_issued")
    assert event.actor == market_admin
    assert event.payload["officer"] == "wangwu"
    assert event.payload["valid_until"] == "2026-12-31"


def test_issuing_the_same_letter_again_is_harmless(letter, market_admin, market, wangwu):
    same = authorisation_letter_issue(
        actor=market_admin,
        number="SCJG-SQ-2026-001",
        department=market,
        officer=wangwu,
        item_codes=[FOOD, HAIR],
        valid_from=date(2026, 12, 1),
        valid_until=date(2026, 12, 31),
        note="首席代表授权",
    )
    assert same.pk == letter.pk
    with pytest.raises(ValidationFailed, match="授权书编号“SCJG-SQ-2026-001”已存在"):
        authorisation_letter_issue(
            actor=market_admin,
            number="SCJG-SQ-2026-001",
            department=market,
            officer=wangwu,
            item_codes=[FOOD],
            valid_from=date(2026, 12, 1),
        )
    assert AuthorisationLetter.objects.count() == 1


def test_who_may_issue(market, wangwu, tax_admin, lisi, zhouba):
    args = {
        "department": market,
        "officer": wangwu,
        "item_codes": [HAIR],
        "valid_from": date(2026, 12, 1),
    }
    for actor in (tax_admin, lisi, wangwu):
        with pytest.raises(PermissionDenied):
            authorisation_letter_issue(actor=actor, number="N1", **args)
    assert not AuthorisationLetter.objects.exists()
    assert authorisation_letter_issue(actor=zhouba, number="N1", **args).pk


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (
            {"valid_from": date(2026, 12, 10), "valid_until": date(2026, 12, 9)},
            "valid_until",
            "失效日期不能早于生效日期",
        ),
        (
            {"valid_from": date(2026, 1, 1), "valid_until": date(2026, 11, 29)},
            "valid_until",
            "失效日期已过，不能签发已失效的授权书",
        ),
        ({"valid_from": None}, "valid_from", "请填写生效日期"),
        ({"valid_from": "2026/12/01"}, "valid_from", "生效日期格式应为YYYY-MM-DD"),
        (
            {"valid_from": datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)},
            "valid_from",
            "生效日期应为日期，不含时间",
        ),
        ({"item_codes": []}, "item_codes", "请至少列出一个授权事项"),
        ({"item_codes": ["  ", ""]}, "item_codes", "请至少列出一个授权事项"),
        ({"number": ""}, "number", "请填写授权书编号"),
    ],
)
def test_bad_letters_write_nothing(market_admin, market, wangwu, extra, field, message):
    args = {
        "number": "N1",
        "department": market,
        "officer": wangwu,
        "item_codes": [HAIR],
        "valid_from": date(2026, 12, 1),
    } | extra
    with pytest.raises(ValidationFailed) as err:
        authorisation_letter_issue(actor=market_admin, **args)
    assert err.value.fields[field] == message
    assert not AuthorisationLetter.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="org.authorisation").exists()


def test_the_officer_must_work_for_the_department(market_admin, market, tax_officer, zhaoliu):
    for officer, name in ((tax_officer, "郑十一"), (zhaoliu, "赵六")):
        with pytest.raises(ValidationFailed) as err:
            authorisation_letter_issue(
                actor=market_admin,
                number="N1",
                department=market,
                officer=officer,
                item_codes=[HAIR],
                valid_from=date(2026, 12, 1),
            )
        assert err.value.fields["officer"] == f"被授权人{name}不是区市场监管局的工作人员"


def test_validity_window(letter, wangwu):
    assert list(deciders_on_the_spot(HAIR, date(2026, 11, 30))) == []
    assert list(deciders_on_the_spot(HAIR, date(2026, 12, 1))) == [wangwu]
    assert list(deciders_on_the_spot(FOOD, date(2026, 12, 31))) == [wangwu]
    assert list(deciders_on_the_spot(HAIR, date(2027, 1, 1))) == []
    assert list(deciders_on_the_spot("no-such-item", date(2026, 12, 15))) == []


def test_open_ended_letters_and_several_deciders(letter, market_admin, market, lisi, wangwu):
    authorisation_letter_issue(
        actor=market_admin,
        number="N2",
        department=market,
        officer=lisi,
        item_codes=[HAIR],
        valid_from=date(2026, 11, 1),
    )
    assert list(deciders_on_the_spot(HAIR, date(2026, 11, 30))) == [lisi]
    assert list(deciders_on_the_spot(HAIR, date(2026, 12, 15))) == [lisi, wangwu]
    assert list(deciders_on_the_spot(HAIR, date(2036, 1, 1))) == [lisi]


def test_revocation_counts_from_its_day(letter, market_admin, wangwu, clock_at):
    clock_at.move_to(datetime(2026, 12, 10, 15, 0, tzinfo=SHANGHAI))
    with pytest.raises(ValidationFailed) as err:
        authorisation_letter_revoke(actor=market_admin, letter=letter, reason=" ")
    assert err.value.fields == {"reason": "请填写撤销原因"}
    authorisation_letter_revoke(actor=market_admin, letter=letter, reason="王五调离窗口")
    letter.refresh_from_db()
    assert letter.revoked_by == market_admin
    assert letter.revocation_reason == "王五调离窗口"
    assert list(deciders_on_the_spot(HAIR, date(2026, 12, 9))) == [wangwu]
    assert list(deciders_on_the_spot(HAIR, date(2026, 12, 10))) == []
    with pytest.raises(ValidationFailed, match="该授权书已于2026年12月10日撤销"):
        authorisation_letter_revoke(actor=market_admin, letter=letter, reason="再次撤销")
    assert AuditEvent.objects.filter(action="org.authorisation_letter_revoked").count() == 1


def test_only_the_granting_side_may_revoke(letter, tax_admin, wangwu):
    for actor in (tax_admin, wangwu):
        with pytest.raises(PermissionDenied):
            authorisation_letter_revoke(actor=actor, letter=letter, reason="越权")
    letter.refresh_from_db()
    assert letter.revoked_at is None


def test_authority_lapses_when_the_officer_leaves(letter, zhouba, market, wangwu):
    day = date(2026, 12, 15)
    assert list(deciders_on_the_spot(HAIR, day)) == [wangwu]
    wangwu.is_active = False
    wangwu.save()
    assert list(deciders_on_the_spot(HAIR, day)) == []
    wangwu.is_active = True
    wangwu.save()
    role_revoke(actor=zhouba, user=wangwu, role=Role.CHIEF_REPRESENTATIVE, department=market)
    assert list(deciders_on_the_spot(HAIR, day)) == []
    assert items_with_on_the_spot_authority(day) == set()


def test_items_with_authority_by_department(letter, zhouba, market, tax, tax_officer):
    tax_item = "511A0200000000-500102000000-000-91110000600037341L-1-00"
    authorisation_letter_issue(
        actor=zhouba,
        number="SW-1",
        department=tax,
        officer=tax_officer,
        item_codes=[tax_item],
        valid_from=date(2026, 12, 1),
    )
    day = date(2026, 12, 2)
    assert items_with_on_the_spot_authority(day) == {HAIR, FOOD, tax_item}
    assert items_with_on_the_spot_authority(day, department=market) == {HAIR, FOOD}
    assert items_with_on_the_spot_authority(day, department=tax) == {tax_item}
    assert items_with_on_the_spot_authority(date(2026, 11, 30)) == set()
    rows = on_the_spot_overview(day, departments=None)
    assert [(r.item_code, r.letter.officer.username) for r in rows] == sorted(
        [(HAIR, "wangwu"), (FOOD, "wangwu"), (tax_item, "zhengshiyi")]
    )


def test_authorisation_rate(market_admin, market, wangwu):
    catalogue = [f"ITEM-{n:03d}" for n in range(20)]
    authorisation_letter_issue(
        actor=market_admin,
        number="R1",
        department=market,
        officer=wangwu,
        item_codes=[*catalogue[:13], "NOT-IN-THE-LIST"],
        valid_from=date(2026, 12, 1),
    )
    assert authorisation_rate(catalogue, date(2026, 12, 1)) == pytest.approx(0.65)
    assert authorisation_rate(catalogue + catalogue[:5], date(2026, 12, 1)) == pytest.approx(0.65)
    assert authorisation_rate(catalogue, date(2026, 11, 30)) == 0.0
    assert authorisation_rate([], date(2026, 12, 1)) == 0.0
    assert authorisation_rate(iter(catalogue[:4]), date(2026, 12, 1)) == 1.0
