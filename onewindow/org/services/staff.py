"""Services for staff accounts and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.common.errors import PermissionDenied, ValidationFailed
from onewindow.org import validation as v
from onewindow.org.models import Department, Role, RoleAssignment, ServicePoint, User
from onewindow.org.permissions import ROLE_SCOPE, STAFF_ROLES
from onewindow.org.services._common import apply_changes, check_actor

RoleSpec = tuple[str, Department | None, ServicePoint | None]


def validate_role(
    role: str, department: Department | None, service_point: ServicePoint | None
) -> None:
    """Is this role allowed in this scope? (see ``permissions.ROLE_SCOPE``)"""
    errors = v.Errors()
    if role not in Role.values:
        errors.add("role", _("角色无效：%(role)s") % {"role": role or "—"})
        errors.raise_if_any()
    label = Role(role).label
    scope = ROLE_SCOPE[role]
    if department is not None and (not isinstance(department, Department) or not department.pk):
        errors.add("department", _("部门不存在"))
    if service_point is not None and (
        not isinstance(service_point, ServicePoint) or not service_point.pk
    ):
        errors.add("service_point", _("服务网点不存在"))
    if scope == "none" and (department is not None or service_point is not None):
        errors.add("role", _("%(role)s角色不按部门或网点授予") % {"role": label})
    elif scope == "centre" and department is not None:
        errors.add("department", _("%(role)s为全中心角色，不能限定部门") % {"role": label})
    elif scope == "department" and department is None:
        errors.add("department", _("%(role)s必须属于一个部门") % {"role": label})
    errors.raise_if_any()


def check_may_assign(actor: Any, role: str, department: Department | None) -> None:
    """Who may grant or revoke a role: centre-wide roles, department administrators and the
    applicant role need centre-wide ``org.manage``; other roles need ``org.manage_staff`` in
    the role's department (a department administrator staffs their own department)."""
    if department is None or role in (Role.DEPARTMENT_ADMIN, Role.APPLICANT):
        check_actor(actor, "org.manage", centre_wide=True)
    else:
        check_actor(actor, "org.manage_staff", department=department)


def sync_is_staff(user: User) -> None:
    """``is_staff`` (entry to the back office) follows whether the user holds a staff role."""
    wanted = user.is_superuser or user.role_assignments.filter(role__in=STAFF_ROLES).exists()
    if user.is_staff != wanted:
        user.is_staff = wanted
        user.save(update_fields=["is_staff"])


def _grant(actor: Any, user: User, role: str, department: Any, service_point: Any):
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, department=department, service_point=service_point
    )
    if created:
        record(
            action="org.role_granted",
            actor=actor,
            obj=assignment,
            summary=str(assignment),
            payload={
                "user": user.username,
                "role": role,
                "department": department.code if department else None,
                "service_point": service_point.code if service_point else None,
            },
        )
    return assignment


def _revoke(actor: Any, assignment: RoleAssignment) -> None:
    payload = {
        "user": assignment.user.username,
        "role": assignment.role,
        "department": assignment.department.code if assignment.department else None,
        "service_point": assignment.service_point.code if assignment.service_point else None,
    }
    record(
        action="org.role_revoked",
        actor=actor,
        obj=assignment,
        summary=str(assignment),
        payload=payload,
    )
    assignment.delete()


def role_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    department: Department | None = None,
    service_point: ServicePoint | None = None,
) -> RoleAssignment:
    """Give ``user`` a role in a scope; granting a role already held changes nothing."""
    role = str(role)
    validate_role(role, department, service_point)
    check_may_assign(actor, role, department)
    if not user.is_active:
        raise ValidationFailed(_("该账号已停用，不能授予角色"), fields={"user": _("账号已停用")})
    with transaction.atomic():
        assignment = _grant(actor, user, role, department, service_point)
        sync_is_staff(user)
    return assignment


def role_revoke(
    *,
    actor: Any,
    user: User,
    role: str,
    department: Department | None = None,
    service_point: ServicePoint | None = None,
) -> None:
    """Take a role away; the scope must match the assignment exactly."""
    role = str(role)
    check_may_assign(actor, role, department)
    with transaction.atomic():
        assignment = (
            RoleAssignment.objects.select_for_update()
            .filter(user=user, role=role, department=department, service_point=service_point)
            .first()
        )
        if assignment is None:
            raise ValidationFailed(
                _("%(user)s没有这一角色授予") % {"user": user}, code="role_not_held"
            )
        _revoke(actor, assignment)
        sync_is_staff(user)


def _password_errors(password: str, user: User | None) -> str | None:
    if not password:
        return _("请填写密码")
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        return " ".join(str(m) for m in exc.messages)
    return None


