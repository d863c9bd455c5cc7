"""``manage.py supervision_sweep [--now ISO] [--full] [--no-alerts] [--alerts-only]``: the
traffic-light sweep (cron: every 5 minutes; see docs/supervision.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime
from django.utils.timezone import make_aware

from onewindow.supervision.alerts import lights_alert_pending
from onewindow.supervision.services import lights_sweep


class Command(BaseCommand):
    help = "红黄绿灯扫描：同步期限、计算颜色、记录变色并提醒"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="计算时点（ISO 8601，默认当前时间）")
        parser.add_argument(
            "--full", action="store_true", help="逐一比对全部在办件（每日一次，默认只看新的流转）"
        )
        parser.add_argument("--no-alerts", action="store_true", help="只记录变色，不发送提醒")
        parser.add_argument("--alerts-only", action="store_true", help="只发送未发送的提醒")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None:
                raise CommandError("--now 须为 ISO 8601 时间，例如 2026-11-29T10:00:00+08:00")
            if now.tzinfo is None:
                now = make_aware(now)
        if options["alerts_only"]:
            self.stdout.write(json.dumps({"alerted": lights_alert_pending(now=now)}))
            return
        result = lights_sweep(now=now, alerts=not options["no_alerts"], full=options["full"])
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
