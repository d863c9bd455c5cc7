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
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onewindow.bundles import selectors as bundles
from onewindow.bundles.merge import MergedField
from onewindow.bundles.selectors import Guide
from onewindow.cases.formdata import validate_form
from onewindow.cases.models import BundleCase, Case, CaseMaterial, MaterialStatus
from onewindow.cases.services.bundle import (
    bundle_case_submit,
    bundle_case_update_form,
    bundle_material_upload,
    sub_cases_of,
)
from onewindow.catalog.models import DeliveryMethod, FieldType
from onewindow.common.errors import DomainError, ValidationFailed
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
    delivery_values,
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
    reasons: list[str] = field(default_factory=list)  # 一次性告知: why it is asked again
    due: date | None = None  # 容缺: the earliest date it is due

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


TO_SUPPLY = frozenset({MaterialStatus.DEFECTIVE, MaterialStatus.MISSING_ALLOWED})


def supply_slots(bundle_case: BundleCase) -> list[MaterialSlot]:
    """The material types the applicant must supply after acceptance or a one-time notice:
    those with a slot marked defective (with the officer's reasons) or accepted missing
    (容缺, with the due date). One slot per type: the upload goes to every sub-case."""
    upload, _obtained = material_slots(bundle_case)
    wanted = []
    for slot in upload:
        open_slots = [s for s in slot.slots if s.status in TO_SUPPLY]
        if not open_slots:
            continue
        for s in open_slots:
            if s.status == MaterialStatus.DEFECTIVE and s.note and s.note not in slot.reasons:
                slot.reasons.append(s.note)
        dues = [s.due_date for s in open_slots if s.due_date]
        slot.due = min(dues) if dues else None
        wanted.append(slot)
    return wanted


def files_by_type(post_files: Any) -> dict[str, Any]:
    return {
        name[len(FILE_PREFIX) :]: upload
        for name, upload in post_files.items()
        if name.startswith(FILE_PREFIX)
    }


# ---------------------------------------------------------------------------- the fill flow
# Shared by the applicant's 一表申请 page and the window's (backoffice/bundle_forms.py): the
# same services, the same errors next to the same fields.


def bundle_guide_for(bundle_case: BundleCase) -> Guide:
    version = bundles.version_for_guide(bundle_case.bundle_version)
    return bundles.build_guide(version, bundle_case.answers or None)


def error_text(value: Any) -> str:
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    return str(value)


def save_merged_form(actor: Any, bundle_case: BundleCase, data: dict[str, Any]) -> dict[str, str]:
    """Save every valid value of the merged form; the errors of the others (their typed
    text stays on the page)."""
    try:
        bundle_case_update_form(actor=actor, bundle_case=bundle_case, form_data=data)
    except ValidationFailed as exc:
        errors = {str(k): error_text(v) for k, v in exc.fields.items()}
        valid = {k: v for k, v in data.items() if k not in errors}
        if valid:
            bundle_case_update_form(actor=actor, bundle_case=bundle_case, form_data=valid)
        return errors
    return {}


def upload_each_type(
    actor: Any, bundle_case: BundleCase, post_files: Any, slots: list[MaterialSlot]
) -> dict[str, str]:
    """Each chosen file once for its material type (copied to every sub-case asking it);
    the Chinese error of each refused file, by material type code."""
    known = {s.code for s in slots}
    errors: dict[str, str] = {}
    for code, upload in files_by_type(post_files).items():
        if code not in known:
            continue
        try:
            bundle_material_upload(
                actor=actor,
                bundle_case=bundle_case,
                material_type_code=code,
                uploaded_file=upload,
            )
        except DomainError as exc:
            errors[code] = exc.message
    return errors


def all_problems(
    bundle_case: BundleCase, field_errors: dict[str, str], slot_errors: dict[str, str]
) -> None:
    """Everything submission would refuse, at once: empty required fields of any
    sub-case, missing core and defective materials."""
    for case in sub_cases_of(bundle_case):
        try:
            validate_form(case.item_version, case.form_data)
        except ValidationFailed as exc:
            for k, v in exc.fields.items():
                field_errors.setdefault(str(k), error_text(v))
    upload, _obtained = material_slots(bundle_case)
    for slot in upload:
        if slot.status == MaterialStatus.DEFECTIVE:
            slot_errors.setdefault(
                slot.code, gettext_now("“%(name)s”需补正后重新上传") % {"name": slot.name}
            )
        elif any(
            s.item_material.required and s.item_material.core and s.status == MaterialStatus.PENDING
            for s in slot.slots
        ):
            slot_errors.setdefault(slot.code, gettext_now("请上传“%(name)s”") % {"name": slot.name})


