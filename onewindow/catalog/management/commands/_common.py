"""Helpers shared by the catalogue commands."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from onewindow.org.models import User


def resolve_actor(username: str | None) -> Any:
    """The account a command acts as: ``--user`` or, by default, the first superuser."""
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("请用 --user 指定执行操作的账号（该账号须有目录导入权限）")
    return user
