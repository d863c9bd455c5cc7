"""The per-user cache of role assignments behind ``has_capability``: one query for the many
checks of a request, and never a stale answer after a role change made in this process
(through the org services, committed or rolled back) or in an earlier request."""

from __future__ import annotations

import pytest
from django.core.signals import request_started
from django.db import close_old_connections, transaction

from onewindow.org.models import Role, RoleAssignment
from onewindow.org.permissions import (
    capabilities_of,
    departments_for,
    has_capability,
    is_centre_wide,
)
from onewindow.org.services import role_grant, role_revoke


def new_request() -> None:
    """What every HTTP request does first: Django sends ``request_started`` (without
    closing the test's database connection, as Django's test client does too)."""
    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
    finally:
        request_started.connect(close_old_connections)


def test_many_checks_of_one_request_cost_one_query(
    lisi, market, tax, centre, django_assert_num_queries
):
    new_request()
    with django_assert_num_queries(1):
        assert has_capability(lisi, "case.accept", department=market)
        assert has_capability(lisi, "case.accept", department=market, service_point=centre)
        assert not has_capability(lisi, "case.accept", department=tax)
        assert not has_capability(lisi, "case.decide", department=market)
        assert not is_centre_wide(lisi, "case.accept")
        assert "hall.serve" in capabilities_of(lisi)
    assert list(departments_for(lisi, "case.accept")) == [market]


def test_a_role_granted_and_revoked_through_the_services_shows_at_once(
    lisi, market, zhouba, django_capture_on_commit_callbacks
):
    new_request()
    assert not has_capability(lisi, "case.decide", department=market)  # cached: no
    with django_capture_on_commit_callbacks(execute=True):
        role_grant(actor=zhouba, user=lisi, role=Role.SECTION_CHIEF, department=market)
    assert has_capability(lisi, "case.decide", department=market)  # same object: yes
    with django_capture_on_commit_callbacks(execute=True):
        role_revoke(actor=zhouba, user=lisi, role=Role.SECTION_CHIEF, department=market)
    assert not has_capability(lisi, "case.decide", department=market)


def test_a_role_change_on_another_object_of_the_same_user_shows_too(lisi, market):
    new_request()
    assert not has_capability(lisi, "case.review", department=market)
    RoleAssignment.objects.create(user_id=lisi.pk, role=Role.APPROVER, department=market)
    assert has_capability(lisi, "case.review", department=market)


def test_a_rolled_back_grant_is_not_remembered(lisi, market, zhouba):
    new_request()
    assert not has_capability(lisi, "case.decide", department=market)
    seen_inside = []

    def grant_then_fail() -> None:
        with transaction.atomic():
            role_grant(actor=zhouba, user=lisi, role=Role.SECTION_CHIEF, department=market)
            seen_inside.append(has_capability(lisi, "case.decide", department=market))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        grant_then_fail()
    assert seen_inside == [True]
    assert not has_capability(lisi, "case.decide", department=market)
    assert not RoleAssignment.objects.filter(user=lisi, role=Role.SECTION_CHIEF).exists()


def test_every_request_reads_the_roles_again(lisi, market, tax, django_assert_num_queries):
    new_request()
    assert has_capability(lisi, "case.accept", department=market)
    # a change no signal announces (another process, a bulk update) ...
    RoleAssignment.objects.filter(user=lisi).update(department=tax)
    new_request()  # ... is seen by the next request
    with django_assert_num_queries(1):
        assert not has_capability(lisi, "case.accept", department=market)
        assert has_capability(lisi, "case.accept", department=tax)


def test_the_cache_belongs_to_its_user(lisi, wangwu, market):
    new_request()
    assert has_capability(lisi, "hall.serve")
    assert not has_capability(wangwu, "hall.serve")
    assert has_capability(wangwu, "case.decide", department=market)
    assert not has_capability(lisi, "case.decide", department=market)
