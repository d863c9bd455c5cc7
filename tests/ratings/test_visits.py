"""Window services (一次一评): who may rate a visit and when (``check_visit_ratable`` /
``rate_visit``), a bad rating's rectification exactly as for a case, the selectors of the
applicant's list and the clerk's rating device, and the API under /api/v1/visits with its
structured errors (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case, Visit
from onewindow.cases.services.submission import record_visit
from onewindow.common import clock
from onewindow.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.notify.models import Notification
from onewindow.org.models import Applicant, RoleAssignment, ServicePoint, User, Window
from onewindow.ratings import selectors
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.rules import due_after, rating_window_ends
from onewindow.ratings.services import rate_case, rate_visit
from onewindow.ratings.services.rating import check_visit_ratable
from onewindow.ratings.states import RectificationStatus
from tests.ratings.conftest import at, concluded_case

pytestmark = pytest.mark.django_db

SERVED = at(2026, 3, 2, 9)  # a Monday; the period ends on Monday 9 March


def served(
    people: dict[str, User],
    *,
    user: str = "zhangsan",
    clerk: str = "lisi",
    when: datetime | None = None,
    window: str | None = "22",
    case: Case | None = None,
    purpose: str = "咨询社保参保",
) -> Visit:
    """A window service of ``user``'s natural-person applicant recorded by ``clerk``."""
    point = ServicePoint.objects.get(code="SP-D01")
    return record_visit(
        actor=people[clerk],
        applicant=Applicant.objects.get(users=people[user], kind="natural"),
        service_point=point,
        window=Window.objects.get(service_point=point, number=window) if window else None,
        case=case,
        purpose=purpose,
        now=when or clock.now(),
    )


# ----------------------------------------------------------------------------- the service


def test_who_may_rate_a_visit_and_when(people: dict[str, Any]) -> None:
    visit = served(people, when=SERVED)
    same_day = at(2026, 3, 2, 11)
    # Online: the applicant's own account only; anyone else cannot tell it exists.
    for outsider in (people["qianqi"], people["lisi"], people["hanmei"], None):
        with pytest.raises(NotFound) as err:
            check_visit_ratable(actor=outsider, visit=visit, now=same_day)
        assert err.value.code == "visit_not_found"
    check_visit_ratable(actor=people["zhangsan"], visit=visit, now=same_day)
    # The device: the clerk who served, the same day; another clerk of the same service
    # point (周强 accepts there too) or another day is refused the same way.
    with pytest.raises(NotFound):
        check_visit_ratable(
            actor=people["zhouqiang"], visit=visit, channel="window_device", now=same_day
        )
    with pytest.raises(NotFound):
        check_visit_ratable(
            actor=people["lisi"], visit=visit, channel="window_device", now=at(2026, 3, 3, 9)
        )
    check_visit_ratable(actor=people["lisi"], visit=visit, channel="window_device", now=same_day)
    # Not a channel for window services (SMS links and kiosks rate cases).
    for channel in ("sms", "kiosk", "fax"):
        with pytest.raises(ValidationFailed) as verr:
            check_visit_ratable(
                actor=people["zhangsan"], visit=visit, channel=channel, now=same_day
            )
        assert (verr.value.code, list(verr.value.fields)) == ("invalid_channel", ["channel"])
    # Before it happened, after the period (5 working days).
    with pytest.raises(Conflict) as cerr:
        check_visit_ratable(actor=people["zhangsan"], visit=visit, now=SERVED - timedelta(hours=1))
    assert cerr.value.code == "visit_in_future"
    assert rating_window_ends(SERVED).date().isoformat() == "2026-03-09"
    with pytest.raises(Conflict) as cerr:
        rate_visit(actor=people["zhangsan"], visit=visit, level=5, now=at(2026, 3, 10, 0, 1))
    assert cerr.value.code == "rating_period_over"
    assert "评价期已过" in cerr.value.message
    assert not Rating.objects.filter(visit=visit).exists()
    rating = rate_visit(actor=people["zhangsan"], visit=visit, level=5, now=at(2026, 3, 9, 23))
    assert (rating.subject, rating.channel, rating.mode) == ("visit", "online", "offline")


