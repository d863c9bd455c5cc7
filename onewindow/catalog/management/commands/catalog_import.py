"""``manage.py catalog_import FILE.json|FILE.xlsx [--publish] [--user NAME]``"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.catalog.importexport import ImportFailed, import_catalog, import_workbook
from onewindow.catalog.management.commands._common import resolve_actor
from onewindow.common.errors import DomainError


class Command(BaseCommand):
    help = "导入事项目录（JSON 或 Excel），全部校验通过才写入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="目录文件（.json 或 .xlsx）")
        parser.add_argument("--publish", action="store_true", help="有变化的事项直接发布")
        parser.add_argument("--user", help="以该账号的名义导入（默认第一个超级管理员）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        actor = resolve_actor(options["user"])
        try:
            if path.suffix.lower() == ".json":
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise CommandError(f"不是有效的 JSON 文件：{exc}") from exc
                report = import_catalog(data, actor=actor, publish=options["publish"])
            elif path.suffix.lower() == ".xlsx":
                with path.open("rb") as fh:
                    report = import_workbook(fh, actor=actor, publish=options["publish"])
            else:
                raise CommandError("只支持 .json 或 .xlsx 文件")
        except ImportFailed as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"导入完成：{report.summary()}"))
