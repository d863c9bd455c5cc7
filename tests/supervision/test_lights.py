"""The colours at their boundaries, on the real 2026 calendar (Spring Festival 02-15..02-23,
makeup working days Saturday 02-14 and Saturday 02-28), through the real case services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from onewindow.cases.models import Case, SuspensionKind
from onewindow.cases.services.processing import case_resume, case_suspend
from onewindow.catalog.models import ItemVersion, LimitUnit
from onewindow.supervision.models import Colour, LightEvent
from onewindow.supervision.services import lights_sweep
from tests.cases.test_processing_support import SH, accepted_case, at, reload
from tests.supervision.conftest import light_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "no_alerts")]


def colour_at(case: Case, when: datetime) -> int:
    lights_sweep(now=when)
    return light_of(case).colour


def sec(y: int, m: int, d: int, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SH)


@pytest.fixture
def eve_case(hygiene_licence: ItemVersion, people: dict[str, Any]) -> Case:
    """公共场所卫生许可证核发 (3 promised / 20 legal working days) accepted by 李四 on
    Friday 2026-02-13, the eve of the Spring Festival: due 02-25, legally 03-19."""
    return accepted_case(
        hygiene_licence, people["zhangsan"], people["lisi"], when=at(2026, 2, 13, 15, 0)
    )


def test_accepted_on_the_eve_of_the_spring_festival(eve_case: Case) -> None:
    # 3 promised days: yellow with at most 1 working day left (20% of 3 is less than 1):
    # green through the holiday and on 02-24, yellow on the due date 02-25, red from 02-26.
    assert colour_at(eve_case, sec(2026, 2, 14, 9, 0)) == Colour.GREEN  # makeup Saturday
    assert colour_at(eve_case, sec(2026, 2, 20, 9, 0)) == Colour.GREEN  # in the holiday
    assert colour_at(eve_case, sec(2026, 2, 24, 23, 59, 59)) == Colour.GREEN
    assert colour_at(eve_case, sec(2026, 2, 25, 0, 0)) == Colour.YELLOW
    assert colour_at(eve_case, sec(2026, 2, 25, 23, 59, 59)) == Colour.YELLOW
    assert colour_at(eve_case, sec(2026, 2, 26, 0, 0)) == Colour.RED
    assert colour_at(eve_case, sec(2026, 3, 19, 23, 59, 59)) == Colour.RED
    assert colour_at(eve_case, sec(2026, 3, 20, 0, 0)) == Colour.LEGAL
    events = list(LightEvent.objects.filter(case=eve_case, kind="colour").order_by("seq"))
    assert [(e.from_colour, e.to_colour) for e in events] == [(0, 1), (1, 2), (2, 3)]
    assert events[1].at == sec(2026, 2, 26, 0, 0)


def test_a_long_limit_turns_yellow_with_a_fifth_left(people: dict[str, Any]) -> None:
    """医疗机构执业登记: with a limit of 10 days or more, 20% of it is more than 1 day."""
    version = ItemVersion.objects.filter(
        status="published", limit_unit=LimitUnit.WORKING_DAY, promised_limit=10
    ).first()
    if version is None:
        pytest.skip("the demo has no 10-day item")
    case = accepted_case(version, people["zhangsan"], people["lisi"], when=at(2026, 3, 2, 9, 0))
    # Monday 03-02 + 10 working days = Monday 03-16; 2 days left from Friday 03-13.
    assert reload(case).promised_due_at == sec(2026, 3, 16, 23, 59, 59)
    assert colour_at(case, sec(2026, 3, 12, 23, 59, 59)) == Colour.GREEN
    assert colour_at(case, sec(2026, 3, 13, 0, 0)) == Colour.YELLOW
    assert colour_at(case, sec(2026, 3, 14, 12, 0)) == Colour.YELLOW  # a weekend


def test_a_suspension_across_a_makeup_working_day_pauses_the_light(
    hygiene_licence: ItemVersion, people: dict[str, Any]
) -> None:
    # Accepted Tuesday 02-24: 02-25, 02-26, 02-27 → due Friday 02-27.
    case = accepted_case(
        hygiene_licence, people["zhangsan"], people["lisi"], when=at(2026, 2, 24, 9, 0)
    )
    assert colour_at(case, sec(2026, 2, 26, 9, 0)) == Colour.GREEN
    hanmei = people["hanmei"]
    case_suspend(
        actor=hanmei,
        case=case,
        kind=SuspensionKind.EXPERT_REVIEW,
        reason="组织专家评审",
        now=sec(2026, 2, 26, 10, 0),
    )
    # Paused at 02-26 10:00 (green then): still green on Saturday 02-28, the makeup day,
    # although the promised date 02-27 has passed.
    assert colour_at(case, sec(2026, 2, 28, 12, 0)) == Colour.GREEN
    light = light_of(case)
    assert light.paused
    # Resumed Monday 03-02: 02-26, 02-27 and the makeup Saturday 02-28 are not counted, so
    # 03-02, 03-03... the new promised date is Tuesday 03-03 (02-25, 03-02, 03-03).
    case_resume(actor=hanmei, case=reload(case), now=sec(2026, 3, 2, 9, 0))
    assert reload(case).promised_due_at == sec(2026, 3, 3, 23, 59, 59)
    assert colour_at(case, sec(2026, 3, 2, 12, 0)) == Colour.GREEN
    assert not light_of(case).paused
    assert colour_at(case, sec(2026, 3, 3, 0, 0)) == Colour.YELLOW
    assert colour_at(case, sec(2026, 3, 4, 0, 0)) == Colour.RED


@pytest.fixture
def half_hour_warning(settings: Any) -> None:
    # yellow with half an hour of office time left (the default minimum is one hour)
    settings.SUPERVISION = {**settings.SUPERVISION, "YELLOW_PERCENT": 50, "YELLOW_MIN_HOURS": 0}


@pytest.fixture
def one_hour_item(demo: Any, db: Any) -> ItemVersion:
    version = ItemVersion.objects.get(
        status="published", limit_unit=LimitUnit.WORKING_HOUR, name__contains="存量房"
    )
    assert version.promised_limit == 1
    return version


@pytest.mark.usefixtures("half_hour_warning")
def test_an_hour_limit_across_lunch(one_hour_item: ItemVersion, people: dict[str, Any]) -> None:
    # Accepted Monday 11:30 with 1 office hour: due 14:00 (lunch 12:00-13:30 not counted);
    # half an hour of office time is left from 12:00.
    case = accepted_case(
        one_hour_item, people["zhangsan"], people["lisi"], when=sec(2026, 3, 2, 11, 30)
    )
    assert reload(case).promised_due_at == sec(2026, 3, 2, 14, 0)
    assert colour_at(case, sec(2026, 3, 2, 11, 59, 59)) == Colour.GREEN
    assert colour_at(case, sec(2026, 3, 2, 12, 0)) == Colour.YELLOW
    assert colour_at(case, sec(2026, 3, 2, 13, 15)) == Colour.YELLOW
    assert colour_at(case, sec(2026, 3, 2, 14, 0)) == Colour.YELLOW
    assert colour_at(case, sec(2026, 3, 2, 14, 0, 1)) == Colour.RED


@pytest.mark.usefixtures("half_hour_warning")
def test_an_hour_limit_across_the_evening(
    one_hour_item: ItemVersion, people: dict[str, Any]
) -> None:
    # Accepted Monday 16:30: half an hour that day, half an hour on Tuesday → 09:30;
    # yellow from the close on Monday 17:00, through the night.
    case = accepted_case(
        one_hour_item, people["zhangsan"], people["lisi"], when=sec(2026, 3, 2, 16, 30)
    )
    assert reload(case).promised_due_at == sec(2026, 3, 3, 9, 30)
    assert colour_at(case, sec(2026, 3, 2, 16, 59, 59)) == Colour.GREEN
    assert colour_at(case, sec(2026, 3, 2, 17, 0)) == Colour.YELLOW
    assert colour_at(case, sec(2026, 3, 3, 8, 0)) == Colour.YELLOW
    assert colour_at(case, sec(2026, 3, 3, 9, 30, 1)) == Colour.RED


def test_the_default_hour_warning_is_one_working_hour(
    one_hour_item: ItemVersion, people: dict[str, Any]
) -> None:
    # Accepted Friday 16:30 with 1 hour: due Monday 09:30; one office hour or less is left
    # from the start, so the light is yellow at once (20% of 1 hour is less than 1 hour).
    case = accepted_case(
        one_hour_item, people["zhangsan"], people["lisi"], when=sec(2026, 3, 6, 16, 30)
    )
    assert reload(case).promised_due_at == sec(2026, 3, 9, 9, 30)
    assert colour_at(case, sec(2026, 3, 6, 16, 30)) == Colour.YELLOW
    assert colour_at(case, sec(2026, 3, 9, 9, 31)) == Colour.RED
