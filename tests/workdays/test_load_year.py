"""Loading a year's State Council schedule: validation, writes, audit, signal, cache."""

from __future__ import annotations

from datetime import date

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.common.errors import PermissionDenied, ValidationFailed
from onewindow.workdays.models import CalendarDay, CalendarYear
from onewindow.workdays.schedule_file import read_schedule_file
from onewindow.workdays.selectors import get_calendar
from onewindow.workdays.services import calendar_year_load
from onewindow.workdays.signals import calendar_changed

pytestmark = pytest.mark.django_db

SAMPLE = "onewindow/workdays/schedules/2027.example.json"


def load_sample(actor):
    s = read_schedule_file(SAMPLE)
    return calendar_year_load(
        actor=actor, year=s.year, holidays=s.holidays, makeup_days=s.makeup_days, source=s.source
    )


@pytest.fixture
def received():
    calls: list[dict] = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    calendar_changed.connect(receiver)
    yield calls
    calendar_changed.disconnect(receiver)


def test_loading_2027_flips_provisional_to_confirmed_and_audits_it(
    zhouba, received, django_capture_on_commit_callbacks
):
    before = get_calendar().deadline_days(date(2026, 12, 21), 9)
    assert before.due_date == date(2027, 1, 1)
    assert before.provisional

    with django_capture_on_commit_callbacks(execute=True):
        year = load_sample(zhouba)

    assert year.confirmed
    assert year.source.startswith("示例")
    assert year.loaded_at is not None
    after = get_calendar().deadline_days(date(2026, 12, 21), 9)
    assert not after.provisional
    assert after.due_date == date(2027, 1, 4)  # 元旦 1/1-1/3 in the (example) schedule

    day = {d.date: d for d in CalendarDay.objects.filter(date__year=2027)}
    assert len(day) == 365
    assert (day[date(2027, 2, 8)].kind, day[date(2027, 2, 8)].holiday_name) == ("holiday", "春节")
    assert day[date(2027, 2, 20)].is_workday
    assert (day[date(2027, 2, 20)].kind, day[date(2027, 2, 20)].holiday_name) == (
        "makeup",
        "春节",
    )
    assert (day[date(2027, 9, 26)].kind, day[date(2027, 9, 26)].holiday_name) == (
        "makeup",
        "国庆节",
    )
    assert day[date(2027, 3, 3)].kind == "workday"

    event = AuditEvent.objects.get(action="workdays.year_loaded")
    assert event.actor == zhouba
    assert event.object_id == "2027"
    assert event.payload["was_confirmed"] is False
    assert event.payload["makeup_days"][0] == "2027-02-20"
    assert {"name": "春节", "from": "2027-02-05", "to": "2027-02-13"} in event.payload["holidays"]
    assert "2027-01-01" in event.payload["changed_dates"]
    assert "2027-03-03" not in event.payload["changed_dates"]
    assert event.payload["workdays"] == sum(1 for d in day.values() if d.is_workday)

    assert len(received) == 1
    assert received[0]["years"] == [2027]
    assert date(2027, 2, 20) in received[0]["changed_dates"]
    assert date(2027, 1, 1) in received[0]["changed_dates"]


