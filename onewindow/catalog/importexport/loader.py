"""Import of a whole catalogue (the interchange dict), all or nothing.

Every dictionary entry and item is checked first and every problem is reported with where it
is; nothing is written if anything is wrong. Then, in one transaction, dictionaries are
upserted and each item is created, left alone (unchanged content makes no new version),
drafted, or — with ``publish=True`` — published directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.catalog import services
from onewindow.catalog.content import (
    Lookups,
    content_of,
    field_definition_to_dict,
    material_type_to_dict,
    theme_to_dict,
    version_prefetch,
    version_to_dict,
)
from onewindow.catalog.models import (
    FieldDefinition,
    ItemVersion,
    MaterialType,
    ServiceItem,
    Theme,
    VersionStatus,
)
from onewindow.catalog.validation import (
    Errors,
    check_field_definition,
    check_item,
    check_material_type,
    check_theme,
)
from onewindow.common.errors import ValidationFailed
from onewindow.org.permissions import departments_for, require_capability

FORMAT = "onewindow.catalog/1"
SECTIONS = ("material_types", "fields", "themes", "items")
SECTION_NAMES = {
    "material_types": "材料类型",
    "fields": "字段字典",
    "themes": "主题",
    "items": "事项",
}


@dataclass
class ImportIssue:
    """One problem found in the file: where (human-readable, and structured) and what."""

    location: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        return f"{self.location}：{self.message}"


class ImportFailed(ValidationFailed):
    """The import found problems; ``issues`` lists all of them. Nothing was written."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        fields: dict[str, list[str]] = {}
        for issue in issues:
            fields.setdefault(issue.location, []).append(issue.message)
        super().__init__(
            _("导入失败：发现%(n)d处错误，未导入任何内容") % {"n": len(issues)},
            code="catalog_import_failed",
            fields=fields,
        )
        self.issues = issues


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # new items (version 1)
    drafted: list[str] = field(default_factory=list)  # changed items: a new or updated draft
    published: list[str] = field(default_factory=list)  # versions published by this import
    unchanged: list[str] = field(default_factory=list)
    dictionaries_changed: int = 0

    @property
    def changed(self) -> bool:
        """True if the import wrote anything (an unchanged import leaves no audit event)."""
        return bool(self.created or self.drafted or self.published or self.dictionaries_changed)

    def summary(self) -> str:
        return _(
            "新增事项%(c)d项，生成或更新草稿%(d)d项，发布%(p)d项，未变化%(u)d项，"
            "更新字典条目%(x)d条"
        ) % {
            "c": len(self.created),
            "d": len(self.drafted),
            "p": len(self.published),
            "u": len(self.unchanged),
            "x": self.dictionaries_changed,
        }


# (section, index in section, field path, message) -> issue
Locator = Callable[[str, int, str, str], ImportIssue]


def json_locator(data: Any) -> Locator:
    """Locations in a JSON document: the item code (or position) and the field."""

    def locate(section: str, index: int, path: str, message: str) -> ImportIssue:
        rows = data.get(section) if isinstance(data, dict) else None
        row = rows[index] if isinstance(rows, list) and 0 <= index < len(rows) else None
        key = ""
        if isinstance(row, dict):
            key = str(row.get("code") or row.get("basic_code") or "")
        name = SECTION_NAMES.get(section, section)
        where = f"{name}“{key}”（第{index + 1}项）" if key else f"{name}第{index + 1}项"
        if index < 0:
            where = name if section in SECTION_NAMES else section
        location = f"{where} · {path}" if path and path != "_" else where
        return ImportIssue(location=location, message=message)

    return locate


def import_catalog(data: dict[str, Any], *, actor: Any, publish: bool = False) -> ImportReport:
    """Import a catalogue dict (docs/catalog-format.md). Needs ``catalog.import`` (and
    ``catalog.publish`` with ``publish=True``). Raises ``ImportFailed`` listing every error."""
    return run_import(data, actor=actor, publish=publish, locate=json_locator(data))


@dataclass
class _Plan:
    clean: dict[str, Any]
    item: ServiceItem | None = None
    current: ItemVersion | None = None
    open_draft: ItemVersion | None = None


