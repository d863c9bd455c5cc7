"""The rates of the board, on known data: participation, satisfaction, bad ratings,
defaults counted apart, rectification and call-back rates, overdue rectifications,
complaint response rate — per department and overall, set-based (a fixed number of
queries whatever the number of rows)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from onewindow.org.models import Department
from onewindow.ratings.rates import rates_by_department, rates_overall, ratio
from onewindow.ratings.services import (
    complaint_respond,
    complaint_submit,
    rate_case,
    rectification_appeal,
    rectification_call_back,
    rectification_close,
    rectification_decide_appeal,
    rectification_rectify,
)
from tests.ratings.conftest import MARKET, at, concluded_case

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
NOW = at(2026, 4, 1, 10)


@pytest.fixture
def march(people: dict[str, Any]) -> dict[str, Department]:
    zs, hanmei, zhaoliu = (people[n] for n in ("zhangsan", "hanmei", "zhaoliu"))
    rated = at(2026, 3, 3)

    def case(when: Any = None, item: str | None = None) -> Any:
        kw = {"item": item} if item else {}
        return concluded_case(people, when=when or at(2026, 3, 2), **kw)

    # 区卫生健康委: five concluded cases.
    rate_case(actor=zs, case=case(), level=5, now=rated)
    rate_case(actor=zs, case=case(), level=3, now=rated)
    bad = rate_case(actor=zs, case=case(), level=1, comment="很慢", now=rated).rectification
    rectification_rectify(
        actor=hanmei, rectification=bad, finding="true", finding_reason="属实", action="整改"
    )
    rectification_call_back(actor=hanmei, rectification=bad, result="satisfied")
    rectification_close(actor=zhaoliu, rectification=bad, now=at(2026, 3, 10))
    case()  # unrated: its rating period ended on 9 March → a default rating
    voided = rate_case(actor=zs, case=case(), level=1, comment="乱评", now=rated).rectification
    rectification_appeal(actor=hanmei, rectification=voided, reason="误评")
    rectification_decide_appeal(actor=zhaoliu, rectification=voided, uphold=True, note="成立")
    health = voided.department
    c1 = complaint_submit(
        actor=zs, about="department", content="态度差", department=health, now=at(2026, 3, 4)
    )
    complaint_respond(actor=hanmei, complaint=c1, response="已整改", now=at(2026, 3, 5))

    # 区市场监管局: two concluded cases.
    m_bad = rate_case(
        actor=zs, case=case(item=MARKET), level=2, comment="材料要求不清", now=rated
    ).rectification
    case(when=at(2026, 3, 31), item=MARKET)  # unrated, still inside its rating period
    market = m_bad.department
    complaint_submit(
        actor=zs, about="department", content="无人接听", department=market, now=at(2026, 3, 4)
    )
    # Outside the period: not counted.
    rate_case(
        actor=zs, case=case(when=at(2026, 2, 24)), level=1, comment="二月", now=at(2026, 2, 25)
    )
    return {"health": health, "market": market}


def test_rates_per_department_and_overall(
    march: dict[str, Department], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        rows = {r.department_id: r for r in rates_by_department(*MARCH, now=NOW)}
    h, m = rows[march["health"].pk], rows[march["market"].pk]
    assert (h.concluded, h.rated, h.defaulted) == (5, 4, 1)
    assert (h.ratings, h.satisfied, h.bad) == (3, 2, 1)  # the voided rating does not count
    assert h.level_counts == {5: 1, 3: 1, 1: 1}
    assert (h.rectifications, h.rectified, h.called_back, h.overdue_rectifications) == (1, 1, 1, 0)
    assert (h.complaints, h.complaints_responded, h.complaints_on_time) == (1, 1, 1)
    assert h.participation_rate == 0.8
    assert h.satisfaction_rate == 0.6667
    assert (h.rectification_rate, h.callback_rate, h.complaint_response_rate) == (1.0, 1.0, 1.0)

    assert (m.concluded, m.rated, m.defaulted) == (2, 1, 0)
    assert (m.ratings, m.satisfied, m.bad) == (1, 0, 1)
    # Opened 3 March, due 24 March, still open on 1 April: overdue.
    assert (m.rectifications, m.rectified, m.called_back, m.overdue_rectifications) == (1, 0, 0, 1)
    assert (m.complaints, m.complaints_responded, m.overdue_complaints) == (1, 0, 1)
    assert (m.satisfaction_rate, m.rectification_rate, m.callback_rate) == (0.0, 0.0, 0.0)
    assert m.complaint_response_rate == 0.0

    quiet = [r for pk, r in rows.items() if pk not in (h.department_id, m.department_id)]
    assert all(r.concluded == r.ratings == 0 and r.satisfaction_rate is None for r in quiet)

    total = rates_overall(*MARCH, now=NOW)
    assert (total.concluded, total.rated, total.defaulted, total.ratings) == (7, 5, 1, 4)
    assert (total.bad, total.rectifications, total.rectified, total.overdue_rectifications) == (
        2,
        2,
        1,
        1,
    )
    assert total.satisfaction_rate == 0.5
    assert total.rectification_rate == total.callback_rate == 0.5
    assert total.complaint_response_rate == 0.5
    # One department only.
    only = rates_overall(*MARCH, departments=Department.objects.filter(pk=h.department_id), now=NOW)
    assert only.as_dict()["participation_rate"] == 0.8


def test_the_default_moves_with_time(march: dict[str, Department]) -> None:
    # On 10 April the case concluded on 31 March is past its period (ended 8 April).
    later = {r.department_id: r for r in rates_by_department(*MARCH, now=at(2026, 4, 10))}
    assert later[march["market"].pk].defaulted == 1
    # On 5 March, nothing of March has defaulted yet.
    early = {r.department_id: r for r in rates_by_department(*MARCH, now=at(2026, 3, 5))}
    assert early[march["health"].pk].defaulted == 0


def test_ratio() -> None:
    assert ratio(0, 0) is None
    assert ratio(2, 3) == 0.6667
    assert ratio(3, 3) == 1.0


# ------------------------------------------------------------------------------- as_of

END_OF_MARCH = at(2026, 3, 31, 23, 59).replace(second=59)


@pytest.fixture
def finished_later(people: dict[str, Any]) -> dict[str, Any]:
    """March 2026 at 区卫生健康委, each thing finished in April:

    * a 非常不满意 (3 Mar): rectified 5 Mar, called back 6 Mar, closed 20 April;
    * a 不满意 (4 Mar): rectified and called back 9 April, closed 10 April;
    * a 非常不满意 (4 Mar) appealed, the appeal upheld 15 April (voided then);
    * a complaint (4 Mar) answered 10 April;
    * a case concluded 30 March, rated 5 (满意) on 2 April.
    """
    zs, hanmei, zhaoliu = (people[n] for n in ("zhangsan", "hanmei", "zhaoliu"))

    def bad(level: int, when: Any) -> Any:
        case = concluded_case(people, when=at(2026, 3, 2))
        return rate_case(actor=zs, case=case, level=level, comment="差", now=when).rectification

    first = bad(1, at(2026, 3, 3))
    rectification_rectify(
        actor=hanmei,
        rectification=first,
        finding="true",
        finding_reason="属实",
        action="整改",
        now=at(2026, 3, 5),
    )
    rectification_call_back(
        actor=hanmei, rectification=first, result="satisfied", now=at(2026, 3, 6)
    )
    rectification_close(actor=zhaoliu, rectification=first, now=at(2026, 4, 20))
    second = bad(2, at(2026, 3, 4))
    rectification_rectify(
        actor=hanmei,
        rectification=second,
        finding="true",
        finding_reason="属实",
        action="整改",
        now=at(2026, 4, 9),
    )
    rectification_call_back(
        actor=hanmei, rectification=second, result="basic", now=at(2026, 4, 9, 15)
    )
    rectification_close(actor=zhaoliu, rectification=second, now=at(2026, 4, 10))
    voided = bad(1, at(2026, 3, 4))
    rectification_appeal(actor=hanmei, rectification=voided, reason="误评", now=at(2026, 3, 5))
    rectification_decide_appeal(
        actor=zhaoliu, rectification=voided, uphold=True, note="成立", now=at(2026, 4, 15)
    )
    complaint = complaint_submit(
        actor=zs,
        about="department",
        content="态度差",
        department=first.department,
        now=at(2026, 3, 4),
    )
    complaint_respond(actor=hanmei, complaint=complaint, response="已整改", now=at(2026, 4, 10))
    late_rated = concluded_case(people, when=at(2026, 3, 30))
    rate_case(actor=zs, case=late_rated, level=4, now=at(2026, 4, 2))
    return {"health": first.department}


def test_as_of_reads_the_states_of_that_instant(finished_later: dict[str, Any]) -> None:
    health = Department.objects.filter(pk=finished_later["health"].pk)
    (then,) = rates_by_department(*MARCH, departments=health, as_of=END_OF_MARCH)
    # At the end of March: three bad ratings (the appeal was upheld only in April), three
    # rectifications, none closed, one called back; the complaint not answered yet; the
    # case concluded on 30 March not rated yet (and its rating period still running).
    assert (then.concluded, then.rated, then.defaulted) == (4, 3, 0)
    assert (then.ratings, then.satisfied, then.bad) == (3, 0, 3)
    assert (then.rectifications, then.rectified, then.called_back) == (3, 0, 1)
    assert (then.rectification_rate, then.callback_rate) == (0.0, 0.3333)
    # due 24-25 March (15 working days), none finished on 31 March
    assert then.overdue_rectifications == 3
    assert (then.complaints, then.complaints_responded, then.complaint_response_rate) == (1, 0, 0)
    assert then.overdue_complaints == 1  # due 11 March

    # Today (no as_of): the current states, as the board shows them.
    (now,) = rates_by_department(*MARCH, departments=health)
    assert (now.concluded, now.rated) == (4, 4)  # the case rated on 2 April counts as rated
    # ... but its rating was given in April: March's ratings are the two bad ones left (the
    # voided one is out).
    assert (now.ratings, now.bad, now.satisfied) == (2, 2, 0)
    assert (now.rectifications, now.rectified, now.called_back) == (2, 2, 2)
    assert (now.rectification_rate, now.callback_rate) == (1.0, 1.0)
    assert now.overdue_rectifications == 2  # both closed after their deadlines
    assert (now.complaints_responded, now.complaint_response_rate) == (1, 1.0)
    assert (now.complaints_on_time, now.overdue_complaints) == (0, 0)

    # In between (12 April): the second closed, the first not yet; the voided one still in.
    (mid,) = rates_by_department(*MARCH, departments=health, as_of=at(2026, 4, 12))
    assert (mid.rectifications, mid.rectified, mid.called_back) == (3, 1, 2)
    assert mid.complaints_responded == 1
    # The overall figures follow the same instant.
    total = rates_overall(*MARCH, departments=health, as_of=END_OF_MARCH)
    assert (total.rectifications, total.rectified, total.called_back) == (3, 0, 1)


def test_as_of_counts_only_what_was_there(finished_later: dict[str, Any]) -> None:
    health = Department.objects.filter(pk=finished_later["health"].pk)
    # 3 March 12:00: one rating given, nothing else yet.
    (early,) = rates_by_department(*MARCH, departments=health, as_of=at(2026, 3, 3, 12))
    assert (early.ratings, early.rectifications, early.complaints) == (1, 1, 0)
    assert (early.rectified, early.called_back, early.overdue_rectifications) == (0, 0, 0)