def validate_staff(
    *, username: str, display_name: str, password: str | None, phone: str = ""
) -> dict[str, Any]:
    errors = v.Errors()
    username = v.text(
        username, field="username", label=_("用户名"), errors=errors, required=True, max_length=150
    )
    if username:
        try:
            UnicodeUsernameValidator()(username)
        except DjangoValidationError:
            errors.add("username", _("用户名只能包含字母、数字和 @/./+/-/_ 字符"))
    cleaned = {
        "username": username,
        "display_name": v.text(
            display_name,
            field="display_name",
            label=_("姓名"),
            errors=errors,
            required=True,
            max_length=64,
        ),
        "phone": v.phone(phone, field="phone", errors=errors),
    }
    if password is not None:
        problem = _password_errors(password, None)
        if problem:
            errors.add("password", problem)
    errors.raise_if_any()
    return cleaned


def staff_create(
    *,
    actor: Any,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[RoleSpec],
    phone: str = "",
) -> User:
    """Create a staff account with ``roles`` [(role, department|None, service point|None)].

    Idempotent on ``username`` (the demo loader runs again): an existing staff account gets
    the new name, phone and password, and its staff roles become exactly ``roles``. An
    existing applicant account is never turned into a staff account this way.
    """
    cleaned = validate_staff(
        username=username, display_name=display_name, password=password, phone=phone
    )
    wanted: list[RoleSpec] = []
    for role, department, service_point in roles:
        role = str(role)
        if role == Role.APPLICANT:
            raise ValidationFailed(_("工作人员账号不能授予申请人角色"), fields={"roles": role})
        validate_role(role, department, service_point)
        check_may_assign(actor, role, department)
        if (role, department, service_point) not in wanted:
            wanted.append((role, department, service_point))
    if not wanted:
        check_actor(actor, "org.manage_staff")

    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=cleaned["username"]).first()
        created = user is None
        if user is None:
            user = User(username=cleaned["username"], identity_provider="local")
            changed = apply_changes(user, {k: cleaned[k] for k in ("display_name", "phone")})
            user.set_password(password)
            user.save()
        else:
            if (
                user.role_assignments.filter(role=Role.APPLICANT).exists()
                or user.applicants.exists()
            ):
                raise ValidationFailed(
                    _("用户名“%(u)s”已被申请人账号使用") % {"u": user.username},
                    code="username_taken",
                    fields={"username": _("该用户名已被申请人账号使用")},
                )
            changed = apply_changes(user, {k: cleaned[k] for k in ("display_name", "phone")})
            if not user.check_password(password):
                user.set_password(password)
                changed["password"] = "***"
            if changed:
                user.save()
        current = {
            (a.role, a.department_id, a.service_point_id): a
            for a in user.role_assignments.select_related("department", "service_point")
            if a.role in STAFF_ROLES
        }
        keys = {(r, d.pk if d else None, s.pk if s else None) for r, d, s in wanted}
        for key, assignment in current.items():
            if key not in keys:
                check_may_assign(actor, assignment.role, assignment.department)
                _revoke(actor, assignment)
        for role, department, service_point in wanted:
            _grant(actor, user, role, department, service_point)
        if created or changed:
            record(
                action="org.staff_created" if created else "org.staff_updated",
                actor=actor,
                obj=user,
                summary=str(user),
                payload={"username": user.username, "changed": changed},
            )
        sync_is_staff(user)
    return user


def staff_may_be_managed_by(actor: Any, user: User) -> bool:
    """May ``actor`` edit ``user``'s account? Centre administrators: anyone but a superuser
    (unless they are one). Department administrators: staff whose every role lies inside the
    administrator's departments (so nobody edits a centre administrator's password)."""
    from onewindow.org.selectors import staff_manageable_by  # selectors import services' peers

    return staff_manageable_by(actor).filter(pk=user.pk).exists()


def staff_update(
    *,
    actor: Any,
    user: User,
    display_name: str,
    phone: str = "",
    email: str = "",
    is_active: bool = True,
    password: str | None = None,
) -> User:
    """Change a staff member's name, contact details, active flag or (when given) password."""
    if actor is not None and not staff_may_be_managed_by(actor, user):
        raise PermissionDenied(_("您没有管理该人员的权限"), fields={"user": user.username})
    cleaned = validate_staff(
        username=user.username, display_name=display_name, password=password, phone=phone
    )
    errors = v.Errors()
    email = v.text(
        email, field="email", label=_("电子邮箱"), errors=errors, required=False, max_length=254
    )
    if email and "@" not in email:
        errors.add("email", _("电子邮箱格式不正确"))
    if actor is not None and getattr(actor, "pk", None) == user.pk and not is_active:
        errors.add("is_active", _("不能停用自己的账号"))
    errors.raise_if_any()
    with transaction.atomic():
        changed = apply_changes(
            user,
            {
                "display_name": cleaned["display_name"],
                "phone": cleaned["phone"],
                "email": email,
                "is_active": bool(is_active),
            },
        )
        if password:
            user.set_password(password)
            changed["password"] = "***"
        if changed:
            user.save()
            record(
                action="org.staff_updated",
                actor=actor,
                obj=user,
                summary=str(user),
                payload={"username": user.username, "changed": changed},
            )
    return user
