"""Services for applicants (natural and legal persons) and their accounts.

Duplicates (documented in docs/org.md): a resident ID or USCC belongs to one ``Applicant``.
Registering it again with the same name returns the existing applicant; if a ``user`` is
given it is linked, unless another account is already linked (then a clear error: the
identity was claimed, the person must log in with that account or be verified at a window).
A different name for a registered identifier is refused.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.common.errors import PermissionDenied
from onewindow.org import validation as v
from onewindow.org.models import Applicant, ApplicantKind, Role, User
from onewindow.org.permissions import has_capability, is_centre_wide
from onewindow.org.services._common import apply_changes
from onewindow.org.services.staff import _grant


def clean_applicant(
    errors: v.Errors,
    *,
    kind: str,
    name: str,
    resident_id: str = "",
    uscc: str = "",
    legal_representative: str = "",
    legal_representative_id: str = "",
    phone: str = "",
    address: str = "",
) -> dict[str, Any]:
    kind = str(kind or "")
    if kind not in ApplicantKind.values:
        errors.add("kind", _("申请人类型无效：%(kind)s") % {"kind": kind or "—"})
    natural = kind == ApplicantKind.NATURAL
    legal = kind == ApplicantKind.LEGAL
    cleaned: dict[str, Any] = {
        "kind": kind,
        "name": v.text(
            name,
            field="name",
            label=_("姓名") if natural else _("单位名称"),
            errors=errors,
            required=True,
            max_length=128 if legal else 64,
        ),
        "resident_id": v.resident_id(
            resident_id, field="resident_id", errors=errors, required=natural
        ),
        "uscc": v.uscc(uscc, field="uscc", errors=errors, required=legal),
        "legal_representative": v.text(
            legal_representative,
            field="legal_representative",
            label=_("法定代表人姓名"),
            errors=errors,
            required=legal,
            max_length=64,
        ),
        "legal_representative_id": v.resident_id(
            legal_representative_id, field="legal_representative_id", errors=errors, required=False
        ),
        "phone": v.mobile(phone, field="phone", errors=errors),
        "address": v.text(
            address, field="address", label=_("地址"), errors=errors, required=False, max_length=255
        ),
    }
    if natural:
        if cleaned["uscc"]:
            errors.add("uscc", _("自然人不填写统一社会信用代码"))
        if cleaned["legal_representative"] or cleaned["legal_representative_id"]:
            errors.add("legal_representative", _("自然人不填写法定代表人"))
    if legal and cleaned["resident_id"]:
        errors.add("resident_id", _("法人不填写居民身份证号码，请填写统一社会信用代码"))
    return cleaned


def existing_applicant(cleaned: dict[str, Any]) -> Applicant | None:
    if cleaned["kind"] == ApplicantKind.NATURAL:
        return Applicant.objects.filter(kind="natural", resident_id=cleaned["resident_id"]).first()
    return Applicant.objects.filter(kind="legal", uscc=cleaned["uscc"]).first()


def duplicate_problem(
    errors: v.Errors, cleaned: dict[str, Any], existing: Applicant, user: User | None
) -> None:
    """Record why ``existing`` cannot be (re)used for ``user``, if it cannot."""
    id_field = "resident_id" if cleaned["kind"] == ApplicantKind.NATURAL else "uscc"
    id_label = _("居民身份证号码") if id_field == "resident_id" else _("统一社会信用代码")
    if existing.name != cleaned["name"]:
        errors.add(
            id_field,
            _("该%(label)s已登记，但名称与登记信息不一致，请到窗口核验") % {"label": id_label},
        )
    elif (
        user is not None
        and existing.users.exclude(pk=user.pk).exists()
        and not existing.users.filter(pk=user.pk).exists()
    ):
        errors.add(
            id_field,
            _("该%(label)s已被其他账号注册，请使用该账号登录或到窗口核验") % {"label": id_label},
        )


def _check_single_natural_person(
    errors: v.Errors, cleaned: dict[str, Any], user: User | None
) -> None:
    if user is None or cleaned["kind"] != ApplicantKind.NATURAL:
        return
    other = user.applicants.filter(kind="natural").exclude(resident_id=cleaned["resident_id"])
    if other.exists():
        errors.add("resident_id", _("该账号已绑定另一位自然人"))


def applicant_register(
    *,
    actor: Any,
    kind: str,
    name: str,
    resident_id: str = "",
    uscc: str = "",
    legal_representative: str = "",
    legal_representative_id: str = "",
    phone: str = "",
    address: str = "",
    user: User | None = None,
) -> Applicant:
    """Register a natural or legal person, optionally linked to the account ``user``.

    Allowed to the system (``actor=None``), to staff with ``applicant.register`` (a window
    clerk registering a walk-in) and to a user registering for themselves (``actor == user``).
    """
    if not (
        actor is None
        or has_capability(actor, "applicant.register")
        or (user is not None and getattr(actor, "pk", None) == user.pk)
    ):
        raise PermissionDenied(_("您没有登记申请人的权限"))
    errors = v.Errors()
    cleaned = clean_applicant(
        errors,
        kind=kind,
        name=name,
        resident_id=resident_id,
        uscc=uscc,
        legal_representative=legal_representative,
        legal_representative_id=legal_representative_id,
        phone=phone,
        address=address,
    )
    errors.raise_if_any()
    with transaction.atomic():
        applicant = _register(actor, cleaned, user)
    return applicant


def _register(actor: Any, cleaned: dict[str, Any], user: User | None) -> Applicant:
    """Validate duplicates and write; runs inside the caller's transaction."""
    errors = v.Errors()
    existing = existing_applicant(cleaned)
    if existing is not None:
        duplicate_problem(errors, cleaned, existing, user)
    _check_single_natural_person(errors, cleaned, user)
    errors.raise_if_any(code="applicant_exists" if existing is not None else "validation_failed")
    if existing is not None:
        if user is not None and not existing.users.filter(pk=user.pk).exists():
            existing.users.add(user)
            record(
                action="org.applicant_linked",
                actor=actor,
                obj=existing,
                summary=existing.name,
                payload={"user": user.username},
            )
        return existing
    applicant = Applicant.objects.create(**cleaned)
    if user is not None:
        applicant.users.add(user)
    record(
        action="org.applicant_registered",
        actor=actor,
        obj=applicant,
        summary=applicant.name,
        payload={
            "kind": applicant.kind,
            "resident_id": applicant.resident_id,
            "uscc": applicant.uscc,
            "user": user.username if user else None,
        },
    )
    return applicant


