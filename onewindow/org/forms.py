"""Forms of the applicant screens. They check what they can without the database (so every
problem shows at once); the services check the rest and their field errors are put back
next to the fields (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import DomainError
from onewindow.org import validation as v


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("账号"),
        help_text=_("手机号码、身份证号码或用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("账号或密码错误，请重新输入"),
        "inactive": _("该账号已停用，请联系政务服务中心"),
    }


class _RegistrationForm(forms.Form):
    # service field name -> form field name, for errors coming back from the service
    service_fields: dict[str, str] = {}

    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("11位手机号码，也是登录账号"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少8位，不要使用常见密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def _pure(self, name: str, check: Any, **kwargs: Any) -> str:
        errors = v.Errors()
        value = check(self.cleaned_data.get(name, ""), field=name, errors=errors, **kwargs)
        if errors:
            raise forms.ValidationError(errors.fields[name])
        return value

    def clean_phone(self) -> str:
        return self._pure("phone", v.mobile, required=True)

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        validate_password(password)  # length and common passwords: shown with the others
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = self.data.get("password"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned

    def add_service_errors(self, error: DomainError) -> None:
        """Show a service's refusal: field errors next to their fields, the rest on top."""
        shown = False
        for field, message in error.fields.items():
            target = self.service_fields.get(field, field)
            if target in self.fields and target not in self.errors:
                self.add_error(target, str(message))
                shown = True
        if not shown:
            self.add_error(None, error.message)


class NaturalPersonRegistrationForm(_RegistrationForm):
    kind = "natural"
    service_fields = {"username": "phone", "display_name": "name"}

    name = forms.CharField(
        label=_("姓名"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    resident_id = forms.CharField(
        label=_("身份证号码"), max_length=18, help_text=_("18位居民身份证号码")
    )
    field_order = ["name", "resident_id", "phone", "password", "password2"]

    def clean_resident_id(self) -> str:
        return self._pure("resident_id", v.resident_id, required=True)

    def service_arguments(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "username": d["phone"],
            "password": d["password"],
            "display_name": d["name"],
            "phone": d["phone"],
            "kind": "natural",
            "name": d["name"],
            "resident_id": d["resident_id"],
        }


class LegalPersonRegistrationForm(_RegistrationForm):
    kind = "legal"
    service_fields = {"username": "phone", "display_name": "agent_name", "name": "company"}

    company = forms.CharField(label=_("单位名称"), max_length=128)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, help_text=_("18位"))
    legal_representative = forms.CharField(label=_("法定代表人姓名"), max_length=64)
    agent_name = forms.CharField(
        label=_("经办人姓名"), max_length=64, help_text=_("登录并办理业务的人")
    )
    field_order = [
        "company",
        "uscc",
        "legal_representative",
        "agent_name",
        "phone",
        "password",
        "password2",
    ]

    def clean_uscc(self) -> str:
        return self._pure("uscc", v.uscc, required=True)

    def service_arguments(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "username": d["phone"],
            "password": d["password"],
            "display_name": d["agent_name"],
            "phone": d["phone"],
            "kind": "legal",
            "name": d["company"],
            "uscc": d["uscc"],
            "legal_representative": d["legal_representative"],
        }
