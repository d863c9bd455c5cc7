"""Receivers of the cases' domain signals (onewindow/cases/signals.py). Both run inside the
sender's transaction: a permit or licence commits or rolls back with the conclusion or the
bundle's outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from onewindow.cases.models import BundleCase, Case
from onewindow.cases.signals import bundle_outcome_issued, case_concluded
from onewindow.licences import services


@receiver(case_concluded, sender=Case, dispatch_uid="licences.permit_on_conclusion")
def permit_on_conclusion(
    sender: Any, case: Case, actor: Any, approved: bool, now: datetime, **kwargs: Any
) -> None:
    if approved:
        services.permit_issue_for_case(case=case, actor=actor, now=now)


@receiver(bundle_outcome_issued, sender=BundleCase, dispatch_uid="licences.industry_licence")
def industry_licence_on_outcome(
    sender: Any, bundle_case: BundleCase, actor: Any, now: datetime, **kwargs: Any
) -> None:
    services.industry_licence_issue(bundle_case=bundle_case, actor=actor, now=now)
