"""The yearly assessment's score (年度考核综合得分): the rules, their settings and the
arithmetic, without queries (the figures come from ``selectors``).

``settings.SUPERVISION_ASSESSMENT`` may override (validated whenever it is read; a bad value
raises ``ImproperlyConfigured`` naming every problem):

* ``WEIGHTS``: points per indicator, merged over ``DEFAULT_WEIGHTS``; each a non-negative
  number, unknown names refused, the sum exactly 100;
* ``MIN_MEASURED``: the points the measured indicators must carry for a score (0..100);
* ``GRADES``: the lowest score of 优秀 / 良好 / 合格 (``EXCELLENT``, ``GOOD``, ``PASS``),
  merged over ``DEFAULT_GRADES``; numbers within 0..100, EXCELLENT ≥ GOOD ≥ PASS; below PASS
  is 不合格.

Each indicator gives a sub-score between 0 and 1, or none when there is nothing to measure
(no concluded case, no rating, no bad rating, no complaint, no published ranking round that
named the department). The score is ``100 × Σ weight × sub-score / Σ weight`` over the
indicators that have a sub-score: the weight of an indicator with nothing to measure is
shared out among the others in proportion, so a department is neither rewarded nor punished
for what did not happen -- but only while the indicators measured carry at least
``MIN_MEASURED`` of the 100 points (default 50): below that (a department with one rating and
nothing else) there is too little to grade, and the department gets no score and the grade
数据不足 (like one with no indicator at all, it comes last in the ranking). Scores are
rounded to 2 decimals; a grade is the highest whose lowest score the score reaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onewindow.ratings.rates import Rates, ratio
from onewindow.supervision.reports.selectors import CaseFigures, RankingPlace


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    method: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("on_time", "按时办结率", "按承诺时限办结件数 ÷ 办结件数"),
    Indicator("legal", "依法按时办结", "1 − 超法定时限办结件数 ÷ 办结件数"),
    Indicator("red", "红灯控制", "1 − 年内新增红灯数 ÷ 受理件数（不低于 0）"),
    Indicator("satisfaction", "满意率", "基本满意及以上的评价 ÷ 评价数（不含申诉成立的评价）"),
    Indicator("rectification", "差评整改率", "已办结的差评整改 ÷ 差评整改件数"),
    Indicator("callback", "回访率", "已回访的差评整改 ÷ 差评整改件数"),
    Indicator("complaint", "投诉答复率", "已答复的投诉 ÷ 投诉件数"),
    Indicator(
        "ranking",
        "群众评议",
        "年内公布的各轮“最难办事科室群众评”：列入约谈 0、列入曝光整改 0.5、其他 1，取平均",
    ),
)
KEYS = tuple(i.key for i in INDICATORS)

DEFAULT_WEIGHTS: dict[str, float] = {
    "on_time": 30,
    "legal": 10,
    "red": 10,
    "satisfaction": 20,
    "rectification": 10,
    "callback": 5,
    "complaint": 5,
    "ranking": 10,
}
DEFAULT_GRADES: dict[str, float] = {"EXCELLENT": 90, "GOOD": 80, "PASS": 60}
GRADE_NAMES = (("EXCELLENT", "优秀"), ("GOOD", "良好"), ("PASS", "合格"))
FAIL = "不合格"
INSUFFICIENT = "数据不足"
DEFAULT_MIN_MEASURED = 50.0
# Sub-score of a department in one ranking round: within talk_count (约谈), within
# exposed_count (公开曝光并整改), otherwise.
RANKING_TALK, RANKING_EXPOSED, RANKING_CLEAR = 0.0, 0.5, 1.0


@dataclass(frozen=True)
class AssessmentConfig:
    weights: dict[str, float]
    grades: dict[str, float]
    min_measured: float = DEFAULT_MIN_MEASURED

    def grade(self, score: float | None) -> str:
        if score is None:
            return "—"
        for key, name in GRADE_NAMES:
            if score >= self.grades[key]:
                return name
        return FAIL


def _number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def validate(conf: Mapping[str, Any]) -> AssessmentConfig:
    """``conf`` (the shape of ``SUPERVISION_ASSESSMENT``) over the defaults, or
    ``ImproperlyConfigured`` listing every problem."""
    problems: list[str] = []
    unknown_keys = sorted(set(conf) - {"WEIGHTS", "GRADES", "MIN_MEASURED"})
    if unknown_keys:
        problems.append(
            f"未知的配置项 {', '.join(unknown_keys)}（可用 WEIGHTS、GRADES、MIN_MEASURED）"
        )
    min_measured = conf.get("MIN_MEASURED", DEFAULT_MIN_MEASURED)
    if not _number(min_measured) or not 0 <= min_measured <= 100:
        problems.append("MIN_MEASURED 应为 0 到 100 之间的数")
        min_measured = DEFAULT_MIN_MEASURED
    given_weights = conf.get("WEIGHTS") or {}
    given_grades = conf.get("GRADES") or {}
    if not isinstance(given_weights, Mapping):
        problems.append("WEIGHTS 应为指标到权重的字典")
        given_weights = {}
    if not isinstance(given_grades, Mapping):
        problems.append("GRADES 应为等级到分数线的字典")
        given_grades = {}
    unknown = sorted(set(given_weights) - set(KEYS))
    if unknown:
        problems.append(f"未知的考核指标 {', '.join(map(str, unknown))}（可用 {', '.join(KEYS)}）")
    weights = {**DEFAULT_WEIGHTS, **{k: v for k, v in given_weights.items() if k in KEYS}}
    bad = [k for k, v in weights.items() if not _number(v) or v < 0]
    if bad:
        problems.append(f"权重应为不小于 0 的数：{', '.join(bad)}")
    elif abs(sum(weights.values()) - 100) > 1e-9:
        problems.append(f"各指标权重之和应为 100，现为 {sum(weights.values()):g}")
    unknown = sorted(set(given_grades) - set(DEFAULT_GRADES))
    if unknown:
        problems.append(f"未知的等级 {', '.join(map(str, unknown))}（可用 EXCELLENT、GOOD、PASS）")
    grades = {**DEFAULT_GRADES, **{k: v for k, v in given_grades.items() if k in DEFAULT_GRADES}}
    bad = [k for k, v in grades.items() if not _number(v) or not 0 <= v <= 100]
    if bad:
        problems.append(f"等级分数线应在 0 到 100 之间：{', '.join(bad)}")
    elif not grades["EXCELLENT"] >= grades["GOOD"] >= grades["PASS"]:
        problems.append("等级分数线应为 优秀 ≥ 良好 ≥ 合格")
    if problems:
        raise ImproperlyConfigured(
            "SUPERVISION_ASSESSMENT 配置有误（Invalid SUPERVISION_ASSESSMENT）："
            + "；".join(problems)
        )
    return AssessmentConfig(
        weights={k: float(weights[k]) for k in KEYS},
        grades={k: float(v) for k, v in grades.items()},
        min_measured=float(min_measured),
    )


def config() -> AssessmentConfig:
    """The settings' rules, validated on every read (a settings change needs no restart)."""
    return validate(getattr(settings, "SUPERVISION_ASSESSMENT", {}) or {})


