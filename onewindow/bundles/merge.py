"""Merging the items of a bundle into one guide (一次告知) and one form (一表申请): pure
functions over plain data, no database (the selectors feed them; tests and hypothesis drive
them directly).

* Materials are de-duplicated by material type: asked once however many items ask it;
  required if any asker requires it, core if any marks it core, originals and copies the
  largest asked, paper if any needs paper; obtained without submission (e-licence, shared
  data) only if *every* asker obtains it so. Each merged material lists the items using it.
* Fields are de-duplicated by field-dictionary code. The rules of each ask (dictionary rules
  tightened by the item's) are merged across items, the stricter winning: the highest
  ``min``, the lowest ``max`` and ``max_length``, the intersection of ``choices``, every
  ``pattern``; required if any item requires it. What cannot be merged (different types, no
  common choice, ``min`` above ``max``) is a ``FieldConflict``: it blocks publication.
* Conditions are split into lines and de-duplicated across items.
* ``reduction`` compares the items applied for separately with the bundle.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

# Office hours of a working day (09:00-12:00, 13:30-17:00), to express hour limits in days.
HOURS_PER_WORKING_DAY = 6.5
SOURCE_APPLICANT = "applicant"
SOURCE_ELICENCE = "elicence"
SOURCE_DEPARTMENT = "department"


def limit_in_days(value: int, unit: str) -> int:
    """A limit in working days: working hours are rounded up to whole working days."""
    if unit == "working_hour":
        return math.ceil(value / HOURS_PER_WORKING_DAY)
    return int(value)


# --- materials


@dataclass(frozen=True)
class MaterialAsk:
    """One item asking one material type."""

    item: str
    item_name: str
    code: str
    name: str
    required: bool = True
    core: bool = True
    originals: int = 0
    copies: int = 1
    paper_required: bool = False
    source: str = SOURCE_APPLICANT
    requirements: str = ""


@dataclass
class MergedMaterial:
    code: str
    name: str
    required: bool
    core: bool
    originals: int
    copies: int
    paper_required: bool
    source: str
    requirements: list[str] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)
    used_by_names: list[str] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        """Asked by more than one item (共用): handed in once for all of them."""
        return len(self.used_by) > 1

    @property
    def submitted(self) -> bool:
        """The applicant hands it in (not fetched from an e-licence or shared data)."""
        return self.source == SOURCE_APPLICANT


def _merged_source(sources: Sequence[str]) -> str:
    if SOURCE_APPLICANT in sources:
        return SOURCE_APPLICANT
    if SOURCE_ELICENCE in sources:
        return SOURCE_ELICENCE
    return SOURCE_DEPARTMENT


def merge_materials(asks: Iterable[MaterialAsk]) -> list[MergedMaterial]:
    """De-duplicate by material type, in order of first appearance."""
    merged: dict[str, MergedMaterial] = {}
    sources: dict[str, list[str]] = {}
    for ask in asks:
        m = merged.get(ask.code)
        if m is None:
            m = merged[ask.code] = MergedMaterial(
                code=ask.code,
                name=ask.name,
                required=ask.required,
                core=ask.core,
                originals=ask.originals,
                copies=ask.copies,
                paper_required=ask.paper_required,
                source=ask.source,
            )
            sources[ask.code] = []
        else:
            m.required = m.required or ask.required
            m.core = m.core or ask.core
            m.originals = max(m.originals, ask.originals)
            m.copies = max(m.copies, ask.copies)
            m.paper_required = m.paper_required or ask.paper_required
        sources[ask.code].append(ask.source)
        m.source = _merged_source(sources[ask.code])
        text = ask.requirements.strip()
        if text and text not in m.requirements:
            m.requirements.append(text)
        if ask.item not in m.used_by:
            m.used_by.append(ask.item)
            m.used_by_names.append(ask.item_name)
    return list(merged.values())


# --- fields


@dataclass(frozen=True)
class FieldAsk:
    """One item asking one dictionary field: the dictionary's rules (``base``) and the
    item's own (``extra``)."""

    item: str
    item_name: str
    code: str
    label: str
    type: str
    required: bool = True
    base: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    unit: str = ""
    help_text: str = ""


