"""Named capabilities (DESIGN.md convention 3), granted by role, scoped by department and
service point. ``has_capability`` is the one check; menus, views, the API and services use it.

A role assignment with a blank department applies to every department; with a blank service
point, to every service point. A check without a department asks "anywhere at all?".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from onewindow.common.errors import PermissionDenied
from onewindow.org.models import Department, Role, RoleAssignment, ServicePoint

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.APPLICANT: frozenset({"case.apply"}),
    Role.WINDOW_CLERK: frozenset({"case.accept", "hall.serve", "applicant.register"}),
    Role.PRE_REVIEWER: frozenset({"case.prereview", "hall.serve"}),
    Role.APPROVER: frozenset({"case.review"}),
    Role.SECTION_CHIEF: frozenset({"case.review", "case.decide", "supervision.view_department"}),
    Role.CHIEF_REPRESENTATIVE: frozenset(
        {"case.accept", "case.review", "case.decide", "supervision.view_department"}
    ),
    Role.SUPERVISOR: frozenset({"supervision.view", "audit.view", "catalog.view_drafts"}),
    Role.CENTRE_ADMIN: frozenset(
        {
            "catalog.edit",
            "catalog.review",
            "catalog.publish",
            "catalog.import",
            "catalog.view_drafts",
            "org.manage",
            "org.manage_staff",
            "workdays.manage",
            "authorisation.grant",
            "audit.view",
            "supervision.view",
        }
    ),
    Role.DEPARTMENT_ADMIN: frozenset(
        {
            "catalog.edit",
            "catalog.view_drafts",
            "org.manage_staff",
            "authorisation.grant",
            "supervision.view_department",
        }
    ),
}

ALL_CAPABILITIES: frozenset[str] = frozenset().union(*ROLE_CAPABILITIES.values())


def roles_with(capability: str) -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


def _assignments(user: Any, capability: str) -> QuerySet[RoleAssignment]:
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    return RoleAssignment.objects.filter(user=user, role__in=roles_with(capability))


def has_capability(
    user: Any,
    capability: str,
    *,
    department: Department | None = None,
    service_point: ServicePoint | None = None,
) -> bool:
    """True if ``user`` holds ``capability`` for this department and service point."""
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    qs = _assignments(user, capability)
    if department is not None:
        qs = qs.filter(Q(department__isnull=True) | Q(department=department))
    if service_point is not None:
        qs = qs.filter(Q(service_point__isnull=True) | Q(service_point=service_point))
    return qs.exists()


def require_capability(
    user: Any,
    capability: str,
    *,
    department: Department | None = None,
    service_point: ServicePoint | None = None,
) -> None:
    """Raise ``PermissionDenied`` (a Chinese message, code ``permission_denied``) unless allowed."""
    if not has_capability(user, capability, department=department, service_point=service_point):
        raise PermissionDenied("您没有执行此操作的权限", fields={"capability": capability})


def departments_for(user: Any, capability: str) -> QuerySet[Department]:
    """The departments in which ``user`` holds ``capability`` (all of them for a centre-wide
    assignment). Use it to scope lists: ``items.filter(department__in=departments_for(...))``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    qs = _assignments(user, capability)
    if qs.filter(department__isnull=True).exists():
        return Department.objects.all()
    return Department.objects.filter(pk__in=qs.values("department"))


def capabilities_of(user: Any) -> frozenset[str]:
    """Every capability the user holds somewhere (for building menus)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL_CAPABILITIES
    roles = RoleAssignment.objects.filter(user=user).values_list("role", flat=True).distinct()
    return frozenset().union(*(ROLE_CAPABILITIES.get(r, frozenset()) for r in roles))


# Where each role may be held. "centre": only centre-wide (no department); "department": a
# department is required; "either": a department or centre-wide (e.g. a universal-window clerk
# serves every department). APPLICANT is never scoped.
ROLE_SCOPE: dict[str, str] = {
    Role.APPLICANT: "none",
    Role.WINDOW_CLERK: "either",
    Role.PRE_REVIEWER: "either",
    Role.APPROVER: "department",
    Role.SECTION_CHIEF: "department",
    Role.CHIEF_REPRESENTATIVE: "department",
    Role.SUPERVISOR: "either",
    Role.CENTRE_ADMIN: "centre",
    Role.DEPARTMENT_ADMIN: "department",
}

STAFF_ROLES: frozenset[str] = frozenset(r for r in ROLE_CAPABILITIES if r != Role.APPLICANT)


def is_centre_wide(user: Any, capability: str) -> bool:
    """True if ``user`` holds ``capability`` for every department (a role assignment without
    a department), as opposed to ``has_capability(..., department=None)`` ("anywhere")."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return _assignments(user, capability).filter(department__isnull=True).exists()
