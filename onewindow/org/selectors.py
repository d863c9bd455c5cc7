"""Reads for the organisation (DESIGN.md convention 2): who may decide what on the spot,
who works where, whom an administrator may manage.

A letter is *valid on day d* when ``valid_from <= d <= valid_until`` (no end date: open),
it was not revoked on or before ``d`` (revocation counts from its local calendar day), the
officer's account is active and the officer still holds a staff role in the letter's
department (an officer who leaves the department loses the authority with it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from onewindow.org.models import (
    Applicant,
    AuthorisationLetter,
    AuthorisationLetterItem,
    Department,
    Role,
    RoleAssignment,
    ServicePoint,
    User,
)
from onewindow.org.permissions import (
    STAFF_ROLES,
    departments_for,
    is_centre_wide,
)


def _start_of_next_day(at: date) -> datetime:
    # Calendar-day boundary in the installation's time zone (not a working-day deadline).
    return timezone.make_aware(datetime.combine(at + timedelta(days=1), time.min))


def valid_letters(at: date, department: Department | None = None) -> QuerySet[AuthorisationLetter]:
    """Authorisation letters in force on day ``at`` (see the module docstring)."""
    in_department = RoleAssignment.objects.filter(
        user=OuterRef("officer"), department=OuterRef("department"), role__in=STAFF_ROLES
    )
    qs = AuthorisationLetter.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=at),
        Q(revoked_at__isnull=True) | Q(revoked_at__gte=_start_of_next_day(at)),
        valid_from__lte=at,
        officer__is_active=True,
        department__is_active=True,
    ).filter(Exists(in_department))
    if department is not None:
        qs = qs.filter(department=department)
    return qs


def deciders_on_the_spot(item_code: str, at: date) -> QuerySet[User]:
    """The officers who may decide ``item_code`` on the spot on day ``at``."""
    letters = valid_letters(at).filter(items__item_code=item_code)
    return User.objects.filter(pk__in=letters.values("officer")).order_by("username")


def items_with_on_the_spot_authority(at: date, department: Department | None = None) -> set[str]:
    """Codes of the items at least one valid letter covers on day ``at``."""
    return set(
        AuthorisationLetterItem.objects.filter(
            letter__in=valid_letters(at, department).values("pk")
        )
        .values_list("item_code", flat=True)
        .distinct()
    )


def authorisation_rate(item_codes: Iterable[str], at: date) -> float:
    """Share (0.0-1.0) of the given distinct items that can be decided on the spot on day
    ``at`` (终审权授权率). The caller passes the items (e.g. the published items of the hall);
    no items gives 0.0."""
    codes = {c for c in item_codes if c}
    if not codes:
        return 0.0
    covered = set(
        AuthorisationLetterItem.objects.filter(
            letter__in=valid_letters(at).values("pk"), item_code__in=codes
        )
        .values_list("item_code", flat=True)
        .distinct()
    )
    return len(covered) / len(codes)


def on_the_spot_overview(
    at: date, departments: QuerySet[Department] | None = None
) -> QuerySet[AuthorisationLetterItem]:
    """Rows (item code, letter, department, officer) of every valid letter on day ``at``."""
    letters = valid_letters(at)
    if departments is not None:
        letters = letters.filter(department__in=departments)
    return (
        AuthorisationLetterItem.objects.filter(letter__in=letters.values("pk"))
        .select_related("letter__department", "letter__officer")
        .order_by("item_code", "letter__officer__username")
    )


def staff_of_department(
    department: Department,
    *,
    roles: Iterable[str] | None = None,
    service_point: ServicePoint | None = None,
    include_centre_wide: bool = False,
) -> QuerySet[User]:
    """Active staff holding a role in ``department`` (optionally only ``roles``, only at
    ``service_point`` or every service point, and with centre-wide holders included)."""
    scope = Q(department=department)
    if include_centre_wide:
        scope |= Q(department__isnull=True)
    assignments = RoleAssignment.objects.filter(scope, role__in=list(roles or STAFF_ROLES))
    if service_point is not None:
        assignments = assignments.filter(
            Q(service_point__isnull=True) | Q(service_point=service_point)
        )
    return User.objects.filter(is_active=True, pk__in=assignments.values("user")).order_by(
        "username"
    )


def staff_manageable_by(actor: Any) -> QuerySet[User]:
    """Accounts ``actor`` may edit: all but superusers for a centre-wide ``org.manage_staff``
    holder (superusers too, for a superuser); for a department administrator, the users with
    a role in one of the administrator's departments and no role outside them (no
    centre-wide role, no applicant account)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return User.objects.none()
    if actor.is_superuser:
        return User.objects.all()
    if is_centre_wide(actor, "org.manage_staff"):
        return User.objects.filter(is_superuser=False)
    departments = departments_for(actor, "org.manage_staff")
    inside = RoleAssignment.objects.filter(user=OuterRef("pk"), department__in=departments)
    outside = RoleAssignment.objects.filter(user=OuterRef("pk")).filter(
        Q(department__isnull=True) | ~Q(department__in=departments) | Q(role=Role.APPLICANT)
    )
    return User.objects.filter(is_superuser=False).filter(Exists(inside), ~Exists(outside))


def applicant_of(user: Any, kind: str | None = None) -> QuerySet[Applicant]:
    """The applicants ``user`` may act for (a natural person's own record first)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Applicant.objects.none()
    qs = user.applicants.all().order_by("kind", "name")
    if kind:
        qs = qs.filter(kind=kind)
    return qs