def run_import(
    data: Any,
    *,
    actor: Any,
    publish: bool,
    locate: Locator,
    pre_issues: list[ImportIssue] | None = None,
) -> ImportReport:
    require_capability(actor, "catalog.import")
    if publish:
        require_capability(actor, "catalog.publish")
        require_capability(actor, "catalog.review")
    issues = list(pre_issues or [])

    def add(section: str, index: int, errors: Errors) -> None:
        for path, messages in errors.items():
            issues.extend(locate(section, index, path, m) for m in messages)

    if not isinstance(data, dict):
        raise ImportFailed([ImportIssue(_("文件"), _("内容应为一个 JSON 对象"))])
    if data.get("format") != FORMAT:
        add("format", -1, {"_": [_("格式标识应为“%(f)s”") % {"f": FORMAT}]})
    for key in sorted(set(data) - {"format", *SECTIONS}):
        add(str(key), -1, {"_": [_("未知字段")]})
    rows: dict[str, list[Any]] = {}
    for section in SECTIONS:
        value = data.get(section, [])
        if not isinstance(value, list):
            add(section, -1, {"_": [_("应为列表")]})
            value = []
        rows[section] = value

    lookups = Lookups.load()
    dictionaries = _check_dictionaries(rows, lookups, add)
    plans = _check_items(rows["items"], lookups, actor=actor, publish=publish, add=add)
    if issues:
        raise ImportFailed(issues)

    report = ImportReport()
    try:
        with transaction.atomic():
            report.dictionaries_changed = _write_dictionaries(dictionaries, actor=actor)
            lookups = Lookups.load()
            for plan in plans:
                _apply(plan, actor=actor, publish=publish, lookups=lookups, report=report)
            if report.changed:
                record(
                    action="catalog.imported",
                    actor=actor,
                    summary=report.summary(),
                    object_type="catalog.catalogue",
                    payload={
                        "publish": publish,
                        "created": report.created,
                        "drafted": report.drafted,
                        "published": report.published,
                        "unchanged": len(report.unchanged),
                    },
                )
    except IntegrityError as exc:
        raise ImportFailed([ImportIssue(_("数据库"), _("写入失败：%(e)s") % {"e": exc})]) from exc
    return report


def _check_dictionaries(
    rows: dict[str, list[Any]], lookups: Lookups, add: Callable[[str, int, Errors], None]
) -> dict[str, list[dict[str, Any]]]:
    checks = {
        "material_types": check_material_type,
        "fields": check_field_definition,
        "themes": check_theme,
    }
    result: dict[str, list[dict[str, Any]]] = {}
    for section, check in checks.items():
        seen: set[str] = set()
        result[section] = []
        for i, row in enumerate(rows[section]):
            clean, errors = check(row)
            if clean is not None and clean["code"] in seen:
                errors = {"code": [_("编码“%(c)s”在文件中重复") % {"c": clean["code"]}]}
            add(section, i, errors)
            if clean is not None and not errors:
                seen.add(clean["code"])
                result[section].append(clean)
    # Material names are unique: check the state after the import.
    names = {m.name: code for code, m in lookups.material_types.items()}
    file_codes = {m["code"] for m in result["material_types"]}
    names = {n: c for n, c in names.items() if c not in file_codes}
    for i, clean in enumerate(result["material_types"]):
        other = names.get(clean["name"])
        if other is not None and other != clean["code"]:
            add(
                "material_types",
                i,
                {
                    "name": [
                        _("材料名称“%(n)s”与材料类型“%(c)s”重复") % {"n": clean["name"], "c": other}
                    ]
                },
            )
        names[clean["name"]] = clean["code"]
    # Items of this file may refer to the file's dictionaries.
    for clean in result["material_types"]:
        lookups.material_types[clean["code"]] = MaterialType(**clean)
    for clean in result["fields"]:
        lookups.fields[clean["code"]] = FieldDefinition(**clean)
    for clean in result["themes"]:
        lookups.themes[clean["code"]] = Theme(**clean)
    return result


