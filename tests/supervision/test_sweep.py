"""The sweep: idempotent, all or nothing, closes the lights of concluded cases, resyncs on
a calendar load; bundles and their sub-cases have their own lights."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import BundleCase, Case
from onewindow.cases.services.bundle import bundle_case_accept
from onewindow.cases.services.delivery import case_conclude
from onewindow.cases.services.processing import case_decide
from onewindow.catalog.models import ItemVersion
from onewindow.supervision.models import CaseLight, Colour, LightEvent, LightKind, SweepRun
from onewindow.supervision.receivers import resync_on_calendar
from onewindow.supervision.services import lights_changed, lights_sweep
from tests.cases.test_bundle_cases import barber, shop, submitted  # noqa: F401
from tests.cases.test_processing_support import accepted_case, at, reload
from tests.supervision.conftest import light_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "no_alerts")]


@pytest.fixture
def case(hygiene_licence: ItemVersion, people: dict[str, Any]) -> Case:
    """Accepted Monday 2026-03-02: 3 promised days → due Thursday 03-05."""
    return accepted_case(
        hygiene_licence, people["zhangsan"], people["lisi"], when=at(2026, 3, 2, 9, 0)
    )


def test_a_second_sweep_with_nothing_changed_writes_nothing(case: Case) -> None:
    first = lights_sweep(now=at(2026, 3, 6))
    assert (first.created, first.changed, first.events) == (1, 1, 1)
    runs, audits = SweepRun.objects.count(), AuditEvent.objects.count()
    light = light_of(case)
    again = lights_sweep(now=at(2026, 3, 6))
    assert (again.created, again.resynced, again.closed, again.changed, again.events) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert again.run_id is None
    assert (SweepRun.objects.count(), AuditEvent.objects.count()) == (runs, audits)
    fresh = light_of(case)
    assert (fresh.seq, fresh.mark, fresh.synced_at) == (light.seq, light.mark, light.synced_at)


def test_each_change_is_recorded_once_and_audited(case: Case) -> None:
    lights_sweep(now=at(2026, 3, 5))  # yellow on the due date
    lights_sweep(now=at(2026, 3, 5, 16))
    lights_sweep(now=at(2026, 3, 6))  # red
    events = LightEvent.objects.filter(case=case).order_by("seq")
    assert [(e.seq, e.from_colour, e.to_colour) for e in events] == [(1, 0, 1), (2, 1, 2)]
    assert AuditEvent.objects.filter(action="supervision.swept").count() == 2


def test_a_sweep_that_dies_half_way_changes_nothing_and_the_next_completes(case: Case) -> None:
    def die(**kwargs: Any) -> None:
        raise RuntimeError("the worker was killed")

    lights_changed.connect(die, dispatch_uid="test-die")
    try:
        with pytest.raises(RuntimeError):
            lights_sweep(now=at(2026, 3, 6))
    finally:
        lights_changed.disconnect(dispatch_uid="test-die")
    # The colour update and the event were rolled back with it: no light, no event.
    assert not CaseLight.objects.exists()
    assert not LightEvent.objects.exists()
    done = lights_sweep(now=at(2026, 3, 6))
    assert (done.created, done.changed, done.events) == (1, 1, 1)
    assert light_of(case).colour == Colour.RED
    assert LightEvent.objects.filter(case=case).count() == 1


def test_a_concluded_case_leaves_the_board(case: Case, people: dict[str, Any]) -> None:
    lights_sweep(now=at(2026, 3, 6))
    assert light_of(case).active
    hanmei, lisi = people["hanmei"], people["lisi"]
    case_decide(actor=hanmei, case=case, outcome="approve", reason="", now=at(2026, 3, 6, 10))
    lights_sweep(now=at(2026, 3, 6, 11))
    assert light_of(case).active  # decided, not yet concluded: still supervised
    case_conclude(actor=lisi, case=reload(case), now=at(2026, 3, 6, 14))
    result = lights_sweep(now=at(2026, 3, 6, 15))
    assert result.closed == 1
    light = light_of(case)
    assert not light.active
    assert light.colour == Colour.RED  # as it was when it closed


def test_a_calendar_load_resyncs_every_light(case: Case) -> None:
    lights_sweep(now=at(2026, 3, 3))
    resync_on_calendar(sender=None)
    result = lights_sweep(now=at(2026, 3, 3))
    assert (result.resynced, result.changed) == (1, 0)
    assert light_of(case).src_status == reload(case).status


def test_sub_cases_and_their_bundle_have_their_own_colours(
    people: dict[str, Any],
    barber: Any,  # noqa: F811
    zhangsan_applicant: Any,
    shop: Any,  # noqa: F811
) -> None:
    from tests.cases.test_bundle_cases import NOW

    bc = submitted(people, barber, zhangsan_applicant, shop)
    bundle_case_accept(actor=people["lisi"], bundle_case=bc, now=NOW)  # Friday 2026-11-27
    bc = BundleCase.objects.get(pk=bc.pk)
    # Thursday 12-03 10:00: the bundle (5 days, due Friday 12-04) is green; the hygiene
    # sub-case (3 days, due Wednesday 12-02) is red; others have their own limits.
    lights_sweep(now=at(2026, 12, 3, 10, 0))
    bundle_light = CaseLight.objects.get(bundle_case=bc)
    assert (bundle_light.kind, bundle_light.colour) == (LightKind.BUNDLE, Colour.GREEN)
    assert bundle_light.department == bc.lead_department
    subs = {
        light.case.item_version.name: light
        for light in CaseLight.objects.filter(case__bundle_case=bc).select_related(
            "case__item_version"
        )
    }
    assert len(subs) == bc.sub_cases.count() >= 2
    assert {light.kind for light in subs.values()} == {LightKind.SUB_CASE}
    assert subs["公共场所卫生许可证核发"].colour == Colour.RED
    for light in subs.values():
        due = light.case.promised_due_at
        expected = Colour.RED if due < at(2026, 12, 3, 0, 0) else None
        if expected is not None:
            assert light.colour >= expected
    assert len({light.colour for light in subs.values()} | {bundle_light.colour}) >= 2
    # Friday 12-04: the bundle's own last day → yellow.
    lights_sweep(now=at(2026, 12, 4, 9, 0))
    assert CaseLight.objects.get(bundle_case=bc).colour == Colour.YELLOW