def test_the_device_needs_a_window_role_still_held(people: dict[str, Any]) -> None:
    visit = served(people, when=SERVED)
    RoleAssignment.objects.filter(user=people["lisi"]).delete()  # moved off the window
    with pytest.raises(PermissionDenied):
        rate_visit(actor=people["lisi"], visit=visit, level=5, channel="window_device", now=SERVED)
    assert not Rating.objects.filter(visit=visit).exists()


def test_levels_dimensions_and_reason_as_for_cases(people: dict[str, Any]) -> None:
    visit = served(people, when=SERVED)
    zs = people["zhangsan"]
    for bad in (0, 6, "五", "", None, True):
        with pytest.raises(ValidationFailed) as err:
            rate_visit(actor=zs, visit=visit, level=bad, now=SERVED)
        assert (err.value.code, list(err.value.fields)) == ("invalid_level", ["level"])
    with pytest.raises(ValidationFailed) as err:  # efficiency is an online (一事一评) dimension
        rate_visit(
            actor=zs, visit=visit, level=4, dimensions={"efficiency": 4, "attitude": 9}, now=SERVED
        )
    assert set(err.value.fields) == {"dimensions.efficiency", "dimensions.attitude"}
    with pytest.raises(ValidationFailed) as err:
        rate_visit(actor=zs, visit=visit, level=1, comment="  ", now=SERVED)
    assert err.value.code == "bad_rating_needs_reason"
    assert not Rating.objects.filter(visit=visit).exists()
    rating = rate_visit(
        actor=zs,
        visit=visit,
        level=4,
        dimensions={"attitude": "5", "service_level": 3, "service_efficiency": ""},
        now=SERVED,
    )
    assert rating.dimensions == {"overall": 4, "service_level": 3, "attitude": 5}
    with pytest.raises(Conflict) as cerr:  # once, whoever rates (the device as well)
        rate_visit(
            actor=people["lisi"],
            visit=visit,
            level=2,
            comment="x",
            channel="window_device",
            now=SERVED,
        )
    assert cerr.value.code == "already_rated"


def test_a_bad_rating_of_a_window_service_opens_a_rectification_as_for_a_case(
    people: dict[str, Any],
) -> None:
    # A visit concerning a case of 区卫生健康委 (the window filing of a case records one).
    case = concluded_case(people, when=at(2026, 4, 1, 10))
    visit = served(people, when=at(2026, 4, 3, 15), case=case, window=None, purpose="窗口申请")
    on_device = rate_visit(
        actor=people["lisi"],
        visit=visit,
        level=2,
        dimensions={"attitude": 1},
        comment="窗口工作人员态度生硬",
        channel="window_device",
        now=at(2026, 4, 3, 16),
    )
    rect = Rectification.objects.get(rating=on_device)
    assert (rect.status, rect.department) == (RectificationStatus.OPEN, case.department)
    # Rated Friday 3 April 2026, before 清明: due at the end of Monday 27 April, as a case.
    assert rect.due_at == due_after(at(2026, 4, 3, 16), 15)
    assert rect.due_at.date().isoformat() == "2026-04-27"
    assert (on_device.staff, on_device.rated_by, on_device.window) == (
        people["lisi"],
        people["lisi"],
        None,
    )
    assert AuditEvent.objects.filter(action="rating.given", object_id=str(on_device.pk)).exists()
    assert AuditEvent.objects.filter(action="rectification.opened", object_id=str(rect.pk)).exists()
    assert Notification.objects.filter(
        template="ratings.rectification_opened", recipient=people["hanmei"]
    ).exists()
    # The department's handlers see it; another department's do not; same as a case's.
    assert rect in selectors.rectifications_for(people["hanmei"])
    assert rect not in selectors.rectifications_for(people["sunli"])
    case_rect = Rectification.objects.get(
        rating=rate_case(
            actor=people["zhangsan"], case=case, level=1, comment="慢", now=at(2026, 4, 3, 16)
        )
    )
    assert (case_rect.department, case_rect.due_at, case_rect.status) == (
        rect.department,
        rect.due_at,
        rect.status,
    )


