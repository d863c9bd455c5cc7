"""Delete uploaded material files that no committed case material refers to.

Files are written to storage inside the uploading transaction, before it commits. When the
transaction rolls back (a refused submission, an error) or the server is killed, the file
stays behind without a ``CaseMaterial`` row. This sweep removes such files under
``MEDIA_ROOT/cases/`` once they are older than the grace period (default 60 minutes), so
that an upload still in flight (its row not yet committed) is never touched.

    manage.py cases_clean_orphans [--older-than-minutes 60] [--dry-run]
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from onewindow.cases.models import CaseMaterial

PREFIX = "cases"


def orphans(root: Path, older_than_minutes: int) -> list[Path]:
    """Files under ``root/cases`` older than the grace period that no row references.
    References are read one directory at a time, so memory stays bounded."""
    base = root / PREFIX
    if not base.is_dir():
        return []
    cutoff = time.time() - older_than_minutes * 60
    found: list[Path] = []
    for directory in sorted({p.parent for p in base.rglob("*") if p.is_file()}):
        rel_dir = directory.relative_to(root).as_posix()
        referenced = set(
            CaseMaterial.objects.filter(file__startswith=f"{rel_dir}/").values_list(
                "file", flat=True
            )
        )
        for path in sorted(directory.iterdir()):
            if not path.is_file() or path.stat().st_mtime > cutoff:
                continue
            if path.relative_to(root).as_posix() not in referenced:
                found.append(path)
    return found


class Command(BaseCommand):
    help = "删除未被任何已提交办件材料引用的上传文件（事务回滚或进程中断后遗留的文件）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="只删除早于该分钟数的文件（默认60，保护正在上传的文件）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = max(0, int(options["older_than_minutes"]))
        root = Path(settings.MEDIA_ROOT)
        found = orphans(root, minutes)
        for path in found:
            rel = path.relative_to(root).as_posix()
            if options["dry_run"]:
                self.stdout.write(f"孤立文件（未删除）：{rel}")
            else:
                path.unlink(missing_ok=True)
                self.stdout.write(f"已删除孤立文件：{rel}")
        verb = "发现" if options["dry_run"] else "删除"
        self.stdout.write(f"共{verb}孤立文件 {len(found)} 个")