def submit_errors(
    exc: ValidationFailed, field_errors: dict[str, str], slot_errors: dict[str, str]
) -> None:
    """A sub-case's refusal, keyed as the page shows it: material slots (``materials.<id>``)
    by material type, fields by their code."""
    ids = {}
    for key in exc.fields:
        name = str(key)
        if name.startswith("materials.") and name[10:].isdigit():
            ids[int(name[10:])] = key
    types = dict(CaseMaterial.objects.filter(pk__in=ids).values_list("pk", "material_type__code"))
    for key, value in exc.fields.items():
        name = str(key)
        if name.startswith("materials."):
            code = types.get(int(name[10:])) if name[10:].isdigit() else None
            if code:
                slot_errors.setdefault(code, error_text(value))
        else:
            field_errors.setdefault(name, error_text(value))


@dataclass
class FillResult:
    """What a POST of the one-form page did: the values typed, the errors by field and by
    material type, the page's error message; ``submitted`` when the bundle went in."""

    data: dict[str, Any]
    field_errors: dict[str, str]
    slot_errors: dict[str, str]
    error: str = ""
    submitted: bool = False
    saved: bool = False


def fill_merged(
    actor: Any, bundle_case: BundleCase, post: QueryDict, post_files: Any, *, submitting: bool
) -> FillResult:
    """Save the merged form and every chosen file; submit the bundle when asked and
    nothing was refused (``bundle_case_submit``, all or nothing); else every problem."""
    subs = sub_cases_of(bundle_case)
    data = collect_merged(
        bundle_guide_for(bundle_case).fields,
        post,
        with_delivery=bool(common_delivery_options(subs)),
    )
    field_errors = save_merged_form(actor, bundle_case, data)
    upload, _obtained = material_slots(bundle_case)
    slot_errors = upload_each_type(actor, bundle_case, post_files, upload)
    result = FillResult(data, field_errors, slot_errors)
    if not field_errors and not slot_errors:
        if not submitting:
            result.saved = True
            return result
        try:
            bundle_case_submit(actor=actor, bundle_case=bundle_case)
        except ValidationFailed as exc:
            submit_errors(exc, field_errors, slot_errors)
            if not field_errors and not slot_errors:
                result.error = exc.message
        except DomainError as exc:
            result.error = exc.message
        else:
            result.submitted = True
            return result
    if submitting:
        all_problems(bundle_case, field_errors, slot_errors)
    n = len(field_errors) + len(slot_errors)
    if n and not result.error:
        result.error = gettext_now("有%(n)d处需要修改，请查看标红的内容。") % {"n": n}
    return result


def fill_context(
    bundle_case: BundleCase,
    subs: list[Case],
    *,
    values: dict[str, Any],
    field_errors: dict[str, str],
    slot_errors: dict[str, str],
    error: str = "",
) -> dict[str, Any]:
    """What the one-form page shows: the merged fields, one slot per material type, the
    delivery choice and the error summary (anchors to each field and slot)."""
    guide = bundle_guide_for(bundle_case)
    upload, obtained = material_slots(bundle_case)
    for slot in upload:
        slot.error = slot_errors.get(slot.code, "")
    fields = merged_specs(guide.fields, values, field_errors)
    summary = [(f"f-{f.code}", f.label, f.error) for f in fields if f.error]
    known = {f.code for f in fields}
    summary += [("f-form", k, v) for k, v in field_errors.items() if k not in known]
    if field_errors.get(DELIVERY_KEY):
        summary = [s for s in summary if s[1] != DELIVERY_KEY]
        summary.append(("f-delivery", gettext_now("送达方式"), field_errors[DELIVERY_KEY]))
    summary += [(f"m-{s.code}", s.name, s.error) for s in upload if s.error]
    return {
        "bc": bundle_case,
        "g": guide,
        "fields": fields,
        "uploads": upload,
        "obtained": obtained,
        "delivery": delivery_values(values.get(DELIVERY_KEY)),
        "delivery_options": common_delivery_options(subs),
        "delivery_error": field_errors.get(DELIVERY_KEY, ""),
        "express": DeliveryMethod.EXPRESS,
        "summary": summary,
        "error": error,
        "file_prefix": FILE_PREFIX,
    }


def initial_values(subs: list[Case]) -> dict[str, Any]:
    """The stored values, with the first common delivery method chosen by default."""
    values = stored_values(subs)
    options = common_delivery_options(subs)
    if DELIVERY_KEY not in values and options:
        values[DELIVERY_KEY] = options[0][0]
    return values


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
