"""The demo accounts as a table, read from the database (what is really loaded)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from onewindow.demo.data.org import APPLICANTS, DEMO_PASSWORD, STAFF
from onewindow.demo.loader import ADMIN_USERNAME
from onewindow.org.models import RoleAssignment, User

HEADERS = ("用户名", "姓名", "角色", "部门/网点", "密码")


@dataclass(frozen=True)
class AccountRow:
    username: str
    name: str
    role: str
    scope: str
    password: str = DEMO_PASSWORD

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.username, self.name, self.role, self.scope, self.password)


def demo_usernames() -> list[str]:
    return [ADMIN_USERNAME, *(s.username for s in STAFF), *(a.username for a in APPLICANTS)]


def account_rows() -> list[AccountRow]:
    """One row per role held by each demo account that exists, in the documented order."""
    order = demo_usernames()
    users = {u.username: u for u in User.objects.filter(username__in=order)}
    assignments: dict[int, list[RoleAssignment]] = {}
    for a in (
        RoleAssignment.objects.filter(user__in=users.values())
        .select_related("department", "service_point")
        .order_by("pk")
    ):
        assignments.setdefault(a.user_id, []).append(a)
    rows: list[AccountRow] = []
    for username in order:
        user = users.get(username)
        if user is None:
            continue
        if user.is_superuser:
            rows.append(AccountRow(username, str(user), "超级管理员", "全部"))
            continue
        for a in assignments.get(user.pk, []):
            if a.role == "applicant":
                entity = user.applicants.first()
                scope = entity.name if entity and entity.name != str(user) else "—"
            else:
                scope = (
                    " · ".join(str(x) for x in (a.department, a.service_point) if x is not None)
                    or "全中心"
                )
            rows.append(AccountRow(username, str(user), a.get_role_display(), scope))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(rows: list[AccountRow]) -> str:
    if not rows:
        return "尚未加载演示数据：请先运行 manage.py load_demo"
    table = [HEADERS, *(r.cells() for r in rows)]
    widths = [max(_width(row[i]) for row in table) for i in range(len(HEADERS))]
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    for i, row in enumerate(table):
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
