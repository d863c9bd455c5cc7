"""Forms of the back-office screens. They only shape the input; the services validate it
and their Chinese field errors are put back next to the fields (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.cases.formdata import rules_for
from onewindow.cases.models import Channel, SuspensionKind
from onewindow.catalog.models import DeliveryMethod, FieldType, ItemVersion
from onewindow.common.errors import DomainError


class ServiceErrorsMixin:
    def add_service_errors(self, error: DomainError) -> None:
        form: Any = self
        placed = False
        for key, value in (error.fields or {}).items():
            name = str(key).split(".")[-1] if "." in str(key) else str(key)
            if name in form.fields:
                messages = value if isinstance(value, list) else [value]
                for m in messages:
                    form.add_error(name, str(m))
                placed = True
        if not placed:
            form.add_error(None, error.message)


class FindApplicantForm(forms.Form):
    identifier = forms.CharField(
        label=_("身份证号码或统一社会信用代码"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class RegisterPersonForm(ServiceErrorsMixin, forms.Form):
    """A walk-in natural person, registered on the spot (applicant_register)."""

    name = forms.CharField(label=_("姓名"), max_length=64)
    resident_id = forms.CharField(label=_("居民身份证号码"), max_length=18)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    address = forms.CharField(label=_("住址"), max_length=255, required=False)


class StartCaseForm(ServiceErrorsMixin, forms.Form):
    item = forms.CharField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("申请方式"),
        choices=[
            (Channel.WINDOW, Channel.WINDOW.label),
            (Channel.ASSISTED, Channel.ASSISTED.label),
            (Channel.PROXY, Channel.PROXY.label),
        ],
        initial=Channel.WINDOW,
        widget=forms.RadioSelect,
    )
    consent_note = forms.CharField(
        label=_("申请人授权或同意说明（帮办、代办必填）"),
        max_length=255,
        required=False,
    )


class CaseFormBase(ServiceErrorsMixin, forms.Form):
    """The base of the per-item application forms (``case_form_class``)."""


def case_form_class(version: ItemVersion) -> type[CaseFormBase]:
    """A form with one input per field of the item's application form. Values stay text:
    ``validate_form`` (the service) checks and converts them."""
    fields: dict[str, forms.Field] = {}
    for r in rules_for(version):
        label = r.label
        if r.type == FieldType.TEXTAREA:
            field: forms.Field = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
        elif r.type == FieldType.CHOICE:
            field = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "—")] + [(c, c) for c in r.choices or []],
            )
        elif r.type == FieldType.MULTI_CHOICE:
            field = forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[(c, c) for c in r.choices or []],
                widget=forms.CheckboxSelectMultiple,
            )
        elif r.type == FieldType.BOOLEAN:
            field = forms.BooleanField(label=label, required=False)
        elif r.type == FieldType.DATE:
            field = forms.CharField(
                label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
        else:
            field = forms.CharField(label=label, required=False)
        if r.required:
            field.label = f"{label}（必填）"
        fields[r.code] = field
    fields["_delivery"] = forms.ChoiceField(
        label=_("结果送达方式"),
        required=False,
        choices=[("", "—")]
        + [(m, DeliveryMethod(m).label) for m in version.delivery_methods or []],
    )
    return type("CaseForm", (CaseFormBase,), fields)


def initial_from(form_data: dict[str, Any]) -> dict[str, Any]:
    initial = dict(form_data or {})
    delivery = initial.get("_delivery")
    if isinstance(delivery, dict):
        initial["_delivery"] = delivery.get("method", "")
    return initial


def form_payload(form: forms.Form) -> dict[str, Any]:
    """What the service receives: every field, empty values included (they clear)."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.BooleanField):
            data[name] = bool(form.data.get(name))
        elif isinstance(field, forms.MultipleChoiceField):
            data[name] = form.data.getlist(name)  # type: ignore[attr-defined]
        else:
            data[name] = (form.data.get(name) or "").strip()
    return data


class OpinionForm(forms.Form):
    opinion = forms.CharField(label=_("审查意见"), widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("特别程序"),
        choices=[(k, label) for k, label in SuspensionKind.choices if k != "correction"],
    )
    reason = forms.CharField(label=_("中止原因"), widget=forms.Textarea(attrs={"rows": 2}))
    expected_days = forms.IntegerField(label=_("预计所需工作日"), required=False, min_value=1)


class DispatchForm(forms.Form):
    carrier = forms.CharField(label=_("快递公司"), max_length=32)
    tracking_number = forms.CharField(label=_("运单号"), max_length=30)