def test_the_signal_waits_for_the_commit(zhouba, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        load_sample(zhouba)
    assert received == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert received[0]["years"] == [2027]


def test_a_failing_receiver_does_not_break_the_load(zhouba, django_capture_on_commit_callbacks):
    def broken(sender, **kwargs):
        raise RuntimeError("recompute failed")

    calendar_changed.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            load_sample(zhouba)
    finally:
        calendar_changed.disconnect(broken)
    assert CalendarYear.objects.get(year=2027).confirmed


def test_reloading_a_confirmed_year_is_allowed_and_remembered(zhouba):
    calendar_year_load(
        actor=zhouba,
        year=2026,
        holidays=[(date(2026, 1, 1), date(2026, 1, 3), "元旦")],
        makeup_days=[],
        source="更正测试",
    )
    event = AuditEvent.objects.get(action="workdays.year_loaded")
    assert event.payload["was_confirmed"] is True
    assert "2026-02-16" in event.payload["changed_dates"]  # Spring Festival gone: now worked
    assert CalendarDay.objects.get(date=date(2026, 2, 16)).is_workday


def test_a_window_clerk_may_not_load_a_schedule(lisi):
    with pytest.raises(PermissionDenied):
        load_sample(lisi)
    assert not CalendarYear.objects.get(year=2027).confirmed
    assert not AuditEvent.objects.filter(action="workdays.year_loaded").exists()


def test_every_error_is_reported_and_nothing_is_written(zhouba):
    with pytest.raises(ValidationFailed) as exc:
        calendar_year_load(
            actor=zhouba,
            year=2027,
            holidays=[
                (date(2027, 2, 13), date(2027, 2, 5), "春节"),  # reversed
                (date(2028, 10, 1), date(2028, 10, 7), "国庆节"),  # wrong year
                (date(2027, 5, 1), date(2027, 5, 5), "劳动节"),
                (date(2027, 5, 4), date(2027, 5, 6), "五一"),  # overlaps
                (date(2027, 6, 9), date(2027, 6, 9), ""),  # no name
            ],
            makeup_days=[
                date(2027, 2, 17),  # a Wednesday
                date(2027, 5, 1),  # inside a holiday
                date(2026, 12, 5),  # the previous year
                date(2027, 4, 25),
                date(2027, 4, 25),  # duplicate
            ],
            source="  ",
        )
    err = exc.value
    assert err.status == 422
    assert err.message == "年度放假安排有误，未作任何修改"
    assert "晚于结束日期" in err.fields["holidays[0]"][0]
    assert "须在 2027 年内" in err.fields["holidays[1]"][0]
    assert "重叠" in err.fields["holidays[3]"][0]
    assert "节日名称" in err.fields["holidays[4]"][0]
    assert "不是周六或周日" in err.fields["makeup_days[0]"][0]
    assert "位于放假期间内" in err.fields["makeup_days[1]"][0]
    assert "须在 2027 年内" in err.fields["makeup_days[2]"][0]
    assert "重复" in err.fields["makeup_days[4]"][0]
    assert "依据" in err.fields["source"][0]
    assert "makeup_days[3]" not in err.fields
    assert not CalendarYear.objects.get(year=2027).confirmed
    assert CalendarDay.objects.get(date=date(2027, 5, 3)).is_workday
    assert not AuditEvent.objects.filter(action="workdays.year_loaded").exists()


def test_years_must_keep_the_table_contiguous(zhouba):
    with pytest.raises(ValidationFailed, match="有误") as exc:
        calendar_year_load(
            actor=zhouba,
            year=2031,
            holidays=[(date(2031, 1, 1), date(2031, 1, 1), "元旦")],
            makeup_days=[],
            source="x",
        )
    assert "2004 至 2029" in exc.value.fields["year"][0]
    with pytest.raises(ValidationFailed):
        calendar_year_load(actor=zhouba, year=2027, holidays=[], makeup_days=[], source="x")


def test_the_next_year_extends_the_table(zhouba, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_load(
            actor=None,
            year=2029,
            holidays=[(date(2029, 1, 1), date(2029, 1, 1), "元旦")],
            makeup_days=[],
            source="测试",
        )
    cal = get_calendar()
    assert cal.last == date(2029, 12, 31)
    assert cal.deadline_days(date(2028, 12, 29), 1).due_date == date(2029, 1, 2)
    assert cal.deadline_days(date(2028, 12, 29), 1).provisional  # 2028 is still provisional


def test_a_new_year_holiday_may_start_in_the_previous_december(
    zhouba, django_capture_on_commit_callbacks, received
):
    # As the 2019 notice did: 2018-12-30 to 2019-01-01 off, Saturday 2018-12-29 worked.
    # Replayed on 2028/2029: 2028-12-29 is a Friday, so use 2028-12-30/31 (a weekend).
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_load(
            actor=zhouba,
            year=2028,
            holidays=[
                (date(2027, 12, 31), date(2028, 1, 2), "元旦"),
                (date(2028, 1, 25), date(2028, 1, 31), "春节"),
            ],
            makeup_days=[date(2027, 12, 25)],
            source="测试",
        )
    assert not CalendarDay.objects.get(date=date(2027, 12, 31)).is_workday
    makeup = CalendarDay.objects.get(date=date(2027, 12, 25))
    assert (makeup.is_workday, makeup.kind, makeup.holiday_name) == (True, "makeup", "元旦")
    assert received[0]["years"] == [2027, 2028]
    # Reloading 2027 later keeps those days: they belong to 2028's schedule.
    calendar_year_load(
        actor=zhouba,
        year=2027,
        holidays=[(date(2027, 2, 5), date(2027, 2, 11), "春节")],
        makeup_days=[],
        source="测试",
    )
    assert not CalendarDay.objects.get(date=date(2027, 12, 31)).is_workday
    assert CalendarDay.objects.get(date=date(2027, 12, 25)).is_workday
    with pytest.raises(ValidationFailed) as exc:
        calendar_year_load(
            actor=zhouba,
            year=2028,
            holidays=[(date(2027, 12, 30), date(2028, 1, 2), "春节")],
            makeup_days=[],
            source="测试",
        )
    assert "只有元旦" in exc.value.fields["holidays[0]"][0]
