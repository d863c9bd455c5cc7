"""``manage.py catalog_export FILE.json|FILE.xlsx``: the published catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.catalog.importexport import dumps, export_catalog, write_workbook


class Command(BaseCommand):
    help = "导出已发布的事项目录及字典（JSON 或 Excel）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="输出文件（.json 或 .xlsx）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        suffix = path.suffix.lower()
        if suffix not in (".json", ".xlsx"):
            raise CommandError("只支持 .json 或 .xlsx 文件")
        data = export_catalog()
        if suffix == ".json":
            path.write_text(dumps(data), encoding="utf-8")
        else:
            write_workbook(data, str(path))
        self.stdout.write(self.style.SUCCESS(f"已导出{len(data['items'])}个事项到 {path}"))
