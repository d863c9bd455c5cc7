"""What every cadence report is made of: a ``Report`` of ``Table`` s of ``Column`` s, the
titles, and the columns and rows the reports share (case figures, rating rates), rendered
alike as a web page, a PDF and an Excel workbook (``render``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Department
from onewindow.ratings.rates import Rates
from onewindow.supervision.reports import selectors as sel
from onewindow.supervision.reports.periods import Period, cn

TITLES = {
    "day": _("日扫描"),
    "week": _("周调度"),
    "month": _("月通报"),
    "quarter": _("季分析"),
    "year": _("年考核"),
}
FULL_TITLES = {
    "day": _("政务服务日扫描"),
    "week": _("政务服务周调度"),
    "month": _("政务服务月通报"),
    "quarter": _("政务服务季度分析"),
    "year": _("政务服务年度考核"),
}


@dataclass
class Column:
    key: str
    label: Any
    # text | int | rate (a fraction 0..1) | score (points, 2 decimals); None when undefined
    kind: str = "text"


@dataclass
class Table:
    name: str  # also the Excel sheet name (≤ 31 characters)
    title: Any
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: Any = ""


@dataclass
class Report:
    kind: str
    period: Period
    scope: str
    generated_at: datetime
    summary: list[tuple[Any, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[Any] = field(default_factory=list)

    @property
    def title(self) -> str:
        cut = f"，{self.period.cut}" if self.period.cut else ""
        return f"{FULL_TITLES[self.kind]}（{self.period.name}{cut}）"

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def points(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def local(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{cn(local.date())} {local:%H:%M}"


CASE_COLUMNS = [
    Column("department", _("部门")),
    Column("accepted", _("受理件数"), "int"),
    Column("concluded", _("办结件数"), "int"),
    Column("on_time", _("按承诺时限办结"), "int"),
    Column("on_time_rate", _("按时办结率"), "rate"),
    Column("legal_late", _("超法定时限办结"), "int"),
    Column("new_reds", _("新增红灯"), "int"),
    Column("overdue_open", _("期末超期未办结"), "int"),
]


def case_row(f: sel.CaseFigures) -> dict[str, Any]:
    return {
        "department": f.department,
        "accepted": f.accepted,
        "concluded": f.concluded,
        "on_time": f.on_time,
        "on_time_rate": f.on_time_rate,
        "legal_late": f.legal_late,
        "new_reds": f.new_reds,
        "overdue_open": f.overdue_open,
    }


def state_at(case: Any, hi: datetime) -> str:
    """The case's state at the end of the period (not today's: the report stays the same)."""
    if case.concluded_at is not None and case.concluded_at < hi:
        return f"已办结（{local(case.concluded_at)}）"
    return "期末未办结"


def case_list(name: str, title: Any, cases: list[Any], hi: datetime, note: str = "") -> Table:
    return Table(
        name,
        title,
        [
            Column("number", _("办件编号")),
            Column("item", _("事项")),
            Column("department", _("部门")),
            Column("applicant", _("申请人")),
            Column("due", _("承诺办结期限")),
            Column("state", _("期末状态")),
        ],
        [
            {
                "number": c.number,
                "item": c.item_version.name,
                "department": c.department.name,
                "applicant": c.applicant.name,
                "due": local(c.promised_due_at),
                "state": state_at(c, hi),
            }
            for c in cases
        ],
        note,
    )


RATE_COLUMNS = [
    Column("ratings", _("评价数"), "int"),
    Column("satisfaction_rate", _("满意率"), "rate"),
    Column("bad", _("差评数"), "int"),
    Column("rectifications", _("整改件数"), "int"),
    Column("rectification_rate", _("整改率"), "rate"),
    Column("callback_rate", _("回访率"), "rate"),
    Column("complaints", _("投诉件数"), "int"),
    Column("complaint_response_rate", _("投诉答复率"), "rate"),
]


def rate_values(r: Rates | None) -> dict[str, Any]:
    if r is None:
        return {c.key: None for c in RATE_COLUMNS}
    return {
        "ratings": r.ratings,
        "satisfaction_rate": r.satisfaction_rate,
        "bad": r.bad,
        "rectifications": r.rectifications,
        "rectification_rate": r.rectification_rate,
        "callback_rate": r.callback_rate,
        "complaints": r.complaints,
        "complaint_response_rate": r.complaint_response_rate,
    }


def scope_label(departments: QuerySet[Department], centre_wide: bool) -> str:
    if centre_wide:
        return "全区各部门"
    return "、".join(d.name for d in departments) or "（无）"


def ranked(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rank by ``key`` descending (None last); equal values share a rank."""
    ordered = sorted(rows, key=lambda r: (r[key] is None, -(r[key] or 0), r["department"]))
    previous: Any = object()
    for i, row in enumerate(ordered, start=1):
        row["rank"] = ordered[i - 2]["rank"] if row[key] == previous else i
        previous = row[key]
    return ordered
