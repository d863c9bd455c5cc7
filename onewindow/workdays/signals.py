"""Domain signals of the working-day calendar.

``calendar_changed`` is sent after the transaction that changed the calendar has committed,
and after this process's cached calendar has been dropped, so receivers that call
``get_calendar()`` see the new days. Keyword arguments:

* ``years``: the years whose days were rewritten (a list of ints);
* ``changed_dates``: the dates whose working/non-working status changed (a list of dates),
  which is what a module holding provisional deadlines needs to recompute them.

Receivers run through ``send_robust``: one failing receiver is logged and does not undo the
load (it has committed) nor stop the others.
"""

from __future__ import annotations

from django.dispatch import Signal

calendar_changed = Signal()
