"""Receivers of the cases' domain signals (cases never import ratings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.cases.notices import notify_applicant
from onewindow.cases.signals import case_concluded
from onewindow.ratings.rules import setting
from onewindow.ratings.services.rating import link_token


def invite_to_rate(sender: Any, *, case: Case, now: datetime, **kwargs: Any) -> None:
    """Send the rating link with the conclusion message. Sent inside ``case_conclude``'s
    transaction: the outbox rows commit with it and go out after commit (none on rollback)."""
    path = reverse("ratings:link", args=[link_token(case)])
    notify_applicant(
        case,
        template="ratings.invite",
        context={
            "link": str(setting("PUBLIC_URL")).rstrip("/") + path,
            "days": int(setting("RATING_WINDOW_WORKDAYS")),
        },
        now=now,
    )


case_concluded.connect(invite_to_rate, sender=Case, dispatch_uid="ratings.invite_to_rate")
