"""Authorisation letters (授权书): a department delegates final-decision authority (终审权)
over listed items to one of its officers in the hall, between two dates.

A letter is a dated legal document: once issued it is not edited. To change it, revoke it
and issue a new one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.common import clock
from onewindow.common.errors import ValidationFailed
from onewindow.org import validation as v
from onewindow.org.models import (
    AuthorisationLetter,
    AuthorisationLetterItem,
    Department,
    RoleAssignment,
    User,
)
from onewindow.org.permissions import STAFF_ROLES
from onewindow.org.services._common import check_actor


def validate_letter(
    *,
    number: str,
    department: Department | None,
    officer: User | None,
    item_codes: Any,
    valid_from: Any,
    valid_until: Any = None,
    note: str = "",
    today: date | None = None,
) -> dict[str, Any]:
    """Check a letter before issuing it; returns the cleaned values."""
    errors = v.Errors()
    today = today or clock.localnow().date()
    cleaned: dict[str, Any] = {
        "number": v.text(
            number,
            field="number",
            label=_("授权书编号"),
            errors=errors,
            required=True,
            max_length=64,
        ),
        "note": v.text(
            note, field="note", label=_("说明"), errors=errors, required=False, max_length=2000
        ),
        "item_codes": v.item_codes(item_codes, field="item_codes", errors=errors),
        "valid_from": v.a_date(
            valid_from, field="valid_from", label=_("生效日期"), errors=errors, required=True
        ),
        "valid_until": v.a_date(
            valid_until, field="valid_until", label=_("失效日期"), errors=errors, required=False
        ),
    }
    start, end = cleaned["valid_from"], cleaned["valid_until"]
    if start and end and end < start:
        errors.add("valid_until", _("失效日期不能早于生效日期"))
    elif end and end < today:
        errors.add("valid_until", _("失效日期已过，不能签发已失效的授权书"))
    if not isinstance(department, Department) or department.pk is None:
        errors.add("department", _("请选择授权部门"))
    elif not department.is_active:
        errors.add("department", _("授权部门已停用"))
    if not isinstance(officer, User) or officer.pk is None:
        errors.add("officer", _("请选择被授权人"))
    elif not officer.is_active:
        errors.add("officer", _("被授权人账号已停用"))
    elif isinstance(department, Department) and not (
        RoleAssignment.objects.filter(
            user=officer, department=department, role__in=STAFF_ROLES
        ).exists()
    ):
        errors.add(
            "officer",
            _("被授权人%(officer)s不是%(department)s的工作人员")
            % {"officer": officer, "department": department},
        )
    errors.raise_if_any()
    return cleaned


def _same_letter(letter: AuthorisationLetter, cleaned: dict[str, Any], department, officer):
    return (
        letter.revoked_at is None
        and letter.department_id == department.pk
        and letter.officer_id == officer.pk
        and letter.valid_from == cleaned["valid_from"]
        and letter.valid_until == cleaned["valid_until"]
        and letter.note == cleaned["note"]
        and set(letter.items.values_list("item_code", flat=True)) == set(cleaned["item_codes"])
    )


def authorisation_letter_issue(
    *,
    actor: Any,
    number: str,
    department: Department,
    officer: User,
    item_codes: list[str],
    valid_from: date,
    valid_until: date | None = None,
    note: str = "",
) -> AuthorisationLetter:
    """Issue letter ``number``: ``department`` grants ``officer`` (who must hold a staff role
    in it) final-decision authority over ``item_codes`` from ``valid_from`` to ``valid_until``
    (inclusive; ``None`` = until revoked). Needs ``authorisation.grant`` for the department.

    Issuing the very same letter again returns it unchanged (the demo loader runs twice);
    the same number with different content is refused.
    """
    check_actor(actor, "authorisation.grant", department=department)
    cleaned = validate_letter(
        number=number,
        department=department,
        officer=officer,
        item_codes=item_codes,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note,
    )
    with transaction.atomic():
        existing = (
            AuthorisationLetter.objects.select_for_update().filter(number=cleaned["number"]).first()
        )
        if existing is not None:
            if _same_letter(existing, cleaned, department, officer):
                return existing
            raise ValidationFailed(
                _("授权书编号“%(n)s”已存在") % {"n": cleaned["number"]},
                code="letter_exists",
                fields={"number": _("授权书编号已存在")},
            )
        letter = AuthorisationLetter.objects.create(
            number=cleaned["number"],
            department=department,
            officer=officer,
            valid_from=cleaned["valid_from"],
            valid_until=cleaned["valid_until"],
            note=cleaned["note"],
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        AuthorisationLetterItem.objects.bulk_create(
            AuthorisationLetterItem(letter=letter, item_code=c) for c in cleaned["item_codes"]
        )
        record(
            action="org.authorisation_letter_issued",
            actor=actor,
            obj=letter,
            summary=str(letter),
            payload={
                "number": letter.number,
                "department": department.code,
                "officer": officer.username,
                "item_codes": cleaned["item_codes"],
                "valid_from": letter.valid_from.isoformat(),
                "valid_until": letter.valid_until.isoformat() if letter.valid_until else None,
            },
        )
    return letter


def authorisation_letter_revoke(
    *, actor: Any, letter: AuthorisationLetter, reason: str
) -> AuthorisationLetter:
    """Revoke ``letter`` now, with a reason. From the day of revocation the officer can no
    longer decide on the spot under it (past days keep their history)."""
    check_actor(actor, "authorisation.grant", department=letter.department)
    errors = v.Errors()
    reason = v.text(
        reason, field="reason", label=_("撤销原因"), errors=errors, required=True, max_length=255
    )
    errors.raise_if_any()
    with transaction.atomic():
        letter = AuthorisationLetter.objects.select_for_update().get(pk=letter.pk)
        if letter.revoked_at is not None:
            day = timezone.localtime(letter.revoked_at).date()
            raise ValidationFailed(
                _("该授权书已于%(at)s撤销") % {"at": f"{day.year}年{day.month}月{day.day}日"},
                code="letter_already_revoked",
            )
        letter.revoked_at = clock.now()
        letter.revoked_by = actor if getattr(actor, "pk", None) else None
        letter.revocation_reason = reason
        letter.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        record(
            action="org.authorisation_letter_revoked",
            actor=actor,
            obj=letter,
            summary=str(letter),
            payload={"number": letter.number, "reason": reason},
        )
    return letter
