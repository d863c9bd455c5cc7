"""Known data → known figures, for the four reports; a past period does not change when
later things happen."""

from __future__ import annotations

import pytest

from onewindow.cases.services.delivery import case_conclude
from onewindow.org.models import Department
from onewindow.ratings.services import rate_case
from onewindow.supervision.reports.build import build
from onewindow.supervision.reports.periods import parse
from tests.supervision_reports.conftest import HYGIENE, at, case_with, end_of, row_of

pytestmark = pytest.mark.django_db

HEALTH, MARKET_DEPT = "区卫生健康委", "区市场监管局"


def report(kind: str, key: str):
    return build(
        kind, parse(kind, key), Department.objects.filter(is_active=True), centre_wide=True
    )


def figures(r, table: str):
    return [{k: v for k, v in row.items() if k != "dispatch"} for row in r.table(table).rows]


def test_the_demo_has_nothing_in_march_2026(people):
    month = report("month", "2026-03")
    assert all(r["concluded"] == 0 and r["new_reds"] == 0 for r in month.table("部门排名").rows)


def test_monthly_bulletin_ranks_departments_by_on_time_rate(march):
    r = report("month", "2026-03")
    table = r.table("部门排名")
    market, health = row_of(table, MARKET_DEPT), row_of(table, HEALTH)
    assert (market["rank"], market["concluded"], market["on_time"]) == (1, 3, 2)
    assert market["on_time_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert market["legal_late"] == 1
    assert (health["rank"], health["concluded"], health["on_time"]) == (2, 2, 1)
    assert health["on_time_rate"] == 0.5
    assert (health["accepted"], health["new_reds"], health["overdue_open"]) == (4, 2, 1)
    assert (health["ratings"], health["bad"], health["rectifications"]) == (1, 1, 1)
    assert health["satisfaction_rate"] == 0.0
    assert health["rectification_rate"] == 0.0
    # departments without concluded cases come last, sharing a rank
    others = [row for row in table.rows if row["department"] not in (HEALTH, MARKET_DEPT)]
    assert others
    assert all(row["on_time_rate"] is None and row["rank"] == 3 for row in others)
    assert dict(r.summary)["按时办结率"] == "60.00%"  # 3 of 5


def test_daily_scan_lists_new_reds_and_overdue_rectifications(march):
    day = report("day", "2026-03-05")
    assert [row["number"] for row in day.table("新增红灯").rows] == [march["h2"].number]
    assert day.table("超期整改").rows == []
    end = report("day", "2026-03-31")
    assert end.table("新增红灯").rows == []
    assert [row["department"] for row in end.table("超期整改").rows] == [HEALTH]
    assert dict(end.summary)["日终超期未办结"] == "1"  # h3


def test_weekly_dispatch_flags_departments_to_chase(march):
    week = report("week", "2026-W10")  # 2-8 March
    rows = {row["department"]: row for row in week.table("部门调度").rows}
    assert (rows[HEALTH]["accepted"], rows[HEALTH]["concluded"], rows[HEALTH]["new_reds"]) == (
        2,
        1,
        1,
    )
    assert rows[HEALTH]["overdue_open"] == 1  # h2, still open on Sunday 8 March
    assert rows[HEALTH]["dispatch"] == "督办"
    assert (rows[MARKET_DEPT]["accepted"], rows[MARKET_DEPT]["new_reds"]) == (3, 1)
    # by promised deadline: h2 (5 March), m3 (6 March)
    assert [row["number"] for row in week.table("超期办件").rows] == [
        march["h2"].number,
        march["m3"].number,
    ]


def test_quarterly_analysis_trends_by_month(march):
    q = report("quarter", "2026-Q1")
    trend = {row["month"]: row for row in q.table("月度趋势").rows}
    assert list(trend) == ["2026年1月", "2026年2月", "2026年3月"]
    assert trend["2026年3月"]["concluded"] == 5
    assert trend["2026年3月"]["on_time_rate"] == 0.6
    assert trend["2026年1月"]["concluded"] == 0
    assert trend["2026年1月"]["on_time_rate"] is None
    health = row_of(q.table("部门分析"), HEALTH)
    assert health["previous_on_time_rate"] is None
    assert health["change"] is None


def test_a_past_period_is_unchanged_by_later_events(people, march):
    before = {
        kind: figures(report(kind, key), table)
        for kind, key, table in [
            ("month", "2026-03", "部门排名"),
            ("day", "2026-03-25", "新增红灯"),
            ("week", "2026-W13", "部门调度"),
        ]
    }
    # April: h3 is concluded and rated badly, a new case is accepted and concluded late.
    case_conclude(
        actor=people["admin"], case=march["h3"], delivery_method="window", now=at(2026, 4, 7)
    )
    case_with(people, HYGIENE, at(2026, 4, 1), end_of(2026, 4, 2), concluded=at(2026, 4, 9))
    rate_case(
        actor=people["zhangsan"], case=march["h3"], level=2, comment="超期", now=at(2026, 4, 8)
    )
    after = {
        kind: figures(report(kind, key), table)
        for kind, key, table in [
            ("month", "2026-03", "部门排名"),
            ("day", "2026-03-25", "新增红灯"),
            ("week", "2026-W13", "部门调度"),
        ]
    }
    assert after == before
    # ... while April's figures do see them
    april = row_of(report("month", "2026-04").table("部门排名"), HEALTH)
    assert (april["concluded"], april["on_time"], april["bad"]) == (3, 1, 1)
