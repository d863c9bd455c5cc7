"""The local rules of ratings, as settings with defaults (REFERENCE.md: where local practice
varies, a setting with this default), and their working-day arithmetic.

``settings.RATINGS`` may override any key:

* ``RECTIFICATION_WORKDAYS`` (15): a bad rating's rectification is due at the end of the
  15th working day after it was given (REFERENCE.md: "a common rule: within 15 working days").
* ``COMPLAINT_WORKDAYS`` (5): a complaint's response is due at the end of the 5th working day
  after it was made (neither REFERENCE.md nor the seeds fix a figure; 5 is the shortest
  rectification period REFERENCE.md names, kept for a complaint's first response).
* ``RATING_WINDOW_WORKDAYS`` (5): a concluded case may be rated until the end of the 5th
  working day after its conclusion; after that it counts as rated ``DEFAULT_LEVEL`` by
  default (默认好评), counted apart from real ratings and never stored as a rating.
* ``DEFAULT_LEVEL`` (4, 满意).
* ``LINK_MAX_AGE_SECONDS`` (30 days): how long a signed SMS link stays valid (the rating
  window still applies).
* ``PUBLIC_URL`` (``http://127.0.0.1:8000``): the address SMS links start with.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings

from onewindow.cases.deadlines import end_of_day
from onewindow.workdays.calendar import SHANGHAI, local_date
from onewindow.workdays.selectors import get_calendar

DEFAULTS: dict[str, Any] = {
    "RECTIFICATION_WORKDAYS": 15,
    "COMPLAINT_WORKDAYS": 5,
    "RATING_WINDOW_WORKDAYS": 5,
    "DEFAULT_LEVEL": 4,
    "LINK_MAX_AGE_SECONDS": 30 * 24 * 3600,
    "PUBLIC_URL": "http://127.0.0.1:8000",
}


def setting(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "RATINGS", {})}[name]


def due_after(start: datetime, workdays: int) -> datetime:
    """The end of the ``workdays``-th working day after ``start``'s date."""
    due = get_calendar().deadline_days(start, workdays).due_date
    if due is None:  # pragma: no cover  (only an open suspension leaves it open)
        raise RuntimeError("no due date")
    return end_of_day(due)


def rating_window_ends(concluded_at: datetime) -> datetime:
    return due_after(concluded_at, int(setting("RATING_WINDOW_WORKDAYS")))


def default_cutoff(now: datetime) -> datetime:
    """Cases concluded before this instant are past their rating window at ``now`` (their
    window ended before ``now``). A walk back over calendar days, not over cases."""
    calendar = get_calendar()
    n = int(setting("RATING_WINDOW_WORKDAYS"))
    day = local_date(now)
    # The window of a case concluded on ``day`` ends on or after ``day``; step back until it
    # ends before ``now``: cases concluded that day or earlier are all past (monotonic).
    for _step in range(400):
        due = calendar.deadline_days(day, n).due_date
        if due is not None and end_of_day(due) < now:
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)
        day -= timedelta(days=1)
    raise RuntimeError("rating window longer than a year")  # pragma: no cover
