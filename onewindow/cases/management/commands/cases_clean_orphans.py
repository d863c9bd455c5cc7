"""Delete case files that no committed row refers to.

Files are written to storage inside the writing transaction, before it commits: uploaded
materials (``cases/``), rendered notices (``notices/``) and delivered results
(``results/``). When the transaction rolls back (a refused submission, a failed render, an
error) or the server is killed, the file stays behind without its row. This sweep removes
such files once they are older than the grace period (default 60 minutes), so that a file
still in flight (its row not yet committed) is never touched.

    manage.py cases_clean_orphans [--older-than-minutes 60] [--dry-run]
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Model

from onewindow.cases.models import CaseMaterial, Delivery, Notice

# Storage folder → the (model, file field) pairs whose rows may refer to files in it
# (an electronic delivery's result may be the decision notice's PDF itself).
REFERENCES: dict[str, list[tuple[type[Model], str]]] = {
    "cases": [(CaseMaterial, "file")],
    "notices": [(Notice, "pdf"), (Delivery, "result_file")],
    "results": [(Delivery, "result_file")],
}


def _referenced(rel_dir: str, refs: list[tuple[type[Model], str]]) -> set[str]:
    names: set[str] = set()
    for model, field in refs:
        rows = model._default_manager.filter(**{f"{field}__startswith": f"{rel_dir}/"})
        names.update(rows.values_list(field, flat=True))
    return names


def orphans(root: Path, older_than_minutes: int) -> list[Path]:
    """Files under the case folders older than the grace period that no row references.
    References are read one directory at a time, so memory stays bounded."""
    cutoff = time.time() - older_than_minutes * 60
    found: list[Path] = []
    for prefix, refs in REFERENCES.items():
        found.extend(_orphans_in(root, prefix, refs, cutoff))
    return found


def _orphans_in(
    root: Path, prefix: str, refs: list[tuple[type[Model], str]], cutoff: float
) -> list[Path]:
    base = root / prefix
    if not base.is_dir():
        return []
    found: list[Path] = []
    for directory in sorted({p.parent for p in base.rglob("*") if p.is_file()}):
        rel_dir = directory.relative_to(root).as_posix()
        referenced = _referenced(rel_dir, refs)
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
