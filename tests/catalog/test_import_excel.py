"""Excel import and export: sheets, Chinese headers, errors pointing at cells, round trip."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings

from onewindow.catalog.importexport import (
    ImportFailed,
    export_catalog,
    import_catalog,
    import_workbook,
    read_workbook,
    write_workbook,
)
from onewindow.catalog.importexport.excel import SHEETS
from onewindow.catalog.models import ItemVersion, MaterialType, ServiceItem
from tests.catalog.test_import_json import catalogue, wipe_catalogue

SHEET_TITLES = ["事项", "办理环节", "申请材料", "表单字段", "材料类型", "字段字典", "主题"]


def workbook_bytes(data: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    write_workbook(data, buffer)
    return buffer.getvalue()


def edit(content: bytes, change: Any) -> io.BytesIO:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def header_column(ws: Any, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def test_workbook_layout(wangwu: Any) -> None:
    import_catalog(catalogue(), actor=wangwu, publish=True)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(export_catalog())))
    assert wb.sheetnames == ["说明", *SHEET_TITLES]
    items = wb["事项"]
    assert [c.value for c in items[1]][:5] == [
        "实施编码",
        "基本编码",
        "实施主体编码",
        "事项名称",
        "事项类型",
    ]
    row = {items.cell(1, j).value: items.cell(2, j).value for j in range(1, items.max_column + 1)}
    assert row["事项类型"] == "行政许可"
    assert row["即办件"] == "否"
    assert row["送达方式"] == "窗口领取、快递送达"
    assert row["主题编码"] == "E01、E02"
    steps = wb["办理环节"]
    assert [steps.cell(r, 3).value for r in range(2, 6)] == ["受理", "审查", "决定", "办结"]
    assert steps.cell(2, 5).value == "窗口受理人员"


def test_excel_round_trip_is_exact(wangwu: Any) -> None:
    import_catalog(catalogue(), actor=wangwu, publish=True)
    first = export_catalog()
    content = workbook_bytes(first)
    # Into the same catalogue: nothing changes.
    versions = ItemVersion.objects.count()
    report = import_workbook(io.BytesIO(content), actor=wangwu, publish=True)
    assert len(report.unchanged) == 2
    assert report.dictionaries_changed == 0
    assert ItemVersion.objects.count() == versions
    # Into an empty catalogue, and out again as JSON: identical.
    wipe_catalogue()
    report = import_workbook(io.BytesIO(content), actor=wangwu, publish=True)
    assert len(report.created) == 2
    assert export_catalog() == first


def test_codes_and_labels_both_accepted(wangwu: Any) -> None:
    data = catalogue()
    content = workbook_bytes(data)

    def to_codes(wb: Any) -> None:
        ws = wb["事项"]
        ws.cell(2, header_column(ws, "事项类型")).value = "licensing"
        ws.cell(2, header_column(ws, "即办件")).value = "false"
        ws.cell(2, header_column(ws, "法定时限")).value = "20"

    parsed, _locator, issues = read_workbook(edit(content, to_codes))
    assert issues == []
    assert parsed["items"][0]["kind"] == "licensing"
    assert parsed["items"][0]["is_instant"] is False
    import_workbook(edit(content, to_codes), actor=wangwu, publish=True)
    assert ServiceItem.objects.count() == 2


def test_wrong_rows_all_reported_with_sheet_row_column(wangwu: Any) -> None:
    content = workbook_bytes(catalogue())

    def spoil(wb: Any) -> None:
        items = wb["事项"]
        items.cell(3, header_column(items, "法定时限")).value = "二十"
        items.cell(2, header_column(items, "事项类型")).value = "审批"
        steps = wb["办理环节"]
        # Row 7 is the filing's last step (办结): now it ends badly and approves.
        steps.cell(7, header_column(steps, "环节类型")).value = "审查"
        mats = wb["申请材料"]
        mats.cell(3, header_column(mats, "材料类型编码")).value = "M9999"
        mats.cell(4, header_column(mats, "必要")).value = "也许"
        fields = wb["表单字段"]
        fields.cell(2, header_column(fields, "附加校验规则")).value = "{min: 1"
        fields.cell(3, 1).value = "NO-SUCH-ITEM"

    with pytest.raises(ImportFailed) as exc:
        import_workbook(edit(content, spoil), actor=wangwu, publish=True)
    found = {(i.sheet, i.row, i.column): i.message for i in exc.value.issues}
    assert found[("事项", 2, "E")].startswith("取值“审批”无效")
    assert found[("事项", 3, "K")] == "应为整数"
    assert found[("申请材料", 3, "C")] == "材料类型“M9999”不存在"
    assert found[("申请材料", 4, "E")] == "应填“是”或“否”"
    assert found[("表单字段", 2, "F")] == "不是有效的 JSON"
    assert found[("表单字段", 3, "A")].startswith("找不到事项编码为“NO-SUCH-ITEM”的事项")
    assert len(exc.value.issues) == 8, [str(i) for i in exc.value.issues]
    assert "工作表「事项」第3行：办理环节须以“办结”结束（见工作表「办理环节」）" in {
        str(i) for i in exc.value.issues
    }
    filing = [i for i in exc.value.issues if "备案类事项不得设置审查、决定环节" in i.message]
    assert len(filing) == 1
    assert filing[0].sheet == "事项"
    assert filing[0].row == 3
    assert "工作表「事项」第2行 E列（事项类型）" in exc.value.fields
    assert ServiceItem.objects.count() == 0
    assert not MaterialType.objects.filter(code="M0100").exists()


def test_not_an_excel_file(wangwu: Any) -> None:
    with pytest.raises(ImportFailed) as exc:
        import_workbook(io.BytesIO(b"code,name\n1,2\n"), actor=wangwu)
    assert "不是有效的 Excel 文件（.xlsx）" in exc.value.issues[0].message


def test_missing_sheet_and_missing_column(wangwu: Any) -> None:
    content = workbook_bytes(catalogue())

    def damage(wb: Any) -> None:
        del wb["主题"]
        ws = wb["事项"]
        ws.delete_cols(header_column(ws, "承诺时限"))

    with pytest.raises(ImportFailed) as exc:
        import_workbook(edit(content, damage), actor=wangwu)
    messages = {str(i) for i in exc.value.issues}
    assert "工作表「主题」：缺少该工作表" in messages
    assert "工作表「事项」：缺少列“承诺时限”" in messages


def test_optional_columns_may_be_left_out(wangwu: Any) -> None:
    content = workbook_bytes(catalogue())

    def trim(wb: Any) -> None:
        ws = wb["事项"]
        ws.delete_cols(header_column(ws, "备注"))
        mats = wb["申请材料"]
        mats.delete_cols(header_column(mats, "材料名称"))

    report = import_workbook(edit(content, trim), actor=wangwu, publish=True)
    assert len(report.created) == 2


def test_committed_template_matches_the_generator(tmp_path: Path) -> None:
    from django.core.management import call_command

    target = tmp_path / "template.xlsx"
    call_command("catalog_template", str(target))
    committed = Path(settings.BASE_DIR) / "docs" / "catalog-template.xlsx"
    new, old = openpyxl.load_workbook(target), openpyxl.load_workbook(committed)
    assert new.sheetnames == old.sheetnames
    for title in SHEET_TITLES:
        assert [c.value for c in new[title][1]] == [c.value for c in old[title][1]]
        assert [c.value for c in old[title][1]] == [
            col.header for t, cols in SHEETS.values() if t == title for col in cols
        ]
