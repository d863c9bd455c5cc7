"""Services for departments, service points and windows. Upserts are keyed by code (by
service point and number for windows) so the demo loader can run again; a call that changes
nothing writes nothing, not even an audit event."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.org import validation as v
from onewindow.org.models import (
    Department,
    ServicePoint,
    ServicePointLevel,
    Window,
    WindowKind,
)
from onewindow.org.services._common import apply_changes, check_actor

AREA_CODE_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")

# Which level a service point's parent may have (None: it has no parent).
_PARENT_LEVELS: dict[str, set[str] | None] = {
    ServicePointLevel.DISTRICT: None,
    ServicePointLevel.TOWN: {ServicePointLevel.DISTRICT},
    ServicePointLevel.VILLAGE: {ServicePointLevel.TOWN, ServicePointLevel.DISTRICT},
    ServicePointLevel.POST: set(ServicePointLevel.values),
    ServicePointLevel.BANK: set(ServicePointLevel.values),
}


def validate_department(
    *, code: str, name: str, short_name: str = "", uscc: str = "", phone: str = "", order: Any = 0
) -> dict[str, Any]:
    errors = v.Errors()
    cleaned = {
        "code": v.code(code, field="code", label=_("部门编码"), errors=errors),
        "name": v.text(
            name, field="name", label=_("部门名称"), errors=errors, required=True, max_length=128
        ),
        "short_name": v.text(
            short_name,
            field="short_name",
            label=_("简称"),
            errors=errors,
            required=False,
            max_length=32,
        ),
        "uscc": v.uscc(uscc, field="uscc", errors=errors, required=False),
        "phone": v.phone(phone, field="phone", errors=errors),
    }
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        errors.add("order", _("排序应为非负整数"))
    cleaned["order"] = order
    if (
        not errors
        and Department.objects.filter(name=cleaned["name"]).exclude(code=cleaned["code"]).exists()
    ):
        errors.add("name", _("部门名称“%(name)s”已被其他部门使用") % {"name": cleaned["name"]})
    errors.raise_if_any()
    return cleaned


def department_upsert(
    *,
    actor: Any,
    code: str,
    name: str,
    short_name: str = "",
    uscc: str = "",
    phone: str = "",
    order: int = 0,
    is_active: bool | None = None,
) -> Department:
    """Create the department with ``code`` or update it (``is_active=None``: unchanged; new
    departments are active). Needs centre-wide ``org.manage``."""
    check_actor(actor, "org.manage", centre_wide=True)
    cleaned = validate_department(
        code=code, name=name, short_name=short_name, uscc=uscc, phone=phone, order=order
    )
    if is_active is not None:
        cleaned["is_active"] = bool(is_active)
    with transaction.atomic():
        department = Department.objects.select_for_update().filter(code=cleaned["code"]).first()
        created = department is None
        if department is None:
            department = Department(code=cleaned["code"])
        changed = apply_changes(department, cleaned)
        if created or changed:
            department.save()
            record(
                action="org.department_created" if created else "org.department_updated",
                actor=actor,
                obj=department,
                summary=department.name,
                payload={"changed": changed},
            )
    return department


def validate_service_point(
    *,
    code: str,
    name: str,
    level: str,
    parent: ServicePoint | None = None,
    area_code: str = "",
    address: str = "",
    phone: str = "",
    office_hours: Any = None,
    opening_note: str = "",
) -> dict[str, Any]:
    errors = v.Errors()
    cleaned: dict[str, Any] = {
        "code": v.code(code, field="code", label=_("网点编码"), errors=errors),
        "name": v.text(
            name, field="name", label=_("网点名称"), errors=errors, required=True, max_length=128
        ),
        "address": v.text(
            address, field="address", label=_("地址"), errors=errors, required=False, max_length=255
        ),
        "phone": v.phone(phone, field="phone", errors=errors),
        "office_hours": v.office_hours(office_hours, field="office_hours", errors=errors),
        "opening_note": v.text(
            opening_note,
            field="opening_note",
            label=_("办公时间说明"),
            errors=errors,
            required=False,
            max_length=255,
        ),
    }
    level = str(level or "")
    if level not in ServicePointLevel.values:
        errors.add("level", _("网点层级无效：%(level)s") % {"level": level or "—"})
    cleaned["level"] = level
    area = (area_code or "").strip()
    if area and not AREA_CODE_RE.match(area):
        errors.add("area_code", _("行政区划代码应为6位、9位或12位数字"))
    cleaned["area_code"] = area
    allowed = _PARENT_LEVELS.get(level, set())
    if parent is not None:
        if not isinstance(parent, ServicePoint) or parent.pk is None:
            errors.add("parent", _("上级网点不存在"))
        elif parent.code == cleaned["code"] or _is_descendant(parent, cleaned["code"]):
            errors.add("parent", _("上级网点不能是本网点或其下级网点"))
        elif allowed is None:
            errors.add("parent", _("区级政务服务中心不能有上级网点"))
        elif parent.level not in allowed:
            errors.add(
                "parent",
                _("%(level)s的上级不能是%(parent)s")
                % {
                    "level": ServicePointLevel(level).label,
                    "parent": parent.get_level_display(),
                },
            )
    cleaned["parent"] = parent
    errors.raise_if_any()
    return cleaned


def _is_descendant(candidate: ServicePoint, code: str) -> bool:
    """Is ``candidate`` below the service point with ``code``? (walks up, at most 10 levels)"""
    node: ServicePoint | None = candidate
    for _step in range(10):
        if node is None or node.parent_id is None:
            return False
        node = node.parent
        if node is not None and node.code == code:
            return True
    return True  # deeper than any real network: treat as a cycle


def service_point_upsert(
    *,
    actor: Any,
    code: str,
    name: str,
    level: str,
    parent: ServicePoint | None = None,
    area_code: str = "",
    address: str = "",
    phone: str = "",
    office_hours: list[list[str]] | None = None,
    opening_note: str = "",
    is_active: bool | None = None,
) -> ServicePoint:
    """Create or update the service point with ``code`` (``is_active=None``: unchanged).
    Needs centre-wide ``org.manage``."""
    check_actor(actor, "org.manage", centre_wide=True)
    cleaned = validate_service_point(
        code=code,
        name=name,
        level=level,
        parent=parent,
        area_code=area_code,
        address=address,
        phone=phone,
        office_hours=office_hours,
        opening_note=opening_note,
    )
    if is_active is not None:
        cleaned["is_active"] = bool(is_active)
    with transaction.atomic():
        point = ServicePoint.objects.select_for_update().filter(code=cleaned["code"]).first()
        created = point is None
        if point is None:
            point = ServicePoint(code=cleaned["code"])
        changed = apply_changes(point, cleaned)
        if created or changed:
            point.save()
            record(
                action="org.service_point_created" if created else "org.service_point_updated",
                actor=actor,
                obj=point,
                summary=point.name,
                payload={"changed": changed},
            )
    return point


def validate_window(
    *,
    service_point: ServicePoint | None,
    number: str,
    name: str,
    kind: str,
    departments: Any = (),
    check_service_point: bool = True,
) -> dict[str, Any]:
    errors = v.Errors()
    if check_service_point and (
        not isinstance(service_point, ServicePoint) or service_point.pk is None
    ):
        errors.add("service_point", _("请选择窗口所在的服务网点"))
    cleaned: dict[str, Any] = {
        "number": v.text(
            number, field="number", label=_("窗口号"), errors=errors, required=True, max_length=16
        ),
        "name": v.text(
            name, field="name", label=_("窗口名称"), errors=errors, required=True, max_length=64
        ),
    }
    kind = str(kind or "")
    if kind not in WindowKind.values:
        errors.add("kind", _("窗口类型无效：%(kind)s") % {"kind": kind or "—"})
    cleaned["kind"] = kind
    depts = list(departments or ())
    if any(not isinstance(d, Department) or d.pk is None for d in depts):
        errors.add("departments", _("受理部门不存在"))
    elif kind == WindowKind.DEDICATED and not depts:
        errors.add("departments", _("专业窗口至少要有一个受理部门"))
    cleaned["departments"] = depts
    errors.raise_if_any()
    return cleaned


def window_upsert(
    *,
    actor: Any,
    service_point: ServicePoint,
    number: str,
    name: str,
    kind: str,
    departments: Iterable[Department] = (),
    is_active: bool | None = None,
) -> Window:
    """Create or update window ``number`` of ``service_point``; ``departments`` replaces the
    window's departments (empty for a universal window: it accepts every department's items).
    Needs centre-wide ``org.manage``."""
    check_actor(actor, "org.manage", centre_wide=True)
    cleaned = validate_window(
        service_point=service_point, number=number, name=name, kind=kind, departments=departments
    )
    depts: list[Department] = cleaned.pop("departments")
    if is_active is not None:
        cleaned["is_active"] = bool(is_active)
    with transaction.atomic():
        window = (
            Window.objects.select_for_update()
            .filter(service_point=service_point, number=cleaned["number"])
            .first()
        )
        created = window is None
        if window is None:
            window = Window(service_point=service_point, number=cleaned["number"])
        changed = apply_changes(window, cleaned)
        old_depts = set() if created else set(window.departments.values_list("code", flat=True))
        new_depts = {d.code for d in depts}
        if old_depts != new_depts:
            changed["departments"] = [sorted(old_depts), sorted(new_depts)]
        if created or changed:
            window.save()
            window.departments.set(depts)
            record(
                action="org.window_created" if created else "org.window_updated",
                actor=actor,
                obj=window,
                summary=str(window),
                payload={"changed": changed},
            )
    return window
