"""Permits (the result of one approved case): created on conclusion, approved only, once;
validity from the item's term; expiry by date, recorded once by the daily sweep."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from django.db import transaction

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import BundleCase, Case
from onewindow.cases.signals import case_concluded
from onewindow.licences.models import Permit, PermitTerm
from onewindow.licences.selectors import permit_state, permits_of
from onewindow.licences.services import add_months, permit_issue_for_case, permits_record_expiry
from onewindow.notify.models import Notification
from onewindow.org.models import User
from onewindow.workdays.calendar import SHANGHAI
from tests.cases.conftest import published
from tests.cases.test_processing_support import accepted_case
from tests.licences.conftest import DONE, NOW, finish

pytestmark = pytest.mark.django_db

HYGIENE = "公共场所卫生许可证核发"


def test_each_approved_sub_case_has_exactly_one_permit(
    concluded_barber: BundleCase, users: dict[str, User]
) -> None:
    sub_cases = list(concluded_barber.sub_cases.select_related("item_version", "department"))
    assert len(sub_cases) == 5
    permits = {p.case_id: p for p in Permit.objects.filter(case__in=sub_cases)}
    assert set(permits) == {c.pk for c in sub_cases}
    for case in sub_cases:
        permit = permits[case.pk]
        assert permit.holder_id == case.applicant_id
        assert permit.department_id == case.department_id
        assert permit.name == (case.item_version.result_name or case.item_version.name)
        assert permit.issued_at == DONE
        assert permit.valid_from == date(2026, 12, 2)
        assert permit.valid_until is None  # the demo items have no term: 长期有效
        assert permit_state(permit) == "valid"
    hygiene = next(c for c in sub_cases if c.item_version.name == HYGIENE)
    assert permits[hygiene.pk].holder.name == "张三理发店"
    assert re.fullmatch(r"示卫健证字〔2026〕第\d{6}号", permits[hygiene.pk].number)
    assert AuditEvent.objects.filter(
        action="permit.issued", object_id=str(permits[hygiene.pk].pk)
    ).exists()
    # 我的证照: 张三 acts for himself and for 张三理发店; 钱七 sees none of it.
    assert set(permits_of(users["zhangsan"])) >= set(permits.values())
    assert not set(permits_of(users["qianqi"])) & set(permits.values())


def test_issuing_twice_or_a_second_signal_keeps_one_permit(
    concluded_barber: BundleCase, users: dict[str, User]
) -> None:
    case = concluded_barber.sub_cases.order_by("pk").first()
    assert case is not None
    first = Permit.objects.get(case=case)
    again = permit_issue_for_case(case=case, actor=users["admin"], now=DONE)
    with transaction.atomic():
        case_concluded.send(sender=Case, case=case, actor=users["admin"], approved=True, now=DONE)
    assert again.pk == first.pk
    assert Permit.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action="permit.issued", object_id=str(first.pk)).count() == 1


def test_a_refused_case_gets_no_permit(users: dict[str, User]) -> None:
    case = accepted_case(published(HYGIENE), users["zhangsan"], users["lisi"], when=NOW)
    case = finish(case, users["hanmei"], outcome="refuse", clerk=users["lisi"])
    assert case.status == "concluded"
    assert not Permit.objects.filter(case=case).exists()


def test_the_term_sets_the_validity_and_expiry_reads_at_once_and_is_recorded_once(
    users: dict[str, User],
) -> None:
    version = published(HYGIENE)
    PermitTerm.objects.create(item=version.item, months=48)  # 公共场所卫生许可证: 4 years
    case = accepted_case(version, users["zhangsan"], users["lisi"], when=NOW)
    finish(case, users["hanmei"], clerk=users["lisi"])
    permit = Permit.objects.get(case=case)
    assert permit.valid_from == date(2026, 12, 2)
    assert permit.valid_until == date(2030, 12, 1)
    assert permit_state(permit, date(2030, 12, 1)) == "valid"
    assert permit_state(permit, date(2030, 12, 2)) == "expired"  # by date, before any sweep

    on_last_day = datetime(2030, 12, 1, 23, 0, tzinfo=SHANGHAI)
    assert permits_record_expiry(now=on_last_day) == 0
    next_day = datetime(2030, 12, 2, 1, 0, tzinfo=SHANGHAI)
    assert permits_record_expiry(now=next_day) == 1
    assert permits_record_expiry(now=next_day) == 0  # once
    permit.refresh_from_db()
    assert permit.status == "valid"  # stored status unchanged: expiry is by date
    assert permit.expiry_recorded_at == next_day
    assert AuditEvent.objects.filter(action="permit.expired", object_id=str(permit.pk)).count() == 1
    message = Notification.objects.filter(template="permit.expired", object_id=str(permit.pk))
    assert message.exists()
    assert "2030年12月1日" in message.first().body  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 12, 2), 60, date(2031, 12, 2)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date, **_: Any) -> None:
    assert add_months(start, months) == expected
