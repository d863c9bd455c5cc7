"""Set-based figures of the cadence reports: one GROUP BY query per table and period,
computed from event timestamps only, so a report about a past period does not change when
later things happen (docs/reports.md says which figures rest on what).

* accepted: ``Case.accepted_at`` in the period;
* concluded: ``Case.concluded_at`` in the period; late = concluded after ``promised_due_at``;
  on time = concluded − late; legal_late = concluded after ``legal_due_at``;
* new reds: the promised deadline fell in the period and the case was not concluded (nor
  withdrawn) by then — the moment its light turned red;
* overdue open at the end: accepted before the end, promised deadline before the end, not
  concluded nor withdrawn before the end;
* overdue rectifications at the end: opened before the end, deadline before the end, not
  closed before the end (voided ones excluded);
* ratings, satisfaction, rectification, call-back and complaint response rates:
  ``onewindow.ratings.rates`` with ``as_of`` = the last instant of the period: a
  rectification closed, a call-back done, a complaint answered after the period does not
  count for it;
* the public ranking (群众评议): rounds published in the period (at or before its end), with
  each department's worst-placed office (``onewindow.ranking.selectors.round_results``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.org.models import Department
from onewindow.org.permissions import departments_for
from onewindow.ranking.models import EvaluationRound, RoundStatus
from onewindow.ranking.selectors import round_results
from onewindow.ratings.models import Rectification
from onewindow.ratings.rates import Rates, rates_by_department, rates_overall, ratio
from onewindow.ratings.states import RectificationStatus
from onewindow.supervision.reports.periods import Period

VIEW_CAPABILITIES = ("supervision.view", "supervision.view_department")


def visible_departments(actor: Any) -> QuerySet[Department]:
    """Departments whose figures ``actor`` may read (all for a centre-wide supervisor)."""
    ids: set[int] = set()
    for capability in VIEW_CAPABILITIES:
        ids |= set(departments_for(actor, capability).values_list("pk", flat=True))
    return Department.objects.filter(pk__in=ids, is_active=True).order_by("order", "code")


@dataclass
class CaseFigures:
    department_id: int | None = None
    department: str = ""
    accepted: int = 0
    concluded: int = 0
    late: int = 0
    legal_late: int = 0
    new_reds: int = 0
    overdue_open: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def on_time(self) -> int:
        return self.concluded - self.late

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.concluded)


def _not_withdrawn_before(moment: Any) -> Q:
    return Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=moment)


def _red_q(lo: datetime, hi: datetime) -> Q:
    return (
        Q(promised_due_at__gte=lo, promised_due_at__lt=hi, accepted_at__isnull=False)
        & (Q(concluded_at__isnull=True) | Q(concluded_at__gt=F("promised_due_at")))
        & _not_withdrawn_before(F("promised_due_at"))
    )


def _overdue_open_q(hi: datetime) -> Q:
    return (
        Q(accepted_at__lt=hi, promised_due_at__lt=hi)
        & (Q(concluded_at__isnull=True) | Q(concluded_at__gte=hi))
        & _not_withdrawn_before(hi)
    )


def case_figures(period: Period, departments: QuerySet[Department]) -> list[CaseFigures]:
    """One row per department (in department order), from one aggregate query."""
    lo, hi = period.lo, period.hi
    in_period = Q(concluded_at__gte=lo, concluded_at__lt=hi)
    rows = (
        Case.objects.filter(department__in=departments)
        .filter(
            Q(accepted_at__gte=lo, accepted_at__lt=hi)
            | in_period
            | Q(promised_due_at__gte=lo, promised_due_at__lt=hi)
            | _overdue_open_q(hi)
        )
        .values("department_id")
        .annotate(
            accepted=Count("id", filter=Q(accepted_at__gte=lo, accepted_at__lt=hi)),
            concluded=Count("id", filter=in_period),
            late=Count("id", filter=in_period & Q(concluded_at__gt=F("promised_due_at"))),
            legal_late=Count("id", filter=in_period & Q(concluded_at__gt=F("legal_due_at"))),
            new_reds=Count("id", filter=_red_q(lo, hi)),
            overdue_open=Count("id", filter=_overdue_open_q(hi)),
        )
        .order_by()
    )
    names = ("accepted", "concluded", "late", "legal_late", "new_reds", "overdue_open")
    by_dept: dict[int, dict[str, Any]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        by_dept[values["department_id"]] = {name: values[name] for name in names}
    out = []
    for d in departments:
        figures = CaseFigures(department_id=d.pk, department=d.name)
        for name, value in by_dept.get(d.pk, {}).items():
            setattr(figures, name, int(value))
        out.append(figures)
    return out


def total(rows: list[CaseFigures]) -> CaseFigures:
    t = CaseFigures(department="合计")
    for r in rows:
        for name in ("accepted", "concluded", "late", "legal_late", "new_reds", "overdue_open"):
            setattr(t, name, getattr(t, name) + getattr(r, name))
    return t


def new_reds(period: Period, departments: QuerySet[Department], limit: int = 500) -> list[Case]:
    """The cases whose promised deadline passed in the period unconcluded (turned red)."""
    return list(
        Case.objects.filter(_red_q(period.lo, period.hi), department__in=departments)
        .select_related("department", "item_version", "applicant")
        .order_by("promised_due_at", "number")[:limit]
    )


def overdue_open(period: Period, departments: QuerySet[Department], limit: int = 500) -> list[Case]:
    """Cases overdue (past the promised deadline, not concluded) at the end of the period."""
    return list(
        Case.objects.filter(_overdue_open_q(period.hi), department__in=departments)
        .select_related("department", "item_version", "applicant")
        .order_by("promised_due_at", "number")[:limit]
    )


def overdue_rectifications(
    period: Period, departments: QuerySet[Department], limit: int = 500
) -> list[Rectification]:
    """Rectifications of bad ratings past their deadline and not closed at the end of the
    period."""
    hi = period.hi
    return list(
        Rectification.objects.filter(
            Q(department__in=departments, opened_at__lt=hi, due_at__lt=hi)
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=hi))
        )
        .exclude(status=RectificationStatus.VOIDED)
        .select_related("department", "rating")
        .order_by("due_at", "pk")[:limit]
    )


def rating_rates(period: Period, departments: QuerySet[Department]) -> list[Rates]:
    """``ratings.rates`` per department, states as at the end of the period."""
    return rates_by_department(
        period.start, period.end, departments=departments, as_of=period.as_of
    )


def rating_total(period: Period, departments: QuerySet[Department]) -> Rates:
    return rates_overall(period.start, period.end, departments=departments, as_of=period.as_of)


@dataclass
class RankingPlace:
    """Where a department stood in one published round of the public ranking: its
    worst-placed office (rank 1 = the hardest), the votes of all its offices."""

    round_id: int
    round_title: str
    published_on: date
    offices: int  # offices in the round
    rank: int
    votes: int
    score: int  # category marks
    talk: bool  # within the round's talk_count (约谈)
    exposed: bool  # within the round's exposed_count (公开曝光并整改)

    @property
    def text(self) -> str:
        return f"{self.round_title}：第{self.rank}名（{self.votes}票）"


def ranking_places(
    period: Period, departments: QuerySet[Department]
) -> dict[int, list[RankingPlace]]:
    """Per department, its places in the rounds published in the period (oldest first);
    one aggregate query per round (``round_results``)."""
    rounds = EvaluationRound.objects.filter(
        status=RoundStatus.PUBLISHED,
        published_at__gte=period.lo,
        published_at__lt=period.hi,
    ).order_by("published_at", "pk")
    wanted = set(departments.values_list("pk", flat=True))
    out: dict[int, list[RankingPlace]] = {}
    for r in rounds:
        results = round_results(r)
        talk = {row.office.pk for row in results.top(r.talk_count)}
        exposed = {row.office.pk for row in results.top(r.exposed_count)}
        by_department: dict[int, list[Any]] = {}
        for row in results.rows:
            if row.office.department_id in wanted:
                by_department.setdefault(row.office.department_id, []).append(row)
        assert r.published_at is not None
        for department_id, rows in by_department.items():
            worst = min(rows, key=lambda x: x.rank)
            out.setdefault(department_id, []).append(
                RankingPlace(
                    round_id=r.pk,
                    round_title=r.title,
                    published_on=timezone.localtime(r.published_at).date(),
                    offices=len(results.rows),
                    rank=worst.rank,
                    votes=sum(x.votes for x in rows),
                    score=sum(x.score for x in rows),
                    talk=any(x.office.pk in talk for x in rows),
                    exposed=any(x.office.pk in exposed for x in rows),
                )
            )
    return out
