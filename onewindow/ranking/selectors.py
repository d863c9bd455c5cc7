"""Reads of the public ranking: rounds, results (one aggregate query per round), follow-ups,
scoped to what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import BooleanField, Count, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.utils import timezone

from onewindow.common.errors import NotFound
from onewindow.org.permissions import departments_for, has_capability, is_centre_wide
from onewindow.ranking.models import (
    CATEGORY_FIELDS,
    Ballot,
    BallotEntry,
    EvaluationRound,
    FollowUp,
    FollowUpStatus,
    RoundOffice,
    RoundStatus,
)

PUBLIC_STATUSES = (RoundStatus.OPEN, RoundStatus.PUBLISHED)


def is_manager(actor: Any) -> bool:
    """Rounds and follow-ups are managed centre-wide (``ranking.manage`` without a
    department)."""
    return is_centre_wide(actor, "ranking.manage")


def public_rounds() -> QuerySet[EvaluationRound]:
    """Rounds the public sees: open for votes, or published."""
    return EvaluationRound.objects.filter(status__in=PUBLIC_STATUSES).order_by(
        "-period_start", "-id"
    )


def public_round(pk: int, *, statuses: tuple[str, ...] = PUBLIC_STATUSES) -> EvaluationRound:
    r = EvaluationRound.objects.filter(pk=pk, status__in=statuses).first()
    if r is None:
        raise NotFound("未找到该评议", code="round_not_found")
    return r


def managed_rounds(actor: Any) -> QuerySet[EvaluationRound]:
    if not is_manager(actor):
        return EvaluationRound.objects.none()
    return EvaluationRound.objects.annotate(
        ballot_count=Count("ballots", distinct=True),
        office_count=Count("offices", distinct=True),
    ).order_by("-period_start", "-id")


def managed_round(actor: Any, pk: int) -> EvaluationRound:
    r = EvaluationRound.objects.filter(pk=pk).first() if is_manager(actor) else None
    if r is None:
        raise NotFound("未找到该评议", code="round_not_found")
    return r


def round_offices(r: EvaluationRound) -> list[RoundOffice]:
    return list(r.offices.select_related("department").order_by("order", "id"))


@dataclass
class OfficeResult:
    office: RoundOffice
    votes: int  # ballots naming the office
    counts: dict[str, int]  # per category
    score: int = 0  # category marks in all (a ballot naming 冷 and 推 counts 2)
    rank: int = 0  # 1 = the hardest office; ties share a rank (1, 2, 2, 4)
    share: float = 0.0  # votes / ballots
    problems: list[str] = field(default_factory=list)


@dataclass
class Results:
    round: EvaluationRound
    ballots: int
    rows: list[OfficeResult]

    def top(self, n: int) -> list[OfficeResult]:
        """Offices ranked within the first ``n`` (ties included) with at least one mark."""
        return [row for row in self.rows if row.rank <= n and row.score > 0]


def round_results(r: EvaluationRound, *, with_problems: bool = False) -> Results:
    """Votes and category counts per office (one aggregate query), ranked: by score, then
    by votes; equal offices share a rank (competition ranking)."""
    counts = {
        name: Count("entries", filter=Q(**{f"entries__{name}": True})) for name in CATEGORY_FIELDS
    }
    offices = (
        RoundOffice.objects.filter(round=r)
        .select_related("department")
        .annotate(votes=Count("entries"), **counts)
        .order_by("order", "id")
    )
    ballots = Ballot.objects.filter(round=r).count()
    rows = [
        OfficeResult(
            office=o,
            votes=o.votes,  # type: ignore[attr-defined]
            counts={name: int(getattr(o, name)) for name in CATEGORY_FIELDS},
        )
        for o in offices
    ]
    for row in rows:
        row.score = sum(row.counts.values())
        row.share = row.votes / ballots if ballots else 0.0
    rows.sort(key=lambda x: (-x.score, -x.votes, x.office.order, x.office.pk))
    previous: tuple[int, int] | None = None
    for i, row in enumerate(rows, start=1):
        key = (row.score, row.votes)
        row.rank = rows[i - 2].rank if key == previous else i
        previous = key
    if with_problems:
        by_office: dict[int, list[str]] = {}
        for office_id, text in _problems(r):  # one query
            by_office.setdefault(office_id, []).append(text)
        for row in rows:
            row.problems = sorted(by_office.get(row.office.pk, []))
    return Results(round=r, ballots=ballots, rows=rows)


def _problems(r: EvaluationRound) -> list[tuple[int, str]]:
    return list(
        BallotEntry.objects.filter(ballot__round=r)
        .exclude(problem="")
        .order_by("problem")
        .values_list("office_id", "problem")
    )


# ---------------------------------------------------------------------------- follow-ups


def _with_overdue(qs: QuerySet[FollowUp], today: date) -> QuerySet[FollowUp]:
    return qs.annotate(
        is_overdue=CaseWhen(
            When(Q(due_on__lt=today) & ~Q(status=FollowUpStatus.CLOSED), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def follow_ups_for(
    actor: Any, *, today: date | None = None, round_id: int | None = None
) -> QuerySet[FollowUp]:
    """Every follow-up for a manager; a department's own for ``ranking.respond``."""
    today = today or timezone.localdate()
    qs = FollowUp.objects.select_related("round", "office", "office__department")
    if round_id is not None:
        qs = qs.filter(round_id=round_id)
    if not is_manager(actor):
        qs = qs.filter(office__department__in=departments_for(actor, "ranking.respond"))
    return _with_overdue(qs, today).order_by("status", "due_on", "id")


def follow_up_for(actor: Any, pk: int) -> FollowUp:
    f = follow_ups_for(actor).filter(pk=pk).first()
    if f is None:
        raise NotFound("未找到该跟踪整改记录", code="follow_up_not_found")
    return f


def can_respond(actor: Any, follow_up: FollowUp) -> bool:
    return has_capability(actor, "ranking.respond", department=follow_up.office.department_id)
