"""Rating from the applicant's case pages: a concluded case the applicant may still rate
shows 去评价 (on its page and in 我的办件), a rated one the rating given; nothing before the
conclusion, after the rating period, or for an account that filed for someone else (the
rating page would answer it 404). Whether a case may be rated is the ratings app's rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.common import clock
from onewindow.org.models import User
from onewindow.portal.selectors import case_ratings
from onewindow.ratings.selectors import may_rate_now
from onewindow.ratings.services import rate_case
from tests.cases import conftest as cases_fixtures
from tests.portal.applicant_support import (
    client_for,
    media,  # noqa: F401  (autouse: files under a temporary MEDIA_ROOT)
)
from tests.ratings.conftest import at, concluded_case, decided_case

pytestmark = pytest.mark.django_db

demo = cases_fixtures.demo
people = cases_fixtures.people


def detail(user: User, case: Case) -> str:
    return client_for(user).get(reverse("portal:case_detail", args=[case.number])).content.decode()


def listing_row(user: User, case: Case) -> str:
    page = client_for(user).get(reverse("portal:my_cases")).content.decode()
    row = page[page.index(f">{case.number}</a>") :]
    return row[: row.index("</tr>")]


def test_a_concluded_case_offers_rating_then_shows_the_rating_given(
    people: dict[str, User],
) -> None:
    zhangsan = people["zhangsan"]
    case = concluded_case(people, when=clock.now())
    rate_url = reverse("ratings:rate", args=[case.number])
    page = detail(zhangsan, case)
    assert f'<a class="button" href="{rate_url}">去评价</a>' in page
    assert "前可评价" in page
    assert f'<a class="rate-link" href="{rate_url}">去评价</a>' in listing_row(zhangsan, case)

    rate_case(actor=zhangsan, case=case, level=4, comment="办得快")
    page = detail(zhangsan, case)
    assert rate_url not in page
    assert "您的评价：<strong>满意</strong>" in page
    row = listing_row(zhangsan, case)
    assert rate_url not in row
    assert "已评价：满意" in row


def test_nothing_before_the_conclusion_or_after_the_rating_period(
    people: dict[str, User],
) -> None:
    zhangsan = people["zhangsan"]
    decided = decided_case(people, when=clock.now())
    past = concluded_case(people, when=at(2026, 3, 2))  # its 5 working days are long over
    for case in (decided, past):
        assert not may_rate_now(case)
        page = detail(zhangsan, case)
        row = listing_row(zhangsan, case)
        for html in (page, row):
            assert reverse("ratings:rate", args=[case.number]) not in html
            assert "去评价" not in html
            assert "已评价" not in html


def test_an_account_that_filed_for_someone_else_is_not_offered_to_rate(
    people: dict[str, User],
) -> None:
    case = concluded_case(people, when=clock.now())
    Case.objects.filter(pk=case.pk).update(created_by=people["lisi"])  # filed by 李四
    lisi = people["lisi"]
    assert client_for(lisi).get(reverse("ratings:rate", args=[case.number])).status_code == 404
    page = detail(lisi, case)  # 李四 sees the case he filed ...
    assert case.number in page
    assert "去评价" not in page  # ... but it is not his to rate
    assert "去评价" not in listing_row(lisi, case)


def test_the_portal_follows_the_ratings_rule_in_two_queries_for_a_page(
    people: dict[str, User], django_assert_num_queries: Any
) -> None:
    zhangsan = people["zhangsan"]
    cases = [
        concluded_case(people, when=clock.now()),
        concluded_case(people, when=clock.now()),
        concluded_case(people, when=at(2026, 3, 2)),
        decided_case(people, when=clock.now()),
    ]
    rate_case(actor=zhangsan, case=cases[1], level=5)
    with django_assert_num_queries(2):
        found = case_ratings(zhangsan, cases)
    assert cases[3].pk not in found  # not concluded
    for case in cases[:3]:
        assert found[case.pk].may_rate == may_rate_now(case)
    assert [found[c.pk].may_rate for c in cases[:3]] == [True, False, False]
    assert found[cases[1].pk].rating is not None
    assert found[cases[1].pk].rating.level == 5
    assert case_ratings(people["qianqi"], cases) == {}  # not 钱七's
    with django_assert_num_queries(0):
        assert case_ratings(zhangsan, [cases[3]]) == {}
