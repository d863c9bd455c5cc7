"""The rates of the ratings board and the supervision reports, set-based (one GROUP BY query
per table, whatever the number of cases), per department and overall, for any period.

A period is ``[start, end]`` in local dates, both included. What counts where:

* concluded: cases concluded in the period (``Case.concluded_at``);
* rated: of those, the ones the applicant rated (a real rating, not a default);
* defaulted: of those, unrated ones whose rating window has ended (at ``now``): they count
  as ``DEFAULT_LEVEL`` (默认好评) but apart, never in the satisfaction rate;
* ratings, satisfied, bad: real ratings given in the period (cases and window services),
  without ratings voided by an upheld appeal;
* rectifications: opened in the period (every bad rating has one), without voided ones;
  rectified = closed by the supervisor; called back = call-back completed; overdue = not
  finished at ``now`` and past the deadline, or finished after it;
* complaints: made in the period; responded = answered; on time = answered by the deadline.

``as_of`` (None: the current state) reads every state as it stood at that instant, from the
timestamps, so a past period's figures do not change when things are done later: only
cases concluded, ratings given, rectifications opened and complaints made at or before
``as_of`` count; a case counts as rated, a rectification as closed (``closed_at``), called
back (``called_back_at``) or voided by an upheld appeal (``closed_at`` of a voided one; its
rating counts until then), a complaint as answered (``responded_at``) only if that happened
at or before ``as_of``. A supervisor's 退回 (reject) clears ``called_back_at`` and the redone
work gets new times, but every round sent back is kept (``Rejection``: the call-back's and
the answer's time, and the reject's): at ``as_of`` a rectification counts as called back, a
complaint as answered (on time: that answer by the deadline), iff some attempt was done at
or before ``as_of`` and not sent back at or before ``as_of``. ``now`` (what is overdue,
which unrated cases have defaulted) defaults to ``as_of``, else to the clock.

Rates are ``numerator / denominator`` rounded to 4 places, ``None`` when nothing to divide.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from onewindow.cases.models import Case
from onewindow.common import clock
from onewindow.org.models import Department
from onewindow.ratings.models import Complaint, Rating, Rectification, Rejection
from onewindow.ratings.rules import default_cutoff
from onewindow.ratings.states import (
    BAD_LEVELS,
    COMPLAINT_UNFINISHED,
    RECTIFICATION_UNFINISHED,
    SATISFIED_MIN,
    ComplaintStatus,
    RectificationStatus,
)
from onewindow.workdays.calendar import SHANGHAI

CONCLUDED = ("concluded", "delivered")


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class Rates:
    """Counts and rates of one department (or overall: ``department_id`` None)."""

    department_id: int | None = None
    department: str = ""
    concluded: int = 0
    rated: int = 0
    defaulted: int = 0
    ratings: int = 0
    satisfied: int = 0
    bad: int = 0
    rectifications: int = 0
    rectified: int = 0
    called_back: int = 0
    overdue_rectifications: int = 0
    complaints: int = 0
    complaints_responded: int = 0
    complaints_on_time: int = 0
    overdue_complaints: int = 0
    level_counts: dict[int, int] = field(default_factory=dict)

    @property
    def participation_rate(self) -> float | None:
        """参评率: rated / concluded."""
        return ratio(self.rated, self.concluded)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: 基本满意 or better among real ratings."""
        return ratio(self.satisfied, self.ratings)

    @property
    def rectification_rate(self) -> float | None:
        """整改率: rectifications closed / opened."""
        return ratio(self.rectified, self.rectifications)

    @property
    def callback_rate(self) -> float | None:
        """回访率: call-backs completed / rectifications opened."""
        return ratio(self.called_back, self.rectifications)

    @property
    def complaint_response_rate(self) -> float | None:
        """投诉答复率."""
        return ratio(self.complaints_responded, self.complaints)

    @property
    def complaint_on_time_rate(self) -> float | None:
        return ratio(self.complaints_on_time, self.complaints)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in (
            "participation_rate",
            "satisfaction_rate",
            "rectification_rate",
            "callback_rate",
            "complaint_response_rate",
            "complaint_on_time_rate",
        ):
            data[name] = getattr(self, name)
        return data


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """``[start 00:00, end+1 00:00)`` local time."""
    return (
        datetime.combine(start, time(0), tzinfo=SHANGHAI),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=SHANGHAI),
    )