def _check_items(
    rows: list[Any],
    lookups: Lookups,
    *,
    actor: Any,
    publish: bool,
    add: Callable[[str, int, Errors], None],
) -> list[_Plan]:
    allowed = {d.code for d in departments_for(actor, "catalog.import")}
    cleaned: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        clean, errors = check_item(row, lookups=lookups)
        if clean is None:
            add("items", i, errors)
            continue
        if clean["code"] in seen:
            add(
                "items",
                i,
                {"code": [_("实施编码与第%(n)d项重复") % {"n": seen[clean["code"]] + 1}]},
            )
            continue
        seen[clean["code"]] = i
        if clean["department"] not in allowed:
            add("items", i, {"department": [_("您无权导入该部门的事项")]})
            continue
        cleaned.append((i, clean))

    items = {
        it.code: it
        for it in ServiceItem.objects.filter(
            code__in=[c["code"] for _i, c in cleaned]
        ).select_related("department")
    }
    wanted = [it.current_version_id for it in items.values() if it.current_version_id]
    versions = (
        ItemVersion.objects.filter(item__in=list(items.values()))
        .filter(pk__in=wanted)
        .select_related("item__department")
        .prefetch_related(*version_prefetch())
    )
    current = {v.item_id: v for v in versions}
    drafts = {
        v.item_id: v
        for v in ItemVersion.objects.filter(
            item__in=list(items.values()), status__in=services.OPEN_STATUSES
        )
        .select_related("item__department")
        .prefetch_related(*version_prefetch())
    }
    plans = []
    for i, clean in cleaned:
        item = items.get(clean["code"])
        if item is None:
            plans.append(_Plan(clean=clean))
            continue
        problems: Errors = {}
        if item.department.code != clean["department"]:
            problems["department"] = [
                _("实施主体不可变更（现为“%(c)s”）") % {"c": item.department.code}
            ]
        if item.basic_code != clean["basic_code"]:
            problems["basic_code"] = [_("基本编码不可变更（现为“%(c)s”）") % {"c": item.basic_code}]
        plan = _Plan(
            clean=clean, item=item, current=current.get(item.pk), open_draft=drafts.get(item.pk)
        )
        draft = plan.open_draft
        if (
            not publish
            and draft is not None
            and draft.status == VersionStatus.IN_REVIEW
            and not _same(draft, clean)
        ):
            problems["_"] = [
                _("该事项有待审核的版本（第%(n)d版），不能导入修改；请先审核或退回")
                % {"n": draft.number}
            ]
        if problems:
            add("items", i, problems)
        plans.append(plan)
    return plans


def _same(version: ItemVersion | None, clean: dict[str, Any]) -> bool:
    return version is not None and content_of(version_to_dict(version)) == content_of(clean)


def _write_dictionaries(dictionaries: dict[str, list[dict[str, Any]]], *, actor: Any) -> int:
    changed = 0
    specs = (
        ("material_types", MaterialType, "catalog.material_type_saved", material_type_to_dict),
        ("fields", FieldDefinition, "catalog.field_saved", field_definition_to_dict),
        ("themes", Theme, "catalog.theme_saved", theme_to_dict),
    )
    for section, model, action, to_dict in specs:
        for clean in dictionaries[section]:
            _obj, did = services._upsert(model, clean, actor=actor, action=action, to_dict=to_dict)
            changed += did
    return changed


def _apply(
    plan: _Plan, *, actor: Any, publish: bool, lookups: Lookups, report: ImportReport
) -> None:
    clean, code = plan.clean, plan.clean["code"]
    note = clean.get("change_note") or _("目录导入")
    if plan.item is None:
        version = services.create_item_from_clean(
            clean, actor=actor, lookups=lookups, change_note=note
        )
        report.created.append(code)
    elif _same(plan.current, clean) or (not publish and _same(plan.open_draft, clean)):
        report.unchanged.append(code)
        return
    elif plan.open_draft is not None:
        version = plan.open_draft
        if not _same(version, clean):
            version = services.update_draft_from_clean(version, clean, actor=actor, lookups=lookups)
        report.drafted.append(code)
    else:
        version = services.new_draft_from_clean(
            plan.item,
            clean,
            actor=actor,
            lookups=lookups,
            files_from=plan.current,
            change_note=note,
        )
        report.drafted.append(code)
    if publish:
        services.publish_locked(version, actor=actor, note=_("目录导入直接发布"))
        report.published.append(code)
