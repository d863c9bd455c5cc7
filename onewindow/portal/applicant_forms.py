"""Forms of the applicant's screens: the item's application form built from the catalogue
(``ItemField`` + ``FieldDefinition``), the delivery choice, the anonymous lookup and the
withdrawal confirmation.

The application form is not a Django ``Form``: its fields come from the catalogue and the
one validator is ``onewindow.cases.formdata.validate_form`` (the same the API uses), so this
module only turns POST data into ``form_data`` and ``form_data`` back into what the
template shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from onewindow.cases.formdata import Rules, merge_rules, validate_form
from onewindow.catalog.models import DeliveryMethod, FieldType, ItemVersion
from onewindow.common.errors import ValidationFailed
from onewindow.org.models import Applicant

DELIVERY_KEY = "_delivery"
DELIVERY_PARTS = ("recipient", "phone", "address")

# Which HTML control each dictionary type gets.
INPUT_TYPES: dict[str, str] = {
    FieldType.TEXT: "text",
    FieldType.ADDRESS: "text",
    FieldType.INTEGER: "text",
    FieldType.DECIMAL: "text",
    FieldType.DATE: "date",
    FieldType.RESIDENT_ID: "text",
    FieldType.USCC: "text",
    FieldType.PHONE: "tel",
}
INPUT_MODES: dict[str, str] = {
    FieldType.INTEGER: "numeric",
    FieldType.DECIMAL: "decimal",
    FieldType.PHONE: "tel",
}
HINTS: dict[str, Any] = {
    FieldType.RESIDENT_ID: _("18位，最后一位可能是X"),
    FieldType.USCC: _("18位，见营业执照"),
    FieldType.PHONE: _("11位手机号码"),
    FieldType.DATE: _("格式：2026-05-11"),
}


@dataclass
class FieldSpec:
    """One form field as the template shows it."""

    code: str
    label: str
    type: str
    widget: str  # input / textarea / select / checkboxes / yesno
    input_type: str = "text"
    input_mode: str = ""
    required: bool = False
    unit: str = ""
    help_text: str = ""
    hint: str = ""
    choices: list[str] = field(default_factory=list)
    max_length: int | None = None
    value: str = ""
    values: list[str] = field(default_factory=list)  # multi_choice
    error: str = ""


def _widget(r: Rules) -> str:
    if r.type == FieldType.TEXTAREA:
        return "textarea"
    if r.type == FieldType.CHOICE:
        return "select"
    if r.type == FieldType.MULTI_CHOICE:
        return "checkboxes"
    if r.type == FieldType.BOOLEAN:
        return "yesno"
    return "input"


def _display(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def field_specs(
    version: ItemVersion,
    values: dict[str, Any],
    errors: dict[str, str],
) -> list[FieldSpec]:
    """The version's fields in order, with the shown values (typed or stored) and errors."""
    specs: list[FieldSpec] = []
    for item_field in version.fields.select_related("field").order_by("order", "id"):
        r = merge_rules(item_field)
        definition = item_field.field
        value = values.get(r.code)
        spec = FieldSpec(
            code=r.code,
            label=r.label,
            type=r.type,
            widget=_widget(r),
            input_type=INPUT_TYPES.get(r.type, "text"),
            input_mode=INPUT_MODES.get(r.type, ""),
            required=r.required,
            unit=definition.unit,
            help_text=definition.help_text,
            hint=str(HINTS.get(r.type, "")),
            choices=list(r.choices or []),
            max_length=r.max_length if r.type != FieldType.TEXTAREA else None,
            error=errors.get(r.code, ""),
        )
        if r.type == FieldType.MULTI_CHOICE:
            spec.values = [str(v) for v in value] if isinstance(value, list) else []
        else:
            spec.value = _display(value)
        specs.append(spec)
    return specs


