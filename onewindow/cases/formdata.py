"""Server-side validation of a case's form (申请表) against its item version's fields.

``validate_form(version, data)`` checks every value against the field's dictionary type and
rules (``FieldDefinition.constraints``) merged with the item's own, stricter rules
(``ItemField.constraints``): a bound is the tighter of the two, choices the intersection,
both patterns must match. It reports every problem at once (``ValidationFailed.fields``, one
Chinese message per field code) and returns the cleaned, JSON-able values:

* text / textarea / address: stripped strings;  * integer: int;
* decimal: a canonical decimal string ("35.5"), never a float;  * date: "YYYY-MM-DD";
* choice: the string;  * multi_choice: a list without duplicates;  * boolean: bool;
* resident_id / uscc: upper-cased;  * phone: the 11 digits.

``partial=True`` (saving a draft) checks only the keys given and skips "required".
The reserved key ``_delivery`` (the applicant's choice of result delivery) is checked
against the version's delivery methods; any other unknown key is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from onewindow.catalog.models import DeliveryMethod, FieldType, ItemField, ItemVersion
from onewindow.common.errors import ValidationFailed
from onewindow.common.identifiers import resident_id_error, uscc_error

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Dates outside these years are typing mistakes, not dates a form can mean.
MIN_YEAR = 1900
MAX_YEAR = 2100
DEFAULT_MAX_LENGTH: dict[str, int] = {
    FieldType.TEXT: 255,
    FieldType.ADDRESS: 255,
    FieldType.TEXTAREA: 5000,
}
MAX_DECIMAL_PLACES = 6
TRUE_WORDS = {"true", "1", "yes", "on", "是"}
FALSE_WORDS = {"false", "0", "no", "off", "否"}


@dataclass
class Rules:
    """The effective rules of one field (dictionary and item rules merged)."""

    code: str
    label: str
    type: str
    required: bool
    min: Any = None
    max: Any = None
    max_length: int | None = None
    choices: list[str] | None = None
    patterns: list[str] = field(default_factory=list)


def _tighter(a: Any, b: Any, pick: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return pick(a, b)


def merge_rules(item_field: ItemField) -> Rules:
    """The field's dictionary rules tightened by the item's rules (never loosened)."""
    base = dict(item_field.field.constraints or {})
    extra = dict(item_field.constraints or {})
    choices = base.get("choices")
    if extra.get("choices") is not None:
        choices = (
            [c for c in choices if c in extra["choices"]] if choices else list(extra["choices"])
        )
    patterns = [p for p in (base.get("pattern"), extra.get("pattern")) if p]
    ftype = item_field.field.type
    max_length = _tighter(base.get("max_length"), extra.get("max_length"), min)
    if max_length is None:
        max_length = DEFAULT_MAX_LENGTH.get(ftype)
    return Rules(
        code=item_field.field.code,
        label=item_field.field.label,
        type=ftype,
        required=item_field.required,
        min=_tighter(base.get("min"), extra.get("min"), max),
        max=_tighter(base.get("max"), extra.get("max"), min),
        max_length=max_length,
        choices=choices,
        patterns=patterns,
    )


def rules_for(version: ItemVersion) -> list[Rules]:
    return [merge_rules(f) for f in version.fields.select_related("field").order_by("order", "id")]


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _num(value: Any) -> str:
    """A bound for a message: 10 rather than 10.0 or Decimal('10')."""
    d = Decimal(str(value))
    return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")


def _check_bounds(r: Rules, number: Decimal) -> None:
    if r.min is not None and number < Decimal(str(r.min)):
        raise _Invalid(_("%(label)s不能小于%(min)s") % {"label": r.label, "min": _num(r.min)})
    if r.max is not None and number > Decimal(str(r.max)):
        raise _Invalid(_("%(label)s不能大于%(max)s") % {"label": r.label, "max": _num(r.max)})


def _text(r: Rules, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(_("%(label)s应为文本") % {"label": r.label})
    v = value.strip()
    if r.type != FieldType.TEXTAREA and ("\n" in v or "\r" in v):
        raise _Invalid(_("%(label)s不能换行") % {"label": r.label})
    if r.max_length is not None and len(v) > r.max_length:
        raise _Invalid(
            _("%(label)s不能超过%(n)d个字符") % {"label": r.label, "n": int(r.max_length)}
        )
    return v


def _integer(r: Rules, value: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid(_("%(label)s应为整数") % {"label": r.label})
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise _Invalid(_("%(label)s应为整数") % {"label": r.label})
    _check_bounds(r, Decimal(number))
    return number


def _decimal(r: Rules, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _Invalid(_("%(label)s应为数字") % {"label": r.label})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Invalid(_("%(label)s应为数字") % {"label": r.label}) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise _Invalid(_("%(label)s应为数字") % {"label": r.label})
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
        raise _Invalid(
            _("%(label)s最多保留%(n)d位小数") % {"label": r.label, "n": MAX_DECIMAL_PLACES}
        )
    _check_bounds(r, number)
    return format(number.normalize(), "f") if number == number.to_integral_value() else str(number)


def _date(r: Rules, value: Any) -> str:
    if isinstance(value, date):
        d = value
    elif isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            d = date.fromisoformat(value.strip())
        except ValueError:
            raise _Invalid(_("%(label)s不是有效日期") % {"label": r.label}) from None
    else:
        raise _Invalid(_("%(label)s格式不正确，应为YYYY-MM-DD") % {"label": r.label})
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise _Invalid(
            _("%(label)s超出合理范围（%(a)d年至%(b)d年）")
            % {"label": r.label, "a": MIN_YEAR, "b": MAX_YEAR}
        )
    if r.min is not None and d < date.fromisoformat(str(r.min)):
        raise _Invalid(_("%(label)s不能早于%(min)s") % {"label": r.label, "min": r.min})
    if r.max is not None and d > date.fromisoformat(str(r.max)):
        raise _Invalid(_("%(label)s不能晚于%(max)s") % {"label": r.label, "max": r.max})
    return d.isoformat()


def _choice(r: Rules, value: Any) -> str:
    if not isinstance(value, str) or value not in (r.choices or []):
        raise _Invalid(
            _("%(label)s只能选择：%(choices)s")
            % {"label": r.label, "choices": "、".join(r.choices or [])}
        )
    return value


def _multi_choice(r: Rules, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(_("%(label)s应为选项列表") % {"label": r.label})
    bad = [v for v in value if v not in (r.choices or [])]
    if bad:
        raise _Invalid(
            _("%(label)s含有不允许的选项：%(bad)s") % {"label": r.label, "bad": "、".join(bad)}
        )
    return list(dict.fromkeys(value))


def _boolean(r: Rules, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS:
        return True
    if isinstance(value, str) and value.strip().lower() in FALSE_WORDS:
        return False
    raise _Invalid(_("%(label)s应为“是”或“否”") % {"label": r.label})


def _resident_id(r: Rules, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(_("%(label)s应为文本") % {"label": r.label})
    error = resident_id_error(value)
    if error:
        raise _Invalid(error)
    return value.strip().upper()


def _uscc(r: Rules, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(_("%(label)s应为文本") % {"label": r.label})
    error = uscc_error(value)
    if error:
        raise _Invalid(error)
    return value.strip().upper()


def _phone(r: Rules, value: Any) -> str:
    v = re.sub(r"[\s-]", "", str(value)) if isinstance(value, str | int) else ""
    v = v.removeprefix("+86")
    if not MOBILE_RE.match(v):
        raise _Invalid(_("%(label)s应为11位中国大陆手机号码") % {"label": r.label})
    return v


def clean_delivery(version: ItemVersion, value: Any) -> dict[str, str]:
    """The reserved key ``_delivery``: how the applicant wants the result (a method the
    version offers, or ``{"method", "recipient", "phone", "address"}``; an address is
    needed for express delivery). Read by ``services.delivery.chosen_delivery``."""
    raw = {"method": value} if isinstance(value, str) else value
    if not isinstance(raw, dict) or set(raw) - {"method", "recipient", "phone", "address"}:
        raise _Invalid(_("送达方式应为方式名称或包含 method、recipient、phone、address 的对象"))
    offered = [str(m) for m in (version.delivery_methods or [])]
    method = str(raw.get("method") or "")
    if method not in offered:
        labels = "、".join(str(DeliveryMethod(m).label) for m in offered if m in DeliveryMethod)
        raise _Invalid(_("该事项的送达方式为：%(labels)s") % {"labels": labels})
    cleaned = {"method": method}
    recipient = str(raw.get("recipient") or "").strip()
    if len(recipient) > 64:
        raise _Invalid(_("收件人不能超过64个字符"))
    address = str(raw.get("address") or "").strip()
    if len(address) > 255:
        raise _Invalid(_("送达地址不能超过255个字符"))
    if method == DeliveryMethod.EXPRESS and not address:
        raise _Invalid(_("快递送达请填写收件地址"))
    phone = re.sub(r"[\s-]", "", str(raw.get("phone") or "")).removeprefix("+86")
    if phone and not MOBILE_RE.match(phone):
        raise _Invalid(_("收件人电话应为11位中国大陆手机号码"))
    for key, v in (("recipient", recipient), ("phone", phone), ("address", address)):
        if v:
            cleaned[key] = v
    return cleaned


# Keys of form_data that are not form fields but the platform's own (start with "_").
RESERVED_KEYS = {"_delivery": clean_delivery}

_CLEANERS = {
    FieldType.TEXT: _text,
    FieldType.TEXTAREA: _text,
    FieldType.ADDRESS: _text,
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal,
    FieldType.DATE: _date,
    FieldType.CHOICE: _choice,
    FieldType.MULTI_CHOICE: _multi_choice,
    FieldType.BOOLEAN: _boolean,
    FieldType.RESIDENT_ID: _resident_id,
    FieldType.USCC: _uscc,
    FieldType.PHONE: _phone,
}


def clean_value(r: Rules, value: Any) -> Any:
    """One value cleaned by its rules; raises ``_Invalid`` with a Chinese message."""
    cleaned = _CLEANERS[FieldType(r.type)](r, value)
    if isinstance(cleaned, str):
        for pattern in r.patterns:
            if not re.fullmatch(pattern, cleaned):
                raise _Invalid(_("%(label)s格式不正确") % {"label": r.label})
    return cleaned


def validate_form(
    version: ItemVersion,
    data: Any,
    *,
    partial: bool = False,
    rules: Sequence[Rules] | None = None,
) -> dict[str, Any]:
    """Check ``data`` against ``version``'s form; return the cleaned values or raise one
    ``ValidationFailed`` listing every field's problem (code ``form_invalid``).

    With ``partial`` only the given keys are checked and required fields may be absent;
    an empty value then clears the field (it is left out of the result). ``rules``: the
    version's rules when the caller already has them (``rules_for(version)``)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationFailed(_("申请表内容应为对象"), code="form_invalid")
    by_code = {r.code: r for r in (rules_for(version) if rules is None else rules)}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key in data:
        if key in RESERVED_KEYS:
            if not _is_empty(data[key]):
                try:
                    cleaned[key] = RESERVED_KEYS[key](version, data[key])
                except _Invalid as exc:
                    errors[key] = exc.message
        elif key not in by_code:
            errors[str(key)] = _("本事项的申请表没有字段“%(key)s”") % {"key": key}
    for code, r in by_code.items():
        value = data.get(code)
        if _is_empty(value):
            if r.required and not partial:
                errors[code] = _("请填写%(label)s") % {"label": r.label}
            continue
        try:
            cleaned[code] = clean_value(r, value)
        except _Invalid as exc:
            errors[code] = exc.message
    if errors:
        first = next(iter(errors.values()))
        message = (
            first
            if len(errors) == 1
            else _("申请表有%(n)d处需要修改：%(first)s等") % {"n": len(errors), "first": first}
        )
        raise ValidationFailed(message, code="form_invalid", fields=errors)
    return cleaned
