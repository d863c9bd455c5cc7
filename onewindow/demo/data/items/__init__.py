"""The demo catalogue's items, one module per group of departments. The order matters:
basic codes are numbered per department in this order, so append, never insert."""

from __future__ import annotations

from onewindow.demo.data.build import Item
from onewindow.demo.data.items import (
    business,
    construction,
    permits,
    person_civil,
    person_social,
    person_welfare,
    trades,
)

ITEMS: list[Item] = [
    *business.ITEMS,
    *permits.ITEMS,
    *construction.ITEMS,
    *trades.ITEMS,
    *person_social.ITEMS,
    *person_civil.ITEMS,
    *person_welfare.ITEMS,
]
