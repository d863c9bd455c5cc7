"""Properties of the level and dimension checks (hypothesis): exactly the five national
levels pass; dimensions pass only as known names of the mode with levels, and the result
always holds 整体满意度, in the standard's order."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.common.errors import ValidationFailed
from onewindow.ratings.services.rating import check_dimensions, check_level
from onewindow.ratings.states import DIMENSIONS, Mode

LEVELS = st.integers(min_value=1, max_value=5)
ANY_VALUE = st.one_of(
    st.integers(), st.text(max_size=4), st.floats(allow_nan=True), st.none(), st.booleans()
)


@given(ANY_VALUE)
def test_a_level_passes_iff_it_is_one_of_the_five(value: Any) -> None:
    as_int: int | None
    try:
        as_int = None if isinstance(value, bool) else int(str(value).strip())
    except ValueError:
        as_int = None
    if as_int in (1, 2, 3, 4, 5):
        assert check_level(value) == as_int
        return
    with pytest.raises(ValidationFailed) as err:
        check_level(value)
    assert err.value.code == "invalid_level"
    assert "level" in err.value.fields


@given(st.sampled_from(list(Mode)), LEVELS, st.data())
def test_known_dimensions_with_levels_pass(mode: str, level: int, data: st.DataObject) -> None:
    names = list(DIMENSIONS[mode])
    chosen = data.draw(st.dictionaries(st.sampled_from(names), LEVELS))
    out = check_dimensions(mode, chosen, level)
    assert out["overall"] == chosen.get("overall", level)
    assert {k: v for k, v in out.items() if k in chosen} == chosen
    assert list(out) == [n for n in names if n in out]  # the standard's order


@given(
    st.sampled_from(list(Mode)),
    LEVELS,
    st.text(min_size=1, max_size=12),
    st.one_of(LEVELS, st.integers(max_value=0), st.integers(min_value=6)),
)
def test_unknown_names_or_bad_values_fail(mode: str, level: int, name: str, value: int) -> None:
    if name in DIMENSIONS[mode] and 1 <= value <= 5:
        assert check_dimensions(mode, {name: value}, level)[name] == value
        return
    with pytest.raises(ValidationFailed) as err:
        check_dimensions(mode, {name: value}, level)
    assert err.value.code == "invalid_dimensions"
    assert f"dimensions.{name}" in err.value.fields


def test_online_and_offline_dimensions_are_the_standards() -> None:
    assert list(DIMENSIONS[Mode.ONLINE].values()) == [
        "整体满意度",
        "办事效率",
        "办事指南精确度",
        "办事便捷度",
        "平台操作性",
    ]
    assert list(DIMENSIONS[Mode.OFFLINE].values()) == [
        "整体满意度",
        "服务效率",
        "服务水平",
        "服务态度",
    ]
