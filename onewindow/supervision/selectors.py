"""Reads of the traffic lights, scoped to what the actor may see.

* ``supervision.view``: the hall's board (the centre's supervisor: every department when
  held centre-wide, else the departments of the assignment);
* ``supervision.view_department``: a department's own board (section chiefs, chief
  representatives, department administrators).

Counts are one ``GROUP BY`` over the active lights (index ``light_board``); the red list is
one query over the red lights plus one for the tasks of the cases shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet

from onewindow.cases.models import Case, Task, TaskStatus
from onewindow.common.errors import NotFound, PermissionDenied
from onewindow.org.models import Department
from onewindow.org.permissions import departments_for, has_capability
from onewindow.supervision.models import CaseLight, Colour
from onewindow.supervision.thresholds import US
from onewindow.workdays.selectors import get_calendar

HALL = "supervision.view"
DEPARTMENT = "supervision.view_department"
RED_LIST_LIMIT = 200


def scope(user: Any, capability: str) -> QuerySet[Department]:
    """The departments whose lights ``user`` may see through ``capability``; none at all:
    PermissionDenied."""
    if not has_capability(user, capability):
        raise PermissionDenied("您没有查看督查看板的权限", fields={"capability": capability})
    return departments_for(user, capability)


@dataclass
class Filters:
    department: int | None = None
    colour: int | None = None
    service_point: int | None = None

    @classmethod
    def parse(cls, data: Any) -> Filters:
        """From query parameters; unknown values are ignored (all)."""

        def number(key: str) -> int | None:
            raw = str(data.get(key) or "").strip()
            return int(raw) if raw.isdigit() else None

        colour = number("colour")
        return cls(
            department=number("department"),
            colour=colour if colour in Colour.values else None,
            service_point=number("service_point"),
        )


def visible_lights(
    user: Any, capability: str, filters: Filters | None = None
) -> QuerySet[CaseLight]:
    """Active lights in the actor's scope, filtered. A department outside the scope is a
    ``NotFound`` (never reveal whether it exists)."""
    departments = scope(user, capability)
    filters = filters or Filters()
    qs = CaseLight.objects.filter(active=True, department__in=departments)
    if filters.department is not None:
        if not departments.filter(pk=filters.department).exists():
            raise NotFound("未找到该部门", code="department_not_found")
        qs = qs.filter(department_id=filters.department)
    if filters.colour is not None:
        qs = qs.filter(colour=filters.colour)
    if filters.service_point is not None:
        qs = qs.filter(service_point_id=filters.service_point)
    return qs


@dataclass
class DepartmentCounts:
    department_id: int
    name: str
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def green(self) -> int:
        return self.counts.get(Colour.GREEN, 0)

    @property
    def yellow(self) -> int:
        return self.counts.get(Colour.YELLOW, 0)

    @property
    def red(self) -> int:
        return self.counts.get(Colour.RED, 0)

    @property
    def legal(self) -> int:
        return self.counts.get(Colour.LEGAL, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def colour_counts(
    user: Any, capability: str, filters: Filters | None = None
) -> tuple[list[DepartmentCounts], dict[int, int]]:
    """Counts by colour per department (one GROUP BY) and the totals."""
    rows = (
        visible_lights(user, capability, filters)
        .values("department_id", "colour")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_dept: dict[int, DepartmentCounts] = {}
    totals = dict.fromkeys(Colour.values, 0)
    names = dict(Department.objects.values_list("pk", "name"))
    for row in rows:
        dept = by_dept.setdefault(
            row["department_id"],
            DepartmentCounts(row["department_id"], names.get(row["department_id"], "")),
        )
        dept.counts[row["colour"]] = row["n"]
        totals[row["colour"]] += row["n"]
    ordered = sorted(by_dept.values(), key=lambda d: (-d.legal, -d.red, -d.yellow, d.name))
    return ordered, totals


@dataclass
class RedRow:
    light: CaseLight
    number: str
    title: str
    department: str
    colour: int
    colour_label: str
    red_since: datetime | None
    due: datetime | None
    holder: str
    holding_since: datetime | None
    holding_workdays: int | None
    paused: bool


def red_list(
    user: Any, capability: str, filters: Filters | None = None, *, now: datetime
) -> list[RedRow]:
    """The red lights (red and past the legal deadline, or the chosen colour), longest red
    first, with who holds each case and for how long (working days)."""
    filters = filters or Filters()
    qs = visible_lights(user, capability, filters)
    if filters.colour is None:
        qs = qs.filter(colour__gte=Colour.RED)
    lights = list(
        qs.select_related(
            "department", "case__item_version", "bundle_case__bundle_version"
        ).order_by("-colour", "red_at", "id")[:RED_LIST_LIMIT]
    )
    case_ids = [light.case_id for light in lights if light.case_id]
    holders: dict[int, Task] = {}
    for task in (
        Task.objects.filter(case_id__in=case_ids, status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])
        .select_related("assignee", "department")
        .order_by("created_at", "id")
    ):
        holders[task.case_id] = task
    cal = get_calendar()
    rows = []
    for light in lights:
        holder, since = _holder(holders.get(light.case_id) if light.case_id else None)
        title, number = _subject(light)
        rows.append(
            RedRow(
                light=light,
                number=number,
                title=title,
                department=light.department.name,
                colour=light.colour,
                colour_label=str(Colour(light.colour).label),
                red_since=_instant(light.red_at),
                due=light.src_promised_due_at,
                holder=holder,
                holding_since=since,
                holding_workdays=cal.workdays_elapsed(since, now) if since else None,
                paused=light.paused,
            )
        )
    return rows


def _holder(task: Task | None) -> tuple[str, datetime | None]:
    if task is None:
        return "", None
    if task.assignee is not None:
        return str(task.assignee), task.claimed_at or task.created_at
    return f"{task.department.name}（待认领）", task.created_at


def _subject(light: CaseLight) -> tuple[str, str]:
    if light.case is not None:
        case: Case = light.case
        return case.item_version.name, case.number
    bundle = light.bundle_case
    if bundle is None:  # cannot happen: light_one_subject
        return "", str(light.pk)
    return bundle.bundle_version.name, bundle.number


def _instant(value: int | None) -> datetime | None:
    from datetime import UTC

    from onewindow.supervision.thresholds import NEVER

    if value is None or value >= NEVER or value <= 0:
        return None
    return datetime.fromtimestamp(value / US, tz=UTC)


def light_for(case: Case) -> CaseLight | None:
    """The case's light (None before its first sweep or if never accepted)."""
    if hasattr(case, "_supervision_light"):
        cached: CaseLight | None = case._supervision_light
        return cached
    light = CaseLight.objects.filter(case_id=case.pk).first()
    case._supervision_light = light  # type: ignore[attr-defined]
    return light


def preload_lights(cases: Any) -> None:
    """Attach each case's light (one query for a whole list of cases, or of rows whose first
    element is the case)."""
    items = [c[0] if isinstance(c, tuple) else c for c in cases]
    items = [c for c in items if isinstance(c, Case)]
    lights = {
        light.case_id: light
        for light in CaseLight.objects.filter(case_id__in=[c.pk for c in items])
    }
    for case in items:
        case._supervision_light = lights.get(case.pk)  # type: ignore[attr-defined]
