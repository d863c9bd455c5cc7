"""Background work of the cases app through Django's tasks API (``manage.py db_worker``)."""

from __future__ import annotations

from django.tasks import task

from onewindow.cases.services.acceptance import cases_deem_accepted


@task(queue_name="sweeps")
def deem_accepted_task() -> int:
    """Art. 32's deemed acceptance sweep (daily)."""
    return cases_deem_accepted()


@task(queue_name="sweeps")
def bundle_stalls_task() -> int:
    """Flag the sub-cases of live bundles past their promised deadline (hourly)."""
    from onewindow.cases.services.bundle_refusal import bundle_cases_flag_stalled

    return bundle_cases_flag_stalled()
