"""The demo district's ratings: three window services rated, one bad with an open
rectification for 区市场监管局, one complaint to 区卫生健康委 waiting; loading again adds
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.demo.data.ratings import COMPLAINT_TEXT, RATINGS
from onewindow.demo.loader import load_demo
from onewindow.ratings.models import Complaint, Rating, Rectification
from onewindow.ratings.selectors import complaints_for, rectifications_for

pytestmark = pytest.mark.django_db


def test_the_demo_ratings(people: dict[str, Any]) -> None:
    ratings = Rating.objects.filter(visit__purpose__endswith="（演示）")
    assert sorted(ratings.values_list("level", flat=True)) == sorted(d.level for d in RATINGS)
    assert set(ratings.values_list("channel", "subject").distinct()) == {("window_device", "visit")}
    open_rect = Rectification.objects.get(status="open")
    assert open_rect.department.code == "SCJGJ"  # the 市场监管首席代表窗口's department
    assert list(rectifications_for(people["sunli"])) == [open_rect]
    assert list(rectifications_for(people["hanmei"])) == []
    complaint = Complaint.objects.get(text=COMPLAINT_TEXT)
    assert (complaint.status, complaint.department.code) == ("open", "WSJKW")
    assert list(complaints_for(people["hanmei"])) == [complaint]
    assert complaint in complaints_for(people["zhaoliu"])

    events = AuditEvent.objects.count()
    load_demo()
    assert AuditEvent.objects.count() == events
    assert Rating.objects.count() == len(RATINGS)
    assert Complaint.objects.count() == 1
