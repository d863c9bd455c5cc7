"""Art. 32 of the Administrative Licensing Law: applications received more than five
working days ago without a one-time notice count as accepted from the day of receipt.
Run daily (cron or the ``deem_accepted_task``); running it twice changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.cases.services.acceptance import cases_deem_accepted


class Command(BaseCommand):
    help = "逾期未告知补正的申请，自收到材料之日起视为受理（行政许可法第三十二条）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="按此时间计算（ISO 8601，测试和补跑用）")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options.get("now"):
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError("时间格式不正确，应为 ISO 8601") from exc
            if now.tzinfo is None:
                raise CommandError("时间须带时区，如 2026-10-14T09:00:00+08:00")
        count = cases_deem_accepted(now=now)
        self.stdout.write(f"视为受理 {count} 件")