@dataclass
class MergedField:
    code: str
    label: str
    type: str
    required: bool
    min: Any = None
    max: Any = None
    max_length: int | None = None
    choices: list[str] | None = None
    patterns: list[str] = field(default_factory=list)
    unit: str = ""
    help_text: str = ""
    used_by: list[str] = field(default_factory=list)
    used_by_names: list[str] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return len(self.used_by) > 1

    def constraints(self) -> dict[str, Any]:
        """The merged rules in the catalogue's constraint format (``pattern`` → ``patterns``,
        all of which must match)."""
        out: dict[str, Any] = {}
        for key in ("min", "max", "max_length"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.patterns:
            out["patterns"] = list(self.patterns)
        return out


@dataclass(frozen=True)
class FieldConflict:
    """A field whose rules from several items cannot be merged: publication is blocked."""

    code: str
    label: str
    items: tuple[str, ...]
    reason: str

    @property
    def message(self) -> str:
        return _("字段“%(label)s”（%(code)s）在%(items)s中的规则无法合并：%(reason)s") % {
            "label": self.label,
            "code": self.code,
            "items": "、".join(f"“{name}”" for name in self.items),
            "reason": self.reason,
        }


def _number(value: Any) -> Any:
    return (
        value if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else None
    )


def _tighten(target: MergedField, rules: Mapping[str, Any]) -> None:
    low, high = _number(rules.get("min")), _number(rules.get("max"))
    if low is not None:
        target.min = low if target.min is None else max(target.min, low)
    if high is not None:
        target.max = high if target.max is None else min(target.max, high)
    length = _number(rules.get("max_length"))
    if length is not None:
        length = int(length)
        target.max_length = length if target.max_length is None else min(target.max_length, length)
    choices = rules.get("choices")
    if isinstance(choices, list | tuple):
        if target.choices is None:
            target.choices = [str(c) for c in dict.fromkeys(choices)]
        else:
            allowed = {str(c) for c in choices}
            target.choices = [c for c in target.choices if c in allowed]
    pattern = rules.get("pattern")
    if isinstance(pattern, str) and pattern and pattern not in target.patterns:
        target.patterns.append(pattern)


def merge_fields(asks: Iterable[FieldAsk]) -> tuple[list[MergedField], list[FieldConflict]]:
    """De-duplicate by dictionary code, the stricter rule winning; report what cannot be
    merged. Fields come in order of first appearance."""
    merged: dict[str, MergedField] = {}
    types: dict[str, dict[str, list[str]]] = {}
    for ask in asks:
        f = merged.get(ask.code)
        if f is None:
            f = merged[ask.code] = MergedField(
                code=ask.code,
                label=ask.label,
                type=ask.type,
                required=ask.required,
                unit=ask.unit,
                help_text=ask.help_text,
            )
            types[ask.code] = {}
        f.required = f.required or ask.required
        types[ask.code].setdefault(ask.type, []).append(ask.item_name)
        _tighten(f, ask.base)
        _tighten(f, ask.extra)
        if ask.item not in f.used_by:
            f.used_by.append(ask.item)
            f.used_by_names.append(ask.item_name)
    conflicts: list[FieldConflict] = []
    for code, f in merged.items():
        items = tuple(f.used_by_names)
        if len(types[code]) > 1:
            conflicts.append(
                FieldConflict(
                    code,
                    f.label,
                    items,
                    _("字段类型不一致（%(types)s）") % {"types": "、".join(types[code])},
                )
            )
        if f.choices is not None and not f.choices:
            conflicts.append(FieldConflict(code, f.label, items, _("可选项没有交集")))
        if f.min is not None and f.max is not None and f.min > f.max:
            conflicts.append(
                FieldConflict(
                    code,
                    f.label,
                    items,
                    _("合并后最小值 %(low)s 大于最大值 %(high)s") % {"low": f.min, "high": f.max},
                )
            )
    return list(merged.values()), conflicts


# --- conditions

_SPLIT = re.compile(r"\n|；|;|。(?=\s*\d+\s*[.、．])")
_NUMBERING = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(]\d+[)）])\s*")


@dataclass
class ConditionLine:
    text: str
    items: list[str] = field(default_factory=list)


def condition_lines(text: str) -> list[str]:
    """An item's conditions as lines, numbering and end punctuation removed."""
    lines = []
    for raw in _SPLIT.split(text or ""):
        line = _NUMBERING.sub("", raw).strip().rstrip("。；;，, ")
        if line:
            lines.append(line)
    return lines


def merge_conditions(conditions: Iterable[tuple[str, str]]) -> list[ConditionLine]:
    """``(item name, conditions text)`` pairs → the union of lines, each once, with the
    items it comes from."""
    merged: dict[str, ConditionLine] = {}
    for item_name, text in conditions:
        for line in condition_lines(text):
            entry = merged.setdefault(line, ConditionLine(line))
            if item_name not in entry.items:
                entry.items.append(item_name)
    return list(merged.values())


# --- reduction


@dataclass(frozen=True)
class ItemFigures:
    """What applying for one item separately costs the applicant."""

    code: str
    name: str
    visits: int
    materials: int  # required materials listed by the item's guide
    fields: int
    promised_days: int
    legal_days: int


@dataclass(frozen=True)
class Reduction:
    """Before (the items applied for separately) and after (the bundle)."""

    visits_before: int
    visits_after: int
    materials_before: int
    materials_after: int
    forms_before: int
    forms_after: int
    fields_before: int
    fields_after: int
    days_before: int
    days_after: int

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def reduction(
    items: Sequence[ItemFigures],
    *,
    merged_materials: int,
    merged_fields: int,
    bundle_days: int,
    bundle_visits: int,
) -> Reduction:
    """Before: the sums over the items (visits, required materials, forms, fields, promised
    days one after the other). After: the bundle's visits (never more than the most any one
    item needs: one joint visit serves all), the de-duplicated required materials, one form
    with the merged fields, the bundle's promised limit."""
    most_visits = max((i.visits for i in items), default=0)
    forms_before = sum(1 for i in items if i.fields)
    return Reduction(
        visits_before=sum(i.visits for i in items),
        visits_after=min(bundle_visits, most_visits),
        materials_before=sum(i.materials for i in items),
        materials_after=merged_materials,
        forms_before=forms_before,
        forms_after=min(forms_before, 1),
        fields_before=sum(i.fields for i in items),
        fields_after=merged_fields,
        days_before=sum(i.promised_days for i in items),
        days_after=bundle_days,
    )


@dataclass(frozen=True)
class AggregateReduction:
    """Over many bundles: the totals and the averages per bundle (the way the seeds report
    them: 203 bundles, visits 7.8 → 1 on average; 30 bundles, 235 → 30 in total)."""

    bundles: int
    totals: Reduction
    averages: dict[str, float]


def aggregate(reductions: Sequence[Reduction]) -> AggregateReduction:
    keys = list(Reduction.__dataclass_fields__)
    totals = Reduction(**{k: sum(getattr(r, k) for r in reductions) for k in keys})
    n = len(reductions)
    averages = {k: round(getattr(totals, k) / n, 1) if n else 0.0 for k in keys}
    return AggregateReduction(bundles=n, totals=totals, averages=averages)
