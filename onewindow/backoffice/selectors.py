"""Reads for the back office, scoped to the actor (cases through ``cases.selectors``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.cases.inbox import inbox
from onewindow.cases.models import Case, Task, TaskStatus
from onewindow.cases.selectors import visible_cases
from onewindow.cases.states import CLOCK_RUNNING, CaseStatus
from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.common import clock
from onewindow.common.errors import DomainError
from onewindow.org.models import Applicant
from onewindow.org.permissions import departments_for
from onewindow.workdays.selectors import get_calendar

ART32_WORKDAYS = 5  # 行政许可法第三十二条: 五日内一次告知
DUE_SOON_WORKDAYS = 2


def acceptance_queue(actor: Any) -> QuerySet[Case]:
    """Applications waiting for the acceptance decision in the departments where the actor
    may accept (or pre-review), the oldest receipt first."""
    departments = departments_for(actor, "case.accept") | departments_for(actor, "case.prereview")
    return (
        Case.objects.filter(
            status__in=[CaseStatus.SUBMITTED, CaseStatus.PREREVIEWED],
            department__in=departments.values("pk"),
        )
        .select_related("item_version", "department", "applicant")
        .order_by("received_at", "pk")
    )


def results_queue(actor: Any) -> QuerySet[Case]:
    """Decided cases to conclude and concluded cases whose result is still to deliver."""
    return (
        Case.objects.filter(
            status__in=[CaseStatus.APPROVED, CaseStatus.REFUSED, CaseStatus.CONCLUDED],
            department__in=departments_for(actor, "case.accept").values("pk"),
        )
        .select_related("item_version", "department", "applicant", "delivery")
        .order_by("decided_at", "pk")
    )


def workdays_left(due: datetime | None, *, now: datetime | None = None) -> int | None:
    """Working days left until ``due`` (0: due today, negative: overdue); None when the
    clock is stopped or the calendar cannot tell."""
    if due is None:
        return None
    try:
        return get_calendar().workdays_remaining(now or clock.now(), due)
    except (DomainError, ValueError, IndexError):
        return None


def workdays_since(at: datetime | None, *, now: datetime | None = None) -> int | None:
    if at is None:
        return None
    try:
        return get_calendar().workdays_elapsed(at, now or clock.now())
    except (DomainError, ValueError, IndexError):
        return None


def _due_soon_cutoff(now: datetime) -> datetime | None:
    """The end of the working day ``DUE_SOON_WORKDAYS`` working days from now."""
    try:
        deadline = get_calendar().deadline_days(now, DUE_SOON_WORKDAYS)
    except (DomainError, ValueError, IndexError):
        return None
    day = deadline.due_date
    if day is None:
        return None
    return timezone.make_aware(datetime(day.year, day.month, day.day, 23, 59, 59))


def suggested_due_date(*, now: datetime | None = None, workdays: int = 10) -> date | None:
    """A default 容缺 due date: ``workdays`` working days from today."""
    try:
        return get_calendar().deadline_days(now or clock.now(), workdays).due_date
    except (DomainError, ValueError, IndexError):
        return None


@dataclass(frozen=True)
class HomeCounts:
    waiting_acceptance: int
    art32_warning: int
    my_open_tasks: int
    due_soon: int
    to_conclude: int


def home_counts(actor: Any, *, now: datetime | None = None) -> HomeCounts:
    now = now or clock.now()
    queue = list(acceptance_queue(actor).values_list("received_at", flat=True))
    warning = sum(1 for at in queue if (workdays_since(at, now=now) or 0) >= ART32_WORKDAYS - 1)
    tasks = inbox(actor).count()
    cutoff = _due_soon_cutoff(now)
    due_soon = 0
    if cutoff is not None:
        due_soon = (
            visible_cases(actor)
            .filter(status__in=list(CLOCK_RUNNING), promised_due_at__lte=cutoff)
            .count()
        )
    results = results_queue(actor).filter(status__in=[CaseStatus.APPROVED, CaseStatus.REFUSED])
    return HomeCounts(len(queue), warning, tasks, due_soon, results.count())


def my_claimed(actor: Any) -> QuerySet[Task]:
    return inbox(actor, status=TaskStatus.CLAIMED).filter(assignee=actor)


def find_applicants(identifier: str) -> QuerySet[Applicant]:
    """Applicants by resident ID or USCC (exact), or by the legal representative's ID."""
    ident = (identifier or "").strip().upper()
    if not ident:
        return Applicant.objects.none()
    return Applicant.objects.filter(
        Q(resident_id=ident) | Q(uscc=ident) | Q(legal_representative_id=ident)
    ).order_by("kind", "pk")


def items_for_window(actor: Any, q: str, *, applicant: Applicant) -> QuerySet[ItemVersion]:
    """Published items of the departments where the actor may accept, for the applicant's
    kind (natural/legal), matching ``q`` in the name, keywords or code."""
    qs = ItemVersion.objects.filter(
        status=VersionStatus.PUBLISHED,
        item__department__in=departments_for(actor, "case.accept").values("pk"),
        subject_type__in=[applicant.kind, "both"],
    ).select_related("item", "item__department")
    for term in (q or "").split():
        qs = qs.filter(
            Q(name__icontains=term) | Q(keywords__icontains=term) | Q(item__code__icontains=term)
        )
    return qs.order_by("item__department__order", "name")
