"""One message per bundle event (docs/bundles.md "One message per bundle").

The sub-cases of a bundle are moved by the ordinary case services, each of which queues its
own message to the applicant (submitted, accepted, the notices, withdrawn, delivered). For
an event of the whole bundle that would be N messages. ``one_message`` wraps such an event:
inside the same transaction, the applicant messages the sub-case services queued are taken
out of the outbox again (they were never committed, so never sent) and ONE message about
the bundle is queued instead. Messages to staff (new tasks, chasing) are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import BundleCase, Case, Notice
from onewindow.notify.models import Notification
from onewindow.notify.services import notify
from onewindow.notify.templates import REGISTRY, register
from onewindow.org.models import User

# The case services' messages to the applicant that a bundle event replaces.
APPLICANT_TEMPLATES = frozenset(
    {
        "case.submitted",
        "case.accepted",
        "case.accepted_missing",
        "case.one_time_notice",
        "case.withdrawn",
        "case.concluded",
        "case.dispatched",
        "case.delivered",
        "notice.issued",
    }
)

TEMPLATES: dict[str, tuple[Any, Any]] = {
    "bundle_case.submitted": (
        _("【{centre}】一件事申请已提交"),
        _("您申请的“{bundle}”（一件事编号{number}，含{count}个事项）已提交，请等待窗口受理。"),
    ),
    "bundle_case.accepted": (
        _("【{centre}】一件事已受理"),
        _(
            "您申请的“{bundle}”（一件事编号{number}，含{count}个事项）已于{accepted_on}"
            "一窗受理，各部门并联审批，一件事承诺办结期限为{promised_due}。"
        ),
    ),
    "bundle_case.accepted_missing": (
        _("【{centre}】一件事已容缺受理"),
        _(
            "您申请的“{bundle}”（一件事编号{number}）已容缺受理，请在期限内补交：{materials}。"
            "一件事承诺办结期限为{promised_due}。"
        ),
    ),
    "bundle_case.one_time_notice": (
        _("【{centre}】一件事需补齐材料"),
        _(
            "您申请的“{bundle}”（一件事编号{number}）需一次性补齐以下材料：{materials}。"
            "补齐后重新提交，即可一窗受理。"
        ),
    ),
    "bundle_case.withdrawn": (
        _("【{centre}】一件事已撤回"),
        _("您申请的“{bundle}”（一件事编号{number}）已撤回。"),
    ),
    "bundle_case.refused_optional": (
        _("【{centre}】一件事中有事项未获许可"),
        _(
            "您申请的“{bundle}”（一件事编号{number}）中的“{item}”未获许可（{reason}）。"
            "该事项可以放弃，其余事项继续办理；请登录选择放弃，或联系窗口补正后重新申请。"
        ),
    ),
    "bundle_case.refused_continue": (
        _("【{centre}】一件事中有事项未获许可"),
        _(
            "您申请的“{bundle}”（一件事编号{number}）中的“{item}”未获许可（{reason}），"
            "其余事项继续办理，办理结果将列明该事项未获许可。"
        ),
    ),
    "bundle_case.stalled": (
        _("【{centre}】一件事中有事项超过承诺期限"),
        _(
            "您申请的“{bundle}”（一件事编号{number}）中的“{item}”已超过承诺办结期限，"
            "牵头部门正在督办。{choice}"
        ),
    ),
    "bundle_case.ended": (
        _("【{centre}】一件事已终止办理"),
        _("您申请的“{bundle}”（一件事编号{number}）已终止办理：{reason}。"),
    ),
    "bundle_case.ended_lead": (
        _("【{centre}】牵头的一件事已终止"),
        _("一件事“{bundle}”（编号{number}）已终止办理：{reason}。"),
    ),
    "bundle_case.member_dropped": (
        _("【{centre}】已放弃一件事中的事项"),
        _("您已放弃“{bundle}”（一件事编号{number}）中的“{item}”，其余事项继续办理。"),
    ),
    "bundle_case.refused_lead": (
        _("【{centre}】牵头的一件事有事项未获许可"),
        _("一件事“{bundle}”（编号{number}）中的“{item}”未获许可：{reason}。"),
    ),
    "bundle_case.chased": (
        _("【{centre}】一件事督办"),
        _("牵头部门{lead}督办一件事“{bundle}”（编号{number}）中的“{item}”（{case}）：{message}"),
    ),
    "bundle_case.inspection_scheduled": (
        _("【{centre}】联合踏勘安排"),
        _(
            "您申请的“{bundle}”（一件事编号{number}）将于{when}在{place}进行联合踏勘，"
            "参加部门：{departments}。各部门一次到场，请届时在场。"
        ),
    ),
    "bundle_case.outcome_issued": (
        _("【{centre}】一件事办理结果统一出件"),
        _(
            "您申请的“{bundle}”（一件事编号{number}）已全部办结，{count}项结果统一出件，"
            "送达方式：{method}。{extra}"
        ),
    ),
    "bundle_case.dispatched": (
        _("【{centre}】一件事办理结果已寄出"),
        _(
            "您申请的“{bundle}”（一件事编号{number}）的办理结果已由{carrier}寄出，运单号{tracking}。"
        ),
    ),
    "bundle_case.delivered": (
        _("【{centre}】一件事办理结果已送达"),
        _("您申请的“{bundle}”（一件事编号{number}）的{count}项办理结果已送达。"),
    ),
    "bundle_case.early_delivered": (
        _("【{centre}】一件事中的事项先行出件"),
        _("您申请的“{bundle}”（一件事编号{number}）中的“{item}”办理结果已先行送达（{method}）。"),
    ),
}

for _name, (_subject, _body) in TEMPLATES.items():
    if _name not in REGISTRY:
        register(_name, _subject, _body)


def centre() -> str:
    return str(settings.ONEWINDOW.get("CENTRE_NAME", "政务服务中心"))


def _mark() -> int:
    return int(Notification.objects.aggregate(m=Max("pk"))["m"] or 0)


def _drop_sub_case_messages(bundle_case: BundleCase, mark: int) -> int:
    """Take the applicant messages queued since ``mark`` about the bundle's sub-cases (and
    their notices) out of the outbox (same transaction: they were never sent)."""
    cases = Case.objects.filter(bundle_case=bundle_case).values_list("pk", flat=True)
    case_ids = [str(pk) for pk in cases]
    notice_ids = [
        str(pk)
        for pk in Notice.objects.filter(case__bundle_case=bundle_case).values_list("pk", flat=True)
    ]
    about = Q(object_type=Case._meta.label_lower, object_id__in=case_ids) | Q(
        object_type=Notice._meta.label_lower, object_id__in=notice_ids
    )
    rows = Notification.objects.filter(about, pk__gt=mark, template__in=APPLICANT_TEMPLATES)
    deleted, _detail = rows.delete()
    return int(deleted)


def tell_bundle_applicant(
    bundle_case: BundleCase, template: str, *, now: datetime, **context: Any
) -> None:
    """ONE message about the bundle to its applicant's side: in-app to every account linked
    to the bundle's applicant or a sub-case's applicant, one SMS to the applicant's phone."""
    applicant_ids = {bundle_case.applicant_id}
    applicant_ids |= set(bundle_case.sub_cases.values_list("applicant_id", flat=True))
    users = list(
        User.objects.filter(applicants__in=applicant_ids, is_active=True).distinct().order_by("pk")
    )
    applicant = bundle_case.applicant
    phone = applicant.phone or next((u.phone for u in users if getattr(u, "phone", "")), "")
    ctx = {
        "centre": centre(),
        "number": bundle_case.number,
        "bundle": bundle_case.bundle_version.name,
    }
    ctx.update(context)
    if not users:
        if phone:
            notify(
                phone=phone,
                channels=("sms",),
                template=template,
                context=ctx,
                obj=bundle_case,
                now=now,
            )
        return
    for i, user in enumerate(users):
        notify(
            recipient_user=user,
            phone=phone,
            channels=("in_app", "sms") if i == 0 else ("in_app",),
            template=template,
            context=ctx,
            obj=bundle_case,
            now=now,
        )


def tell_staff(
    users: list[Any], bundle_case: BundleCase, template: str, *, now: datetime, **context: Any
) -> int:
    """In-app messages to staff about the bundle; returns how many were written."""
    ctx = {
        "centre": centre(),
        "number": bundle_case.number,
        "bundle": bundle_case.bundle_version.name,
    }
    ctx.update(context)
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        notify(
            recipient_user=user,
            channels=("in_app",),
            template=template,
            context=ctx,
            obj=bundle_case,
            now=now,
        )
    return len(seen)


@contextmanager
def one_message(bundle_case: BundleCase) -> Iterator[None]:
    """Within a bundle event's transaction: the sub-case services run inside the block;
    their applicant messages are taken back at its end (the caller then queues the one
    bundle message with ``tell_bundle_applicant``)."""
    mark = _mark()
    yield
    _drop_sub_case_messages(bundle_case, mark)
