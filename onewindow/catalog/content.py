"""An item version's content as a plain dict in the interchange format, and back.

The dict is the shape of one item of ``docs/catalog-format.md``. It is what the services
take, what validation cleans, what export writes and what "is this import unchanged?"
compares, so one canonical form (``ITEM_KEYS`` order, themes and service points sorted,
fees as ``"0.00"`` strings) serves all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from onewindow.catalog.models import (
    FieldDefinition,
    ItemField,
    ItemMaterial,
    ItemStep,
    ItemVersion,
    MaterialType,
    Theme,
)
from onewindow.org.models import Department, ServicePoint

IDENTITY_KEYS = ("code", "basic_code", "department")
SCALAR_KEYS = (
    "name",
    "kind",
    "handling_level",
    "subject_type",
    "keywords",
    "limit_unit",
    "legal_limit",
    "promised_limit",
    "is_instant",
    "visits_required",
    "online_level",
    "fee_yuan",
    "fee_basis",
    "legal_basis",
    "conditions",
    "delivery_methods",
    "result_name",
    "commitment_allowed",
    "cross_district",
    "cross_province",
    "consult_phone",
    "complaint_phone",
    "notes",
)
LIST_KEYS = ("themes", "service_points", "steps", "materials", "fields")
# The order of keys in the interchange format (docs/catalog-format.md).
ITEM_KEYS = (
    "code",
    "basic_code",
    "department",
    "name",
    "kind",
    "handling_level",
    "subject_type",
    "keywords",
    "themes",
    "limit_unit",
    "legal_limit",
    "promised_limit",
    "is_instant",
    "visits_required",
    "online_level",
    "fee_yuan",
    "fee_basis",
    "legal_basis",
    "conditions",
    "delivery_methods",
    "result_name",
    "commitment_allowed",
    "cross_district",
    "cross_province",
    "service_points",
    "consult_phone",
    "complaint_phone",
    "notes",
    "steps",
    "materials",
    "fields",
)
STEP_KEYS = ("kind", "name", "role", "limit", "description")
MATERIAL_KEYS = (
    "type",
    "required",
    "core",
    "originals",
    "copies",
    "paper_required",
    "source",
    "requirements",
)
FIELD_KEYS = ("field", "required", "constraints")
MATERIAL_TYPE_KEYS = ("code", "name", "description", "licence_type_code")
FIELD_DEFINITION_KEYS = ("code", "label", "type", "constraints", "unit", "help_text")
THEME_KEYS = ("code", "name", "audience", "order")


def fee_text(value: Decimal | int | float | str) -> str:
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


def version_prefetch() -> list[Any]:
    """What ``version_to_dict`` reads, for ``prefetch_related`` on version querysets."""
    return [
        Prefetch("steps", queryset=ItemStep.objects.order_by("order")),
        Prefetch(
            "materials",
            queryset=ItemMaterial.objects.select_related("material_type").order_by("order", "id"),
        ),
        Prefetch("fields", queryset=ItemField.objects.select_related("field").order_by("order")),
        "themes",
        "service_points",
    ]


def version_to_dict(version: ItemVersion) -> dict[str, Any]:
    """The canonical interchange dict of one version (with its item's identity)."""
    item = version.item
    data: dict[str, Any] = {
        "code": item.code,
        "basic_code": item.basic_code,
        "department": item.department.code,
    }
    for key in SCALAR_KEYS:
        data[key] = getattr(version, key)
    data["fee_yuan"] = fee_text(version.fee_yuan)
    data["delivery_methods"] = list(version.delivery_methods or [])
    data["themes"] = sorted(t.code for t in version.themes.all())
    data["service_points"] = sorted(sp.code for sp in version.service_points.all())
    data["steps"] = [
        {
            "kind": s.kind,
            "name": s.name,
            "role": s.role,
            "limit": s.limit,
            "description": s.description,
        }
        for s in sorted(version.steps.all(), key=lambda s: s.order)
    ]
    data["materials"] = [
        {
            "type": m.material_type.code,
            "required": m.required,
            "core": m.core,
            "originals": m.originals,
            "copies": m.copies,
            "paper_required": m.paper_required,
            "source": m.source,
            "requirements": m.requirements,
        }
        for m in sorted(version.materials.all(), key=lambda m: (m.order, m.pk))
    ]
    data["fields"] = [
        {"field": f.field.code, "required": f.required, "constraints": dict(f.constraints or {})}
        for f in sorted(version.fields.all(), key=lambda f: (f.order, f.pk))
    ]
    return {key: data[key] for key in ITEM_KEYS}


def content_of(data: dict[str, Any]) -> dict[str, Any]:
    """The guide content of an item dict, without its identity (for comparisons)."""
    return {k: v for k, v in data.items() if k not in IDENTITY_KEYS and k != "change_note"}


def material_type_to_dict(obj: MaterialType) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in MATERIAL_TYPE_KEYS}


