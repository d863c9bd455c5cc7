"""``manage.py catalog_diff 2026-01-01 2026-11-29``: how the published list changed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from onewindow.catalog.diff import ItemChange, ListChange, published_diff


def parse_instant(text: str) -> datetime:
    """A date means the end of that day (local time); a datetime is taken as given."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime.combine(day + timedelta(days=1), time.min)
            return timezone.make_aware(start) - timedelta(microseconds=1)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(
            f"无法识别的日期：{text}（格式如 2026-11-29 或 2026-11-29T12:00）"
        ) from exc
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _short(value: Any) -> str:
    text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


class Command(BaseCommand):
    help = "比较两个日期的已发布事项目录：新增、取消、变更的事项"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", help="起始日期（含当日发布的内容）")
        parser.add_argument("end", help="结束日期")

    def handle(self, *args: Any, **options: Any) -> None:
        t1, t2 = parse_instant(options["start"]), parse_instant(options["end"])
        diff = published_diff(t1, t2)
        out = self.stdout
        out.write(f"已发布事项目录变化：{options['start']} → {options['end']}")
        out.write(
            f"新增 {len(diff.added)} 项，取消 {len(diff.removed)} 项，变更 {len(diff.changed)} 项"
        )
        for ref in diff.added:
            out.write(f"+ 新增 {ref.code} {ref.name}（{ref.department}，第{ref.number}版）")
        for ref in diff.removed:
            out.write(f"- 取消 {ref.code} {ref.name}（{ref.department}）")
        for change in diff.changed:
            self._change(change)

    def _change(self, change: ItemChange) -> None:
        out = self.stdout
        out.write(
            f"* 变更 {change.code} {change.name}"
            f"（第{change.before_number}版 → 第{change.after_number}版）"
        )
        for key, (before, after) in change.fields.items():
            out.write(f"    {key}: {_short(before)} → {_short(after)}")
        for title, part in (
            ("办理环节", change.steps),
            ("申请材料", change.materials),
            ("表单字段", change.form_fields),
        ):
            self._list(title, part)

    def _list(self, title: str, part: ListChange) -> None:
        for row in part.added:
            self.stdout.write(f"    {title} 新增: {_short(list(row.values()))}")
        for row in part.removed:
            self.stdout.write(f"    {title} 删除: {_short(list(row.values()))}")
        for row in part.changed:
            before, after = row["before"], row["after"]
            diffs = [
                f"{k}: {_short(before[k])} → {_short(after[k])}"
                for k in after
                if before.get(k) != after[k]
            ]
            self.stdout.write(f"    {title} {row['key']} 变更: {'；'.join(diffs)}")
