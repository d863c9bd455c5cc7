"""Named capabilities (DESIGN.md convention 3), granted by role, scoped by department and
service point. ``has_capability`` is the one check; menus, views, the API and services use it.

A role assignment with a blank department applies to every department; with a blank service
point, to every service point. A check without a department asks "anywhere at all?".
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.signals import request_started
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from onewindow.common.errors import PermissionDenied
from onewindow.org.models import Department, Role, RoleAssignment, ServicePoint

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.APPLICANT: frozenset({"case.apply"}),
    Role.WINDOW_CLERK: frozenset({"case.accept", "hall.serve", "applicant.register"}),
    Role.PRE_REVIEWER: frozenset({"case.prereview", "hall.serve"}),
    Role.APPROVER: frozenset({"case.review"}),
    Role.SECTION_CHIEF: frozenset(
        {"case.review", "case.decide", "supervision.view_department", "ranking.respond"}
    ),
    Role.CHIEF_REPRESENTATIVE: frozenset(
        {"case.accept", "case.review", "case.decide", "supervision.view_department"}
    ),
    Role.SUPERVISOR: frozenset(
        {"supervision.view", "audit.view", "catalog.view_drafts", "ranking.manage"}
    ),
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
            "ranking.manage",
        }
    ),
    Role.DEPARTMENT_ADMIN: frozenset(
        {
            "catalog.edit",
            "catalog.view_drafts",
            "org.manage_staff",
            "authorisation.grant",
            "supervision.view_department",
            "ranking.respond",
        }
    ),
}

# Licences (docs/licences.md): the section chief of the issuing department revokes (撤销)
# or cancels (注销) a permit.
ROLE_CAPABILITIES[Role.SECTION_CHIEF] = ROLE_CAPABILITIES[Role.SECTION_CHIEF] | {"licence.revoke"}

# Ratings (docs/ratings.md): the department verifies, rectifies, calls back and answers
# complaints (ratings.handle; centre-wide for the centre administrator, who handles the
# centre's own complaints); the supervisor closes, sends back and decides appeals.
for _role in (Role.SECTION_CHIEF, Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_ADMIN):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {"ratings.handle"}
ROLE_CAPABILITIES[Role.CENTRE_ADMIN] = ROLE_CAPABILITIES[Role.CENTRE_ADMIN] | {"ratings.handle"}
ROLE_CAPABILITIES[Role.SUPERVISOR] = ROLE_CAPABILITIES[Role.SUPERVISOR] | {"ratings.close"}

ALL_CAPABILITIES: frozenset[str] = frozenset().union(*ROLE_CAPABILITIES.values())


def roles_with(capability: str) -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


# ---------------------------------------------------------------------------- the cache
#
# A user's role assignments are read once (one query) and kept on the user object, so that
# the many checks of one request cost one query. The entry is stamped with a process-wide
# generation, bumped whenever a RoleAssignment is saved or deleted (the org services, the
# admin, tests) and at the start of every HTTP request, so an entry never outlives the
# request that filled it, nor a role change made in this process. While a role change sits
# in a transaction that has not committed yet, nothing is cached at all (a rollback would
# otherwise leave an entry that still shows the withdrawn change).

_CACHE_ATTR = "_onewindow_role_cache"
_state = {"generation": 0, "uncommitted": 0}


def forget_roles(user: Any = None) -> None:
    """Drop cached role assignments (of every user: the generation moves on)."""
    _state["generation"] += 1
    if user is not None:
        with contextlib.suppress(AttributeError):
            delattr(user, _CACHE_ATTR)


def _role_changed(sender: Any, **kwargs: Any) -> None:
    forget_roles()
    connection = transaction.get_connection(kwargs.get("using") or "default")
    if connection.in_atomic_block:
        _state["uncommitted"] += 1

        def committed() -> None:
            _state["uncommitted"] = max(0, _state["uncommitted"] - 1)
            forget_roles()

        transaction.on_commit(committed, using=kwargs.get("using"))


def _request_started(sender: Any, **kwargs: Any) -> None:
    # A new request: whatever transaction changed roles before has ended (committed or
    # rolled back); start from the database again.
    _state["uncommitted"] = 0
    forget_roles()


post_save.connect(_role_changed, sender=RoleAssignment, dispatch_uid="permissions_role_saved")
post_delete.connect(_role_changed, sender=RoleAssignment, dispatch_uid="permissions_role_deleted")
request_started.connect(_request_started, dispatch_uid="permissions_request_started")

Held = tuple[tuple[str, int | None, int | None], ...]


def _read_roles(user_pk: Any) -> Held:
    """One plain SELECT (the hottest read of the platform: building it through the ORM
    costs several times what the database needs for it)."""
    connection = connections[router.db_for_read(RoleAssignment)]
    meta = RoleAssignment._meta
    qn = connection.ops.quote_name
    concrete = {f.name: str(f.column) for f in meta.concrete_fields}
    columns = ", ".join(qn(concrete[name]) for name in ("role", "department", "service_point"))
    user_column = qn(concrete["user"])
    # quoted identifiers only; the user id is a parameter
    sql = f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {user_column} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_pk])
        return tuple((str(r), d, s) for r, d, s in cursor.fetchall())


def _held(user: Any) -> Held:
    """(role, department id, service point id) of every assignment of ``user``."""
    cached = getattr(user, _CACHE_ATTR, None)
    generation = _state["generation"]
    if cached is not None and cached[0] == generation and cached[1] == user.pk:
        return cached[2]
    rows = _read_roles(user.pk)
    if not _state["uncommitted"]:
        with contextlib.suppress(AttributeError):  # an object without a __dict__
            setattr(user, _CACHE_ATTR, (generation, user.pk, rows))
    return rows


def _pk(obj: Any) -> Any:
    return getattr(obj, "pk", obj)


def _matching(
    user: Any, capability: str, department: Any = None, service_point: Any = None
) -> list[tuple[str, int | None, int | None]]:
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    roles = _ROLES_WITH[capability]
    dept, point = _pk(department), _pk(service_point)
    return [
        row
        for row in _held(user)
        if row[0] in roles
        and (department is None or row[1] is None or row[1] == dept)
        and (service_point is None or row[2] is None or row[2] == point)
    ]


_ROLES_WITH: dict[str, frozenset[str]] = {
    cap: frozenset(roles_with(cap)) for cap in ALL_CAPABILITIES
}


def has_capability(
    user: Any,
    capability: str,
    *,
    department: Department | int | None = None,
    service_point: ServicePoint | int | None = None,
) -> bool:
    """True if ``user`` holds ``capability`` for this department and service point (each
    given as the object or its id)."""
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(_matching(user, capability, department, service_point))


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
    rows = _matching(user, capability)
    if any(dept is None for _r, dept, _s in rows):
        return Department.objects.all()
    return Department.objects.filter(pk__in=sorted({dept for _r, dept, _s in rows}))


def capabilities_of(user: Any) -> frozenset[str]:
    """Every capability the user holds somewhere (for building menus)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL_CAPABILITIES
    roles = {role for role, _d, _s in _held(user)}
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
    return any(dept is None for _r, dept, _s in _matching(user, capability))