# ----------------------------------------------------------------------------- selectors


def test_my_visits_are_those_of_the_period_with_their_ratings(people: dict[str, Any]) -> None:
    now = clock.now()
    fresh = served(people, when=now - timedelta(minutes=5), purpose="咨询一")
    rated = served(people, when=now - timedelta(minutes=4), purpose="咨询二")
    old = served(people, when=now - timedelta(days=30), purpose="咨询三")
    others = served(people, user="qianqi", when=now - timedelta(minutes=3), purpose="咨询四")
    rate_visit(actor=people["zhangsan"], visit=rated, level=4, now=now)
    mine = list(selectors.my_visits(people["zhangsan"], now=now))
    assert fresh in mine
    assert rated in mine
    assert old not in mine
    assert others not in mine
    assert mine.index(rated) < mine.index(fresh)  # newest first
    rows = {r.visit.pk: r for r in (selectors.visit_row(v, now) for v in mine)}
    assert (rows[fresh.pk].may_rate, rows[fresh.pk].rating) == (True, None)
    assert (rows[rated.pk].may_rate, rows[rated.pk].rating.level) == (False, 4)  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        selectors.my_visit(people["zhangsan"], others.pk)
    assert selectors.my_visit(people["zhangsan"], old.pk) == old  # the service says: over


def test_the_device_lists_what_the_clerk_served_today(people: dict[str, Any]) -> None:
    now = clock.now()
    today = served(people, when=now - timedelta(minutes=1), purpose="今天")
    yesterday = served(people, when=now - timedelta(days=1), purpose="昨天")
    by_other = served(people, clerk="zhouqiang", window="24", when=now, purpose="周强")
    listed = list(selectors.visits_served_today(people["lisi"], now=now))
    assert today in listed
    assert yesterday not in listed
    assert by_other not in listed
    theirs = list(selectors.visits_served_today(people["zhouqiang"], now=now))
    assert by_other in theirs
    assert today not in theirs
    assert list(selectors.visits_served_today(None, now=now)) == []


# ----------------------------------------------------------------------------- the API

BASE = "/api/v1/visits"


