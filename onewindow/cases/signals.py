"""Domain events of cases, for the layers above (licences, supervision) that cases must not
import. Each is sent *inside* the transaction of the service that changes the state, so a
receiver's writes commit or roll back with it; receivers that have side effects outside the
database (messages, files) schedule them with ``transaction.on_commit``.

- ``case_concluded(sender=Case, case=..., actor=..., approved=bool, now=datetime)``: a case
  (also a bundle's sub-case) was concluded (办结) by ``delivery.case_conclude``.
- ``bundle_outcome_issued(sender=BundleCase, bundle_case=..., actor=..., now=datetime)``: the
  lead department issued a bundle's one outcome (every sub-case concluded or dropped).
"""

from __future__ import annotations

from django.dispatch import Signal

case_concluded = Signal()
bundle_outcome_issued = Signal()
