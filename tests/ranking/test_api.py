"""The ranking API end to end: a manager creates and opens a round, the public votes without
logging in (a duplicate gets 409 with a Chinese message), the round is closed and published,
the results are public."""

from __future__ import annotations

from django.test import Client

from tests.ranking.conftest import voter


def test_round_through_the_api(people, departments):
    wumin = Client()
    wumin.force_login(people["wumin"])
    created = wumin.post(
        "/api/v1/ranking/manage/rounds",
        {
            "title": "2026年11月群众评议",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            "offices": [
                {"department": departments["market"].pk, "section": "登记注册科"},
                {"department": departments["health"].pk},
            ],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert wumin.post(f"/api/v1/ranking/manage/rounds/{rid}/open").json()["status"] == "open"

    public = Client()
    detail = public.get(f"/api/v1/ranking/rounds/{rid}").json()
    assert [c["label"] for c in detail["categories"]] == ["冷", "懒", "推", "乱", "贪"]
    reg, health = (o["id"] for o in detail["offices"])
    body = {
        "resident_id": voter(1),
        "entries": [
            {"office": reg, "categories": ["cold", "shirk"], "problem": "多次往返"},
            {"office": health, "categories": ["lazy"]},
        ],
    }
    first = public.post(
        f"/api/v1/ranking/rounds/{rid}/votes", body, content_type="application/json"
    )
    assert first.status_code == 201
    again = public.post(
        f"/api/v1/ranking/rounds/{rid}/votes", body, content_type="application/json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_voted"
    assert again.json()["message"] == "您已参加过本轮评议，每人每轮只能评议一次"
    bad = public.post(
        f"/api/v1/ranking/rounds/{rid}/votes",
        {"resident_id": "110105194912310021", "entries": body["entries"]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["fields"] == {"resident_id": ["居民身份证号码校验码错误"]}
    empty = public.post(
        f"/api/v1/ranking/rounds/{rid}/votes",
        {"resident_id": voter(2), "entries": []},
        content_type="application/json",
    )
    assert empty.status_code == 422
    public.post(
        f"/api/v1/ranking/rounds/{rid}/votes",
        {"resident_id": voter(3), "entries": [{"office": reg, "categories": ["greedy"]}]},
        content_type="application/json",
    )
    assert public.get(f"/api/v1/ranking/rounds/{rid}/results").status_code == 404

    assert wumin.post(f"/api/v1/ranking/manage/rounds/{rid}/close").json()["voter_count"] == 2
    preview = wumin.get(f"/api/v1/ranking/manage/rounds/{rid}/results").json()
    assert [(r["rank"], r["office"]["section"], r["score"]) for r in preview["rows"]] == [
        (1, "登记注册科", 3),
        (2, "", 1),
    ]
    assert wumin.post(f"/api/v1/ranking/manage/rounds/{rid}/publish").json()["status"] == (
        "published"
    )
    results = public.get(f"/api/v1/ranking/rounds/{rid}/results").json()
    assert results["ballots"] == 2
    assert results["rows"][0]["counts"] == {
        "cold": 1,
        "lazy": 0,
        "shirk": 1,
        "arbitrary": 0,
        "greedy": 1,
    }
    follow = wumin.get(f"/api/v1/ranking/follow-ups?round={rid}").json()
    assert sorted((f["office"]["section"], f["kind"]) for f in follow) == [
        ("", "recheck"),
        ("", "rectification"),
        ("", "talk"),  # talk_count defaults to 3: both offices are within it
        ("登记注册科", "recheck"),
        ("登记注册科", "rectification"),
        ("登记注册科", "talk"),
    ]
