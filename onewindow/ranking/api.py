"""The ranking API under /api/v1/ranking (docs/ranking.md).

Public (no login): the rounds open or published, a round's offices and categories, casting
a vote, a published round's results. Managers (``ranking.manage``, centre-wide, session
authentication): create, open, close, publish, results before publication, follow-ups.
Departments (``ranking.respond``): their follow-ups and responses."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from onewindow.common.errors import NotFound, ValidationFailed
from onewindow.org.models import Department
from onewindow.ranking import selectors as sel
from onewindow.ranking import services as svc
from onewindow.ranking.models import (
    CATEGORY_DESCRIPTIONS,
    Category,
    EvaluationRound,
    FollowUp,
    RoundStatus,
)

router = Router(tags=["最难办事科室群众评"])


class CategoryOut(Schema):
    code: str
    label: str
    description: str


class OfficeOut(Schema):
    id: int
    department: str
    section: str
    name: str


class RoundOut(Schema):
    id: int
    title: str
    description: str
    period_start: date
    period_end: date
    status: str
    status_label: str
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    voter_count: int


class RoundDetailOut(RoundOut):
    offices: list[OfficeOut]
    categories: list[CategoryOut]


class ResultRowOut(Schema):
    rank: int
    office: OfficeOut
    votes: int
    score: int
    share: float
    counts: dict[str, int]


class ResultsOut(Schema):
    round: RoundOut
    ballots: int
    rows: list[ResultRowOut]


class ChoiceIn(Schema):
    office: int
    categories: list[str] = Field(..., min_length=1, max_length=5)
    problem: str = Field("", max_length=svc.MAX_PROBLEM_LENGTH)


class VoteIn(Schema):
    resident_id: str = Field(..., max_length=32)
    entries: list[ChoiceIn] = Field(..., min_length=1, max_length=svc.MAX_OFFICES_PER_BALLOT)


class VoteOut(Schema):
    counted: bool
    message: str


class OfficeIn(Schema):
    department: int
    section: str = Field("", max_length=64)


class RoundIn(Schema):
    title: str = Field(..., max_length=128)
    description: str = Field("", max_length=2000)
    period_start: date
    period_end: date
    offices: list[OfficeIn] = Field(..., min_length=1, max_length=500)
    exposed_count: int = 10
    talk_count: int = 3


class FollowUpOut(Schema):
    id: int
    round: int
    office: OfficeOut
    kind: str
    kind_label: str
    description: str
    due_on: date
    status: str
    status_label: str
    is_overdue: bool
    response: str
    responded_at: datetime | None
    result: str
    closed_at: datetime | None


class FollowUpIn(Schema):
    office: int
    kind: str
    description: str = Field("", max_length=2000)
    due_on: date | None = None


class TextIn(Schema):
    text: str = Field(..., max_length=2000)


def _round(r: EvaluationRound) -> RoundOut:
    return RoundOut(
        id=r.pk,
        title=r.title,
        description=r.description,
        period_start=r.period_start,
        period_end=r.period_end,
        status=r.status,
        status_label=str(RoundStatus(r.status).label),
        opened_at=r.opened_at,
        closed_at=r.closed_at,
        published_at=r.published_at,
        voter_count=r.voter_count,
    )


def _office(o: object) -> OfficeOut:
    return OfficeOut(
        id=o.pk,  # type: ignore[attr-defined]
        department=o.department.name,  # type: ignore[attr-defined]
        section=o.section,  # type: ignore[attr-defined]
        name=o.name,  # type: ignore[attr-defined]
    )


def _follow_up(f: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=f.pk,
        round=f.round_id,
        office=_office(f.office),
        kind=f.kind,
        kind_label=f.get_kind_display(),
        description=f.description,
        due_on=f.due_on,
        status=f.status,
        status_label=f.get_status_display(),
        is_overdue=bool(getattr(f, "is_overdue", False)),
        response=f.response,
        responded_at=f.responded_at,
        result=f.result,
        closed_at=f.closed_at,
    )


def categories() -> list[CategoryOut]:
    return [
        CategoryOut(code=c.value, label=str(c.label), description=str(CATEGORY_DESCRIPTIONS[c]))
        for c in Category
    ]


def _results(r: EvaluationRound) -> ResultsOut:
    res = sel.round_results(r)
    return ResultsOut(
        round=_round(r),
        ballots=res.ballots,
        rows=[
            ResultRowOut(
                rank=x.rank,
                office=_office(x.office),
                votes=x.votes,
                score=x.score,
                share=round(x.share, 4),
                counts=x.counts,
            )
            for x in res.rows
        ],
    )


# ---------------------------------------------------------------------------- public


@router.get("/rounds", response=list[RoundOut], summary="正在评议和已公布的评议")
def rounds(request: HttpRequest) -> list[RoundOut]:
    return [_round(r) for r in sel.public_rounds()]


@router.get(
    "/rounds/{round_id}", response=RoundDetailOut, summary="评议详情（被评议科室、问题类型）"
)
def round_detail(request: HttpRequest, round_id: int) -> RoundDetailOut:
    r = sel.public_round(round_id)
    return RoundDetailOut(
        **_round(r).model_dump(),
        offices=[_office(o) for o in sel.round_offices(r)],
        categories=categories(),
    )


@router.post(
    "/rounds/{round_id}/votes",
    response={201: VoteOut},
    summary="匿名评议（无需登录；每人每轮一票，凭居民身份证号码去重，不保存谁投了什么）",
)
def vote(request: HttpRequest, round_id: int, payload: VoteIn) -> Status[VoteOut]:
    r = sel.public_round(round_id, statuses=(RoundStatus.OPEN,))
    svc.vote_cast(
        round=r,
        resident_id=payload.resident_id,
        choices=[
            svc.Choice(office_id=e.office, categories=tuple(e.categories), problem=e.problem)
            for e in payload.entries
        ],
    )
    return Status(201, VoteOut(counted=True, message="评议已提交，感谢您的参与"))


@router.get("/rounds/{round_id}/results", response=ResultsOut, summary="已公布的评议结果")
def results(request: HttpRequest, round_id: int) -> ResultsOut:
    return _results(sel.public_round(round_id, statuses=(RoundStatus.PUBLISHED,)))


# ---------------------------------------------------------------------------- managers


@router.get("/manage/rounds", auth=django_auth, response=list[RoundOut], summary="全部评议（管理）")
def manage_rounds(request: HttpRequest) -> list[RoundOut]:
    svc.require_manager(request.user)
    return [_round(r) for r in sel.managed_rounds(request.user)]


@router.post("/manage/rounds", auth=django_auth, response={201: RoundOut}, summary="创建评议")
def create_round(request: HttpRequest, payload: RoundIn) -> Status[RoundOut]:
    svc.require_manager(request.user)
    ids = {o.department for o in payload.offices}
    departments = Department.objects.in_bulk(ids)
    missing = sorted(ids - set(departments))
    if missing:
        msg = f"部门不存在：{', '.join(map(str, missing))}"
        raise ValidationFailed(msg, code="round_invalid", fields={"offices": [msg]})
    r = svc.round_create(
        actor=request.user,
        title=payload.title,
        description=payload.description,
        period_start=payload.period_start,
        period_end=payload.period_end,
        offices=[(departments[o.department], o.section) for o in payload.offices],
        exposed_count=payload.exposed_count,
        talk_count=payload.talk_count,
    )
    return Status(201, _round(r))


@router.get(
    "/manage/rounds/{round_id}/results",
    auth=django_auth,
    response=ResultsOut,
    summary="评议结果（结束后、公布前可预览）",
)
def manage_results(request: HttpRequest, round_id: int) -> ResultsOut:
    r = sel.managed_round(request.user, round_id)
    if r.status not in (RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        raise NotFound("评议结束后才能查看结果", code="results_not_ready")
    return _results(r)


@router.post(
    "/manage/rounds/{round_id}/{action}",
    auth=django_auth,
    response=RoundOut,
    summary="开始评议（open）、结束评议（close）、公布结果（publish）",
)
def round_action(request: HttpRequest, round_id: int, action: str) -> RoundOut:
    r = sel.managed_round(request.user, round_id)
    if action == "open":
        svc.round_open(round=r, actor=request.user)
    elif action == "close":
        svc.round_close(round=r, actor=request.user)
    elif action == "publish":
        svc.round_publish(round=r, actor=request.user)
    else:
        raise NotFound("不支持的操作", code="unknown_action")
    return _round(r)


@router.get(
    "/follow-ups", auth=django_auth, response=list[FollowUpOut], summary="跟踪整改（本部门或全部）"
)
def follow_ups(request: HttpRequest, round: int | None = None) -> list[FollowUpOut]:
    return [_follow_up(f) for f in sel.follow_ups_for(request.user, round_id=round)[:500]]


@router.post(
    "/manage/rounds/{round_id}/follow-ups",
    auth=django_auth,
    response={201: FollowUpOut},
    summary="安排跟踪整改（约谈、整改、复查）",
)
def create_follow_up(
    request: HttpRequest, round_id: int, payload: FollowUpIn
) -> Status[FollowUpOut]:
    r = sel.managed_round(request.user, round_id)
    office = r.offices.select_related("department").filter(pk=payload.office).first()
    if office is None:
        msg = "该科室不在本轮评议范围内"
        raise ValidationFailed(msg, code="follow_up_invalid", fields={"office": [msg]})
    f = svc.follow_up_create(
        round=r,
        office=office,
        kind=payload.kind,
        actor=request.user,
        description=payload.description,
        due_on=payload.due_on,
    )
    return Status(201, _follow_up(sel.follow_up_for(request.user, f.pk)))


@router.post(
    "/follow-ups/{follow_up_id}/respond",
    auth=django_auth,
    response=FollowUpOut,
    summary="部门反馈整改情况",
)
def respond(request: HttpRequest, follow_up_id: int, payload: TextIn) -> FollowUpOut:
    f = sel.follow_up_for(request.user, follow_up_id)
    svc.follow_up_respond(follow_up=f, actor=request.user, response=payload.text)
    return _follow_up(sel.follow_up_for(request.user, follow_up_id))


@router.post(
    "/follow-ups/{follow_up_id}/close",
    auth=django_auth,
    response=FollowUpOut,
    summary="办结跟踪整改（中心）",
)
def close(request: HttpRequest, follow_up_id: int, payload: TextIn) -> FollowUpOut:
    f = sel.follow_up_for(request.user, follow_up_id)
    svc.follow_up_close(follow_up=f, actor=request.user, result=payload.text)
    return _follow_up(sel.follow_up_for(request.user, follow_up_id))