def validate_account(
    errors: v.Errors, *, username: str, password: str | None, display_name: str, phone: str
) -> dict[str, Any]:
    username = v.text(
        username, field="username", label=_("用户名"), errors=errors, required=True, max_length=150
    )
    if username:
        try:
            UnicodeUsernameValidator()(username)
        except DjangoValidationError:
            errors.add("username", _("用户名只能包含字母、数字和 @/./+/-/_ 字符"))
        if User.objects.filter(username__iexact=username).exists():
            errors.add("username", _("该用户名已注册，请直接登录"))
    cleaned = {
        "username": username,
        "display_name": v.text(
            display_name,
            field="display_name",
            label=_("姓名"),
            errors=errors,
            required=True,
            max_length=64,
        ),
        "phone": v.mobile(phone, field="phone", errors=errors, required=True),
    }
    if password is not None:
        if not password:
            errors.add("password", _("请填写密码"))
        else:
            try:
                validate_password(
                    password, User(username=username, display_name=cleaned["display_name"])
                )
            except DjangoValidationError as exc:
                errors.add("password", " ".join(str(m) for m in exc.messages))
    return cleaned


def applicant_account_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    display_name: str,
    phone: str,
    kind: str,
    name: str,
    resident_id: str = "",
    uscc: str = "",
    legal_representative: str = "",
    identity_provider: str = "local",
    external_subject: str = "",
) -> User:
    """Open an applicant account: the user, the ``Applicant`` it acts for, the link, and the
    applicant role, all or nothing. Public (self-registration); ``actor`` is whoever asked
    (anonymous or None for self-registration, a clerk for assisted registration).

    ``password=None`` makes an account without a usable password: for identities proven by an
    external identity provider (``identity_provider``/``external_subject``, see org/auth.py).
    """
    errors = v.Errors()
    account = validate_account(
        errors, username=username, password=password, display_name=display_name, phone=phone
    )
    cleaned = clean_applicant(
        errors,
        kind=kind,
        name=name,
        resident_id=resident_id,
        uscc=uscc,
        legal_representative=legal_representative,
        phone=phone,
    )
    if not errors:
        existing = existing_applicant(cleaned)
        if existing is not None:
            duplicate_problem(errors, cleaned, existing, None)
            if not errors and existing.users.exists():
                id_field = "resident_id" if cleaned["kind"] == ApplicantKind.NATURAL else "uscc"
                errors.add(id_field, _("该证件号码已注册账号，请直接登录"))
    errors.raise_if_any()
    with transaction.atomic():
        user = User(
            username=account["username"],
            display_name=account["display_name"],
            phone=account["phone"],
            identity_provider=identity_provider or "local",
            external_subject=external_subject,
        )
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        audit_actor = actor if getattr(actor, "pk", None) else user
        applicant = _register(audit_actor, cleaned, user)
        _grant(audit_actor, user, Role.APPLICANT, None, None)
        record(
            action="org.applicant_account_created",
            actor=audit_actor,
            obj=user,
            summary=str(user),
            payload={
                "username": user.username,
                "applicant": applicant.pk,
                "identity_provider": user.identity_provider,
            },
        )
    return user