def ranking_subscore(places: list[RankingPlace]) -> float | None:
    if not places:
        return None
    values = [
        RANKING_TALK if p.talk else RANKING_EXPOSED if p.exposed else RANKING_CLEAR for p in places
    ]
    return round(sum(values) / len(values), 4)


def subscores(
    figures: CaseFigures, rates: Rates | None, places: list[RankingPlace]
) -> dict[str, float | None]:
    """Each indicator's sub-score between 0 and 1 (None: nothing to measure)."""
    concluded = figures.concluded
    red: float | None
    if figures.accepted:
        red = max(0.0, round(1 - figures.new_reds / figures.accepted, 4))
    else:
        red = 0.0 if figures.new_reds else None
    return {
        "on_time": figures.on_time_rate,
        "legal": ratio(concluded - figures.legal_late, concluded),
        "red": red,
        "satisfaction": rates.satisfaction_rate if rates else None,
        "rectification": rates.rectification_rate if rates else None,
        "callback": rates.callback_rate if rates else None,
        "complaint": rates.complaint_response_rate if rates else None,
        "ranking": ranking_subscore(places),
    }


@dataclass
class Score:
    score: float | None
    grade: str
    points: dict[str, float | None]  # points earned per indicator (they add up to the score)


def score(conf: AssessmentConfig, subs: dict[str, float | None]) -> Score:
    counted = {k: w for k, w in conf.weights.items() if w > 0 and subs.get(k) is not None}
    total_weight = sum(counted.values())
    if not total_weight:
        return Score(None, conf.grade(None), dict.fromkeys(KEYS))
    if total_weight < conf.min_measured:
        return Score(None, INSUFFICIENT, dict.fromkeys(KEYS))
    points: dict[str, float | None] = {
        k: (100 * counted[k] * float(subs[k] or 0) / total_weight if k in counted else None)
        for k in KEYS
    }
    value = round(sum(p for p in points.values() if p is not None), 2)
    rounded = {k: None if p is None else round(p, 2) for k, p in points.items()}
    return Score(value, conf.grade(value), rounded)
