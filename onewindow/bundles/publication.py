"""The rules a bundle version must satisfy to be submitted for review and published
(docs/bundles.md, "Publication rules"). Every problem is reported at once, in Chinese."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onewindow.bundles.models import BundleVersion
from onewindow.bundles.selectors import build_guide, version_for_guide
from onewindow.catalog.validation import Errors
from onewindow.common.errors import ValidationFailed

MIN_MEMBERS = 2


def publication_errors(version: BundleVersion) -> Errors:
    errors: Errors = {}
    loaded = version_for_guide(version)
    guide = build_guide(loaded)
    members = list(loaded.members.all())
    if len(members) < MIN_MEMBERS:
        errors.setdefault("members", []).append(_("套餐至少包括两个事项"))
    for view in guide.unavailable:
        errors.setdefault("members", []).append(
            _("事项“%(c)s”当前没有已发布的版本，不能纳入套餐") % {"c": view.code}
        )
    if members and not any(m.essential for m in members):
        errors.setdefault("members", []).append(
            _("至少要有一个不可放弃的事项（否则所有事项被拒后套餐仍在办理）")
        )
    lead = loaded.bundle.lead_department
    if guide.members and not any(v.lead for v in guide.members) and not loaded.lead_note:
        errors.setdefault("lead_department", []).append(
            _("牵头部门“%(d)s”不实施本套餐的任何事项；请更换牵头部门或在“牵头说明”中说明理由")
            % {"d": lead.name}
        )
    if guide.members:
        slowest = max(guide.members, key=lambda v: v.promised_days)
        legal_total = sum(v.legal_days for v in guide.members)
        if loaded.promised_limit < slowest.promised_days:
            errors.setdefault("promised_limit", []).append(
                _(
                    "套餐承诺时限（%(n)d个工作日）不能短于成员事项“%(item)s”的承诺时限"
                    "（%(m)d个工作日）：各事项并联办理，仍按各自的承诺时限办结"
                )
                % {"n": loaded.promised_limit, "item": slowest.name, "m": slowest.promised_days}
            )
        if loaded.promised_limit > legal_total:
            errors.setdefault("promised_limit", []).append(
                _("套餐承诺时限（%(n)d个工作日）不能超过各成员事项法定时限之和（%(m)d个工作日）")
                % {"n": loaded.promised_limit, "m": legal_total}
            )
    ruled = {r.question_id for r in loaded.rules.all()}
    for q in loaded.questions.all():
        if q.pk not in ruled:
            errors.setdefault("questions", []).append(
                _("问题“%(q)s”没有任何情形规则，不决定办理哪些事项") % {"q": q.text}
            )
    for conflict in guide.conflicts:
        errors.setdefault("fields", []).append(conflict.message)
    return errors


def require_publishable(version: BundleVersion) -> None:
    errors = publication_errors(version)
    if errors:
        raise ValidationFailed(
            _("套餐不符合发布条件，请按提示修改"), code="bundle_not_publishable", fields=errors
        )
