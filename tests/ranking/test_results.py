"""Ranking arithmetic: score = category marks, ties broken by votes, shared ranks."""

from __future__ import annotations

from onewindow.ranking import services as svc
from onewindow.ranking.selectors import round_results
from tests.ranking.conftest import NOW, office, voter


def _vote(r, n, *entries):
    svc.vote_cast(
        round=r,
        resident_id=voter(n),
        choices=[svc.Choice(office_id=o.pk, categories=c, problem=p) for o, c, p in entries],
        now=NOW,
    )


def test_known_ballots_give_known_ranks(people, open_round):
    r = open_round
    reg = office(r, "SCJG", "登记注册科")
    food = office(r, "SCJG", "食品经营许可科")
    health = office(r, "WSJK")
    tax = office(r, "SW", "办税服务厅")
    # health: 3 ballots, marks 2+1+1 = 4; reg: 2 ballots, 2+2 = 4; food: 4 ballots, 1 each = 4
    # tax: nothing.
    _vote(r, 1, (health, ("cold", "shirk"), "推来推去"), (food, ("lazy",), ""))
    _vote(r, 2, (health, ("lazy",), ""), (reg, ("cold", "greedy"), "吃拿卡要"))
    _vote(r, 3, (health, ("arbitrary",), "要求额外材料"), (food, ("lazy",), ""))
    _vote(r, 4, (reg, ("shirk", "arbitrary"), ""), (food, ("lazy",), ""))
    _vote(r, 5, (food, ("cold",), ""))
    res = round_results(r, with_problems=True)
    table = [(x.rank, x.office.pk, x.score, x.votes) for x in res.rows]
    # equal score 4: food (4 votes) before health (3) before reg (2); tax last with 0
    assert table == [
        (1, food.pk, 4, 4),
        (2, health.pk, 4, 3),
        (3, reg.pk, 4, 2),
        (4, tax.pk, 0, 0),
    ]
    assert res.ballots == 5
    by_office = {x.office.pk: x for x in res.rows}
    assert by_office[health.pk].counts == {
        "cold": 1,
        "lazy": 1,
        "shirk": 1,
        "arbitrary": 1,
        "greedy": 0,
    }
    assert by_office[reg.pk].counts["greedy"] == 1
    assert by_office[food.pk].share == 0.8
    assert by_office[health.pk].problems == ["推来推去", "要求额外材料"]
    assert [x.office.pk for x in res.top(2)] == [food.pk, health.pk]


def test_ties_share_a_rank_and_top_includes_ties(open_round):
    r = open_round
    reg, food, health = (
        office(r, "SCJG", "登记注册科"),
        office(r, "SCJG", "食品经营许可科"),
        office(r, "WSJK"),
    )
    _vote(r, 1, (reg, ("cold",), ""), (food, ("cold",), ""))
    _vote(r, 2, (health, ("cold", "lazy", "shirk"), ""))
    res = round_results(r)
    ranks = {x.office.pk: x.rank for x in res.rows}
    assert ranks[health.pk] == 1
    assert ranks[reg.pk] == ranks[food.pk] == 2
    assert {x.office.pk for x in res.top(2)} == {health.pk, reg.pk, food.pk}
    # offices without a mark are never in the top, whatever their rank
    assert all(x.score > 0 for x in res.top(10))


def test_an_empty_round_ranks_every_office_equal(open_round):
    res = round_results(open_round)
    assert res.ballots == 0
    assert {x.rank for x in res.rows} == {1}
    assert res.top(10) == []
