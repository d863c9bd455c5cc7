"""Export of the published catalogue as the interchange dict (docs/catalog-format.md)."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import F

from onewindow.catalog.content import (
    field_definition_to_dict,
    material_type_to_dict,
    theme_to_dict,
    version_prefetch,
    version_to_dict,
)
from onewindow.catalog.importexport.loader import FORMAT
from onewindow.catalog.models import FieldDefinition, ItemVersion, MaterialType, Theme


def export_catalog() -> dict[str, Any]:
    """The dictionaries and every item's published version, ordered by code. Importing the
    result (``import_catalog``) reproduces the same catalogue; into the same database it
    changes nothing."""
    versions = (
        ItemVersion.objects.filter(item__current_version=F("pk"))
        .select_related("item__department")
        .prefetch_related(*version_prefetch())
        .order_by("item__code")
    )
    return {
        "format": FORMAT,
        "material_types": [material_type_to_dict(m) for m in MaterialType.objects.order_by("code")],
        "fields": [field_definition_to_dict(f) for f in FieldDefinition.objects.order_by("code")],
        "themes": [theme_to_dict(t) for t in Theme.objects.order_by("code")],
        "items": [version_to_dict(v) for v in versions],
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
