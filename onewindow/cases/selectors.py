"""Reads of cases, already scoped to what the actor may see.

* An applicant sees the cases of the applicants their account is linked to, and cases they
  filed themselves (a proxy agent sees what they filed).
* Staff see the cases of the departments where they hold a case capability (a centre-wide
  role sees every department). Another department's case is simply not there (404).
* Anonymous lookups need the case number and the applicant's ID number together.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from onewindow.cases.models import Case
from onewindow.common.errors import NotFound
from onewindow.org.models import Applicant, Department
from onewindow.org.permissions import departments_for

STAFF_CASE_CAPABILITIES = (
    "case.accept",
    "case.prereview",
    "case.review",
    "case.decide",
    "supervision.view",
    "supervision.view_department",
)


def staff_departments(actor: Any) -> QuerySet[Department]:
    qs = Department.objects.none()
    for cap in STAFF_CASE_CAPABILITIES:
        qs = qs | departments_for(actor, cap)
    return qs.distinct()


def visible_cases(actor: Any) -> QuerySet[Case]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Case.objects.none()
    own = Q(created_by=actor) | Q(applicant__users=actor)
    staff = Q(department__in=staff_departments(actor).values("pk")) & ~Q(status="draft")
    return (
        Case.objects.filter(own | staff)
        .distinct()
        .select_related("item_version", "department", "applicant", "current_step")
    )


def case_for(actor: Any, number: str, *, related: bool = True) -> Case:
    """The case ``number`` if ``actor`` may see it; otherwise NotFound (never 403, so that
    case numbers cannot be probed). ``related=False``: the case row alone (for a caller
    that only acts on it, e.g. an upload; related rows then load when first touched)."""
    # Same rule as ``visible_cases``, checked on the one case found by its unique number:
    # the OR-and-DISTINCT query over every case grows with the table (hot path: every
    # request about a case goes through here).
    qs = Case.objects.filter(number=number)
    if related:
        qs = qs.select_related("item_version", "department", "applicant", "current_step")
    case = qs.first()
    if case is None or not _may_see(actor, case):
        raise NotFound("未找到该办件", code="case_not_found")
    return case


def _may_see(actor: Any, case: Case) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if case.created_by_id == actor.pk:
        return True
    links = Applicant.users.through.objects
    if links.filter(applicant_id=case.applicant_id, user_id=actor.pk).exists():
        return True
    if case.status == "draft":
        return False
    return staff_departments(actor).filter(pk=case.department_id).exists()


def case_by_number_and_id(number: str, id_number: str) -> Case:
    """Anonymous lookup (self-service terminals): both the case number and the applicant's
    resident ID or USCC must match; any mismatch is the same NotFound."""
    number = (number or "").strip()
    id_number = (id_number or "").strip().upper()
    if not number or not id_number:
        raise NotFound("未找到该办件", code="case_not_found")
    case = (
        Case.objects.filter(number=number)
        .exclude(status="draft")
        .filter(Q(applicant__resident_id=id_number) | Q(applicant__uscc=id_number))
        .select_related("item_version", "department", "applicant", "current_step")
        .first()
    )
    if case is None:
        raise NotFound("未找到该办件", code="case_not_found")
    return case


def applicants_of(actor: Any) -> QuerySet[Applicant]:
    """The applicants (natural and legal persons) the account may apply for online."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Applicant.objects.none()
    return Applicant.objects.filter(users=actor).order_by("kind", "id")


LINKED_MARK = "_onewindow_linked_user"


def own_applicants(actor: Any, limit: int = 2) -> list[Applicant]:
    """The first ``limit`` of ``applicants_of(actor)``, each marked as linked to the actor
    (read from the database just now), so that the submission services need not ask the
    database again whether the actor may apply for it (``is_linked``)."""
    rows = list(applicants_of(actor)[:limit])
    for row in rows:
        row.__dict__[LINKED_MARK] = actor.pk
    return rows


def is_linked(applicant: Applicant, actor: Any) -> bool:
    """True if ``actor``'s account is linked to ``applicant`` (the mark left by
    ``own_applicants`` in this request, or else one query)."""
    if applicant.__dict__.get(LINKED_MARK) == actor.pk:
        return True
    return applicant.users.filter(pk=actor.pk).exists()


def applicant_by_pk(pk: int, *, field: str = "applicant") -> Applicant:
    """The applicant record ``pk`` named in a request, or NotFound naming the field.
    (Whether the actor may file for it is the submission services' check.)"""
    found = Applicant.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该申请人", code="applicant_not_found", fields={field: [str(pk)]})
    return found
