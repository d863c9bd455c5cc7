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
from django.db.models import Max
from django.utils.translation import gettext as _

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
    VersionStatus,
)
from onewindow.catalog.signals import item_published
from onewindow.catalog.validation import (
    area_code_of,
    validate_field_definition,
    validate_item,
    validate_material_type,
    validate_theme,
)
from onewindow.common import clock
from onewindow.common.errors import Conflict, ValidationFailed
from onewindow.org.permissions import require_capability

OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)
# The allowed transitions of a version, in one table (DESIGN.md convention 5).
TRANSITIONS: dict[str, frozenset[str]] = {
    "submit": frozenset({VersionStatus.DRAFT}),
    "reject": frozenset({VersionStatus.IN_REVIEW}),
    "publish": frozenset({VersionStatus.IN_REVIEW}),
    "publish_direct": frozenset({VersionStatus.DRAFT, VersionStatus.IN_REVIEW}),
    "edit": frozenset({VersionStatus.DRAFT}),
}


def _require_status(version: ItemVersion, transition: str) -> None:
    if version.status not in TRANSITIONS[transition]:
        messages = {
            "submit": _("只有草稿可以提交审核"),
            "reject": _("只有待审核的版本可以退回"),
            "publish": _("只有待审核的版本可以审核发布"),
            "publish_direct": _("只有草稿或待审核的版本可以发布"),
            "edit": _("只有草稿可以修改；已发布的版本不能直接修改，请基于当前版本新建草稿"),
        }
        raise Conflict(
            messages[transition],
            code="catalog_bad_status",
            fields={"status": [version.get_status_display()]},
        )


def _lock_item(item: ServiceItem) -> ServiceItem:
    """Serialise versioning of one item (row lock on PostgreSQL; SQLite locks the file)."""
    return ServiceItem.objects.select_for_update().select_related("department").get(pk=item.pk)


def _lock_version(version: ItemVersion) -> ItemVersion:
    return (
        ItemVersion.objects.select_for_update()
        .select_related("item__department")
        .get(pk=version.pk)
    )


def _open_draft(item: ServiceItem) -> ItemVersion | None:
    return item.versions.filter(status__in=OPEN_STATUSES).first()


