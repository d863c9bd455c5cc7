"""Forms of the applicant's bundle screens (一件事一次办): on whose behalf and the answers
(一次告知's questions), the ONE merged form (一表申请) built from the merged guide's fields,
and the one upload slot per de-duplicated material type.

Like ``applicant_forms``, the merged form is not a Django ``Form``: its fields come from the
merged guide (``bundles.selectors.build_guide(...).fields``) and the validator is the bundle
service's (``bundle_case_update_form``: every sub-case's own ``validate_form``), so this
module only turns POST data into ``form_data`` and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from onewindow.bundles.merge import MergedField
from onewindow.cases.models import BundleCase, Case, CaseMaterial, MaterialStatus
from onewindow.catalog.models import DeliveryMethod, FieldType
from onewindow.org.models import Applicant, ApplicantKind
from onewindow.portal.applicant_forms import (
    DELIVERY_KEY,
    HINTS,
    INPUT_MODES,
    INPUT_TYPES,
    PREFILL,
    FieldSpec,
    _applicant_label,
    collect_delivery,
)

# Prefill keys about the person (the bundle's applicant) and about the business (张三理发店).
PERSON_KEYS = frozenset({"person_name", "resident_id", "phone"})
ANSWER_PREFIX = "a_"
FILE_PREFIX = "mt_"


WIDGETS: dict[str, str] = {
    FieldType.TEXTAREA: "textarea",
    FieldType.CHOICE: "select",
    FieldType.MULTI_CHOICE: "checkboxes",
    FieldType.BOOLEAN: "yesno",
}


def _widget(type_: str) -> str:
    return WIDGETS.get(type_, "input")


def _display(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def merged_specs(
    fields: list[MergedField], values: dict[str, Any], errors: dict[str, str]
) -> list[FieldSpec]:
    """The merged form's fields as the item form's template shows them (same partial)."""
    specs: list[FieldSpec] = []
    for f in fields:
        value = values.get(f.code)
        spec = FieldSpec(
            code=f.code,
            label=f.label,
            type=f.type,
            widget=_widget(f.type),
            input_type=INPUT_TYPES.get(f.type, "text"),
            input_mode=INPUT_MODES.get(f.type, ""),
            required=f.required,
            unit=f.unit,
            help_text=f.help_text,
            hint=str(HINTS.get(f.type, "")),
            choices=list(f.choices or []),
            max_length=f.max_length if f.type != FieldType.TEXTAREA else None,
            error=errors.get(f.code, ""),
        )
        if f.type == FieldType.MULTI_CHOICE:
            spec.values = [str(v) for v in value] if isinstance(value, list) else []
        else:
            spec.value = _display(value)
        specs.append(spec)
    return specs


def collect_merged(
    fields: list[MergedField], post: QueryDict, *, with_delivery: bool
) -> dict[str, Any]:
    """``form_data`` from a POST of the merged form (an empty value clears a field)."""
    data: dict[str, Any] = {}
    for f in fields:
        if f.type == FieldType.MULTI_CHOICE:
            data[f.code] = [v for v in post.getlist(f.code) if v]
        else:
            data[f.code] = post.get(f.code, "")
    if with_delivery:
        data[DELIVERY_KEY] = collect_delivery(post)
    return data


def stored_values(sub_cases: list[Case]) -> dict[str, Any]:
    """The merged form's values as stored on the sub-cases (each holds its own fields)."""
    values: dict[str, Any] = {}
    for case in sub_cases:
        for key, value in (case.form_data or {}).items():
            if value not in (None, "", []) and key not in values:
                values[key] = value
    return values


def common_delivery_options(sub_cases: list[Case]) -> list[tuple[str, str]]:
    """The delivery methods every sub-case offers (one delivery for the whole bundle)."""
    labels = dict(DeliveryMethod.choices)
    common: list[str] | None = None
    for case in sub_cases:
        offered = [m for m in case.item_version.delivery_methods or [] if m in labels]
        common = offered if common is None else [m for m in common if m in offered]
    return [(m, str(labels[m])) for m in common or []]


