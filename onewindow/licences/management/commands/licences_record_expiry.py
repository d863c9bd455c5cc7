"""Record the ``permit.expired`` event once for every permit whose validity has ended (run
daily, by cron or ``record_expiry_task``; a second run records nothing)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.licences.services import permits_record_expiry


class Command(BaseCommand):
    help = "记录有效期已届满的证照（每日运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="按此时间计算（ISO 8601，带时区）")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options.get("now"):
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError("时间格式不正确，应为 ISO 8601") from exc
            if now.tzinfo is None:
                raise CommandError("时间须带时区，如 2031-12-01T01:00:00+08:00")
        count = permits_record_expiry(now=now)
        self.stdout.write(f"记录到期证照 {count} 件")
