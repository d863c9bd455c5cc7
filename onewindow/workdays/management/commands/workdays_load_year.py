"""``manage.py workdays_load_year 2027 --file schedule.json``: load a year's official
schedule (format: docs/workdays.md) through ``calendar_year_load``, as the system."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onewindow.common.errors import DomainError
from onewindow.workdays.schedule_file import read_schedule_file
from onewindow.workdays.services import calendar_year_load


class Command(BaseCommand):
    help = "载入某年国务院办公厅公布的放假安排（JSON 文件，格式见 docs/workdays.md）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="年份，例如 2027")
        parser.add_argument("--file", required=True, help="放假安排 JSON 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        try:
            schedule = read_schedule_file(options["file"])
            if schedule.year != year:
                raise CommandError(
                    _("文件中的年份 %(a)s 与参数 %(b)s 不一致") % {"a": schedule.year, "b": year}
                )
            loaded = calendar_year_load(
                actor=None,
                year=year,
                holidays=schedule.holidays,
                makeup_days=schedule.makeup_days,
                source=schedule.source,
            )
        except DomainError as exc:
            details = "\n".join(
                f"  {field}: {'；'.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}"
                for field, msgs in exc.fields.items()
            )
            raise CommandError(f"{exc.message}\n{details}".rstrip()) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("已载入 %(year)s 年放假安排（%(source)s），该年度已确认。")
                % {"year": loaded.year, "source": loaded.source}
            )
        )
