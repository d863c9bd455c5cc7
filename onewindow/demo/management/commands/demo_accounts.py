"""``manage.py demo_accounts``: print the demo accounts (``make demo`` prints it before
serving)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onewindow.demo.accounts import account_rows, format_table


class Command(BaseCommand):
    help = "列出演示账号（用户名、姓名、角色、部门、密码）"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(format_table(account_rows()))
