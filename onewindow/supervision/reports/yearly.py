"""年考核 the yearly assessment: for each department (and the centre's total) the year's
figures the other reports compute (the same selectors), the public ranking's published
rounds, a composite score out of 100, a grade and the ranking by score (``assessment``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.common import clock
from onewindow.org.models import Department
from onewindow.ratings.rates import Rates, ratio
from onewindow.supervision.reports import assessment
from onewindow.supervision.reports import selectors as sel
from onewindow.supervision.reports.base import (
    Column,
    Report,
    Table,
    case_row,
    pct,
    points,
    ranked,
    rate_values,
)
from onewindow.supervision.reports.periods import Period, cn


def _bad_rate(r: Rates | None) -> float | None:
    return ratio(r.bad, r.ratings) if r else None


def _row(
    conf: assessment.AssessmentConfig,
    f: sel.CaseFigures,
    r: Rates | None,
    places: list[sel.RankingPlace],
) -> dict[str, Any]:
    result = assessment.score(conf, assessment.subscores(f, r, places))
    return {
        **case_row(f),
        **rate_values(r),
        "bad_rate": _bad_rate(r),
        "ranking": "；".join(p.text for p in places) or "—",
        "score": result.score,
        "grade": result.grade,
        **{f"points_{k}": v for k, v in result.points.items()},
    }


def _indicator_columns(conf: assessment.AssessmentConfig) -> list[Column]:
    return [
        Column(f"points_{i.key}", f"{i.label}（{conf.weights[i.key]:g}分）", "score")
        for i in assessment.INDICATORS
    ]


def yearly_assessment(period: Period, departments: QuerySet[Department], scope: str) -> Report:
    conf = assessment.config()
    figures = sel.case_figures(period, departments)
    rates = {r.department_id: r for r in sel.rating_rates(period, departments)}
    places = sel.ranking_places(period, departments)
    rows = [
        _row(conf, f, rates.get(f.department_id), places.get(f.department_id or 0, []))
        for f in figures
    ]
    ordered = ranked(rows, "score")
    t = sel.total(figures)
    overall = sel.rating_total(period, departments)
    centre = {**_row(conf, t, overall, []), "rank": None, "ranking": "—"}
    grades = [g for _k, g in assessment.GRADE_NAMES] + [assessment.FAIL]
    counts = {g: sum(1 for r in rows if r["grade"] == g) for g in grades}

    report = Report("year", period, scope, clock.now())
    report.summary = [
        (_("综合得分（合计）"), points(centre["score"])),
        (_("受理件数"), str(t.accepted)),
        (_("办结件数"), str(t.concluded)),
        (_("按时办结率"), pct(t.on_time_rate)),
        (_("超法定时限办结"), str(t.legal_late)),
        (_("新增红灯"), str(t.new_reds)),
        (_("满意率"), pct(overall.satisfaction_rate)),
        (_("差评整改率"), pct(overall.rectification_rate)),
        (_("回访率"), pct(overall.callback_rate)),
        (_("投诉答复率"), pct(overall.complaint_response_rate)),
        (_("优秀/良好/合格/不合格"), "/".join(str(counts[g]) for g in grades)),
    ]
    score_columns = [
        Column("rank", _("名次"), "int"),
        Column("department", _("部门")),
        Column("score", _("综合得分"), "score"),
        Column("grade", _("等级")),
        Column("on_time_rate", _("按时办结率"), "rate"),
        Column("satisfaction_rate", _("满意率"), "rate"),
        Column("rectification_rate", _("整改率"), "rate"),
        Column("callback_rate", _("回访率"), "rate"),
        Column("complaint_response_rate", _("投诉答复率"), "rate"),
        Column("ranking", _("群众评议名次（得票）")),
    ]
    figure_columns = [
        Column("department", _("部门")),
        Column("accepted", _("受理件数"), "int"),
        Column("concluded", _("办结件数"), "int"),
        Column("on_time_rate", _("按时办结率"), "rate"),
        Column("legal_late", _("超法定时限办结"), "int"),
        Column("new_reds", _("新增红灯"), "int"),
        Column("overdue_open", _("期末超期未办结"), "int"),
        Column("ratings", _("评价数"), "int"),
        Column("satisfaction_rate", _("满意率"), "rate"),
        Column("bad", _("差评数"), "int"),
        Column("bad_rate", _("差评率"), "rate"),
        Column("rectifications", _("整改件数"), "int"),
        Column("rectification_rate", _("整改率"), "rate"),
        Column("callback_rate", _("回访率"), "rate"),
        Column("complaints", _("投诉件数"), "int"),
        Column("complaint_response_rate", _("投诉答复率"), "rate"),
    ]
    report.tables = [
        Table(
            "考核排名",
            _("各部门年度考核综合得分与等级"),
            score_columns,
            [*ordered, centre],
            _(
                "按综合得分从高到低排名，得分相同的部门名次并列；没有任何考核数据的部门不评定等级，"
                "排在最后。“合计”为统计范围内各部门合并计算，不参加排名。"
            ),
        ),
        Table("年度指标", _("各部门年度办件与评价情况"), figure_columns, [*rows, centre]),
        Table(
            "得分明细",
            _("各项指标得分（无考核数据的指标，其权重按比例分配给其他指标）"),
            [
                Column("department", _("部门")),
                *_indicator_columns(conf),
                Column("score", _("综合得分"), "score"),
            ],
            [*rows, centre],
        ),
        _ranking_table(places, {d.pk: d.name for d in departments}),
        Table(
            "评分办法",
            _("评分办法"),
            [
                Column("indicator", _("指标")),
                Column("weight", _("权重（分）"), "score"),
                Column("method", _("计分方法")),
            ],
            [
                {"indicator": i.label, "weight": conf.weights[i.key], "method": i.method}
                for i in assessment.INDICATORS
            ],
            _(
                "等级：优秀 ≥ {excellent:g} 分，良好 ≥ {good:g} 分，合格 ≥ {passing:g} 分，"
                "其余为不合格。"
            ).format(
                excellent=conf.grades["EXCELLENT"],
                good=conf.grades["GOOD"],
                passing=conf.grades["PASS"],
            ),
        ),
    ]
    report.notes.append(
        _(
            "各项数字按事件发生时间统计至期末（年度未结束时统计至生成时）；差评整改、回访和投诉"
            "答复按期末时的状态计算，期末之后才办结的不计入本年度。"
        )
    )
    return report


def _ranking_table(places: dict[int, list[sel.RankingPlace]], names: dict[int, str]) -> Table:
    found = sorted(
        ((p, department_id) for department_id, ps in places.items() for p in ps),
        key=lambda x: (x[0].published_on, x[0].round_id, x[0].rank, names.get(x[1], "")),
    )
    rows = [
        {
            "round": p.round_title,
            "published": cn(p.published_on),
            "department": names.get(department_id, ""),
            "rank": p.rank,
            "offices": p.offices,
            "votes": p.votes,
            "marks": p.score,
            "outcome": "约谈、曝光整改" if p.talk else "曝光整改" if p.exposed else "—",
        }
        for p, department_id in found
    ]
    return Table(
        "群众评议",
        _("年内公布的“最难办事科室群众评”结果（名次 1 为最难办）"),
        [
            Column("round", _("评议")),
            Column("published", _("公布日期")),
            Column("department", _("部门")),
            Column("rank", _("名次"), "int"),
            Column("offices", _("参评科室数"), "int"),
            Column("votes", _("得票"), "int"),
            Column("marks", _("问题标记数"), "int"),
            Column("outcome", _("结果运用")),
        ],
        rows,
        _("一个部门有多个科室参评时，取其排名最靠前（最难办）的科室的名次，得票为各科室之和。"),
    )