def bundle_prefill(
    fields: list[MergedField], applicant: Applicant, business: Applicant | None
) -> dict[str, Any]:
    """What the platform knows already: the person's fields from the applicant, the
    business's (name, USCC, legal representative) from the business when there is one."""
    codes = {f.code for f in fields}
    data: dict[str, Any] = {}
    for code, attr in PREFILL.items():
        source = applicant if business is None or code in PERSON_KEYS else business
        value = str(getattr(source, attr, None) or "")
        if code in codes and value:
            data[code] = value
    return data


@dataclass
class MaterialSlot:
    """One upload slot per material type, however many sub-cases ask for it."""

    code: str
    name: str
    required: bool = False
    core: bool = False
    requirements: list[str] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)
    slots: list[CaseMaterial] = field(default_factory=list)
    error: str = ""

    @property
    def file_slot(self) -> CaseMaterial | None:
        return next((s for s in self.slots if s.file), None)

    @property
    def status(self) -> str:
        statuses = {s.status for s in self.slots}
        for s in (MaterialStatus.DEFECTIVE, MaterialStatus.PENDING):
            if s in statuses:
                return str(s)
        return str(self.slots[0].status) if self.slots else ""

    @property
    def status_label(self) -> str:
        return str(MaterialStatus(self.status).label) if self.status else ""

    @property
    def shared(self) -> bool:
        return len(self.used_by) > 1


def material_slots(bundle_case: BundleCase) -> tuple[list[MaterialSlot], list[MaterialSlot]]:
    """(to upload, obtained by the centre): the sub-cases' material slots grouped by
    material type, in the order the sub-cases and their items list them."""
    rows = (
        CaseMaterial.objects.filter(case__bundle_case=bundle_case)
        .select_related("material_type", "item_material", "case__item_version")
        .order_by("case_id", "item_material__order", "id")
    )
    upload: dict[str, MaterialSlot] = {}
    obtained: dict[str, MaterialSlot] = {}
    for row in rows:
        target = obtained if row.status == MaterialStatus.OBTAINED else upload
        mt = row.material_type
        slot = target.setdefault(mt.code, MaterialSlot(mt.code, mt.name))
        im = row.item_material
        slot.required |= im.required
        slot.core |= im.core
        if im.requirements and im.requirements not in slot.requirements:
            slot.requirements.append(im.requirements)
        if row.case.item_version.name not in slot.used_by:
            slot.used_by.append(row.case.item_version.name)
        slot.slots.append(row)
    for code in list(obtained):
        if code in upload:  # asked by the applicant for one item: upload it once for all
            del obtained[code]
    return list(upload.values()), list(obtained.values())


def files_by_type(post_files: Any) -> dict[str, Any]:
    return {
        name[len(FILE_PREFIX) :]: upload
        for name, upload in post_files.items()
        if name.startswith(FILE_PREFIX)
    }


class BundleApplyForm(forms.Form):
    """On whose behalf: the person (or enterprise) applying, and the business the
    enterprise items are applied for (张三 opens 张三理发店)."""

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
    business = forms.ModelChoiceField(
        queryset=Applicant.objects.none(),
        label=_("经营主体（企业事项以其名义办理）"),
        widget=forms.RadioSelect,
        required=False,
        empty_label=_("不适用"),
        error_messages={"invalid_choice": _("请选择列出的经营主体")},
    )

    def __init__(self, *args: Any, applicants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in (
            ("applicant", applicants),
            ("business", applicants.filter(kind=ApplicantKind.LEGAL)),
        ):
            f = self.fields[name]
            assert isinstance(f, forms.ModelChoiceField)
            f.queryset = qs
            f.label_from_instance = _applicant_label  # type: ignore[method-assign,assignment]


class BundleWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回理由（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("撤回理由不能超过500个字符")},
    )
