"""Writes of the public ranking (DESIGN.md convention 1): rounds, anonymous votes,
follow-ups. Each validates, writes, and audits in one transaction — except a vote, which
is deliberately not audited (an audit event carries a time and an order that could link a
ballot to the moment a person voted; docs/ranking.md)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.audit.services import record
from onewindow.common import clock
from onewindow.common.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.org.models import Department
from onewindow.ranking.anonymity import normalize_identity, voter_digest
from onewindow.ranking.models import (
    CATEGORY_FIELDS,
    Ballot,
    BallotEntry,
    EvaluationRound,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    RoundOffice,
    RoundStatus,
    VoterMarker,
)
from onewindow.ranking.selectors import can_respond, is_manager, round_results
from onewindow.workdays.selectors import get_calendar

MAX_PROBLEM_LENGTH = 300
MAX_OFFICES_PER_BALLOT = 10
# Default follow-up limits in working days (after the day of publication).
FOLLOW_UP_WORKDAYS = {
    FollowUpKind.TALK: 5,
    FollowUpKind.RECTIFICATION: 15,
    FollowUpKind.RECHECK: 30,
}

# The round's state machine: action -> (allowed sources, target).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({RoundStatus.DRAFT}), RoundStatus.OPEN),
    "close": (frozenset({RoundStatus.OPEN}), RoundStatus.CLOSED),
    "publish": (frozenset({RoundStatus.CLOSED}), RoundStatus.PUBLISHED),
}
_ACTION_LABELS = {"open": "开始评议", "close": "结束评议", "publish": "公布结果"}


def require_manager(actor: Any) -> None:
    if not is_manager(actor):
        raise PermissionDenied("您没有管理群众评议的权限", fields={"capability": "ranking.manage"})


def _locked(r: EvaluationRound) -> EvaluationRound:
    return EvaluationRound.objects.select_for_update().get(pk=r.pk)


def _transition(r: EvaluationRound, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if r.status not in sources:
        raise Conflict(
            f"评议当前状态为“{RoundStatus(r.status).label}”，不能{_ACTION_LABELS[action]}",
            code="round_illegal_transition",
            fields={"status": r.status, "action": action},
        )
    return target


# ---------------------------------------------------------------------------- rounds


def round_create(
    *,
    actor: Any,
    title: str,
    period_start: date,
    period_end: date,
    offices: Sequence[tuple[Department, str]],
    description: str = "",
    exposed_count: int = 10,
    talk_count: int = 3,
    now: datetime | None = None,
) -> EvaluationRound:
    """A draft round over ``offices`` (department, section name or "")."""
    require_manager(actor)
    now = now or clock.now()
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["请填写评议名称"]
    elif len(title) > 128:
        errors["title"] = ["评议名称不能超过128个字符"]
    if period_end < period_start:
        errors["period_end"] = ["评议期间止不能早于评议期间起"]
    if not offices:
        errors["offices"] = ["请至少选择一个被评议科室"]
    seen: set[tuple[int, str]] = set()
    for department, section in offices:
        key = (department.pk, section.strip())
        if key in seen:
            errors["offices"] = [f"被评议科室重复：{department.name} {section}".strip()]
        if len(section.strip()) > 64:
            errors["offices"] = ["科室名称不能超过64个字符"]
        seen.add(key)
    if not 1 <= exposed_count <= 100 or not 0 <= talk_count <= exposed_count:
        errors["exposed_count"] = ["曝光科室数应为1至100，约谈科室数不能超过曝光科室数"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, code="round_invalid", fields=errors)
    with transaction.atomic():
        r = EvaluationRound.objects.create(
            title=title,
            description=description.strip(),
            period_start=period_start,
            period_end=period_end,
            exposed_count=exposed_count,
            talk_count=talk_count,
            created_at=now,
            created_by=actor,
        )
        RoundOffice.objects.bulk_create(
            RoundOffice(round=r, department=d, section=s.strip(), order=i)
            for i, (d, s) in enumerate(offices, start=1)
        )
        record(
            action="ranking.round_created",
            actor=actor,
            obj=r,
            at=now,
            summary=f"创建群众评议 {title}",
            payload={"offices": len(offices), "period": [str(period_start), str(period_end)]},
        )
    return r


def round_open(*, round: EvaluationRound, actor: Any, now: datetime | None = None) -> None:
    require_manager(actor)
    now = now or clock.now()
    with transaction.atomic():
        r = _locked(round)
        target = _transition(r, "open")
        if not r.offices.exists():
            raise ValidationFailed("评议没有被评议科室，不能开始", code="round_without_offices")
        r.status, r.opened_at, r.opened_by = target, now, actor
        r.save(update_fields=["status", "opened_at", "opened_by"])
        record(action="ranking.round_opened", actor=actor, obj=r, at=now, summary=r.title)
    _refresh(round, r)


def round_close(*, round: EvaluationRound, actor: Any, now: datetime | None = None) -> None:
    """Stop the votes; count the voters, delete the has-voted markers and rewrite the
    ballots in a random order under new random keys (nothing then ties a ballot to the
    order in which people voted)."""
    require_manager(actor)
    now = now or clock.now()
    with transaction.atomic():
        r = _locked(round)
        target = _transition(r, "close")
        markers = VoterMarker.objects.filter(round=r)
        r.voter_count = markers.count()
        markers.delete()
        shuffled = _reshuffle_ballots(r)
        r.status, r.closed_at, r.closed_by = target, now, actor
        r.save(update_fields=["status", "closed_at", "closed_by", "voter_count"])
        record(
            action="ranking.round_closed",
            actor=actor,
            obj=r,
            at=now,
            summary=f"{r.title} 结束评议，{r.voter_count}人参评",
            payload={"voters": r.voter_count, "ballots": shuffled},
        )
    _refresh(round, r)


def _reshuffle_ballots(r: EvaluationRound) -> int:
    ballots = list(Ballot.objects.filter(round=r).values_list("id", "cast_on"))
    entries: dict[uuid.UUID, list[dict[str, Any]]] = {}
    columns = ("ballot_id", "office_id", "problem", *CATEGORY_FIELDS)
    for row in BallotEntry.objects.filter(ballot__round=r).values(*columns):
        entries.setdefault(row.pop("ballot_id"), []).append(row)
    random.SystemRandom().shuffle(ballots)
    Ballot.objects.filter(round=r).delete()
    new_ballots, new_entries = [], []
    for old_id, cast_on in ballots:
        ballot = Ballot(id=uuid.uuid4(), round=r, cast_on=cast_on)
        new_ballots.append(ballot)
        new_entries += [BallotEntry(ballot=ballot, **e) for e in entries.get(old_id, [])]
    Ballot.objects.bulk_create(new_ballots, batch_size=500)
    BallotEntry.objects.bulk_create(new_entries, batch_size=500)
    return len(new_ballots)


def round_publish(
    *, round: EvaluationRound, actor: Any, now: datetime | None = None
) -> list[FollowUp]:
    """Publish the results and open the follow-ups the rules require (seeds, 南川): the
    offices ranked within ``exposed_count`` get a rectification and a re-check; those within
    ``talk_count`` a talk with their head too. Returns the follow-ups created."""
    require_manager(actor)
    now = now or clock.now()
    with transaction.atomic():
        r = _locked(round)
        target = _transition(r, "publish")
        results = round_results(r)
        created: list[FollowUp] = []
        for row in results.top(r.exposed_count):
            kinds = [FollowUpKind.RECTIFICATION, FollowUpKind.RECHECK]
            if row.rank <= r.talk_count:
                kinds.insert(0, FollowUpKind.TALK)
            for kind in kinds:
                created.append(_new_follow_up(r, row.office, kind, actor, "", None, now))
        r.status, r.published_at, r.published_by = target, now, actor
        r.save(update_fields=["status", "published_at", "published_by"])
        record(
            action="ranking.round_published",
            actor=actor,
            obj=r,
            at=now,
            summary=f"{r.title} 公布评议结果",
            payload={
                "ballots": results.ballots,
                "ranking": [
                    {"rank": x.rank, "office": x.office.name, "score": x.score, "votes": x.votes}
                    for x in results.rows
                ],
                "follow_ups": len(created),
            },
        )
    _refresh(round, r)
    return created


def _refresh(target: EvaluationRound, source: EvaluationRound) -> None:
    for name in ("status", "opened_at", "closed_at", "published_at", "voter_count"):
        setattr(target, name, getattr(source, name))
    for name in ("opened_by_id", "closed_by_id", "published_by_id"):
        setattr(target, name, getattr(source, name))


# ---------------------------------------------------------------------------- votes


@dataclass(frozen=True)
class Choice:
    """One office named on a ballot: its categories (Category values) and the problem."""

    office_id: int
    categories: tuple[str, ...]
    problem: str = ""


def vote_cast(
    *,
    round: EvaluationRound,
    resident_id: str,
    choices: Sequence[Choice],
    now: datetime | None = None,
) -> None:
    """Count one anonymous ballot. Refuses a second vote of the same identity in the round
    (``Conflict`` ``already_voted``), bad input (``ValidationFailed``) and a round that is
    not open (``Conflict``); a refusal writes nothing."""
    now = now or clock.now()
    try:
        identity = normalize_identity(resident_id)
    except ValidationFailed as error:
        raise ValidationFailed(
            error.message, code=error.code, fields={"resident_id": [error.message]}
        ) from None
    with transaction.atomic():
        r = _locked(round)
        if r.status != RoundStatus.OPEN:
            raise Conflict("本轮评议未开放投票", code="round_not_open")
        entries = _validated_entries(r, choices)
        try:
            with transaction.atomic():
                VoterMarker.objects.create(round=r, digest=voter_digest(r.pk, identity))
        except IntegrityError:
            message = "您已参加过本轮评议，每人每轮只能评议一次"
            raise Conflict(
                message, code="already_voted", fields={"resident_id": [message]}
            ) from None
        ballot = Ballot.objects.create(round=r, cast_on=timezone.localtime(now).date())
        for e in entries:
            e.ballot = ballot
        BallotEntry.objects.bulk_create(entries)


def _validated_entries(r: EvaluationRound, choices: Sequence[Choice]) -> list[BallotEntry]:
    errors: dict[str, list[str]] = {}
    if not choices:
        errors["entries"] = ["请至少选择一个科室"]
    elif len(choices) > MAX_OFFICES_PER_BALLOT:
        errors["entries"] = [f"每张评议票最多评议{MAX_OFFICES_PER_BALLOT}个科室"]
    offices = set(RoundOffice.objects.filter(round=r).values_list("pk", flat=True))
    seen: set[int] = set()
    entries = []
    for i, c in enumerate(choices):
        if c.office_id not in offices:
            errors[f"entries.{i}.office"] = ["该科室不在本轮评议范围内"]
        elif c.office_id in seen:
            errors[f"entries.{i}.office"] = ["同一科室只能评议一次"]
        seen.add(c.office_id)
        categories = set(c.categories)
        if not categories:
            errors[f"entries.{i}.categories"] = ["请至少选择一种问题类型（冷、懒、推、乱、贪）"]
        elif not categories <= set(CATEGORY_FIELDS):
            errors[f"entries.{i}.categories"] = ["问题类型不在允许范围内"]
        problem = (c.problem or "").strip()
        if len(problem) > MAX_PROBLEM_LENGTH:
            errors[f"entries.{i}.problem"] = [f"具体问题不能超过{MAX_PROBLEM_LENGTH}个字"]
        flags = {name: name in categories for name in CATEGORY_FIELDS}
        entries.append(BallotEntry(office_id=c.office_id, problem=problem, **flags))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, code="ballot_invalid", fields=errors)
    return entries


# ---------------------------------------------------------------------------- follow-ups


def _due(now: datetime, kind: str) -> date:
    due = get_calendar().deadline_days(now, FOLLOW_UP_WORKDAYS[FollowUpKind(kind)]).due_date
    assert due is not None  # no suspensions: always a date
    return due


def _new_follow_up(
    r: EvaluationRound,
    office: RoundOffice,
    kind: str,
    actor: Any,
    description: str,
    due_on: date | None,
    now: datetime,
) -> FollowUp:
    f = FollowUp.objects.create(
        round=r,
        office=office,
        kind=kind,
        description=description,
        due_on=due_on or _due(now, kind),
        created_at=now,
        created_by=actor,
    )
    record(
        action="ranking.follow_up_created",
        actor=actor,
        obj=f,
        at=now,
        summary=f"{office.name} {f.get_kind_display()}，期限{f.due_on:%Y-%m-%d}",
        payload={"round": r.pk, "office": office.pk, "kind": kind, "due_on": str(f.due_on)},
    )
    return f


def follow_up_create(
    *,
    round: EvaluationRound,
    office: RoundOffice,
    kind: str,
    actor: Any,
    description: str = "",
    due_on: date | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """A follow-up for ``office`` of a closed or published round; the deadline defaults to
    FOLLOW_UP_WORKDAYS working days."""
    require_manager(actor)
    now = now or clock.now()
    if kind not in FollowUpKind.values:
        raise ValidationFailed(
            "跟踪类型不正确", code="follow_up_invalid", fields={"kind": ["跟踪类型不正确"]}
        )
    if office.round_id != round.pk:
        raise ValidationFailed(
            "该科室不在本轮评议范围内",
            code="follow_up_invalid",
            fields={"office": ["该科室不在本轮评议范围内"]},
        )
    if due_on is not None and due_on < timezone.localtime(now).date():
        raise ValidationFailed(
            "期限不能早于今天", code="follow_up_invalid", fields={"due_on": ["期限不能早于今天"]}
        )
    with transaction.atomic():
        r = _locked(round)
        if r.status not in (RoundStatus.CLOSED, RoundStatus.PUBLISHED):
            raise Conflict("评议结束后才能安排跟踪整改", code="round_not_closed")
        if FollowUp.objects.filter(round=r, office=office, kind=kind).exists():
            raise Conflict(
                f"{office.name}已有{FollowUpKind(kind).label}记录", code="follow_up_exists"
            )
        return _new_follow_up(r, office, kind, actor, description.strip(), due_on, now)


def follow_up_respond(
    *, follow_up: FollowUp, actor: Any, response: str, now: datetime | None = None
) -> None:
    """The office's department reports what it did (``ranking.respond`` for the
    department, or a manager)."""
    now = now or clock.now()
    if not (can_respond(actor, follow_up) or is_manager(actor)):
        raise PermissionDenied(
            "您没有反馈该跟踪整改的权限", fields={"capability": "ranking.respond"}
        )
    response = (response or "").strip()
    if not response:
        raise ValidationFailed(
            "请填写整改反馈", code="follow_up_invalid", fields={"response": ["请填写整改反馈"]}
        )
    with transaction.atomic():
        f = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if f.status == FollowUpStatus.CLOSED:
            raise Conflict("该跟踪整改已办结", code="follow_up_closed")
        f.status, f.response, f.responded_at, f.responded_by = (
            FollowUpStatus.RESPONDED,
            response[:2000],
            now,
            actor,
        )
        f.save(update_fields=["status", "response", "responded_at", "responded_by"])
        record(
            action="ranking.follow_up_responded",
            actor=actor,
            obj=f,
            at=now,
            summary=f"{follow_up.office.name} {f.get_kind_display()} 部门反馈",
        )
    follow_up.status, follow_up.response = f.status, f.response
    follow_up.responded_at, follow_up.responded_by_id = f.responded_at, f.responded_by_id


def follow_up_close(
    *, follow_up: FollowUp, actor: Any, result: str, now: datetime | None = None
) -> None:
    """The centre closes a follow-up with its result; a rectification needs the
    department's response first."""
    require_manager(actor)
    now = now or clock.now()
    result = (result or "").strip()
    if not result:
        raise ValidationFailed(
            "请填写办结情况", code="follow_up_invalid", fields={"result": ["请填写办结情况"]}
        )
    with transaction.atomic():
        f = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if f.status == FollowUpStatus.CLOSED:
            raise Conflict("该跟踪整改已办结", code="follow_up_closed")
        if f.kind == FollowUpKind.RECTIFICATION and f.status != FollowUpStatus.RESPONDED:
            raise Conflict("部门尚未反馈整改情况，不能办结", code="follow_up_not_responded")
        f.status, f.result, f.closed_at, f.closed_by = (
            FollowUpStatus.CLOSED,
            result[:2000],
            now,
            actor,
        )
        f.save(update_fields=["status", "result", "closed_at", "closed_by"])
        record(
            action="ranking.follow_up_closed",
            actor=actor,
            obj=f,
            at=now,
            summary=f"{follow_up.office.name} {f.get_kind_display()} 办结",
        )
    follow_up.status, follow_up.result = f.status, f.result
    follow_up.closed_at, follow_up.closed_by_id = f.closed_at, f.closed_by_id
