"""The published list at an instant, and what changed in it between two instants.

A version is on the published list at ``t`` when ``published_at <= t`` and it had not yet
been superseded or abolished (``superseded_at`` null or later than ``t``). Statuses do not
matter: a superseded version was published during its interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from onewindow.catalog.content import SCALAR_KEYS, version_prefetch, version_to_dict
from onewindow.catalog.models import ItemVersion

GUIDE_KEYS = (*SCALAR_KEYS, "themes", "service_points")


def published_at(t: datetime) -> QuerySet[ItemVersion]:
    """The versions on the published list at instant ``t`` (one per item at most)."""
    return ItemVersion.objects.filter(
        Q(published_at__lte=t) & (Q(superseded_at__isnull=True) | Q(superseded_at__gt=t))
    )


@dataclass
class ListChange:
    """Added, removed and changed rows of a keyed list (materials by type, fields by code)
    or, for steps, positions whose content differs."""

    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)  # {"key", "before", "after"}

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class ItemChange:
    code: str
    name: str
    before_number: int
    after_number: int
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    steps: ListChange = field(default_factory=ListChange)
    materials: ListChange = field(default_factory=ListChange)
    form_fields: ListChange = field(default_factory=ListChange)


@dataclass
class ItemRef:
    code: str
    name: str
    number: int
    department: str


@dataclass
class PublishedDiff:
    t1: datetime
    t2: datetime
    added: list[ItemRef] = field(default_factory=list)
    removed: list[ItemRef] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _keyed_diff(before: list[dict[str, Any]], after: list[dict[str, Any]], key: str) -> ListChange:
    b = {r[key]: r for r in before}
    a = {r[key]: r for r in after}
    change = ListChange()
    change.added = [a[k] for k in a if k not in b]
    change.removed = [b[k] for k in b if k not in a]
    for k in a:
        if k in b and a[k] != b[k]:
            change.changed.append({"key": k, "before": b[k], "after": a[k]})
    return change


def _step_diff(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> ListChange:
    change = ListChange()
    for i in range(max(len(before), len(after))):
        b = before[i] if i < len(before) else None
        a = after[i] if i < len(after) else None
        if b is None and a is not None:
            change.added.append({"order": i + 1, **a})
        elif a is None and b is not None:
            change.removed.append({"order": i + 1, **b})
        elif a != b:
            change.changed.append({"key": i + 1, "before": b, "after": a})
    return change


def compare_versions(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Field-level differences between two item dicts."""
    return {
        "fields": {k: (before[k], after[k]) for k in GUIDE_KEYS if before[k] != after[k]},
        "steps": _step_diff(before["steps"], after["steps"]),
        "materials": _keyed_diff(before["materials"], after["materials"], "type"),
        "form_fields": _keyed_diff(before["fields"], after["fields"], "field"),
    }


def _ref(v: ItemVersion) -> ItemRef:
    return ItemRef(
        code=v.item.code, name=v.name, number=v.number, department=v.item.department.name
    )


def published_diff(t1: datetime, t2: datetime) -> PublishedDiff:
    """What changed on the published list between ``t1`` and ``t2``: items added, removed,
    and changed (with before/after of guide fields, steps, materials and form fields).
    A new version with identical content is not a change."""

    def load(t: datetime) -> dict[int, ItemVersion]:
        qs = (
            published_at(t).select_related("item__department").prefetch_related(*version_prefetch())
        )
        return {v.item_id: v for v in qs}

    at1, at2 = load(t1), load(t2)
    diff = PublishedDiff(t1=t1, t2=t2)
    diff.added = sorted((_ref(v) for k, v in at2.items() if k not in at1), key=lambda r: r.code)
    diff.removed = sorted((_ref(v) for k, v in at1.items() if k not in at2), key=lambda r: r.code)
    for item_id in sorted(set(at1) & set(at2), key=lambda k: at2[k].item.code):
        v1, v2 = at1[item_id], at2[item_id]
        if v1.pk == v2.pk:
            continue
        parts = compare_versions(version_to_dict(v1), version_to_dict(v2))
        if not (parts["fields"] or parts["steps"] or parts["materials"] or parts["form_fields"]):
            continue
        diff.changed.append(
            ItemChange(
                code=v2.item.code,
                name=v2.name,
                before_number=v1.number,
                after_number=v2.number,
                **parts,
            )
        )
    return diff