def field_definition_to_dict(obj: FieldDefinition) -> dict[str, Any]:
    data = {k: getattr(obj, k) for k in FIELD_DEFINITION_KEYS}
    data["constraints"] = dict(obj.constraints or {})
    return data


def theme_to_dict(obj: Theme) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in THEME_KEYS}


@dataclass
class Lookups:
    """Everything an item refers to by code. Loaded once per import (fast), or per service
    call. Import adds the dictionaries of the file being imported before validating items."""

    departments: dict[str, Department] = field(default_factory=dict)
    service_points: dict[str, ServicePoint] = field(default_factory=dict)
    material_types: dict[str, MaterialType] = field(default_factory=dict)
    fields: dict[str, FieldDefinition] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        return cls(
            departments={d.code: d for d in Department.objects.all()},
            service_points={sp.code: sp for sp in ServicePoint.objects.all()},
            material_types={m.code: m for m in MaterialType.objects.all()},
            fields={f.code: f for f in FieldDefinition.objects.all()},
            themes={t.code: t for t in Theme.objects.all()},
        )


FileMap = dict[str, tuple[Any, Any]]


def material_files(version: ItemVersion) -> FileMap:
    """Template and sample files of a version's materials, by material type code, so that a
    new version written from a dict keeps them."""
    return {
        m.material_type.code: (m.template, m.sample)
        for m in version.materials.all()
        if m.template or m.sample
    }


def write_content(
    version: ItemVersion,
    clean: dict[str, Any],
    *,
    lookups: Lookups,
    files: FileMap | None = None,
    replace_children: bool = True,
) -> None:
    """Write a cleaned item dict onto ``version`` (saved) and replace its children."""
    for key in SCALAR_KEYS:
        setattr(version, key, clean[key])
    version.fee_yuan = Decimal(clean["fee_yuan"])
    version.save()
    version.themes.set([lookups.themes[c] for c in clean["themes"]])
    version.service_points.set([lookups.service_points[c] for c in clean["service_points"]])
    if replace_children:
        version.steps.all().delete()
        version.materials.all().delete()
        version.fields.all().delete()
    files = files or {}
    ItemStep.objects.bulk_create(
        ItemStep(version=version, order=i, **step) for i, step in enumerate(clean["steps"], 1)
    )
    materials = []
    for i, m in enumerate(clean["materials"], 1):
        values = {k: v for k, v in m.items() if k != "type"}
        template, sample = files.get(m["type"], ("", ""))
        materials.append(
            ItemMaterial(
                version=version,
                material_type=lookups.material_types[m["type"]],
                order=i,
                template=template or "",
                sample=sample or "",
                **values,
            )
        )
    ItemMaterial.objects.bulk_create(materials)
    ItemField.objects.bulk_create(
        ItemField(
            version=version,
            field=lookups.fields[f["field"]],
            order=i,
            required=f["required"],
            constraints=f["constraints"],
        )
        for i, f in enumerate(clean["fields"], 1)
    )
