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
