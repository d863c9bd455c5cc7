"""Writes to the catalogue: drafting, review and publication of item versions, and the
shared dictionaries. Every service checks the actor's capability, validates, writes and
records an audit event ``catalog.*`` in one transaction. A published version is never edited
in place: changes go into a new draft, and publishing it supersedes the old one.

Life of a version: draft → in_review → published → superseded (or rejected, abolished).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import record
from onewindow.catalog.content import (
    IDENTITY_KEYS,
    Lookups,
    field_definition_to_dict,
    material_files,
    material_type_to_dict,
    theme_to_dict,
    version_prefetch,
    version_to_dict,
    write_content,
)
from onewindow.catalog.models import (
    FieldDefinition,
    ItemVersion,
    MaterialType,
    ServiceItem,
    Theme,
)
from onewindow.catalog.signals import item_published
from onewindow.catalog.validation import (
    area_code_of,
    validate_field_definition,
    validate_item,
    validate_material_type,
    validate_theme,
)
from onewindow.catalog.versioning import OPEN_STATUSES as OPEN_STATUSES  # re-exported
from onewindow.catalog.versioning import TRANSITIONS as TRANSITIONS  # re-exported
from onewindow.catalog.versioning import Workflow
from onewindow.common.errors import Conflict, ValidationFailed
from onewindow.org.permissions import require_capability

# The shared draft → review → publication steps (onewindow/catalog/versioning.py).
WORKFLOW = Workflow(
    owner_model=ServiceItem,
    version_model=ItemVersion,
    owner_field="item",
    department_field="department",
    action_prefix="catalog",
    code_prefix="catalog",
    noun=gettext_lazy("事项"),
)


def _full(version: ItemVersion) -> ItemVersion:
    return (
        ItemVersion.objects.select_related("item__department")
        .prefetch_related(*version_prefetch())
        .get(pk=version.pk)
    )


# --- internal writers (no permission checks: the public services and the import call them)


def create_item_from_clean(
    clean: dict[str, Any], *, actor: Any, lookups: Lookups, change_note: str = ""
) -> ItemVersion:
    if ServiceItem.objects.filter(code=clean["code"]).exists():
        raise ValidationFailed(
            _("实施编码已存在"),
            fields={"code": [_("实施编码“%(c)s”已存在") % {"c": clean["code"]}]},
        )
    item = ServiceItem.objects.create(
        code=clean["code"],
        basic_code=clean["basic_code"],
        area_code=area_code_of(clean["code"]),
        department=lookups.departments[clean["department"]],
    )
    version = WORKFLOW.new_version(
        item,
        actor=actor,
        number=1,
        change_note=change_note or clean.get("change_note", "") or _("新建事项"),
    )
    write_content(version, clean, lookups=lookups, replace_children=False)
    WORKFLOW.audit("item_created", version, actor=actor)
    return version


def new_draft_from_clean(
    item: ServiceItem,
    clean: dict[str, Any],
    *,
    actor: Any,
    lookups: Lookups,
    files_from: ItemVersion | None = None,
    change_note: str = "",
) -> ItemVersion:
    version = WORKFLOW.new_version(
        item,
        actor=actor,
        number=WORKFLOW.next_number(item),
        change_note=change_note or clean.get("change_note", ""),
    )
    files = material_files(files_from) if files_from is not None else None
    write_content(version, clean, lookups=lookups, files=files, replace_children=False)
    WORKFLOW.audit(
        "draft_created", version, actor=actor, base=files_from.number if files_from else None
    )
    return version


def update_draft_from_clean(
    version: ItemVersion, clean: dict[str, Any], *, actor: Any, lookups: Lookups
) -> ItemVersion:
    before = version_to_dict(version)
    files = material_files(version)
    if "change_note" in clean:
        version.change_note = clean["change_note"]
    write_content(version, clean, lookups=lookups, files=files)
    changed = sorted(k for k, v in before.items() if clean.get(k) != v)
    WORKFLOW.audit("draft_updated", version, actor=actor, changed=changed)
    return version


def publish_locked(
    version: ItemVersion, *, actor: Any, note: str = "", now: Any = None
) -> ItemVersion:
    """Publish ``version`` (already validated, its item locked): supersede the previous
    published version, move the item's pointer, audit, and signal after commit."""
    WORKFLOW.publish_locked(version, actor=actor, note=note, now=now)
    item = version.item
    transaction.on_commit(
        lambda: item_published.send(sender=ServiceItem, item=item, version=version)
    )
    return version


# --- public services


def item_create(*, actor: Any, data: Mapping[str, Any], change_note: str = "") -> ItemVersion:
    """A new item and its version 1 draft from a dict shaped like one item of the JSON
    format (docs/catalog-format.md). Needs ``catalog.edit`` in the item's department."""
    lookups = Lookups.load()
    clean = validate_item(data, lookups=lookups)
    require_capability(actor, "catalog.edit", department=lookups.departments[clean["department"]])
    with transaction.atomic():
        return create_item_from_clean(clean, actor=actor, lookups=lookups, change_note=change_note)


def draft_from_current(
    *,
    actor: Any,
    item: ServiceItem,
    base: ItemVersion | None = None,
    change_note: str = "",
) -> ItemVersion:
    """A new draft copying ``base`` (default: the published version) with all its children."""

    def make(locked: ServiceItem, source_id: int) -> ItemVersion:
        source = _full(ItemVersion(pk=source_id))
        if source.item_id != locked.pk:
            raise Conflict(_("所选版本不属于该事项"), code="catalog_wrong_item")
        return new_draft_from_clean(
            locked,
            version_to_dict(source),
            actor=actor,
            lookups=Lookups.load(),
            files_from=source,
            change_note=change_note or _("基于第%(n)d版修改") % {"n": source.number},
        )

    base_id = base.pk if base is not None else None
    return WORKFLOW.start_draft(actor=actor, owner=item, base_id=base_id, make=make)


