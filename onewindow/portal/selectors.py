"""Reads of the portal's own: what the applicant's header needs on every page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from onewindow.notify.services import unread_for
from onewindow.org.models import Applicant


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
