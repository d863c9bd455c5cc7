"""``manage.py catalog_template [FILE]``: the empty Excel template (docs/catalog-template.xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from onewindow.catalog.importexport import FORMAT, write_workbook


class Command(BaseCommand):
    help = "生成事项目录 Excel 模板"

    def add_arguments(self, parser: CommandParser) -> None:
        default = Path(settings.BASE_DIR) / "docs" / "catalog-template.xlsx"
        parser.add_argument("file", nargs="?", default=str(default))

    def handle(self, *args: Any, **options: Any) -> None:
        empty = {"format": FORMAT, "material_types": [], "fields": [], "themes": [], "items": []}
        write_workbook(empty, options["file"], help_sheet=True)
        self.stdout.write(self.style.SUCCESS(f"已生成模板 {options['file']}"))
