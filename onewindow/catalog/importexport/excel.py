"""The catalogue as an Excel workbook (.xlsx): one sheet per list, Chinese column headers,
enumerations by their Chinese labels (codes are accepted too), 是/否 for flags, lists
separated by 、. Reading turns a workbook into the interchange dict, remembering the sheet,
row and column of every value so that errors point at cells.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from onewindow.catalog.importexport.loader import FORMAT, ImportIssue
from onewindow.catalog.models import (
    DeliveryMethod,
    FieldType,
    HandlingLevel,
    ItemKind,
    LimitUnit,
    MaterialSource,
    OnlineLevel,
    StepKind,
    SubjectType,
    ThemeAudience,
)
from onewindow.org.models import Role


@dataclass(frozen=True)
class Col:
    header: str
    key: str
    kind: str = (
        "text"  # text | code | int | bool | decimal | choice | choices | codes | json | info
    )
    choices: type[TextChoices] | None = None
    width: int = 14
    required: bool = True  # must the column exist in the sheet?
    note: str = ""


ITEM_REF = Col(
    "事项编码", "item", "code", width=30, note="「事项」表的实施编码；未填实施编码的事项填基本编码"
)
ORDER = Col("顺序", "order", "int", width=6, required=False, note="同一事项内的先后，空则按行序")

SHEETS: dict[str, tuple[str, tuple[Col, ...]]] = {
    "items": (
        "事项",
        (
            Col("实施编码", "code", "code", width=30, note="空则按 GB/T 39554 生成"),
            Col("基本编码", "basic_code", "code"),
            Col("实施主体编码", "department", "code", note="部门编码"),
            Col("事项名称", "name", width=30),
            Col("事项类型", "kind", "choice", ItemKind),
            Col("办理层级", "handling_level", "choice", HandlingLevel),
            Col("服务对象", "subject_type", "choice", SubjectType),
            Col("关键词", "keywords", width=20, required=False),
            Col("主题编码", "themes", "codes", required=False, note="多个用、分隔"),
            Col("时限单位", "limit_unit", "choice", LimitUnit),
            Col("法定时限", "legal_limit", "int", width=8),
            Col("承诺时限", "promised_limit", "int", width=8),
            Col("即办件", "is_instant", "bool", width=8),
            Col("到现场次数", "visits_required", "int", width=8),
            Col("网办深度", "online_level", "choice", OnlineLevel),
            Col("收费金额（元）", "fee_yuan", "decimal", width=10),
            Col("收费依据及标准", "fee_basis", width=20, required=False),
            Col("设定依据", "legal_basis", width=40),
            Col("受理条件", "conditions", width=40),
            Col("送达方式", "delivery_methods", "choices", DeliveryMethod, note="多个用、分隔"),
            Col("办理结果", "result_name", width=20, required=False),
            Col("可告知承诺", "commitment_allowed", "bool", width=8),
            Col("跨区县通办", "cross_district", "bool", width=8),
            Col("跨省通办", "cross_province", "bool", width=8),
            Col("办理网点编码", "service_points", "codes", required=False, note="多个用、分隔"),
            Col("咨询电话", "consult_phone", required=False),
            Col("监督投诉电话", "complaint_phone", required=False),
            Col("备注", "notes", width=20, required=False),
        ),
    ),
    "steps": (
        "办理环节",
        (
            ITEM_REF,
            ORDER,
            Col("环节类型", "kind", "choice", StepKind, width=8),
            Col("环节名称", "name"),
            Col("办理岗位", "role", "choice", Role, required=False),
            Col("环节时限", "limit", "int", width=8, required=False),
            Col("审查标准", "description", width=40, required=False),
        ),
    ),
    "materials": (
        "申请材料",
        (
            ITEM_REF,
            ORDER,
            Col("材料类型编码", "type", "code"),
            Col(
                "材料名称",
                "type_name",
                "info",
                width=24,
                required=False,
                note="仅供阅读，导入时忽略",
            ),
            Col("必要", "required", "bool", width=6),
            Col("核心要件", "core", "bool", width=8, note="非核心要件可容缺受理"),
            Col("原件份数", "originals", "int", width=8),
            Col("复印件份数", "copies", "int", width=8),
            Col("需纸质", "paper_required", "bool", width=8, required=False),
            Col("来源", "source", "choice", MaterialSource, width=18),
            Col("填报要求", "requirements", width=30, required=False),
        ),
    ),
    "fields": (
        "表单字段",
        (
            ITEM_REF,
            ORDER,
            Col("字段编码", "field", "code", width=20),
            Col(
                "字段名称",
                "field_label",
                "info",
                width=20,
                required=False,
                note="仅供阅读，导入时忽略",
            ),
            Col("必填", "required", "bool", width=6),
            Col("附加校验规则", "constraints", "json", width=30, required=False, note="JSON"),
        ),
    ),
    "material_types": (
        "材料类型",
        (
            Col("编码", "code", "code"),
            Col("材料名称", "name", width=30),
            Col("说明", "description", width=40, required=False),
            Col("对应电子证照类型", "licence_type_code", width=20, required=False),
        ),
    ),
    "field_definitions": (
        "字段字典",
        (
            Col("字段编码", "code", "code", width=20),
            Col("字段名称", "label", width=20),
            Col("类型", "type", "choice", FieldType),
            Col("校验规则", "constraints", "json", width=30, required=False, note="JSON"),
            Col("单位", "unit", width=8, required=False),
            Col("填写说明", "help_text", width=30, required=False),
        ),
    ),
    "themes": (
        "主题",
        (
            Col("编码", "code", "code"),
            Col("名称", "name", width=20),
            Col("服务对象", "audience", "choice", ThemeAudience),
            Col("排序", "order", "int", width=6, required=False),
        ),
    ),
}
# The interchange section each dictionary sheet fills.
DICT_SECTIONS = {
    "material_types": "material_types",
    "field_definitions": "fields",
    "themes": "themes",
}
CHILD_LISTS = {"steps": "steps", "materials": "materials", "fields": "fields"}
_SPLIT = re.compile(r"[、,，;；\n]+")
_TRUE = {"是", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "n", "no", "false", "0", "×"}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _label_maps(choices: type[TextChoices]) -> tuple[dict[str, str], dict[str, str]]:
    to_label = {str(v): str(label) for v, label in choices.choices}
    to_value = {label: v for v, label in to_label.items()} | {v: v for v in to_label}
    return to_label, to_value


# --- writing


def _cell_value(col: Col, value: Any) -> Any:
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "choice" and col.choices is not None:
        return _label_maps(col.choices)[0].get(str(value), value) if value else ""
    if col.kind == "choices" and col.choices is not None:
        labels = _label_maps(col.choices)[0]
        return "、".join(labels.get(v, v) for v in value or [])
    if col.kind == "codes":
        return "、".join(value or [])
    if col.kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if col.kind == "decimal":
        return float(Decimal(str(value)))
    return value


def write_workbook(
    data: dict[str, Any], target: str | IO[bytes], *, help_sheet: bool = True
) -> None:
    """Write the interchange dict as a workbook (to a path or a binary file)."""
    wb = Workbook()
    wb.remove(wb.active)
    names = {m["code"]: m["name"] for m in data.get("material_types", [])}
    labels = {f["code"]: f["label"] for f in data.get("fields", [])}
    rows: dict[str, list[dict[str, Any]]] = {key: [] for key in SHEETS}
    rows["items"] = list(data.get("items", []))
    for item in rows["items"]:
        ref = item.get("code") or item.get("basic_code")
        for sheet_key, list_key in CHILD_LISTS.items():
            for order, child in enumerate(item.get(list_key, []), 1):
                row = {"item": ref, "order": order, **child}
                row["type_name"] = names.get(child.get("type", ""), "")
                row["field_label"] = labels.get(child.get("field", ""), "")
                rows[sheet_key].append(row)
    for sheet_key, section in DICT_SECTIONS.items():
        rows[sheet_key] = list(data.get(section, []))

    for sheet_key, (title, cols) in SHEETS.items():
        ws = wb.create_sheet(title)
        for j, col in enumerate(cols, 1):
            cell = ws.cell(row=1, column=j, value=col.header)
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(vertical="center")
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = col.width
            if col.kind in ("choice", "bool"):
                options = (
                    "是,否"
                    if col.kind == "bool"
                    else ",".join(
                        _label_maps(col.choices)[0].values()  # type: ignore[arg-type]
                    )
                )
                dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
                dv.add(f"{letter}2:{letter}5000")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
        for i, row in enumerate(rows[sheet_key], 2):
            for j, col in enumerate(cols, 1):
                cell = ws.cell(row=i, column=j)
                value = _cell_value(col, row.get(col.key, ""))
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, even if the text starts with "="
                if col.kind == "code":
                    cell.number_format = "@"
    if help_sheet:
        _write_help(wb)
    fixed = datetime(2026, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "OneWindow"
    wb.save(target)


def _write_help(wb: Workbook) -> None:
    ws = wb.create_sheet("说明", 0)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 80
    lines = [
        ("一窗通 政务服务事项目录（Excel 格式）", "", ""),
        ("每个列表一张工作表；第一行为列名，不可修改；从第二行起每行一条。", "", ""),
        ("枚举列填中文名称（也接受英文代码）；是/否列填“是”或“否”；多个值用“、”分隔。", "", ""),
        ("导入时逐行校验，任何一行有误则全部不导入，并列出所有错误所在的工作表、行和列。", "", ""),
        ("", "", ""),
        ("工作表", "列", "说明 / 可选值"),
    ]
    for _key, (title, cols) in SHEETS.items():
        for col in cols:
            allowed = ""
            if col.kind == "bool":
                allowed = "是、否"
            elif col.choices is not None:
                allowed = "、".join(_label_maps(col.choices)[0].values())
            text = "；".join(
                t
                for t in (
                    col.note,
                    f"可选：{allowed}" if allowed else "",
                    "" if col.required else "可省略此列",
                )
                if t
            )
            lines.append((title, col.header, text))
    for row in lines:
        ws.append(row)
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws[6]:
        cell.font = Font(bold=True)


# --- reading


@dataclass
class _Where:
    sheet: str
    row: int
    columns: dict[str, tuple[str, str]]  # key -> (letter, header)


class WorkbookLocator:
    """Maps (section, index, field path) of the interchange dict back to cells."""

    def __init__(self) -> None:
        self.rows: dict[str, list[_Where]] = {}
        self.children: dict[tuple[int, str, int], _Where] = {}

    def issue(self, where: _Where, key: str | None, message: str) -> ImportIssue:
        if key is not None and key in where.columns:
            letter, header = where.columns[key]
            location = f"工作表「{where.sheet}」第{where.row}行 {letter}列（{header}）"
            return ImportIssue(location, message, where.sheet, where.row, letter)
        return ImportIssue(
            f"工作表「{where.sheet}」第{where.row}行", message, where.sheet, where.row
        )

    def __call__(self, section: str, index: int, path: str, message: str) -> ImportIssue:
        rows = self.rows.get(section)
        if rows is None or not 0 <= index < len(rows):
            return ImportIssue(_("文件"), message)
        where = rows[index]
        m = re.fullmatch(r"(steps|materials|fields)\[(\d+)\]\.(\w+)", path)
        if section == "items" and m:
            child = self.children.get((index, m.group(1), int(m.group(2))))
            if child is not None:
                return self.issue(child, m.group(3), message)
        if section == "items" and path in CHILD_LISTS.values():
            title = SHEETS[path][0]
            return self.issue(where, None, f"{message}（见工作表「{title}」）")
        return self.issue(where, path, message)


def _convert(col: Col, value: Any) -> tuple[Any, str | None]:
    """A cell value as the interchange wants it: (value, error). ``_ABSENT`` leaves the key
    out (so the format's default applies); values that cannot be converted are passed on
    unchanged for validation to reject with its message."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if col.kind in ("text", "code", "info"):
            return "", None
        if col.kind in ("codes", "choices"):
            return [], None
        if col.kind == "json":
            return {}, None
        return _ABSENT, None
    if col.kind in ("text", "code", "info"):
        if isinstance(value, float) and value.is_integer():
            return str(int(value)), None
        if isinstance(value, datetime | date):
            return value.isoformat(), None
        return str(value), None
    if col.kind == "int":
        if isinstance(value, float) and value.is_integer():
            return int(value), None
        return value, None
    if col.kind == "bool":
        if isinstance(value, bool):
            return value, None
        text = str(int(value) if isinstance(value, float) else value).strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return value, _("应填“是”或“否”")
    if col.kind == "decimal":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(Decimal(str(value))), None
        return str(value), None
    if col.kind == "choice" and col.choices is not None:
        return _label_maps(col.choices)[1].get(str(value), str(value)), None
    if col.kind == "choices" and col.choices is not None:
        to_value = _label_maps(col.choices)[1]
        return [
            to_value.get(p.strip(), p.strip()) for p in _SPLIT.split(str(value)) if p.strip()
        ], None
    if col.kind == "codes":
        return [p.strip() for p in _SPLIT.split(str(value)) if p.strip()], None
    if col.kind == "json":
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError:
                return value, _("不是有效的 JSON")
            return parsed, None
        return value, _("不是有效的 JSON")
    return value, None


_ABSENT = object()


def read_workbook(
    source: str | IO[bytes],
) -> tuple[dict[str, Any], WorkbookLocator, list[ImportIssue]]:
    """Read a workbook into the interchange dict. Structural problems (not an .xlsx, missing
    sheets or columns) raise ``ImportFailed`` at once; problems of single cells are returned
    as issues so that they are reported together with the validation errors."""
    from onewindow.catalog.importexport.loader import ImportFailed

    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFailed(
            [ImportIssue(_("文件"), _("不是有效的 Excel 文件（.xlsx）：%(e)s") % {"e": exc})]
        ) from exc
    structural: list[ImportIssue] = []
    tables: dict[str, list[tuple[int, dict[str, Any], _Where]]] = {}
    issues: list[ImportIssue] = []
    try:
        for key, (title, cols) in SHEETS.items():
            if title not in wb.sheetnames:
                structural.append(ImportIssue(f"工作表「{title}」", _("缺少该工作表")))
                continue
            tables[key] = _read_sheet(wb[title], title, cols, structural, issues)
    finally:
        wb.close()
    if structural:
        raise ImportFailed(structural)
    return _assemble(tables, issues)


def _read_sheet(
    ws: Any,
    title: str,
    cols: tuple[Col, ...],
    structural: list[ImportIssue],
    issues: list[ImportIssue],
) -> list[tuple[int, dict[str, Any], _Where]]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    positions = {str(h).strip(): i for i, h in enumerate(header) if h is not None}
    columns: dict[str, tuple[str, str]] = {}
    for col in cols:
        if col.header in positions:
            columns[col.key] = (get_column_letter(positions[col.header] + 1), col.header)
        elif col.required:
            structural.append(
                ImportIssue(f"工作表「{title}」", _("缺少列“%(c)s”") % {"c": col.header})
            )
    result = []
    for number, values in enumerate(rows, 2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        where = _Where(title, number, columns)
        record: dict[str, Any] = {}
        for col in cols:
            if col.key not in columns or col.kind == "info":
                continue
            index = positions[col.header]
            raw = values[index] if index < len(values) else None
            value, error = _convert(col, raw)
            if error:
                letter, header_text = columns[col.key]
                issues.append(
                    ImportIssue(
                        f"工作表「{title}」第{number}行 {letter}列（{header_text}）",
                        error,
                        title,
                        number,
                        letter,
                    )
                )
                continue
            if value is not _ABSENT:
                record[col.key] = value
        result.append((number, record, where))
    return result


def _assemble(
    tables: dict[str, list[tuple[int, dict[str, Any], _Where]]], issues: list[ImportIssue]
) -> tuple[dict[str, Any], WorkbookLocator, list[ImportIssue]]:
    locator = WorkbookLocator()
    data: dict[str, Any] = {"format": FORMAT}
    for sheet_key, section in DICT_SECTIONS.items():
        data[section] = [rec for _n, rec, _w in tables[sheet_key]]
        locator.rows[section] = [w for _n, _r, w in tables[sheet_key]]
    items: list[dict[str, Any]] = []
    by_ref: dict[str, int] = {}
    locator.rows["items"] = []
    for _n, rec, where in tables["items"]:
        ref = rec.get("code") or rec.get("basic_code") or ""
        if ref and ref in by_ref:
            issues.append(locator.issue(where, "code", _("事项编码“%(c)s”重复") % {"c": ref}))
        by_ref.setdefault(ref, len(items))
        rec.update({"steps": [], "materials": [], "fields": []})
        items.append(rec)
        locator.rows["items"].append(where)
    for sheet_key, list_key in CHILD_LISTS.items():
        grouped: dict[int, list[tuple[Any, int, dict[str, Any], _Where]]] = {}
        for number, rec, where in tables[sheet_key]:
            ref = rec.pop("item", "")
            order = rec.pop("order", None)
            index = by_ref.get(ref) if ref else None
            if index is None:
                message = (
                    _(
                        "找不到事项编码为“%(c)s”的事项（填「事项」表的实施编码，未填实施编码的填基本编码）"
                    )
                    % {"c": ref}
                    if ref
                    else _("必填")
                )
                issues.append(locator.issue(where, "item", message))
                continue
            if order is not None and not isinstance(order, int):
                issues.append(locator.issue(where, "order", _("应为整数")))
                order = None
            position = order if order is not None else float("inf")
            grouped.setdefault(index, []).append((position, number, rec, where))
        for index, children in grouped.items():
            children.sort(key=lambda c: (c[0], c[1]))
            for position, (_o, _n, rec, where) in enumerate(children):
                items[index][list_key].append(rec)
                locator.children[(index, list_key, position)] = where
    data["items"] = items
    return data, locator, issues


def import_workbook(source: str | IO[bytes], *, actor: Any, publish: bool = False) -> Any:
    """Read and import a workbook; every error names its sheet, row and column."""
    from onewindow.catalog.importexport.loader import run_import

    data, locator, issues = read_workbook(source)
    return run_import(data, actor=actor, publish=publish, locate=locator, pre_issues=issues)
