"""Both clocks of a case (promised and legal), from onewindow.workdays.

Computed at acceptance and again after every suspension or resumption, so the stored
deadlines are always current: ``promised_due_at`` / ``legal_due_at`` are the end of the due
date (23:59:59 local) for working-day limits, and the exact instant for working-hour limits.
While an open suspension stops the clock they are None. Nothing here uses
``timedelta(days=...)``: all arithmetic is the calendar's.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from onewindow.cases.models import Case
from onewindow.catalog.models import LimitUnit
from onewindow.workdays.calendar import SHANGHAI
from onewindow.workdays.selectors import get_calendar

END_OF_DAY = time(23, 59, 59)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def suspension_intervals(case: Case) -> list[tuple[datetime, datetime | None]]:
    return [(s.started_at, s.resumed_at) for s in case.suspensions.order_by("started_at")]


def start_clock(case: Case) -> None:
    """Copy the limits from the case's item version (at acceptance); then compute."""
    version = case.item_version
    case.limit_unit = version.limit_unit
    case.promised_limit = 0 if version.is_instant else version.promised_limit
    case.legal_limit = version.legal_limit
    compute_deadlines(case)


def compute_deadlines(case: Case, *, suspensions: list[Any] | None = None) -> None:
    """Set the case's deadline fields (not saved) from its acceptance instant, limits and
    suspensions. Raises ValidationFailed if the calendar cannot answer (past its table)."""
    if case.accepted_at is None or case.promised_limit is None or case.legal_limit is None:
        case.promised_due_at = case.legal_due_at = None
        return
    cal = get_calendar()
    intervals = suspension_intervals(case) if suspensions is None else suspensions
    if case.limit_unit == LimitUnit.WORKING_HOUR:
        point = case.service_point
        office = (point.office_hours or None) if point is not None else None
        promised = cal.deadline_hours(case.accepted_at, case.promised_limit, office, intervals)
        legal = cal.deadline_hours(case.accepted_at, case.legal_limit, office, intervals)
        case.promised_due_at = promised.due_at
        case.legal_due_at = legal.due_at
        case.deadlines_provisional = promised.provisional or legal.provisional
        case.suspended_workdays = 0
        return
    p = cal.deadline_days(case.accepted_at, case.promised_limit, intervals)
    legal_d = cal.deadline_days(case.accepted_at, case.legal_limit, intervals)
    case.promised_due_at = end_of_day(p.due_date) if p.due_date else None
    case.legal_due_at = end_of_day(legal_d.due_date) if legal_d.due_date else None
    case.deadlines_provisional = p.provisional or legal_d.provisional
    case.suspended_workdays = legal_d.excluded_workdays