def _next_number(item: ServiceItem) -> int:
    return (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _payload(version: ItemVersion, **extra: Any) -> dict[str, Any]:
    return {"code": version.item.code, "number": version.number, "name": version.name, **extra}


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
    version = ItemVersion(
        item=item,
        number=1,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=clock.now(),
        change_note=change_note or clean.get("change_note", "") or _("新建事项"),
    )
    write_content(version, clean, lookups=lookups, replace_children=False)
    record(
        action="catalog.item_created",
        actor=actor,
        obj=version,
        summary=f"{item.code} {version.name}",
        payload=_payload(version),
    )
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
    version = ItemVersion(
        item=item,
        number=_next_number(item),
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=clock.now(),
        change_note=change_note or clean.get("change_note", ""),
    )
    files = material_files(files_from) if files_from is not None else None
    write_content(version, clean, lookups=lookups, files=files, replace_children=False)
    record(
        action="catalog.draft_created",
        actor=actor,
        obj=version,
        summary=f"{item.code} {version.name}",
        payload=_payload(version, base=files_from.number if files_from else None),
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
    record(
        action="catalog.draft_updated",
        actor=actor,
        obj=version,
        summary=f"{version.item.code} {version.name}",
        payload=_payload(version, changed=changed),
    )
    return version


def publish_locked(
    version: ItemVersion, *, actor: Any, note: str = "", now: Any = None
) -> ItemVersion:
    """Publish ``version`` (already validated, its item locked): supersede the previous
    published version, move the item's pointer, audit, and signal after commit."""
    now = now or clock.now()
    item = version.item
    previous = item.versions.filter(status=VersionStatus.PUBLISHED).exclude(pk=version.pk).first()
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.reviewed_by = actor if getattr(actor, "pk", None) else None
    version.review_note = note[:255]
    version.save(update_fields=["status", "published_at", "reviewed_by", "review_note"])
    item.current_version = version
    item.save(update_fields=["current_version"])
    record(
        action="catalog.published",
        actor=actor,
        obj=version,
        summary=f"{item.code} {version.name} v{version.number}",
        payload=_payload(version, previous=previous.number if previous else None),
        at=now,
    )
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
    require_capability(actor, "catalog.edit", department=item.department)
    with transaction.atomic():
        item = _lock_item(item)
        open_draft = _open_draft(item)
        if open_draft is not None:
            raise Conflict(
                _("该事项已有未完成的草稿（第%(n)d版），请先处理") % {"n": open_draft.number},
                code="catalog_open_draft",
            )
        source_id = base.pk if base is not None else item.current_version_id
        if source_id is None:
            raise Conflict(_("该事项没有已发布的版本"), code="catalog_no_current")
        source = _full(ItemVersion(pk=source_id))
        if source.item_id != item.pk:
            raise Conflict(_("所选版本不属于该事项"), code="catalog_wrong_item")
        clean = version_to_dict(source)
        version = new_draft_from_clean(
            item,
            clean,
            actor=actor,
            lookups=Lookups.load(),
            files_from=source,
            change_note=change_note or _("基于第%(n)d版修改") % {"n": source.number},
        )
    return version


def draft_update(*, actor: Any, version: ItemVersion, data: Mapping[str, Any]) -> ItemVersion:
    """Change a draft: ``data`` holds guide fields to change and, when given, full
    replacement lists of ``steps``, ``materials``, ``fields``, ``themes``, ``service_points``.
    The whole result is validated; nothing is written if anything is wrong."""
    require_capability(actor, "catalog.edit", department=version.item.department)
    with transaction.atomic():
        locked = _lock_version(version)
        _require_status(locked, "edit")
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
        locked = _lock_version(version)
        _require_status(locked, "edit")
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
        record(
            action="catalog.material_files_attached",
            actor=actor,
            obj=locked,
            summary=f"{locked.item.code} {locked.name}",
            payload=_payload(locked, materials=sorted(files)),
        )


def draft_submit(*, actor: Any, version: ItemVersion) -> ItemVersion:
    """draft → in_review, after checking that the draft is complete and valid."""
    require_capability(actor, "catalog.edit", department=version.item.department)
    with transaction.atomic():
        locked = _lock_version(version)
        _require_status(locked, "submit")
        validate_item(version_to_dict(_full(locked)))
        locked.status = VersionStatus.IN_REVIEW
        locked.submitted_at = clock.now()
        locked.save(update_fields=["status", "submitted_at"])
        record(
            action="catalog.submitted",
            actor=actor,
            obj=locked,
            summary=f"{locked.item.code} {locked.name}",
            payload=_payload(locked),
        )
    return locked


def draft_reject(*, actor: Any, version: ItemVersion, note: str) -> ItemVersion:
    """in_review → rejected, with the reviewer's reason (required)."""
    require_capability(actor, "catalog.review", department=version.item.department)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写退回理由"), fields={"note": [_("必填")]})
    with transaction.atomic():
        locked = _lock_version(version)
        _require_status(locked, "reject")
        locked.status = VersionStatus.REJECTED
        locked.reviewed_by = actor if getattr(actor, "pk", None) else None
        locked.review_note = note[:255]
        locked.save(update_fields=["status", "reviewed_by", "review_note"])
        record(
            action="catalog.rejected",
            actor=actor,
            obj=locked,
            summary=f"{locked.item.code} {locked.name}",
            payload=_payload(locked, note=note),
        )
    return locked


def version_publish(
    *, actor: Any, version: ItemVersion, note: str = "", skip_review: bool = False
) -> ItemVersion:
    """Approve and publish a version under review (or, with ``skip_review``, a draft):
    the previous published version becomes superseded at the same instant."""
    require_capability(actor, "catalog.publish", department=version.item.department)
    if skip_review:
        require_capability(actor, "catalog.review", department=version.item.department)
    with transaction.atomic():
        _lock_item(version.item)
        locked = _lock_version(version)
        _require_status(locked, "publish_direct" if skip_review else "publish")
        validate_item(version_to_dict(_full(locked)))
        return publish_locked(locked, actor=actor, note=note)


def item_abolish(*, actor: Any, item: ServiceItem, note: str) -> ItemVersion:
    """Take an item off the published list: its current version becomes abolished (dated);
    an open draft is closed as rejected."""
    require_capability(actor, "catalog.publish", department=item.department)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写取消理由"), fields={"note": [_("必填")]})
    with transaction.atomic():
        item = _lock_item(item)
        if item.current_version_id is None:
            raise Conflict(_("该事项当前没有已发布的版本"), code="catalog_no_current")
        now = clock.now()
        current = ItemVersion.objects.select_related("item").get(pk=item.current_version_id)
        current.status = VersionStatus.ABOLISHED
        current.superseded_at = now
        current.review_note = note[:255]
        current.save(update_fields=["status", "superseded_at", "review_note"])
        item.versions.filter(status__in=OPEN_STATUSES).update(
            status=VersionStatus.REJECTED, review_note=_("事项已取消")
        )
        item.current_version = None
        item.save(update_fields=["current_version"])
        record(
            action="catalog.abolished",
            actor=actor,
            obj=current,
            summary=f"{item.code} {current.name}",
            payload=_payload(current, note=note),
            at=now,
        )
    return current


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
