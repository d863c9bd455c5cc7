"""Send due notifications from the outbox (run from cron, e.g. every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.notify.services import send_pending


class Command(BaseCommand):
    help = "发送到期的待发通知（含到期的重试）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=100, help="最多发送条数")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_pending(limit=options["limit"])
        self.stdout.write(f"已发送 {sent} 条通知")
