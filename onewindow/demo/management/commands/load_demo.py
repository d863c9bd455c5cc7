"""``manage.py load_demo``: load the demo district (示范区) through the services. Idempotent."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.catalog.importexport import ImportFailed
from onewindow.common.errors import DomainError
from onewindow.demo.loader import load_demo


class Command(BaseCommand):
    help = "加载演示数据（示范区：部门、服务网点、窗口、人员、事项目录）；可重复运行"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            report = load_demo()
        except ImportFailed as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        for line in report.lines():
            self.stdout.write(line)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"演示数据加载完成（{elapsed:.1f}秒）"))
