"""Bundles: flag each sub-case of a live bundle that is past its promised deadline and still
open, once; the applicant (who may drop an optional item) and the lead department are told
once per bundle. Run hourly (cron or ``bundle_stalls_task``); running it twice changes
nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.cases.services.bundle_refusal import bundle_cases_flag_stalled


class Command(BaseCommand):
    help = "标记一件事中超过承诺期限仍未办结的事项，并告知申请人和牵头部门（每件一次）"

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
                raise CommandError("时间须带时区，如 2026-10-14T09:00:00+08:00")
        count = bundle_cases_flag_stalled(now=now)
        self.stdout.write(f"标记超期事项 {count} 件")
