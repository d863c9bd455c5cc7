"""Who may act on a running bundle case: the lead department's staff (牵头部门), the
applicant's side, the staff of one cooperating department.

A bundle case is invisible (404) to anyone who is neither on the applicant's side nor lead
staff; the applicant's side sees it but may not act as the lead (403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from onewindow.cases.models import BundleCase, BundleCaseStatus, Case
from onewindow.cases.selectors import STAFF_CASE_CAPABILITIES, staff_departments
from onewindow.common.errors import NotFound, PermissionDenied
from onewindow.org.models import RoleAssignment, User
from onewindow.org.permissions import has_capability, roles_with


def not_found() -> NotFound:
    return NotFound(_("未找到该一件事办件"), code="bundle_case_not_found")


def authenticated(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录"), code="login_required")


def is_lead(actor: Any, bundle_case: BundleCase) -> bool:
    """Staff holding a case capability in the lead department (or centre-wide)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return staff_departments(actor).filter(pk=bundle_case.lead_department_id).exists()


def require_lead(actor: Any, bundle_case: BundleCase, *, what: str) -> None:
    """The lead department's staff only: the applicant's side gets 403, anyone else 404."""
    from onewindow.cases.services.bundle import is_bundle_applicant

    authenticated(actor)
    if bundle_case.status == BundleCaseStatus.DRAFT or not is_lead(actor, bundle_case):
        if is_bundle_applicant(actor, bundle_case):
            raise PermissionDenied(_("只有牵头部门可以%(what)s") % {"what": what}, code="lead_only")
        raise not_found()


def require_applicant_side(actor: Any, bundle_case: BundleCase) -> None:
    from onewindow.cases.services.bundle import is_bundle_applicant

    authenticated(actor)
    if not is_bundle_applicant(actor, bundle_case):
        if is_lead(actor, bundle_case):
            raise PermissionDenied(_("只有申请人可以作出该选择"), code="applicant_only")
        raise not_found()


def require_window(actor: Any, bundle_case: BundleCase) -> None:
    """一窗受理 authority: ``case.accept`` for the department of every sub-case (the
    centre's window clerks hold it centre-wide); 403 otherwise, before anything is read."""
    authenticated(actor)
    departments = set(bundle_case.sub_cases.values_list("department_id", flat=True))
    if not all(has_capability(actor, "case.accept", department=d) for d in departments):
        raise PermissionDenied(_("您没有受理本一件事全部事项的权限"), code="accept_forbidden")


def sub_case_of(bundle_case: BundleCase, case: Case) -> Case:
    """``case`` again, locked, if it is a sub-case of ``bundle_case``; else 404."""
    fresh = Case.objects.select_for_update().filter(pk=case.pk, bundle_case=bundle_case).first()
    if fresh is None:
        raise NotFound(_("该办件不属于本一件事"), code="sub_case_not_found")
    return Case.objects.select_related("item_version", "department", "applicant").get(pk=fresh.pk)


def department_staff(department_id: int, roles: list[str] | None = None) -> list[User]:
    """Active staff holding a case role in ``department_id`` itself (not centre-wide)."""
    wanted = roles or sorted({r for cap in STAFF_CASE_CAPABILITIES for r in roles_with(cap)})
    users = RoleAssignment.objects.filter(department_id=department_id, role__in=wanted).values(
        "user"
    )
    return list(User.objects.filter(Q(pk__in=users), is_active=True).order_by("pk"))
