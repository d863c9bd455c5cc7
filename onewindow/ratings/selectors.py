"""Reads of ratings, rectifications and complaints, scoped to what the actor may see.

* An applicant sees the ratings and complaints of the applicants their account is linked to,
  and their window services (visits) of the rating period.
* A window clerk's rating device (窗口评价器) lists the visits that clerk served today.
* Staff see the rectifications and complaints of the departments where they hold
  ``ratings.handle``, ``ratings.close``, ``supervision.view`` or
  ``supervision.view_department``; one without a department (a window serving several
  departments) belongs to the centre and is seen only by centre-wide holders. Anything
  else is NotFound (never 403), so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value, When

from onewindow.cases.models import Case, Visit
from onewindow.common import clock
from onewindow.common.errors import NotFound
from onewindow.org.permissions import departments_for, is_centre_wide
from onewindow.ratings.models import Complaint, Rating, Rectification
from onewindow.ratings.rules import default_cutoff, rating_window_ends
from onewindow.ratings.services.rating import RATABLE
from onewindow.ratings.states import COMPLAINT_UNFINISHED, RECTIFICATION_UNFINISHED
from onewindow.workdays.calendar import SHANGHAI, local_date

STAFF_CAPABILITIES = (
    "ratings.handle",
    "ratings.close",
    "supervision.view",
    "supervision.view_department",
)


def _scope(actor: Any, capabilities: tuple[str, ...] = STAFF_CAPABILITIES) -> Q:
    """Rows whose department the actor may see (department null: centre-wide holders)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Q(pk__in=[])
    centre = any(is_centre_wide(actor, c) for c in capabilities)
    if centre:
        return Q()
    ids: set[int] = set()
    for c in capabilities:
        ids.update(departments_for(actor, c).values_list("pk", flat=True))
    return Q(department_id__in=sorted(ids))


def _overdue_first(qs: QuerySet[Any], unfinished: frozenset[str], now: datetime) -> QuerySet[Any]:
    return qs.annotate(
        overdue=When_(
            When(status__in=unfinished, due_at__lt=now, then=Value(0)),
            When(status__in=unfinished, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("overdue", "due_at", "id")


def rectifications_for(
    actor: Any, *, status: str | None = None, now: datetime | None = None
) -> QuerySet[Rectification]:
    """Rectifications the actor may see: overdue ones first, then by deadline; finished
    ones last."""
    qs = Rectification.objects.filter(_scope(actor)).select_related(
        "rating",
        "rating__case",
        "rating__case__item_version",
        "rating__window__service_point",
        "department",
        "rating__applicant",
    )
    if status:
        qs = qs.filter(status=status)
    return _overdue_first(qs, RECTIFICATION_UNFINISHED, now or clock.now())


def rectification_for(actor: Any, pk: int) -> Rectification:
    found = rectifications_for(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该整改记录", code="rectification_not_found")
    return found


def complaints_for(
    actor: Any, *, status: str | None = None, now: datetime | None = None
) -> QuerySet[Complaint]:
    qs = Complaint.objects.filter(_scope(actor)).select_related(
        "department", "applicant", "case", "window"
    )
    if status:
        qs = qs.filter(status=status)
    return _overdue_first(qs, COMPLAINT_UNFINISHED, now or clock.now())


def complaint_for(actor: Any, pk: int) -> Complaint:
    found = complaints_for(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该投诉", code="complaint_not_found")
    return found


def _own(actor: Any) -> Q:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(applicant__users=actor)


def my_ratings(actor: Any) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(_own(actor))
        .distinct()
        .select_related("case", "case__item_version", "department", "rectification", "visit")
        .order_by("-rated_at", "-id")
    )


def my_complaints(actor: Any) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(_own(actor))
        .distinct()
        .select_related("case", "department", "window")
        .order_by("-submitted_at", "-id")
    )


def my_complaint(actor: Any, pk: int) -> Complaint:
    found = my_complaints(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该投诉", code="complaint_not_found")
    return found


def rating_of(case: Case) -> Rating | None:
    """The applicant's rating of ``case``, if given."""
    return Rating.objects.filter(case=case, applicant_id=case.applicant_id).first()


def may_rate_now(case: Case, now: datetime | None = None) -> bool:
    """Concluded, inside its rating window, not rated yet (what the 评价 button shows)."""
    if case.status not in RATABLE or case.concluded_at is None:
        return False
    if (now or clock.now()) > rating_window_ends(case.concluded_at):
        return False
    return rating_of(case) is None


# ----------------------------------------------------------------------------- window services


@dataclass
class VisitRow:
    """One window service (a Visit) as the rating screens and the API show it."""

    visit: Visit
    rating: Rating | None
    rating_ends_at: datetime
    may_rate: bool
    cases: list[tuple[str, str]]  # (number, item name): the visit's case, its bundle cases


def _visits() -> QuerySet[Visit]:
    return Visit.objects.select_related(
        "applicant", "service_point", "window", "recorded_by", "case", "case__item_version"
    ).prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.select_related("rectification")),
        "bundle_cases__bundle_version",
    )


def visit_row(visit: Visit, now: datetime | None = None) -> VisitRow:
    now = now or clock.now()
    rating = next((r for r in visit.ratings.all() if r.applicant_id == visit.applicant_id), None)
    ends = rating_window_ends(visit.at)
    cases: list[tuple[str, str]] = []
    if visit.case_id and visit.case:
        cases.append((visit.case.number, visit.case.item_version.name))
    for bc in visit.bundle_cases.all():
        cases.append((bc.number, bc.bundle_version.name))
    return VisitRow(
        visit=visit,
        rating=rating,
        rating_ends_at=ends,
        may_rate=rating is None and visit.at <= now <= ends,
        cases=cases,
    )


def my_visits(actor: Any, *, now: datetime | None = None) -> QuerySet[Visit]:
    """The window services of the applicants the actor's account is linked to, made in the
    rating period (since ``default_cutoff(now)``), newest first."""
    now = now or clock.now()
    return (
        _visits()
        .filter(_own(actor), at__gte=default_cutoff(now), at__lte=now)
        .distinct()
        .order_by("-at", "-id")
    )


def my_visit(actor: Any, pk: int) -> Visit:
    """One of the actor's own visits (any date: the service says if the period is over);
    someone else's is NotFound."""
    found = _visits().filter(_own(actor), pk=pk).distinct().first()
    if found is None:
        raise NotFound("未找到该窗口服务记录", code="visit_not_found")
    return found


def visits_served_today(actor: Any, *, now: datetime | None = None) -> QuerySet[Visit]:
    """What the clerk's rating device lists: the visits ``actor`` served (recorded) today,
    newest first."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Visit.objects.none()
    start = datetime.combine(local_date(now or clock.now()), time(0), tzinfo=SHANGHAI)
    return (
        _visits()
        .filter(recorded_by=actor, at__gte=start, at__lt=start + timedelta(days=1))
        .order_by("-at", "-id")
    )


def visit_by_id(pk: int) -> Visit:
    """A visit by id for the rating device; who may rate it is the service's to say
    (``check_visit_ratable``)."""
    found = _visits().filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该窗口服务记录", code="visit_not_found")
    return found
