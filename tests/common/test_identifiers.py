import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.common.errors import ValidationFailed
from onewindow.common.identifiers import (
    USCC_ALPHABET,
    normalize_resident_id,
    normalize_uscc,
    resident_id_check_char,
    resident_id_error,
    uscc_check_char,
    uscc_error,
)


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x"])
def test_reference_resident_id_is_valid(value):
    assert resident_id_error(value) is None
    assert normalize_resident_id(value) == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "居民身份证号码校验码错误"),
        ("11010519491231002", "居民身份证号码应为18位"),
        ("1101051949123100AX", "居民身份证号码前17位应为数字，最后一位为数字或X"),
        ("110105194902300020", "居民身份证号码中的出生日期无效"),
    ],
)
def test_bad_resident_ids_say_why(value, message):
    assert resident_id_error(value) == message
    with pytest.raises(ValidationFailed) as err:
        normalize_resident_id(value)
    assert err.value.code == "invalid_resident_id"


@pytest.mark.parametrize("value", ["91350100M000100Y43", "91110000600037341L"])
def test_reference_uscc_is_valid(value):
    assert uscc_error(value) is None
    assert normalize_uscc(value.lower()) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91350100M000100Y44", "统一社会信用代码校验码错误"),
        ("91350100M000100Y4", "统一社会信用代码应为18位"),
        ("91350100I000100Y43", "统一社会信用代码含有不允许的字符：I"),
    ],
)
def test_bad_uscc_says_why(value, message):
    assert uscc_error(value) == message


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_single_digit_change_breaks_the_resident_id_check(first17):
    check = resident_id_check_char(first17)
    changed = str((int(first17[0]) + 1) % 10) + first17[1:]
    assert resident_id_check_char(changed) != check


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_uscc_check_char_round_trips(first17):
    assert uscc_error(first17 + uscc_check_char(first17)) is None