def _grouped(qs: QuerySet[Any], key: str, **aggregates: Any) -> dict[int | None, dict[str, int]]:
    return {row.pop(key): row for row in qs.values(key).annotate(**aggregates).order_by()}


def rates_by_department(
    start: date,
    end: date,
    *,
    departments: QuerySet[Department] | None = None,
    now: datetime | None = None,
    as_of: datetime | None = None,
) -> list[Rates]:
    """One ``Rates`` per department (those given, default all active ones), in department
    order; rows without a department (window services of several departments, the centre's
    complaints) only in ``rates_overall``. ``as_of``: the states at that instant (None: the
    current ones); see the module's docstring."""
    now = now or as_of or clock.now()
    lo, hi = bounds(start, end)
    depts = departments if departments is not None else Department.objects.filter(is_active=True)
    dept_ids = list(depts.order_by("order", "code").values_list("pk", "name"))
    ids = [pk for pk, _n in dept_ids]
    data = _collect(lo, hi, now, as_of, Q(department_id__in=ids))
    out = []
    for pk, name in dept_ids:
        r = Rates(department_id=pk, department=name)
        _fill(r, data, pk)
        out.append(r)
    return out


def rates_overall(
    start: date,
    end: date,
    *,
    departments: QuerySet[Department] | None = None,
    now: datetime | None = None,
    as_of: datetime | None = None,
) -> Rates:
    """The same figures summed over ``departments`` (default: everything, the centre's own
    rows included)."""
    now = now or as_of or clock.now()
    lo, hi = bounds(start, end)
    scope = Q() if departments is None else Q(department_id__in=departments.values("pk"))
    data = _collect(lo, hi, now, as_of, scope)
    total = Rates(department="合计")
    for key in {k for table in data.values() for k in table}:
        _fill(total, data, key, add=True)
    return total


def _done(name: str, as_of: datetime | None) -> Q:
    """``name`` (a timestamp) is set, at or before ``as_of`` when given."""
    if as_of is None:
        return Q(**{f"{name}__isnull": False})
    return Q(**{f"{name}__lte": as_of})


def _not_done(name: str, as_of: datetime | None) -> Q:
    """``name`` is not set (or set only after ``as_of``)."""
    if as_of is None:
        return Q(**{f"{name}__isnull": True})
    return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gt": as_of})


def _sent_back_later(kind: str, field: str, as_of: datetime, *extra: Q) -> Exists:
    """Some round sent back (a ``Rejection`` of the row) was done (``field``) at or before
    ``as_of`` and sent back only after it."""
    rounds = Rejection.objects.filter(
        *extra, **{kind: OuterRef("pk"), f"{field}__lte": as_of, "rejected_at__gt": as_of}
    )
    return Exists(rounds)


def _sent_back_by(kind: str, field: str, as_of: datetime) -> Exists:
    """The row's current ``field`` (a complaint's answer stays until it is redone) was sent
    back at or before ``as_of``: a reject at or after it."""
    rounds = Rejection.objects.filter(
        **{kind: OuterRef("pk"), "rejected_at__gte": OuterRef(field), "rejected_at__lte": as_of}
    )
    return Exists(rounds)


