"""The cadence reports as plain tables (``Report``, see ``base``), rendered alike as a web
page, a PDF and an Excel workbook: 日扫描 daily scan, 周调度 weekly dispatch, 月通报 monthly
bulletin, 季分析 quarterly analysis, 年考核 yearly assessment (``yearly``)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.common import clock
from onewindow.org.models import Department
from onewindow.supervision.reports import selectors as sel
from onewindow.supervision.reports.base import (
    CASE_COLUMNS,
    FULL_TITLES,
    RATE_COLUMNS,
    TITLES,
    Column,
    Report,
    Table,
    case_list,
    case_row,
    local,
    pct,
    ranked,
    rate_values,
    scope_label,
)
from onewindow.supervision.reports.periods import Period
from onewindow.supervision.reports.yearly import yearly_assessment

__all__ = ["BUILDERS", "FULL_TITLES", "TITLES", "Report", "build", "pct"]


def daily_scan(period: Period, departments: QuerySet[Department], scope: str) -> Report:
    figures = sel.case_figures(period, departments)
    t = sel.total(figures)
    reds = sel.new_reds(period, departments)
    rects = sel.overdue_rectifications(period, departments)
    report = Report("day", period, scope, clock.now())
    report.summary = [
        (_("受理件数"), str(t.accepted)),
        (_("办结件数"), str(t.concluded)),
        (_("新增红灯（超承诺时限）"), str(t.new_reds)),
        (_("日终超期未办结"), str(t.overdue_open)),
        (_("超期未整改的差评"), str(len(rects))),
    ]
    report.tables = [
        case_list("新增红灯", _("新增红灯办件（当日超过承诺时限仍未办结）"), reds, period.hi),
        Table(
            "超期整改",
            _("超期未整改的差评（日终）"),
            [
                Column("department", _("责任部门")),
                Column("opened", _("发起时间")),
                Column("due", _("整改期限")),
                Column("state", _("期末状态")),
            ],
            [
                {
                    "department": r.department.name if r.department is not None else "—",
                    "opened": local(r.opened_at),
                    "due": local(r.due_at),
                    "state": "逾期未办结",
                }
                for r in rects
            ],
        ),
        Table("各部门", _("各部门当日办件"), CASE_COLUMNS, [case_row(f) for f in figures]),
    ]
    return report


def weekly_dispatch(period: Period, departments: QuerySet[Department], scope: str) -> Report:
    figures = sel.case_figures(period, departments)
    rates = {r.department_id: r for r in sel.rating_rates(period, departments)}
    overdue = sel.overdue_open(period, departments)
    rects = sel.overdue_rectifications(period, departments)
    rect_count: dict[int | None, int] = {}
    for r in rects:
        rect_count[r.department_id] = rect_count.get(r.department_id, 0) + 1
    rows = []
    for f in figures:
        row = case_row(f)
        row["bad"] = rates[f.department_id].bad if f.department_id in rates else 0
        row["overdue_rectifications"] = rect_count.get(f.department_id, 0)
        row["dispatch"] = (
            "督办" if f.overdue_open or row["overdue_rectifications"] or f.new_reds else "正常"
        )
        rows.append(row)
    t = sel.total(figures)
    report = Report("week", period, scope, clock.now())
    report.summary = [
        (_("受理件数"), str(t.accepted)),
        (_("办结件数"), str(t.concluded)),
        (_("按时办结率"), pct(t.on_time_rate)),
        (_("本周新增红灯"), str(t.new_reds)),
        (_("周末超期未办结"), str(t.overdue_open)),
        (_("超期未整改的差评"), str(len(rects))),
        (_("需督办部门"), str(sum(1 for r in rows if r["dispatch"] == "督办"))),
    ]
    columns = [
        *CASE_COLUMNS,
        Column("bad", _("差评数"), "int"),
        Column("overdue_rectifications", _("超期未整改"), "int"),
        Column("dispatch", _("调度意见")),
    ]
    report.tables = [
        Table("部门调度", _("各部门本周情况与调度意见"), columns, rows),
        case_list("超期办件", _("周末仍超期未办结的办件（督办清单）"), overdue, period.hi),
    ]
    return report


def monthly_bulletin(period: Period, departments: QuerySet[Department], scope: str) -> Report:
    figures = sel.case_figures(period, departments)
    rates = {r.department_id: r for r in sel.rating_rates(period, departments)}
    rows = [{**case_row(f), **rate_values(rates.get(f.department_id))} for f in figures]
    ordered = ranked(rows, "on_time_rate")
    t = sel.total(figures)
    overall = sel.rating_total(period, departments)
    report = Report("month", period, scope, clock.now())
    report.summary = [
        (_("受理件数"), str(t.accepted)),
        (_("办结件数"), str(t.concluded)),
        (_("按时办结率"), pct(t.on_time_rate)),
        (_("超法定时限办结"), str(t.legal_late)),
        (_("评价数"), str(overall.ratings)),
        (_("满意率"), pct(overall.satisfaction_rate)),
        (_("差评整改率"), pct(overall.rectification_rate)),
        (_("回访率"), pct(overall.callback_rate)),
    ]
    columns = [
        Column("rank", _("名次"), "int"),
        Column("department", _("部门")),
        Column("concluded", _("办结件数"), "int"),
        Column("on_time_rate", _("按时办结率"), "rate"),
        Column("legal_late", _("超法定时限办结"), "int"),
        Column("overdue_open", _("月末超期未办结"), "int"),
        *RATE_COLUMNS[:6],
    ]
    report.tables = [
        Table(
            "部门排名",
            _("各部门按时办结率排名"),
            columns,
            ordered,
            _("按时办结率相同的部门名次并列；本月没有办结件的部门排在最后。"),
        )
    ]
    return report


def quarterly_analysis(period: Period, departments: QuerySet[Department], scope: str) -> Report:
    trend = []
    for month in period.months():
        t = sel.total(sel.case_figures(month, departments))
        r = sel.rating_total(month, departments)
        trend.append(
            {
                "month": month.label,
                "accepted": t.accepted,
                "concluded": t.concluded,
                "on_time_rate": t.on_time_rate,
                "new_reds": t.new_reds,
                "overdue_open": t.overdue_open,
                "ratings": r.ratings,
                "satisfaction_rate": r.satisfaction_rate,
                "bad": r.bad,
                "rectification_rate": r.rectification_rate,
            }
        )
    previous = {f.department_id: f for f in sel.case_figures(period.previous(), departments)}
    figures = sel.case_figures(period, departments)
    rates = {r.department_id: r for r in sel.rating_rates(period, departments)}
    by_department = []
    for f in figures:
        before = previous.get(f.department_id)
        now_rate, before_rate = f.on_time_rate, before.on_time_rate if before else None
        by_department.append(
            {
                **case_row(f),
                "previous_on_time_rate": before_rate,
                "change": None
                if now_rate is None or before_rate is None
                else round(now_rate - before_rate, 4),
                **rate_values(rates.get(f.department_id)),
            }
        )
    t = sel.total(figures)
    report = Report("quarter", period, scope, clock.now())
    report.summary = [
        (_("受理件数"), str(t.accepted)),
        (_("办结件数"), str(t.concluded)),
        (_("按时办结率"), pct(t.on_time_rate)),
        (_("新增红灯"), str(t.new_reds)),
        (_("季末超期未办结"), str(t.overdue_open)),
    ]
    report.tables = [
        Table(
            "月度趋势",
            _("按月趋势"),
            [
                Column("month", _("月份")),
                Column("accepted", _("受理件数"), "int"),
                Column("concluded", _("办结件数"), "int"),
                Column("on_time_rate", _("按时办结率"), "rate"),
                Column("new_reds", _("新增红灯"), "int"),
                Column("overdue_open", _("月末超期未办结"), "int"),
                Column("ratings", _("评价数"), "int"),
                Column("satisfaction_rate", _("满意率"), "rate"),
                Column("bad", _("差评数"), "int"),
                Column("rectification_rate", _("整改率"), "rate"),
            ],
            trend,
        ),
        Table(
            "部门分析",
            _("各部门本季度情况及与上季度比较"),
            [
                Column("department", _("部门")),
                Column("accepted", _("受理件数"), "int"),
                Column("concluded", _("办结件数"), "int"),
                Column("on_time_rate", _("按时办结率"), "rate"),
                Column("previous_on_time_rate", _("上季度按时办结率"), "rate"),
                Column("change", _("变化"), "rate"),
                Column("new_reds", _("新增红灯"), "int"),
                Column("satisfaction_rate", _("满意率"), "rate"),
                Column("rectification_rate", _("整改率"), "rate"),
            ],
            by_department,
        ),
    ]
    return report


BUILDERS: dict[str, Callable[[Period, QuerySet[Department], str], Report]] = {
    "day": daily_scan,
    "week": weekly_dispatch,
    "month": monthly_bulletin,
    "quarter": quarterly_analysis,
    "year": yearly_assessment,
}


def build(
    kind: str, period: Period, departments: QuerySet[Department], *, centre_wide: bool
) -> Report:
    """The report of ``kind`` for ``period`` (cut at the present if not over yet)."""
    period = period.upto(clock.now())
    report = BUILDERS[kind](period, departments, scope_label(departments, centre_wide))
    report.notes.append(
        _(
            "本报告按各事件的发生时间（受理、办结、承诺期限、评价、整改）统计，可随时重新生成，"
            "历史周期的数字不随之后发生的事情改变。"
        )
    )
    return report