def collect_form_data(version: ItemVersion, post: QueryDict) -> dict[str, Any]:
    """``form_data`` from a POST of the application form: every field of the version (an
    empty value clears it) and the delivery choice."""
    data: dict[str, Any] = {}
    for item_field in version.fields.select_related("field"):
        code = item_field.field.code
        if item_field.field.type == FieldType.MULTI_CHOICE:
            data[code] = [v for v in post.getlist(code) if v]
        else:
            data[code] = post.get(code, "")
    if version.delivery_methods:
        data[DELIVERY_KEY] = collect_delivery(post)
    return data


def collect_delivery(post: QueryDict) -> dict[str, str] | str:
    method = post.get("delivery_method", "").strip()
    if not method:
        return ""
    choice = {"method": method}
    if method == DeliveryMethod.EXPRESS:
        for part in DELIVERY_PARTS:
            value = post.get(f"delivery_{part}", "").strip()
            if value:
                choice[part] = value
    return choice


def delivery_values(raw: Any) -> dict[str, str]:
    """The stored (or typed) delivery choice as the template shows it."""
    if isinstance(raw, str):
        return {"method": raw}
    if isinstance(raw, dict):
        return {k: str(v) for k, v in raw.items() if v is not None}
    return {}


def delivery_options(version: ItemVersion) -> list[tuple[str, str]]:
    labels = dict(DeliveryMethod.choices)
    return [(m, str(labels[m])) for m in version.delivery_methods or [] if m in labels]


def split_valid(
    version: ItemVersion, data: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The keys of ``data`` that pass partial validation (to be saved) and the errors of
    the others (to be shown next to their fields; the typed text is kept on the page)."""
    try:
        validate_form(version, data, partial=True)
    except ValidationFailed as exc:
        errors = {str(k): str(v) for k, v in exc.fields.items()}
        return {k: v for k, v in data.items() if k not in errors}, errors
    return data, {}


# Applicant attributes that prefill the form fields of the same meaning.
PREFILL: dict[str, str] = {
    "applicant_name": "name",
    "person_name": "name",
    "uscc": "uscc",
    "resident_id": "resident_id",
    "legal_representative": "legal_representative",
    "legal_representative_id": "legal_representative_id",
    "phone": "phone",
}


def prefill(version: ItemVersion, applicant: Applicant) -> dict[str, Any]:
    """What the platform already knows about ``applicant`` for ``version``'s form (only
    values that pass validation: the applicant checks and completes the rest)."""
    codes = set(version.fields.values_list("field__code", flat=True))
    data: dict[str, Any] = {}
    for code, attr in PREFILL.items():
        value = str(getattr(applicant, attr, None) or "")
        if code in codes and value:
            data[code] = value
    valid, _errors = split_valid(version, data)
    return valid


class ApplyForm(forms.Form):
    """On whose behalf to apply: one of the applicants linked to the account."""

    applicant = forms.ModelChoiceField(
        queryset=Applicant.objects.none(),
        label=_("申请人"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("请选择以谁的名义申请"),
            "invalid_choice": _("请选择列出的申请人"),
        },
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, applicants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applicant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = applicants
        field.label_from_instance = _applicant_label  # type: ignore[method-assign,assignment]


def _applicant_label(applicant: Applicant) -> str:
    ident = applicant.uscc or applicant.resident_id
    masked = ident[:6] + "********" + ident[-4:] if len(ident) == 18 else ident
    return f"{applicant.name}（{applicant.get_kind_display()}，{masked}）"


class LookupForm(forms.Form):
    number = forms.CharField(
        label=_("办件编号"),
        max_length=32,
        error_messages={"required": _("请填写办件编号")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    id_number = forms.CharField(
        label=_("身份证号码或统一社会信用代码"),
        max_length=18,
        error_messages={"required": _("请填写申请人的身份证号码或统一社会信用代码")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("与申请时填写的申请人证件号码一致"),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回理由（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("撤回理由不能超过500个字符")},
    )