def _collect(
    lo: datetime, hi: datetime, now: datetime, as_of: datetime | None, scope: Q
) -> dict[str, dict[int | None, dict[str, int]]]:
    """Every figure, grouped by department: one query per table. ``as_of`` None: the
    current states; else the states at ``as_of`` (see the module's docstring)."""
    cutoff = default_cutoff(now)
    voided = RectificationStatus.VOIDED
    rated = Rating.objects.filter(case=OuterRef("pk"), applicant_id=OuterRef("applicant_id"))
    cases = Case.objects.filter(
        scope, status__in=CONCLUDED, concluded_at__gte=lo, concluded_at__lt=hi
    )
    ratings = Rating.objects.filter(scope, rated_at__gte=lo, rated_at__lt=hi)
    rects = Rectification.objects.filter(scope, opened_at__gte=lo, opened_at__lt=hi)
    complaints = Complaint.objects.filter(scope, submitted_at__gte=lo, submitted_at__lt=hi)
    if as_of is None:
        ratings = ratings.filter(excluded=False)
        rects = rects.exclude(status=voided)
        rect_unfinished = Q(status__in=sorted(RECTIFICATION_UNFINISHED))
        called_back = _done("called_back_at", None)
        # a complaint sent back by the supervisor is open again: its earlier answer (kept in
        # responded_at until the next one) does not count, as with ``as_of`` = now
        responded = _done("responded_at", None) & ~Q(status=ComplaintStatus.OPEN)
        complaint_open = Q(status__in=sorted(COMPLAINT_UNFINISHED)) & ~responded
        on_time = responded & Q(responded_at__lte=F("due_at"))
    else:
        rated = rated.filter(rated_at__lte=as_of)
        cases = cases.filter(concluded_at__lte=as_of)
        # A rating voided by an appeal upheld after ``as_of`` still counted at ``as_of``.
        ratings = ratings.filter(
            Q(excluded=False) | Q(rectification__status=voided, rectification__closed_at__gt=as_of),
            rated_at__lte=as_of,
        )
        rects = rects.filter(opened_at__lte=as_of).exclude(
            Q(status=voided) & _done("closed_at", as_of)
        )
        rect_unfinished = _not_done("closed_at", as_of)
        # Every attempt, the current one or one sent back later, counts while it stood.
        rects = rects.annotate(
            earlier_call_back=_sent_back_later("rectification", "called_back_at", as_of)
        )
        called_back = _done("called_back_at", as_of) | Q(earlier_call_back=True)
        complaints = complaints.filter(submitted_at__lte=as_of).annotate(
            earlier_answer=_sent_back_later("complaint", "responded_at", as_of),
            earlier_on_time=_sent_back_later(
                "complaint", "responded_at", as_of, Q(responded_at__lte=OuterRef("due_at"))
            ),
            answer_sent_back=_sent_back_by("complaint", "responded_at", as_of),
        )
        current = _done("responded_at", as_of) & Q(answer_sent_back=False)
        responded = Q(earlier_answer=True) | current
        on_time = Q(earlier_on_time=True) | (current & Q(responded_at__lte=F("due_at")))
        complaint_open = ~responded
    cases = cases.annotate(has_rating=Exists(rated))
    level_rows = ratings.values("department_id", "level").annotate(n=Count("id")).order_by()
    levels: dict[int | None, dict[str, int]] = {}
    for row in level_rows:
        levels.setdefault(row["department_id"], {})[str(row["level"])] = row["n"]
    closed = Q(status=RectificationStatus.CLOSED) & _done("closed_at", as_of)
    return {
        "cases": _grouped(
            cases,
            "department_id",
            concluded=Count("id"),
            rated=Count("id", filter=Q(has_rating=True)),
            defaulted=Count("id", filter=Q(has_rating=False, concluded_at__lt=cutoff)),
        ),
        "ratings": _grouped(
            ratings,
            "department_id",
            ratings=Count("id"),
            satisfied=Count("id", filter=Q(level__gte=SATISFIED_MIN)),
            bad=Count("id", filter=Q(level__in=sorted(BAD_LEVELS))),
        ),
        "rects": _grouped(
            rects,
            "department_id",
            rectifications=Count("id"),
            rectified=Count("id", filter=closed),
            called_back=Count("id", filter=called_back),
            overdue_rectifications=Count(
                "id",
                filter=(rect_unfinished & Q(due_at__lt=now))
                | (_done("closed_at", as_of) & Q(closed_at__gt=F("due_at"))),
            ),
        ),
        "complaints": _grouped(
            complaints,
            "department_id",
            complaints=Count("id"),
            complaints_responded=Count("id", filter=responded),
            complaints_on_time=Count("id", filter=on_time),
            overdue_complaints=Count("id", filter=complaint_open & Q(due_at__lt=now)),
        ),
        "levels": levels,
    }


def _fill(
    r: Rates, data: dict[str, dict[int | None, dict[str, int]]], key: int | None, add: bool = False
) -> None:
    for table in ("cases", "ratings", "rects", "complaints"):
        for name, value in data[table].get(key, {}).items():
            setattr(r, name, (getattr(r, name) if add else 0) + int(value))
    for level, n in data["levels"].get(key, {}).items():
        r.level_counts[int(level)] = r.level_counts.get(int(level), 0) + n
