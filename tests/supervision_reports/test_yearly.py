"""年考核: the yearly assessment on the March 2026 cases of the conftest, a 满意 rating and an
answered complaint of 区市场监管局 and one published round of the public ranking, built on
1 July 2026 (the year not over: "截至2026年7月1日"; the demo's own ratings, made later, do not
count). The scores are computed by hand below from the default weights.

区卫生健康委: accepted 4, concluded 3 (h1, h4 on time; h2 late, also past its legal limit),
  new reds 2 (h2, h3), overdue at the end 1 (h3); one 非常不满意 whose rectification is not
  closed; no complaint; ranked 1st in the round (约谈).
区市场监管局: accepted 3, concluded 3 (m3 late and past its legal limit), new reds 1 (m3);
  one 非常满意, a complaint answered the next day; its two sections tie 2nd (曝光整改).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from onewindow.org.models import Department
from onewindow.ranking import services as ranking
from onewindow.ranking.models import RoundOffice
from onewindow.ratings.services import complaint_respond, complaint_submit, rate_case
from onewindow.supervision.reports import assessment
from onewindow.supervision.reports.build import build
from onewindow.supervision.reports.periods import parse
from tests.ranking.conftest import voter
from tests.supervision_reports.conftest import at, row_of

pytestmark = pytest.mark.django_db

HEALTH, MARKET_DEPT = "区卫生健康委", "区市场监管局"
BUILT_AT = at(2026, 7, 1, 10)


def r4(x: float) -> float:
    """Rates are rounded to 4 places before they are weighted."""
    return round(x, 4)


@pytest.fixture
def year(people: dict[str, Any], march: dict[str, Any]) -> dict[str, Any]:
    zs = people["zhangsan"]
    rate_case(actor=zs, case=march["m1"], level=5, now=at(2026, 3, 6))
    market = Department.objects.get(name=MARKET_DEPT)
    health = Department.objects.get(name=HEALTH)
    complaint = complaint_submit(
        actor=zs, about="department", content="电话无人接听", department=market, now=at(2026, 3, 9)
    )
    complaint_respond(
        actor=people["sunli"], complaint=complaint, response="已安排专人值守", now=at(2026, 3, 10)
    )
    wumin = people["wumin"]
    r = ranking.round_create(
        actor=wumin,
        title="2026年上半年最难办事科室群众评",
        period_start=date(2026, 5, 1),
        period_end=date(2026, 5, 31),
        offices=[(health, ""), (market, "登记注册科"), (market, "食品经营许可科")],
        exposed_count=2,
        talk_count=1,
        now=at(2026, 4, 28),
    )
    ranking.round_open(round=r, actor=wumin, now=at(2026, 5, 1))
    offices = {o.section: o.pk for o in RoundOffice.objects.filter(round=r)}

    def vote(n: int, section: str, *categories: str) -> None:
        choice = ranking.Choice(office_id=offices[section], categories=categories)
        ranking.vote_cast(round=r, resident_id=voter(n), choices=[choice], now=at(2026, 5, 3))

    vote(1, "", "cold", "lazy")
    vote(2, "", "shirk")
    vote(3, "登记注册科", "lazy")
    vote(4, "食品经营许可科", "cold")
    ranking.round_close(round=r, actor=wumin, now=at(2026, 6, 1))
    ranking.round_publish(round=r, actor=wumin, now=at(2026, 6, 15))
    return {"round": r}


def year_report(key: str = "2026", departments: Any = None) -> Any:
    departments = departments or Department.objects.filter(is_active=True)
    return build("year", parse("year", key), departments, centre_wide=True)


def expected_health() -> float:
    # on time 2/3, legal 2/3, reds 1 − 2/4, satisfaction 0, rectification 0, call-back 0,
    # ranking 0 (约谈); no complaint: its 5 points are shared out (95 counted).
    earned = 30 * r4(2 / 3) + 10 * r4(2 / 3) + 10 * 0.5 + 20 * 0 + 10 * 0 + 5 * 0 + 10 * 0
    return round(100 * earned / 95, 2)


def expected_market() -> float:
    # on time 2/3, legal 2/3, reds 1 − 1/3, satisfaction 1, complaint 1, ranking 0.5
    # (曝光整改); no bad rating: rectification and call-back (15 points) shared out.
    earned = 30 * r4(2 / 3) + 10 * r4(2 / 3) + 10 * r4(2 / 3) + 20 * 1 + 5 * 1 + 10 * 0.5
    return round(100 * earned / 85, 2)


def expected_centre() -> float:
    # 7 accepted, 6 concluded (4 on time, 2 past the legal limit), 3 new reds; 2 ratings (1
    # satisfied), 1 rectification open, 1 complaint answered; no ranking for the centre.
    earned = 30 * r4(4 / 6) + 10 * r4(4 / 6) + 10 * r4(1 - 3 / 7) + 20 * 0.5 + 5 * 1
    return round(100 * earned / 90, 2)


def test_the_hand_computed_scores_grades_and_ranking(year: dict[str, Any]) -> None:
    assert (expected_health(), expected_market(), expected_centre()) == (33.33, 74.51, 52.65)
    with time_machine.travel(BUILT_AT, tick=False):
        report = year_report()
    assert report.title == "政务服务年度考核（2026年度，截至2026年7月1日）"
    ranking_table = report.table("考核排名")
    market, health = row_of(ranking_table, MARKET_DEPT), row_of(ranking_table, HEALTH)
    assert (market["rank"], market["score"], market["grade"]) == (1, expected_market(), "合格")
    assert (health["rank"], health["score"], health["grade"]) == (2, expected_health(), "不合格")
    assert market["ranking"] == "2026年上半年最难办事科室群众评：第2名（2票）"
    assert health["ranking"] == "2026年上半年最难办事科室群众评：第1名（2票）"
    # Departments with nothing to assess: no score, no grade, last (sharing the rank).
    quiet = row_of(ranking_table, "区税务局")
    assert (quiet["score"], quiet["grade"], quiet["rank"]) == (None, "—", 3)
    # The centre's total is the last row, outside the ranking.
    centre = ranking_table.rows[-1]
    assert (centre["department"], centre["rank"], centre["score"]) == ("合计", None, 52.65)
    assert [r["department"] for r in ranking_table.rows[:2]] == [MARKET_DEPT, HEALTH]

    figures = report.table("年度指标")
    h = row_of(figures, HEALTH)
    assert (h["accepted"], h["concluded"], h["legal_late"], h["new_reds"]) == (4, 3, 1, 2)
    assert (h["overdue_open"], h["ratings"], h["bad"], h["bad_rate"]) == (1, 1, 1, 1.0)
    assert (h["rectification_rate"], h["callback_rate"], h["complaint_response_rate"]) == (
        0.0,
        0.0,
        None,
    )
    m = row_of(figures, MARKET_DEPT)
    assert (m["accepted"], m["concluded"], m["on_time_rate"], m["legal_late"]) == (
        3,
        3,
        0.6667,
        1,
    )
    assert (m["satisfaction_rate"], m["bad_rate"], m["complaint_response_rate"]) == (1.0, 0.0, 1.0)
    assert m["rectification_rate"] is None

    points = row_of(report.table("得分明细"), MARKET_DEPT)
    assert points["points_satisfaction"] == round(100 * 20 / 85, 2)
    assert points["points_rectification"] is None
    assert points["points_ranking"] == round(100 * 10 * 0.5 / 85, 2)

    places = report.table("群众评议").rows
    assert [(p["department"], p["rank"], p["votes"], p["marks"], p["outcome"]) for p in places] == [
        (HEALTH, 1, 2, 3, "约谈、曝光整改"),
        (MARKET_DEPT, 2, 2, 2, "曝光整改"),
    ]
    summary = dict(report.summary)
    assert summary["综合得分（合计）"] == "52.65"
    assert summary["优秀/良好/合格/不合格"] == "0/0/1/1"


def test_the_weights_and_grades_come_from_the_settings(year: dict[str, Any]) -> None:
    unused = ("legal", "red", "rectification", "callback", "complaint", "ranking")
    conf = {
        "WEIGHTS": {"on_time": 50, "satisfaction": 50, **dict.fromkeys(unused, 0)},
        "GRADES": {"GOOD": 83.5, "PASS": 40},
    }
    with override_settings(SUPERVISION_ASSESSMENT=conf), time_machine.travel(BUILT_AT):
        table = year_report().table("考核排名")
    health, market = row_of(table, HEALTH), row_of(table, MARKET_DEPT)
    # 区卫生健康委: 50 × 0.6667 + 50 × 0; 区市场监管局: 50 × 0.6667 + 50 × 1.
    assert health["score"] == pytest.approx(33.34, abs=0.006)
    assert health["grade"] == "不合格"  # below 40
    assert market["score"] == pytest.approx(83.34, abs=0.006)
    assert market["grade"] == "合格"  # below 83.5
    # A department measured by neither indicator gets no score even with activity elsewhere.
    assert row_of(table, "区税务局")["score"] is None


@pytest.mark.parametrize(
    ("conf", "message"),
    [
        ({"WEIGHTS": {"on_time": 40}}, "各指标权重之和应为 100，现为 110"),
        ({"WEIGHTS": {"on_time": 40, "legal": -10}}, "权重应为不小于 0 的数：legal"),
        ({"WEIGHTS": {"on_time": "30"}}, "权重应为不小于 0 的数：on_time"),
        ({"WEIGHTS": {"speed": 0}}, "未知的考核指标 speed"),
        ({"WEIGHTS": [30, 70]}, "WEIGHTS 应为指标到权重的字典"),
        ({"GRADES": {"GOOD": 95}}, "等级分数线应为 优秀 ≥ 良好 ≥ 合格"),
        ({"GRADES": {"PASS": 120}}, "等级分数线应在 0 到 100 之间：PASS"),
        ({"GRADES": {"FAIR": 70}}, "未知的等级 FAIR"),
        ({"WEIGHT": {}}, "未知的配置项 WEIGHT"),
        ({"MIN_MEASURED": 101}, "MIN_MEASURED 应为 0 到 100 之间的数"),
        ({"MIN_MEASURED": "50"}, "MIN_MEASURED 应为 0 到 100 之间的数"),
    ],
)
def test_bad_settings_are_refused_with_every_problem(conf: dict[str, Any], message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        assessment.validate(conf)
    assert message in str(error.value)


def test_several_problems_are_named_together_and_the_report_refuses_to_build(people: Any) -> None:
    conf = {"WEIGHTS": {"on_time": -1, "nonsense": 3}, "GRADES": {"PASS": 101}}
    with pytest.raises(ImproperlyConfigured) as error:
        assessment.validate(conf)
    text = str(error.value)
    assert "未知的考核指标 nonsense" in text
    assert "权重应为不小于 0 的数：on_time" in text
    assert "等级分数线应在 0 到 100 之间：PASS" in text
    bad = {"WEIGHTS": {"on_time": 31}}
    with override_settings(SUPERVISION_ASSESSMENT=bad), pytest.raises(ImproperlyConfigured):
        year_report("2025")


def test_the_defaults_are_valid_and_sum_to_100() -> None:
    conf = assessment.validate({})
    assert sum(conf.weights.values()) == 100
    assert set(conf.weights) == {i.key for i in assessment.INDICATORS}
    assert [conf.grade(s) for s in (95, 90, 89.99, 80, 60, 59.99, None)] == [
        "优秀",
        "优秀",
        "良好",
        "良好",
        "合格",
        "不合格",
        "—",
    ]


def test_too_little_measured_gives_no_score_but_insufficient_data() -> None:
    conf = assessment.validate({})
    only_satisfaction = dict.fromkeys(assessment.KEYS)
    only_satisfaction["satisfaction"] = 1.0  # one 满意 and nothing else: 20 of 100 points
    result = assessment.score(conf, only_satisfaction)
    assert (result.score, result.grade) == (None, "数据不足")
    # on time (30) + satisfaction (20) reach the default 50: scored, redistributed
    enough = {**only_satisfaction, "on_time": 0.5}
    result = assessment.score(conf, enough)
    assert result.score == 100 * (30 * 0.5 + 20 * 1.0) / 50 == 70
    assert result.grade == "合格"
    lenient = assessment.validate({"MIN_MEASURED": 20})
    assert assessment.score(lenient, only_satisfaction).score == 100.0


def test_a_finished_year_has_no_cut(people: Any) -> None:
    report = year_report("2025")
    assert report.title == "政务服务年度考核（2025年度）"
    assert report.period.complete
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=at(2026, 1, 1).tzinfo)):
        assert "截至2026年12月31日" in year_report().title
