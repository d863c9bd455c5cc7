"""Giving a rating (好差评): online by the applicant's account, by a signed SMS link, at a
kiosk with the case number and ID number, or for a window service (a Visit). A bad rating
opens its rectification in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction

from onewindow.audit.services import record
from onewindow.cases.models import Case, Visit
from onewindow.cases.selectors import case_by_number_and_id
from onewindow.cases.states import CaseStatus
from onewindow.common import clock
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.org.models import Applicant
from onewindow.org.permissions import has_capability
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.rules import due_after, rating_window_ends, setting
from onewindow.ratings.services.common import invalid, tell_handlers, text
from onewindow.ratings.states import (
    BAD_LEVELS,
    COMMENT_MAX,
    DIMENSIONS,
    Channel,
    Level,
    Mode,
    Subject,
)
from onewindow.workdays.calendar import local_date

RATABLE = frozenset({CaseStatus.CONCLUDED, CaseStatus.DELIVERED})
TOKEN_SALT = "onewindow.ratings.link"


# ----------------------------------------------------------------------------- checks


def check_level(level: Any) -> int:
    message = "评价等级应为1至5之间的整数（1 非常不满意 … 5 非常满意）"
    if isinstance(level, bool):
        raise invalid("level", message, code="invalid_level")
    try:
        value = int(str(level).strip())
    except (TypeError, ValueError):
        raise invalid("level", message, code="invalid_level") from None
    if value not in Level.values:
        raise invalid("level", message, code="invalid_level")
    return value


def check_dimensions(mode: str, dimensions: Any, level: int) -> dict[str, int]:
    """The dimensions of ``mode`` (any may be left out; 整体满意度 defaults to the level);
    each 1-5; an unknown dimension is an error."""
    allowed = DIMENSIONS[mode]
    if dimensions is None:
        dimensions = {}
    if not isinstance(dimensions, dict):
        raise invalid("dimensions", "分项评价格式不正确", code="invalid_dimensions")
    out: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for key, value in dimensions.items():
        if key not in allowed:
            names = "、".join(allowed.values())
            errors[f"dimensions.{key}"] = [f"没有这一评价维度（可评价：{names}）"]
            continue
        if value in (None, ""):
            continue
        try:
            out[key] = check_level(value)
        except ValidationFailed:
            errors[f"dimensions.{key}"] = [f"“{allowed[key]}”应为1至5之间的整数"]
    if errors:
        raise ValidationFailed("分项评价不正确", code="invalid_dimensions", fields=errors)
    out.setdefault("overall", level)
    return {k: out[k] for k in allowed if k in out}


def _comment(level: int, comment: Any) -> str:
    value = text("comment", comment, label="评价内容", required=False, maximum=COMMENT_MAX)
    if level in BAD_LEVELS and not value:
        raise invalid("comment", "请填写不满意的原因，便于核实整改", code="bad_rating_needs_reason")
    return value


def is_applicants_account(actor: Any, applicant_id: int) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    links = Applicant.users.through.objects
    return links.filter(applicant_id=applicant_id, user_id=actor.pk).exists()


def _not_found() -> NotFound:
    return NotFound("未找到该办件", code="case_not_found")


# ----------------------------------------------------------------------------- core


def _give(
    *,
    subject: str,
    case: Case | None,
    visit: Visit | None,
    applicant_id: int,
    rated_by: Any,
    level: Any,
    dimensions: Any,
    comment: Any,
    channel: str,
    now: datetime,
) -> Rating:
    if channel not in Channel.values:
        raise invalid("channel", "评价渠道不正确", code="invalid_channel")
    value = check_level(level)
    if case is not None:
        # The dimensions of how the case was handled; at a kiosk, on site (一次一评).
        online = case.channel == "online" and channel != Channel.KIOSK
        mode = Mode.ONLINE if online else Mode.OFFLINE
        department_id: int | None = case.department_id
        staff_id = case.decided_by_id or case.accepted_by_id
        window_id = None
    else:
        if visit is None:  # pragma: no cover  (the entry points give one or the other)
            raise ValueError("a case or a visit")
        mode = Mode.OFFLINE
        department_id = visit.case.department_id if visit.case_id and visit.case else None
        if department_id is None and visit.window is not None:
            # A window of one department answers for it; a universal window: the centre.
            served = list(visit.window.departments.values_list("pk", flat=True)[:2])
            department_id = served[0] if len(served) == 1 else None
        staff_id, window_id = visit.recorded_by_id, visit.window_id
    dims = check_dimensions(mode, dimensions, value)
    body = _comment(value, comment)
    rating = Rating(
        subject=subject,
        case=case,
        visit=visit,
        applicant_id=applicant_id,
        rated_by=rated_by if getattr(rated_by, "pk", None) else None,
        level=value,
        mode=mode,
        dimensions=dims,
        comment=body,
        channel=channel,
        department_id=department_id,
        staff_id=staff_id,
        window_id=window_id,
        rated_at=now,
    )
    duplicate = Conflict("您已评价过，每次服务只能评价一次", code="already_rated")
    filters = {"case": case} if case is not None else {"visit": visit}
    with transaction.atomic():
        if Rating.objects.filter(applicant_id=applicant_id, **filters).exists():
            raise duplicate
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError:  # a concurrent rating of the same service won
            raise duplicate from None
        record(
            action="rating.given",
            actor=rated_by,
            obj=rating,
            at=now,
            summary=f"评价：{Level(value).label}",
            payload={"level": value, "channel": channel, "subject": subject},
        )
        if value in BAD_LEVELS:
            _open_rectification(rating, now=now)
    return rating


def _open_rectification(rating: Rating, *, now: datetime) -> Rectification:
    rect = Rectification.objects.create(
        rating=rating,
        department_id=rating.department_id,
        opened_at=now,
        due_at=due_after(now, int(setting("RECTIFICATION_WORKDAYS"))),
    )
    record(
        action="rectification.opened",
        actor=None,
        obj=rect,
        at=now,
        summary="差评自动发起整改",
        payload={"rating": rating.pk, "due_at": rect.due_at.isoformat()},
    )
    tell_handlers(
        rating.department,
        template="ratings.rectification_opened",
        context={"level": Level(rating.level).label, "due": f"{rect.due_at:%Y-%m-%d}"},
        obj=rect,
        now=now,
    )
    return rect


def _ratable(case: Case, now: datetime) -> None:
    if case.status not in RATABLE or case.concluded_at is None:
        raise Conflict("办件尚未办结，办结后才能评价", code="case_not_concluded")
    if now > rating_window_ends(case.concluded_at):
        days = setting("RATING_WINDOW_WORKDAYS")
        raise Conflict(
            f"评价期已过（办结后{days}个工作日内可以评价），已按默认评价计",
            code="rating_period_over",
        )


# ----------------------------------------------------------------------------- entry points


def rate_case(
    *,
    actor: Any,
    case: Case,
    level: Any,
    dimensions: Any = None,
    comment: str = "",
    channel: str = Channel.ONLINE,
    now: datetime | None = None,
) -> Rating:
    """The applicant (an account linked to the case's applicant) rates a concluded case.
    Someone else's case is NotFound; not concluded or already rated is Conflict (409)."""
    now = now or clock.now()
    if not is_applicants_account(actor, case.applicant_id):
        raise _not_found()
    _ratable(case, now)
    return _give(
        subject=Subject.CASE,
        case=case,
        visit=None,
        applicant_id=case.applicant_id,
        rated_by=actor,
        level=level,
        dimensions=dimensions,
        comment=comment,
        channel=channel,
        now=now,
    )


def link_token(case: Case) -> str:
    """The signed token of the SMS link that lets the applicant rate ``case`` without
    logging in (``/ratings/r/<token>/``)."""
    return signing.dumps({"c": case.pk, "a": case.applicant_id}, salt=TOKEN_SALT, compress=True)


def case_for_token(token: str) -> Case:
    """The case of a valid, unexpired link; otherwise NotFound (expired: its own code)."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=int(setting("LINK_MAX_AGE_SECONDS")))
    except signing.SignatureExpired:
        raise NotFound("评价链接已过期", code="link_expired") from None
    except signing.BadSignature:
        raise NotFound("评价链接无效", code="link_invalid") from None
    case = (
        Case.objects.filter(pk=data.get("c"), applicant_id=data.get("a"))
        .select_related("item_version", "department", "applicant")
        .first()
    )
    if case is None:
        raise NotFound("评价链接无效", code="link_invalid")
    return case


def rate_case_by_link(
    *,
    token: str,
    level: Any,
    dimensions: Any = None,
    comment: str = "",
    now: datetime | None = None,
) -> Rating:
    now = now or clock.now()
    case = case_for_token(token)
    _ratable(case, now)
    return _give(
        subject=Subject.CASE,
        case=case,
        visit=None,
        applicant_id=case.applicant_id,
        rated_by=None,
        level=level,
        dimensions=dimensions,
        comment=comment,
        channel=Channel.SMS,
        now=now,
    )


def rate_case_at_kiosk(
    *,
    number: str,
    id_number: str,
    level: Any,
    dimensions: Any = None,
    comment: str = "",
    now: datetime | None = None,
) -> Rating:
    """At a self-service kiosk: the case number and the applicant's ID number together."""
    now = now or clock.now()
    case = case_by_number_and_id(number, id_number)
    _ratable(case, now)
    return _give(
        subject=Subject.CASE,
        case=case,
        visit=None,
        applicant_id=case.applicant_id,
        rated_by=None,
        level=level,
        dimensions=dimensions,
        comment=comment,
        channel=Channel.KIOSK,
        now=now,
    )


VISIT_CHANNELS = frozenset({Channel.ONLINE, Channel.WINDOW_DEVICE})
# Who serves at a window (the capabilities ``record_visit`` asks for): the rating device.
DEVICE_CAPABILITIES = ("case.accept", "hall.serve")


def check_visit_ratable(
    *, actor: Any, visit: Visit, channel: str = Channel.ONLINE, now: datetime | None = None
) -> None:
    """Raise what ``rate_visit`` would refuse before looking at the rating itself: the
    channel, who rates (the applicant's account online; on the window's rating device the
    clerk who served the visit, the same day, still serving at that service point) and the
    rating period. The screens call it to show the refusal instead of the form."""
    now = now or clock.now()
    if channel not in VISIT_CHANNELS:
        raise invalid("channel", "窗口服务只能在网上或窗口评价器上评价", code="invalid_channel")
    if channel == Channel.WINDOW_DEVICE:
        same_day = local_date(visit.at) == local_date(now)
        if visit.recorded_by_id != getattr(actor, "pk", None) or not same_day:
            raise NotFound("未找到该窗口服务记录", code="visit_not_found")
        if not any(
            has_capability(actor, c, service_point=visit.service_point_id)
            for c in DEVICE_CAPABILITIES
        ):
            raise PermissionDenied("您没有在该网点使用窗口评价器的权限")
    elif not is_applicants_account(actor, visit.applicant_id):
        raise NotFound("未找到该窗口服务记录", code="visit_not_found")
    if now < visit.at:
        raise Conflict("服务尚未发生，不能评价", code="visit_in_future")
    if now > rating_window_ends(visit.at):
        days = setting("RATING_WINDOW_WORKDAYS")
        raise Conflict(
            f"评价期已过（服务后{days}个工作日内可以评价），已按默认评价计",
            code="rating_period_over",
        )


def rate_visit(
    *,
    actor: Any,
    visit: Visit,
    level: Any,
    dimensions: Any = None,
    comment: str = "",
    channel: str = Channel.ONLINE,
    now: datetime | None = None,
) -> Rating:
    """Rate one window service (一次一评): online by the applicant's account, or on the
    window's rating device (``window_device``) of the clerk who served them, the same day.
    Refusals as ``check_visit_ratable``; a second rating 409 ``already_rated``."""
    now = now or clock.now()
    check_visit_ratable(actor=actor, visit=visit, channel=channel, now=now)
    return _give(
        subject=Subject.VISIT,
        case=None,
        visit=visit,
        applicant_id=visit.applicant_id,
        rated_by=actor,
        level=level,
        dimensions=dimensions,
        comment=comment,
        channel=channel,
        now=now,
    )
