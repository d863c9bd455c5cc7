"""Both clocks of a case through acceptance, special procedures and corrections, on the
real 2026 calendar (Spring Festival 2026-02-15..02-23, makeup working days 02-14 and 02-28)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from onewindow.cases.deadlines import end_of_day
from onewindow.cases.models import Case, SuspensionKind
from onewindow.cases.services.processing import (
    case_correction_supplied,
    case_resume,
    case_return_for_correction,
    case_suspend,
)
from onewindow.cases.states import CaseStatus
from onewindow.catalog.models import ItemVersion, LimitUnit
from onewindow.workdays.selectors import get_calendar
from tests.cases.test_processing_support import SH, accepted_case, at, media_root, reload  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def eod(y: int, m: int, d: int) -> datetime:
    return end_of_day(date(y, m, d))


def test_the_calendar_has_the_2026_spring_festival() -> None:
    cal = get_calendar()
    assert cal.is_workday(date(2026, 2, 13))
    assert cal.is_workday(date(2026, 2, 14))  # Saturday, makeup
    assert not any(cal.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert cal.is_workday(date(2026, 2, 24))
    assert cal.is_workday(date(2026, 2, 28))  # Saturday, makeup
    assert not cal.is_workday(date(2026, 3, 1))


@pytest.fixture
def eve_case(hygiene_licence: ItemVersion, people: dict[str, Any]) -> Case:
    """公共场所卫生许可证核发 (3 promised / 20 legal working days) accepted by 李四 on the
    eve of the holiday, Friday 2026-02-13."""
    assert (hygiene_licence.promised_limit, hygiene_licence.legal_limit) == (3, 20)
    return accepted_case(
        hygiene_licence, people["zhangsan"], people["lisi"], when=at(2026, 2, 13, 15, 0)
    )


def test_accepted_on_the_eve_of_spring_festival(eve_case: Case) -> None:
    # Counting starts the next day: 02-14 (makeup) is day 1, 02-24 day 2, 02-25 day 3.
    assert eve_case.status == CaseStatus.IN_DECISION
    assert eve_case.promised_due_at == eod(2026, 2, 25)
    # ... 02-27 day 5, 02-28 (makeup) day 6, 03-02..06 days 7-11, 03-09..13 days 12-16,
    # 03-16..19 days 17-20.
    assert eve_case.legal_due_at == eod(2026, 3, 19)
    assert eve_case.deadlines_provisional is False
    assert eve_case.suspended_workdays == 0


def test_a_suspension_across_a_makeup_day_extends_both_deadlines_exactly(
    eve_case: Case, people: dict[str, Any]
) -> None:
    hanmei = people["hanmei"]
    case_suspend(
        actor=hanmei,
        case=eve_case,
        kind=SuspensionKind.SITE_INSPECTION,
        reason="需现场核查经营场所卫生条件",
        expected_days=3,
        now=at(2026, 2, 14, 9, 30),  # the makeup Saturday: the centre is open
    )
    eve_case = reload(eve_case)
    assert eve_case.status == CaseStatus.SUSPENDED
    assert eve_case.promised_due_at is None
    assert eve_case.legal_due_at is None
    # The holiday passes; the clock stays stopped.
    case_resume(actor=hanmei, case=eve_case, now=at(2026, 2, 25, 9, 0))
    eve_case = reload(eve_case)
    assert eve_case.status == CaseStatus.IN_DECISION
    # Not counted: 02-14 (makeup) and 02-24, the working days from the day of suspension up
    # to the day before resumption. Both deadlines move by exactly 2 working days.
    assert eve_case.suspended_workdays == 2
    assert eve_case.promised_due_at == eod(2026, 2, 27)  # was 02-25
    assert eve_case.legal_due_at == eod(2026, 3, 23)  # was 03-19 (Thu) → Fri 20, Mon 23


def test_due_dates_come_back_exactly_after_a_correction(
    eve_case: Case, people: dict[str, Any]
) -> None:
    case_return_for_correction(
        actor=people["hanmei"],
        case=eve_case,
        reasons=["卫生检测报告检测日期已超过一年"],
        now=at(2026, 2, 26, 10, 0),
    )
    eve_case = reload(eve_case)
    assert eve_case.status == CaseStatus.RETURNED
    # The legal clock stops; the promised deadline (02-25) had already passed when the
    # clock stopped, so it stands (and the case stays overdue against it).
    assert eve_case.legal_due_at is None
    assert eve_case.promised_due_at == eod(2026, 2, 25)
    # 张三 supplies it on Monday 03-02: 02-26, 02-27 and 02-28 (makeup) are not counted.
    case_correction_supplied(actor=people["zhangsan"], case=eve_case, now=at(2026, 3, 2, 9, 0))
    eve_case = reload(eve_case)
    assert eve_case.status == CaseStatus.IN_DECISION
    assert eve_case.suspended_workdays == 3
    assert eve_case.legal_due_at == eod(2026, 3, 24)
    assert eve_case.promised_due_at == eod(2026, 2, 25)


def test_resumed_on_the_day_of_suspension_excludes_nothing(
    eve_case: Case, people: dict[str, Any]
) -> None:
    hanmei = people["hanmei"]
    case_suspend(
        actor=hanmei,
        case=eve_case,
        kind=SuspensionKind.EXPERT_REVIEW,
        reason="组织专家评审",
        now=at(2026, 2, 24, 9, 0),
    )
    case_resume(actor=hanmei, case=eve_case, now=at(2026, 2, 24, 16, 0))
    eve_case = reload(eve_case)
    assert eve_case.suspended_workdays == 0
    assert eve_case.legal_due_at == eod(2026, 3, 19)


def test_an_hour_limited_item_accepted_at_half_past_eleven_is_due_at_two(
    people: dict[str, Any],
) -> None:
    version = ItemVersion.objects.get(
        status="published", limit_unit=LimitUnit.WORKING_HOUR, name__contains="存量房"
    )
    assert version.promised_limit == 1
    case = accepted_case(version, people["zhangsan"], people["lisi"], when=at(2026, 3, 2, 11, 30))
    assert case.limit_unit == LimitUnit.WORKING_HOUR
    # 30 minutes before the lunch break (12:00-13:30), 30 after.
    assert case.promised_due_at == datetime(2026, 3, 2, 14, 0, tzinfo=SH)
    assert case.legal_due_at is not None
    assert case.legal_due_at > case.promised_due_at