def api(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def post(client: Client, pk: int, body: dict[str, Any]) -> Any:
    return client.post(
        f"{BASE}/{pk}/rating", data=json.dumps(body), content_type="application/json"
    )


def test_api_list_paginated_with_rating_status(people: dict[str, Any]) -> None:
    now = clock.now()
    visits = [
        served(people, when=now - timedelta(minutes=10 - i), purpose=f"咨询{i}") for i in range(3)
    ]
    case = concluded_case(people, when=now - timedelta(hours=1))
    with_case = served(people, when=now, case=case, window=None, purpose="窗口申请")
    rate_visit(actor=people["zhangsan"], visit=visits[0], level=3, now=now)
    zs = api(people["zhangsan"])
    body = zs.get(BASE + "/").json()
    ids = [v["id"] for v in body["items"]]
    assert body["count"] == len(selectors.my_visits(people["zhangsan"], now=clock.now()))
    assert (body["limit"], body["offset"]) == (20, 0)
    assert ids[0] == with_case.pk  # newest first
    first = body["items"][0]
    assert first["cases"] == [{"number": case.number, "name": case.item_version.name}]
    assert (first["window"], first["clerk"], first["may_rate"], first["rating"]) == (
        None,
        "李四",
        True,
        None,
    )
    rated = next(v for v in body["items"] if v["id"] == visits[0].pk)
    assert (rated["may_rate"], rated["rating"]["level"], rated["rating"]["visit"]) == (
        False,
        3,
        visits[0].pk,
    )
    assert "社保" in rated["window"]
    page = zs.get(BASE + "/?limit=2&offset=1").json()
    assert [v["id"] for v in page["items"]] == ids[1:3]
    assert zs.get(BASE + "/?limit=0").status_code == 422
    assert api(None).get(BASE + "/").status_code == 401
    # 钱七 sees none of 张三's.
    theirs = {v["id"] for v in api(people["qianqi"]).get(BASE + "/").json()["items"]}
    assert not theirs & set(ids)


def test_api_rating_and_its_structured_errors(people: dict[str, Any]) -> None:
    visit = served(people)
    zs = api(people["zhangsan"])
    for level in (0, 6, "abc"):
        r = post(zs, visit.pk, {"level": level})
        assert (r.status_code, r.json()["code"]) == (422, "invalid_level")
        assert "level" in r.json()["fields"]
    r = post(zs, visit.pk, {"level": 4, "dimensions": {"usability": 5}})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_dimensions")
    assert "dimensions.usability" in r.json()["fields"]
    r = post(zs, visit.pk, {"level": 2})
    assert (r.status_code, r.json()["code"]) == (422, "bad_rating_needs_reason")
    assert "comment" in r.json()["fields"]
    r = post(zs, visit.pk, {"level": 5, "channel": "sms"})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_channel")
    for outsider, pk in ((people["qianqi"], visit.pk), (people["zhangsan"], 999_999_999)):
        r = post(api(outsider), pk, {"level": 5})
        assert (r.status_code, r.json()["code"]) == (404, "visit_not_found")
    assert post(api(None), visit.pk, {"level": 5}).status_code == 401
    assert not Rating.objects.filter(visit=visit).exists()
    r = post(zs, visit.pk, {"level": 5, "dimensions": {"attitude": 5}, "comment": "很耐心"})
    assert r.status_code == 201
    body = r.json()
    assert (body["subject"], body["visit"], body["channel"], body["mode"]) == (
        "visit",
        visit.pk,
        "online",
        "offline",
    )
    assert body["dimensions"] == {"overall": 5, "attitude": 5}
    r = post(zs, visit.pk, {"level": 1, "comment": "再评"})
    assert r.status_code == 409
    assert r.json() == {
        "code": "already_rated",
        "message": "您已评价过，每次服务只能评价一次",
        "fields": {},
    }


def test_api_device_rating_and_the_period(people: dict[str, Any]) -> None:
    now = clock.now()
    visit = served(people, when=now - timedelta(minutes=2))
    device = {"level": 2, "comment": "等候太久", "channel": "window_device"}
    for other in (people["zhouqiang"], people["zhangsan"]):  # another clerk; the applicant
        r = post(api(other), visit.pk, device)
        assert (r.status_code, r.json()["code"]) == (404, "visit_not_found")
    listed = api(people["lisi"]).get(BASE + "/served-today").json()
    assert visit.pk in [v["id"] for v in listed]
    theirs = api(people["zhouqiang"]).get(BASE + "/served-today").json()
    assert visit.pk not in [v["id"] for v in theirs]
    r = post(api(people["lisi"]), visit.pk, device)
    assert r.status_code == 201
    assert (r.json()["channel"], r.json()["rectification"]) == (
        "window_device",
        Rectification.objects.get(rating__visit=visit).pk,
    )
    r = post(api(people["zhangsan"]), visit.pk, {"level": 5})  # the applicant later: once
    assert (r.status_code, r.json()["code"]) == (409, "already_rated")
    old = served(people, when=now - timedelta(days=30), purpose="上个月")
    r = post(api(people["zhangsan"]), old.pk, {"level": 5})
    assert (r.status_code, r.json()["code"]) == (409, "rating_period_over")
    r = post(api(people["lisi"]), old.pk, device)  # the device: that day only
    assert (r.status_code, r.json()["code"]) == (404, "visit_not_found")


def test_visit_endpoints_are_in_openapi() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "get" in paths["/api/v1/visits/"]
    assert "get" in paths["/api/v1/visits/served-today"]
    rating = paths["/api/v1/visits/{pk}/rating"]["post"]
    assert {"201", "404", "409", "422"} <= set(rating["responses"])
    body = rating["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "channel" in schema["components"]["schemas"][body]["properties"]
