"""Forms of the window's bundle screens (一件事一次办 at the counter): the filing form (who,
how, on whose behalf), and reading the bundle acceptance page's 容缺受理 and 一次性告知
choices into the services' arguments.

The one merged form and the one-upload-per-material-type slots are the applicant's own
(``portal.bundle_case_forms``: ``fill_merged``, ``fill_context``, ``material_slots``), imported,
not copied, so the window and the online hall save, check and show them the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onewindow.backoffice.forms import ServiceErrorsMixin
from onewindow.cases.models import Channel, MaterialStatus
from onewindow.cases.services.bundle_acceptance import BundleProblem
from onewindow.common.errors import ValidationFailed
from onewindow.common.identifiers import resident_id_error, uscc_error
from onewindow.org.models import Applicant, ApplicantKind
from onewindow.portal.bundle_case_forms import ANSWER_PREFIX, MaterialSlot

__all__ = [
    "ANSWER_PREFIX",
    "BundleFileForm",
    "identifier_error",
    "missing_choices",
    "posted_missing",
    "posted_problems",
]

PRESENT = frozenset({MaterialStatus.UPLOADED, MaterialStatus.VERIFIED, MaterialStatus.OBTAINED})


def identifier_error(value: str) -> str | None:
    """A Chinese message when ``value`` is neither a valid resident ID (GB 11643) nor a
    valid USCC (GB 32100), by their check characters; None when it is one of them."""
    v = (value or "").strip().upper()
    id_error = resident_id_error(v)
    if id_error is None:
        return None
    credit_error = uscc_error(v)
    if credit_error is None:
        return None
    looks_like_id = v[:17].isdigit() and len(v) == 18
    return id_error if looks_like_id or len(v) != 18 else credit_error


def _find(identifier: str, kind: str | None = None) -> Applicant | None:
    ident = identifier.strip().upper()
    qs = Applicant.objects.filter(resident_id=ident) | Applicant.objects.filter(uscc=ident)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "pk").first()


class BundleFileForm(ServiceErrorsMixin, forms.Form):
    """Who is at the window (by resident ID or USCC, check characters verified), the
    business the enterprise items are for, and the way in (window, assisted, proxy)."""

    identifier = forms.CharField(
        label=_("申请人身份证号码或统一社会信用代码"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("请填写申请人身份证号码或统一社会信用代码")},
    )
    business = forms.CharField(
        label=_("经营主体统一社会信用代码（个人申请企业事项时填写）"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label=_("申请方式"),
        choices=[
            (Channel.WINDOW, Channel.WINDOW.label),
            (Channel.ASSISTED, Channel.ASSISTED.label),
            (Channel.PROXY, Channel.PROXY.label),
        ],
        initial=Channel.WINDOW,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择申请方式"), "invalid_choice": _("请选择申请方式")},
    )
    consent_note = forms.CharField(
        label=_("申请人授权或同意说明（帮办、代办必填）"),
        max_length=255,
        required=False,
    )

    def clean_identifier(self) -> Applicant:
        value = self.cleaned_data["identifier"]
        error = identifier_error(value)
        if error:
            raise forms.ValidationError(error)
        applicant = _find(value)
        if applicant is None:
            raise forms.ValidationError(gettext_now("未找到该申请人，请先在“一窗受理”中登记申请人"))
        return applicant

    def clean_business(self) -> Applicant | None:
        value = (self.cleaned_data.get("business") or "").strip()
        if not value:
            return None
        error = uscc_error(value)
        if error:
            raise forms.ValidationError(error)
        business = _find(value, ApplicantKind.LEGAL)
        if business is None:
            raise forms.ValidationError(gettext_now("未找到该统一社会信用代码的经营主体"))
        return business

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("channel")
        if (
            channel in (Channel.ASSISTED, Channel.PROXY)
            and not (data.get("consent_note") or "").strip()
        ):
            self.add_error("consent_note", gettext_now("帮办、代办须记录申请人的授权或同意说明"))
        return data


# ---------------------------------------------------------------------------- acceptance


def missing_choices(slots: list[MaterialSlot]) -> list[MaterialSlot]:
    """Material types that may be accepted missing (容缺): non-core, required by some
    sub-case, with a slot not present yet."""
    return [
        s
        for s in slots
        if s.required and not s.core and any(m.status not in PRESENT for m in s.slots)
    ]


def _due(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        msg = gettext_now("请填写“%(name)s”的补交期限") % {"name": name}
        raise ValidationFailed(msg, code="due_date_required", fields={"missing": [msg]}) from None


def posted_missing(post: QueryDict, slots: list[MaterialSlot]) -> list[tuple[str, date]]:
    """容缺受理: the ticked material types (``missing``) and each one's due date
    (``due_<code>``). Types not on the page are refused; the service checks the dates."""
    names = {s.code: s.name for s in slots}
    chosen = [c for c in post.getlist("missing") if c]
    unknown = [c for c in chosen if c not in names]
    if unknown:
        msg = gettext_now("材料不属于本一件事")
        raise ValidationFailed(msg, code="material_not_in_bundle", fields={"missing": [msg]})
    if not chosen:
        msg = gettext_now("请勾选容缺的材料并填写补交期限")
        raise ValidationFailed(msg, code="missing_required", fields={"missing": [msg]})
    return [(c, _due(post.get(f"due_{c}", ""), names[c])) for c in chosen]


def posted_problems(post: QueryDict, slots: list[MaterialSlot]) -> list[BundleProblem]:
    """一次性告知: each ticked material type (``problem``) with its reason (``reason_<code>``,
    required), and a general reason (``other_reason``) that concerns every item."""
    names = {s.code: s.name for s in slots}
    problems: list[BundleProblem] = []
    errors: dict[str, list[str]] = {}
    for code in [c for c in post.getlist("problem") if c]:
        if code not in names:
            msg = gettext_now("材料不属于本一件事")
            raise ValidationFailed(msg, code="material_not_in_bundle", fields={"problem": [msg]})
        reason = post.get(f"reason_{code}", "").strip()
        if not reason:
            errors[f"reason_{code}"] = [
                gettext_now("请写明“%(name)s”需要补正的原因") % {"name": names[code]}
            ]
        problems.append({"material_type": code, "reason": reason[:255]})
    other = post.get("other_reason", "").strip()
    if other:
        problems.append({"material_type": None, "reason": other[:500]})
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, code="reason_required", fields=errors)
    if not problems:
        msg = gettext_now("请勾选需要补正的全部材料并写明原因")
        raise ValidationFailed(msg, code="problems_required", fields={"problems": [msg]})
    return problems
