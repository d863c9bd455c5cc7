"""The applicant's header on every page: 我的办件 … 消息 with the unread count, for accounts
linked to an applicant, read in one query per request (it used to take two: one for the
applicant link, one for the count)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.notify.models import Notification
from onewindow.notify.services import mark_read
from onewindow.org.models import User
from onewindow.portal.selectors import NOBODY, applicant_header, header_for
from tests.cases import conftest as cases_fixtures
from tests.portal.applicant_support import (
    a_submitted,
    client_for,
    media,  # noqa: F401  (autouse: files under a temporary MEDIA_ROOT)
)

pytestmark = pytest.mark.django_db

demo = cases_fixtures.demo
hygiene_licence = cases_fixtures.hygiene_licence
people = cases_fixtures.people


def header_queries(queries: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The queries that read what the header shows: those counting unread messages, and
    those asking for the account's applicant link (not a list of cases joining it)."""
    sql = [q["sql"] for q in queries]
    unread = [q for q in sql if "notify_notification" in q and "IS NULL" in q]
    link = [q for q in sql if "org_applicant_users" in q and "cases_case" not in q]
    return unread, link


def unread_of(user: User) -> int:
    return Notification.objects.filter(recipient=user, channel="in_app", read_at=None).count()


def test_one_query_answers_both_and_a_request_asks_once(
    people: dict[str, User], hygiene_licence: Any, django_assert_num_queries: Any
) -> None:
    a_submitted(people, hygiene_licence)  # 张三 gets messages
    zhangsan = people["zhangsan"]
    expected = unread_of(zhangsan)
    assert expected > 0
    with django_assert_num_queries(1):
        header = applicant_header(zhangsan)
    assert (header.is_applicant, header.unread) == (True, expected)
    request = RequestFactory().get("/")
    request.user = zhangsan
    with django_assert_num_queries(1):
        assert header_for(request) == header
        assert header_for(request) == header  # kept on the request
    # a read message counts no more; 李四 (staff, no applicant) gets no applicant links
    first = Notification.objects.filter(recipient=zhangsan, channel="in_app").first()
    assert first is not None
    mark_read(actor=zhangsan, notification=first)
    assert applicant_header(zhangsan).unread == expected - 1
    assert applicant_header(people["lisi"]).is_applicant is False
    with django_assert_num_queries(0):
        assert applicant_header(None) == NOBODY


@pytest.mark.parametrize("page", ["portal:home", "portal:my_cases", "portal:notifications"])
def test_a_page_reads_the_header_in_one_query(
    people: dict[str, User], hygiene_licence: Any, page: str
) -> None:
    a_submitted(people, hygiene_licence)
    unread = unread_of(people["zhangsan"])
    zhangsan = client_for(people["zhangsan"])
    with CaptureQueriesContext(connection) as ctx:
        html = zhangsan.get(reverse(page)).content.decode()
    # one query for the link and the count together; the messages page shows the same
    # count from it instead of counting again
    unread_queries, link_queries = header_queries(ctx.captured_queries)
    assert len(unread_queries) == 1, unread_queries
    assert link_queries == unread_queries  # the same single query
    assert f'<span class="nav-count" aria-label="{unread}条未读">{unread}</span>' in html
    assert reverse("portal:my_cases") in html
