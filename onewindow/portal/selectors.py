"""Reads of the portal's own: what the applicant's header needs on every page, and what
the applicant's case pages show about rating a concluded case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from onewindow.cases.models import Case
from onewindow.common import clock
from onewindow.notify.services import unread_for
from onewindow.org.models import Applicant
from onewindow.ratings.models import Rating
from onewindow.ratings.rules import rating_window_ends
from onewindow.ratings.services.rating import RATABLE


@dataclass(frozen=True)
class ApplicantHeader:
    """The header's applicant links: shown to accounts linked to an applicant, with the
    count of unread in-app messages."""

    is_applicant: bool
    unread: int


NOBODY = ApplicantHeader(is_applicant=False, unread=0)
_ON_REQUEST = "_portal_applicant_header"


def applicant_header(user: Any) -> ApplicantHeader:
    """Whether ``user`` represents an applicant and how many in-app messages they have not
    read, in one query (nothing for an anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOBODY
    unread = unread_for(user).order_by().values("recipient").annotate(n=Count("pk")).values("n")[:1]
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            is_applicant=Exists(Applicant.users.through.objects.filter(user_id=OuterRef("pk"))),
            unread=Coalesce(Subquery(unread), 0),
        )
        .first()
    )
    if row is None:
        return NOBODY
    return ApplicantHeader(is_applicant=bool(row["is_applicant"]), unread=int(row["unread"]))


def header_for(request: HttpRequest) -> ApplicantHeader:
    """``applicant_header`` of the request's user, read once per request: a view that needs
    the unread count (the messages page) and the header share the one query."""
    found = getattr(request, _ON_REQUEST, None)
    if found is None:
        found = applicant_header(getattr(request, "user", None))
        setattr(request, _ON_REQUEST, found)
    return found


@dataclass(frozen=True)
class CaseRating:
    """What the applicant's pages show about rating a concluded case: the rating given, or
    去评价 while it may still be rated (until ``ends_at``)."""

    rating: Rating | None
    may_rate: bool
    ends_at: datetime


def case_ratings(
    user: Any, cases: Iterable[Case], *, now: datetime | None = None
) -> dict[int, CaseRating]:
    """By case id, for each of ``cases`` the account rates: concluded or delivered
    (``ratings.services.rating.RATABLE``) and of an applicant the account is linked to (the
    rating page answers 404 to anyone else, e.g. an account that filed for someone). Its
    applicant's rating if given (``ratings.selectors.rating_of``); otherwise ``may_rate``
    while inside the rating period (``ratings.rules.rating_window_ends`` of the conclusion),
    as ``ratings.selectors.may_rate_now`` says. Two queries for a page of cases, none when
    none is concluded."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    done = [c for c in cases if c.status in RATABLE and c.concluded_at is not None]
    if not done:
        return {}
    links = Applicant.users.through.objects.filter(
        user_id=user.pk, applicant_id__in={c.applicant_id for c in done}
    )
    mine = set(links.values_list("applicant_id", flat=True))
    done = [c for c in done if c.applicant_id in mine]
    if not done:
        return {}
    given = {
        (r.case_id, r.applicant_id): r
        for r in Rating.objects.filter(case_id__in=[c.pk for c in done])
    }
    now = now or clock.now()
    found: dict[int, CaseRating] = {}
    for case in done:
        rating = given.get((case.pk, case.applicant_id))
        ends = rating_window_ends(case.concluded_at)  # type: ignore[arg-type]  # filtered above
        found[case.pk] = CaseRating(
            rating=rating, may_rate=rating is None and now <= ends, ends_at=ends
        )
    return found