def draft_update(*, actor: Any, version: ItemVersion, data: Mapping[str, Any]) -> ItemVersion:
    """Change a draft: ``data`` holds guide fields to change and, when given, full
    replacement lists of ``steps``, ``materials``, ``fields``, ``themes``, ``service_points``.
    The whole result is validated; nothing is written if anything is wrong."""
    require_capability(actor, "catalog.edit", department=version.item.department)
    with transaction.atomic():
        locked = WORKFLOW.lock_version(version)
        WORKFLOW.require_status(locked, "edit")
        current = version_to_dict(_full(locked))
        wrong = {
            key: [_("不可修改（事项的标识不随版本变化）")]
            for key in IDENTITY_KEYS
            if key in data and data[key] != current[key]
        }
        if wrong:
            raise ValidationFailed(_("事项内容不符合要求，请按提示修改"), fields=wrong)
        merged = {**current, **data}
        lookups = Lookups.load()
        clean = validate_item(merged, lookups=lookups)
        version = update_draft_from_clean(_full(locked), clean, actor=actor, lookups=lookups)
    return version


def draft_material_files(
    *, actor: Any, version: ItemVersion, files: Mapping[str, Mapping[str, Any]]
) -> None:
    """Attach blank forms and samples to a draft's materials: ``files`` maps a material
    type code to ``{"template": File, "sample": File}`` (either may be left out)."""
    require_capability(actor, "catalog.edit", department=version.item.department)
    with transaction.atomic():
        locked = WORKFLOW.lock_version(version)
        WORKFLOW.require_status(locked, "edit")
        rows = {m.material_type.code: m for m in locked.materials.select_related("material_type")}
        unknown = sorted(set(files) - set(rows))
        if unknown:
            raise ValidationFailed(
                _("草稿中没有这些材料"), fields={"materials": [", ".join(unknown)]}
            )
        for code, upload in files.items():
            row = rows[code]
            for key in ("template", "sample"):
                if upload.get(key) is not None:
                    getattr(row, key).save(upload[key].name, upload[key], save=False)
            row.save()
        WORKFLOW.audit("material_files_attached", locked, actor=actor, materials=sorted(files))


def _check(version: ItemVersion) -> None:
    validate_item(version_to_dict(_full(version)))


def draft_submit(*, actor: Any, version: ItemVersion) -> ItemVersion:
    """draft → in_review, after checking that the draft is complete and valid."""
    return WORKFLOW.submit(actor=actor, version=version, check=_check)


def draft_reject(*, actor: Any, version: ItemVersion, note: str) -> ItemVersion:
    """in_review → rejected, with the reviewer's reason (required)."""
    return WORKFLOW.reject(actor=actor, version=version, note=note)


def version_publish(
    *, actor: Any, version: ItemVersion, note: str = "", skip_review: bool = False
) -> ItemVersion:
    """Approve and publish a version under review (or, with ``skip_review``, a draft):
    the previous published version becomes superseded at the same instant."""
    return WORKFLOW.publish(
        actor=actor,
        version=version,
        note=note,
        skip_review=skip_review,
        check=_check,
        publish_locked=publish_locked,
    )


def item_abolish(*, actor: Any, item: ServiceItem, note: str) -> ItemVersion:
    """Take an item off the published list: its current version becomes abolished (dated);
    an open draft is closed as rejected."""
    return WORKFLOW.abolish(actor=actor, owner=item, note=note)


# --- dictionaries (shared by every department: centre-level capability)


def _upsert(
    model: Any, clean: dict[str, Any], *, actor: Any, action: str, to_dict: Any
) -> tuple[Any, bool]:
    """Create or update by code; returns (object, changed). Unchanged rows are not audited."""
    obj = model.objects.filter(code=clean["code"]).first()
    if obj is not None and to_dict(obj) == clean:
        return obj, False
    created = obj is None
    obj = obj or model(code=clean["code"])
    for key, value in clean.items():
        setattr(obj, key, value)
    obj.save()
    record(
        action=action,
        actor=actor,
        obj=obj,
        summary=f"{obj.code} {obj}",
        payload={"created": created, **clean},
    )
    return obj, True


def material_type_upsert(*, actor: Any, data: Mapping[str, Any]) -> MaterialType:
    require_capability(actor, "catalog.publish")
    clean = validate_material_type(data)
    with transaction.atomic():
        clash = MaterialType.objects.filter(name=clean["name"]).exclude(code=clean["code"])
        if clash.exists():
            raise ValidationFailed(
                _("材料类型不符合要求"),
                fields={"name": [_("材料名称“%(n)s”已被其他材料类型使用") % {"n": clean["name"]}]},
            )
        obj, _changed = _upsert(
            MaterialType,
            clean,
            actor=actor,
            action="catalog.material_type_saved",
            to_dict=material_type_to_dict,
        )
    return obj


def field_definition_upsert(*, actor: Any, data: Mapping[str, Any]) -> FieldDefinition:
    require_capability(actor, "catalog.publish")
    clean = validate_field_definition(data)
    with transaction.atomic():
        obj, _changed = _upsert(
            FieldDefinition,
            clean,
            actor=actor,
            action="catalog.field_saved",
            to_dict=field_definition_to_dict,
        )
    return obj


def theme_upsert(*, actor: Any, data: Mapping[str, Any]) -> Theme:
    require_capability(actor, "catalog.publish")
    clean = validate_theme(data)
    with transaction.atomic():
        obj, _changed = _upsert(
            Theme, clean, actor=actor, action="catalog.theme_saved", to_dict=theme_to_dict
        )
    return obj