def applicant_update(
    *,
    actor: Any,
    applicant: Applicant,
    phone: str = "",
    address: str = "",
    legal_representative: str = "",
    legal_representative_id: str = "",
) -> Applicant:
    """Change an applicant's contact details. The name and identifier are fixed once
    registered (a wrong one is corrected by registering anew after verification)."""
    if not (
        actor is None
        or is_centre_wide(actor, "org.manage")
        or (getattr(actor, "pk", None) is not None and applicant.users.filter(pk=actor.pk).exists())
    ):
        raise PermissionDenied(_("您没有修改该申请人的权限"))
    errors = v.Errors()
    values: dict[str, Any] = {
        "phone": v.mobile(phone, field="phone", errors=errors),
        "address": v.text(
            address, field="address", label=_("地址"), errors=errors, required=False, max_length=255
        ),
    }
    if applicant.kind == ApplicantKind.LEGAL:
        values["legal_representative"] = v.text(
            legal_representative,
            field="legal_representative",
            label=_("法定代表人姓名"),
            errors=errors,
            required=True,
            max_length=64,
        )
        values["legal_representative_id"] = v.resident_id(
            legal_representative_id, field="legal_representative_id", errors=errors, required=False
        )
    errors.raise_if_any()
    with transaction.atomic():
        changed = apply_changes(applicant, values)
        if changed:
            applicant.save()
            record(
                action="org.applicant_updated",
                actor=actor,
                obj=applicant,
                summary=applicant.name,
                payload={"changed": changed},
            )
    return applicant


def external_identity_link(
    *, actor: Any, user: User, identity_provider: str, external_subject: str
) -> User:
    """Bind ``user`` to a subject of an external identity provider (first login through the
    provider of someone who registered locally before). A subject binds one account."""
    errors = v.Errors()
    provider = v.text(
        identity_provider,
        field="identity_provider",
        label=_("身份来源"),
        errors=errors,
        required=True,
        max_length=32,
    )
    subject = v.text(
        external_subject,
        field="external_subject",
        label=_("外部身份标识"),
        errors=errors,
        required=True,
        max_length=128,
    )
    if user.external_subject and (user.identity_provider, user.external_subject) != (
        provider,
        subject,
    ):
        errors.add("external_subject", _("该账号已绑定其他外部身份"))
    if (
        subject
        and User.objects.filter(identity_provider=provider, external_subject=subject)
        .exclude(pk=user.pk)
        .exists()
    ):
        errors.add("external_subject", _("该外部身份已绑定其他账号"))
    errors.raise_if_any()
    if (user.identity_provider, user.external_subject) == (provider, subject):
        return user
    with transaction.atomic():
        user.identity_provider = provider
        user.external_subject = subject
        user.save(update_fields=["identity_provider", "external_subject"])
        record(
            action="org.external_identity_linked",
            actor=actor if getattr(actor, "pk", None) else user,
            obj=user,
            summary=str(user),
            payload={"identity_provider": provider},
        )
    return user
