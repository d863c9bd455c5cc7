"""Check-digit validation of Chinese identifiers.

* Resident ID (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character.
* Unified social credit code, USCC (GB 32100-2015): 18 characters, MOD 31 check character.
"""

from __future__ import annotations

from datetime import date

from onewindow.common.errors import ValidationFailed

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_error(value: str) -> str | None:
    """Return a Chinese message saying what is wrong with ``value``, or None if it is valid."""
    v = (value or "").strip().upper()
    if len(v) != 18:
        return "居民身份证号码应为18位"
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        return "居民身份证号码前17位应为数字，最后一位为数字或X"
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "居民身份证号码中的出生日期无效"
    if born.year < 1900 or born > date.today():
        return "居民身份证号码中的出生日期无效"
    if resident_id_check_char(v[:17]) != v[17]:
        return "居民身份证号码校验码错误"
    return None


def normalize_resident_id(value: str) -> str:
    """Return the upper-cased ID or raise ``ValidationFailed`` with a Chinese message."""
    error = resident_id_error(value)
    if error:
        raise ValidationFailed(error, code="invalid_resident_id")
    return value.strip().upper()


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_error(value: str) -> str | None:
    v = (value or "").strip().upper()
    if len(v) != 18:
        return "统一社会信用代码应为18位"
    bad = [c for c in v if c not in _USCC_VALUE]
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(sorted(set(bad)))}"
    if uscc_check_char(v[:17]) != v[17]:
        return "统一社会信用代码校验码错误"
    return None


def normalize_uscc(value: str) -> str:
    error = uscc_error(value)
    if error:
        raise ValidationFailed(error, code="invalid_uscc")
    return value.strip().upper()
