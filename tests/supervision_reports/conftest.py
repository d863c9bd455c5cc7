"""Report fixtures: the demo district (module-scoped, rolled back, via tests/ratings/conftest)
and March 2026 built from known cases with known deadlines.

区卫生健康委 (公共场所卫生许可证核发):
  h1 accepted 2 Mar, due 5 Mar, concluded 4 Mar (on time)
  h2 accepted 2 Mar, due 5 Mar, concluded 10 Mar (late: turned red on 5 Mar)
  h3 accepted 20 Mar, due 25 Mar, open (red on 25 Mar, overdue at the end of March)
  h4 accepted 30 Mar, due 3 Apr, concluded 2 Apr (accepted in March, concluded in April)
区市场监管局 (食品经营许可证核发):
  m1, m2 accepted 3 Mar, due 6 Mar, concluded 5 Mar (on time)
  m3 accepted 3 Mar, due 6 Mar, legal due 10 Mar, concluded 12 Mar (late, past the legal limit)
张三 rates h1 非常不满意 on 6 Mar: a rectification, due 15 working days later, never closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from onewindow.cases.models import Case
from onewindow.cases.services.delivery import case_conclude
from onewindow.org.models import User
from onewindow.ratings.services import rate_case
from tests.ratings.conftest import (  # noqa: F401  (fixtures)
    HYGIENE,
    MARKET,
    _files,
    at,
    decided_case,
    demo,
    people,
)


def end_of(y: int, m: int, d: int) -> datetime:
    return at(y, m, d, 23, 59).replace(second=59)


def case_with(
    people: dict[str, User],  # noqa: F811
    item: str,
    accepted: datetime,
    due: datetime,
    *,
    legal_due: datetime | None = None,
    concluded: datetime | None = None,
) -> Case:
    case = decided_case(people, when=accepted, item=item)
    Case.objects.filter(pk=case.pk).update(
        accepted_at=accepted, promised_due_at=due, legal_due_at=legal_due or due
    )
    case = Case.objects.get(pk=case.pk)
    if concluded is not None:
        case_conclude(actor=people["admin"], case=case, delivery_method="window", now=concluded)
        case = Case.objects.get(pk=case.pk)
    return case


@pytest.fixture
def march(people: dict[str, User]) -> dict[str, Case]:  # noqa: F811
    c: dict[str, Case] = {}
    c["h1"] = case_with(
        people, HYGIENE, at(2026, 3, 2), end_of(2026, 3, 5), concluded=at(2026, 3, 4)
    )
    c["h2"] = case_with(
        people, HYGIENE, at(2026, 3, 2), end_of(2026, 3, 5), concluded=at(2026, 3, 10)
    )
    c["h3"] = case_with(people, HYGIENE, at(2026, 3, 20), end_of(2026, 3, 25))
    c["h4"] = case_with(
        people, HYGIENE, at(2026, 3, 30), end_of(2026, 4, 3), concluded=at(2026, 4, 2)
    )
    for name in ("m1", "m2"):
        c[name] = case_with(
            people, MARKET, at(2026, 3, 3), end_of(2026, 3, 6), concluded=at(2026, 3, 5)
        )
    c["m3"] = case_with(
        people,
        MARKET,
        at(2026, 3, 3),
        end_of(2026, 3, 6),
        legal_due=end_of(2026, 3, 10),
        concluded=at(2026, 3, 12),
    )
    rate_case(actor=people["zhangsan"], case=c["h1"], level=1, comment="来回跑", now=at(2026, 3, 6))
    return c


def row_of(table: Any, department: str) -> dict[str, Any]:
    return next(r for r in table.rows if r["department"] == department)
