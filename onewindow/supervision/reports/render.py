"""A ``Report`` as PDF (WeasyPrint, the Noto CJK fonts embedded, as the notices) and as an
Excel workbook (openpyxl: a 概况 sheet, then one sheet per table, rates as percentages)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from onewindow.cases.notices import centre_name, render_pdf
from onewindow.supervision.reports.base import Column, Report, pct, points
from onewindow.supervision.reports.periods import cn


def display(value: Any, kind: str) -> str:
    if kind == "rate":
        return pct(value)
    if kind == "score":
        return points(value)
    return "—" if value is None else str(value)


NOWRAP = frozenset({"department", "grade"})


def _css(column: Column) -> str:
    """The cell's class: numbers right-aligned, names and grades kept on one line."""
    if column.kind != "text":
        return "num"
    return "nowrap" if column.key in NOWRAP else ""


def rendered_tables(report: Report) -> list[dict[str, Any]]:
    """The tables with display strings, for the templates."""
    return [
        {
            "title": t.title,
            "note": t.note,
            "columns": t.columns,
            "rows": [
                [(display(row.get(c.key), c.kind), _css(c)) for c in t.columns] for row in t.rows
            ],
        }
        for t in report.tables
    ]


def context(report: Report) -> dict[str, Any]:
    generated = timezone.localtime(report.generated_at)
    return {
        "report": report,
        "centre": centre_name(),
        "tables": rendered_tables(report),
        "generated": f"{cn(generated.date())} {generated:%H:%M}",
    }


def to_pdf(report: Report) -> bytes:
    return render_pdf(render_to_string("supervision/reports/pdf.html", context(report)))


HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
NUMBER_FORMATS = {"rate": "0.00%", "score": "0.00"}


def to_xlsx(report: Report) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["统计范围", report.scope])
    ws.append(["统计周期", f"{cn(report.period.start)}至{cn(report.period.end)}"])
    ws.append(["生成时间", context(report)["generated"]])
    ws.append([])
    for label, value in report.summary:
        ws.append([str(label), value])
    for note in report.notes:
        ws.append([str(note)])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 40
    for table in report.tables:
        sheet = wb.create_sheet(table.name[:31])
        sheet.append([str(c.label) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table.rows:
            sheet.append([row.get(c.key) for c in table.columns])
        for i, column in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            sheet.column_dimensions[letter].width = 30 if column.kind == "text" else 14
            if column.kind in NUMBER_FORMATS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = NUMBER_FORMATS[column.kind]
        sheet.freeze_panes = "A2"
        if table.note:
            sheet.append([])
            sheet.append([str(table.note)])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
