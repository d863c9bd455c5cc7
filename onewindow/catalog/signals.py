"""Domain events of the catalogue, sent after the publishing transaction has committed."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``sender=ServiceItem``, ``item`` and ``version`` once a version is published
# (after commit, so receivers see the new published state).
item_published = Signal()
