"""Anonymous votes: one per person per round, bad input refused clearly, nothing half-written."""

from __future__ import annotations

import pytest

from onewindow.common.errors import Conflict, ValidationFailed
from onewindow.ranking import services as svc
from onewindow.ranking.models import Ballot, BallotEntry, VoterMarker
from tests.ranking.conftest import NOW, make_round, office, voter


def _choice(r, code="SCJG", section="登记注册科", cats=("cold",), problem=""):
    return svc.Choice(office_id=office(r, code, section).pk, categories=cats, problem=problem)


def _counts():
    return (Ballot.objects.count(), BallotEntry.objects.count(), VoterMarker.objects.count())


def test_a_vote_is_counted(open_round):
    svc.vote_cast(
        round=open_round,
        resident_id=voter(1),
        choices=[
            _choice(open_round, cats=("cold", "shirk"), problem="窗口人员态度生硬，让我跑了三次"),
            _choice(open_round, "WSJK", "", ("lazy",)),
        ],
        now=NOW,
    )
    assert _counts() == (1, 2, 1)
    ballot = Ballot.objects.get()
    assert ballot.cast_on.isoformat() == "2026-11-02"
    entry = BallotEntry.objects.get(office__section="登记注册科")
    assert (entry.cold, entry.shirk, entry.lazy, entry.problem) == (
        True,
        True,
        False,
        "窗口人员态度生硬，让我跑了三次",
    )


def test_the_same_person_cannot_vote_twice_in_a_round(open_round):
    svc.vote_cast(round=open_round, resident_id=voter(1), choices=[_choice(open_round)], now=NOW)
    with pytest.raises(Conflict) as caught:
        svc.vote_cast(
            round=open_round,
            resident_id=voter(1),
            choices=[_choice(open_round, "WSJK", "", ("greedy",))],
            now=NOW,
        )
    assert caught.value.code == "already_voted"
    assert caught.value.status == 409
    assert "每人每轮只能评议一次" in caught.value.message
    assert _counts() == (1, 1, 1)  # the refused ballot left nothing


def test_lower_case_x_is_the_same_identity(open_round):
    svc.vote_cast(round=open_round, resident_id="11010519491231002X", choices=[_choice(open_round)])
    with pytest.raises(Conflict):
        svc.vote_cast(
            round=open_round, resident_id=" 11010519491231002x ", choices=[_choice(open_round)]
        )


def test_the_same_person_may_vote_in_another_round(people, departments, open_round):
    other = make_round(people, departments, status="open")
    svc.vote_cast(round=open_round, resident_id=voter(1), choices=[_choice(open_round)])
    svc.vote_cast(round=other, resident_id=voter(1), choices=[_choice(other)])
    assert _counts() == (2, 2, 2)


@pytest.mark.parametrize(
    ("resident_id", "message"),
    [
        ("110105194912310021", "居民身份证号码校验码错误"),
        ("1101051949", "居民身份证号码应为18位"),
        ("", "居民身份证号码应为18位"),
    ],
)
def test_an_invalid_resident_id_is_refused(open_round, resident_id, message):
    with pytest.raises(ValidationFailed) as caught:
        svc.vote_cast(round=open_round, resident_id=resident_id, choices=[_choice(open_round)])
    assert caught.value.message == message
    assert caught.value.fields == {"resident_id": [message]}
    assert _counts() == (0, 0, 0)


def test_bad_ballots_are_refused_with_field_messages(people, departments, open_round):
    other = make_round(people, departments, status="open")
    foreign = office(other, "SCJG", "登记注册科")
    cases = [
        ([], "entries", "请至少选择一个科室"),
        ([_choice(open_round, cats=())], "entries.0.categories", "请至少选择一种问题类型"),
        ([_choice(open_round, cats=("rude",))], "entries.0.categories", "问题类型不在允许范围内"),
        ([_choice(open_round, problem="难" * 301)], "entries.0.problem", "不能超过300个字"),
        (
            [svc.Choice(office_id=foreign.pk, categories=("cold",))],
            "entries.0.office",
            "不在本轮评议范围内",
        ),
        (
            [_choice(open_round), _choice(open_round, cats=("lazy",))],
            "entries.1.office",
            "同一科室只能评议一次",
        ),
    ]
    for choices, field, message in cases:
        with pytest.raises(ValidationFailed) as caught:
            svc.vote_cast(round=open_round, resident_id=voter(2), choices=choices)
        assert message in caught.value.fields[field][0], field
    assert _counts() == (0, 0, 0)
    # the refusals did not use up the voter's vote
    svc.vote_cast(round=open_round, resident_id=voter(2), choices=[_choice(open_round)])
    assert _counts() == (1, 1, 1)


@pytest.mark.parametrize("status", ["draft", "closed", "published"])
def test_votes_only_while_the_round_is_open(people, departments, status):
    r = make_round(people, departments, status=status)
    with pytest.raises(Conflict) as caught:
        svc.vote_cast(round=r, resident_id=voter(3), choices=[_choice(r)])
    assert caught.value.code == "round_not_open"
    assert Ballot.objects.filter(round=r).count() == 0
