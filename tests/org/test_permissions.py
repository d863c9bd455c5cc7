"""The permission matrix: every role × every capability × scope (own department, another
department, anywhere, centre-wide). The expected table is written out here on purpose: a
change to ROLE_CAPABILITIES must be a deliberate change to this specification (and to
docs/org.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from onewindow.common.errors import PermissionDenied
from onewindow.org.models import Department, Role, RoleAssignment, User
from onewindow.org.permissions import (
    ALL_CAPABILITIES,
    ROLE_CAPABILITIES,
    ROLE_SCOPE,
    capabilities_of,
    departments_for,
    has_capability,
    is_centre_wide,
    require_capability,
)

EXPECTED: dict[str, set[str]] = {
    "applicant": {"case.apply"},
    "window_clerk": {"case.accept", "hall.serve", "applicant.register"},
    "pre_reviewer": {"case.prereview", "hall.serve"},
    "approver": {"case.review"},
    "section_chief": {
        "case.review",
        "case.decide",
        "supervision.view_department",
        "ranking.respond",
        "licence.revoke",
    },
    "chief_representative": {
        "case.accept",
        "case.review",
        "case.decide",
        "supervision.view_department",
    },
    "supervisor": {"supervision.view", "audit.view", "catalog.view_drafts", "ranking.manage"},
    "centre_admin": {
        "catalog.edit",
        "catalog.review",
        "catalog.publish",
        "catalog.import",
        "catalog.view_drafts",
        "org.manage",
        "org.manage_staff",
        "workdays.manage",
        "authorisation.grant",
        "audit.view",
        "supervision.view",
        "ranking.manage",
    },
    "department_admin": {
        "catalog.edit",
        "catalog.view_drafts",
        "org.manage_staff",
        "authorisation.grant",
        "supervision.view_department",
        "ranking.respond",
    },
}

# Ratings (docs/ratings.md): departments handle rectifications and complaints, the
# supervisor closes them.
for _role in ("section_chief", "chief_representative", "department_admin", "centre_admin"):
    EXPECTED[_role] = EXPECTED[_role] | {"ratings.handle"}
EXPECTED["supervisor"] = EXPECTED["supervisor"] | {"ratings.close"}

# (role, held in a department?) for every scope a role may be held in (ROLE_SCOPE).
HOLDINGS = [
    (role, in_department)
    for role in Role.values
    for in_department in (True, False)
    if not (ROLE_SCOPE[role] == "department" and not in_department)
    and not (ROLE_SCOPE[role] in ("centre", "none") and in_department)
]


def test_the_table_covers_every_role_and_capability():
    assert set(EXPECTED) == set(Role.values) == set(ROLE_CAPABILITIES)
    assert set().union(*EXPECTED.values()) == ALL_CAPABILITIES


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "in_department"), HOLDINGS)
def test_permission_matrix(role, in_department):
    own = Department.objects.create(code="OWN", name="本部门")
    other = Department.objects.create(code="OTHER", name="其他部门")
    user = User.objects.create_user(username="u", password="x")
    RoleAssignment.objects.create(user=user, role=role, department=own if in_department else None)
    for capability in sorted(ALL_CAPABILITIES):
        granted = capability in EXPECTED[role]
        expected = {
            "own": granted,
            "other": granted and not in_department,
            "anywhere": granted,
            "centre_wide": granted and not in_department,
        }
        actual = {
            "own": has_capability(user, capability, department=own),
            "other": has_capability(user, capability, department=other),
            "anywhere": has_capability(user, capability),
            "centre_wide": is_centre_wide(user, capability),
        }
        assert actual == expected, (role, in_department, capability)
        if expected["other"]:
            require_capability(user, capability, department=other)
        else:
            with pytest.raises(PermissionDenied) as err:
                require_capability(user, capability, department=other)
            assert err.value.message == "您没有执行此操作的权限"
            assert err.value.status == 403
    assert capabilities_of(user) == frozenset(EXPECTED[role])


@pytest.mark.django_db
def test_service_point_scope(market, centre, town, lisi):
    assert has_capability(lisi, "case.accept", department=market, service_point=centre)
    assert not has_capability(lisi, "case.accept", department=market, service_point=town)
    assert has_capability(lisi, "case.accept", service_point=centre)


@pytest.mark.django_db
def test_nobody_without_an_active_account(market, lisi):
    assert not has_capability(AnonymousUser(), "case.accept")
    assert not has_capability(None, "case.accept")
    assert capabilities_of(AnonymousUser()) == frozenset()
    lisi.is_active = False
    lisi.save()
    assert not has_capability(lisi, "case.accept", department=market)
    assert not departments_for(lisi, "case.accept").exists()


@pytest.mark.django_db
def test_superuser_holds_everything(market):
    root = User.objects.create_superuser(username="root", password="x")
    assert all(has_capability(root, c, department=market) for c in ALL_CAPABILITIES)
    assert is_centre_wide(root, "org.manage")


@pytest.mark.django_db
def test_unknown_capability_is_a_programming_error(lisi):
    with pytest.raises(ValueError, match="unknown capability"):
        has_capability(lisi, "case.fly")


@pytest.mark.django_db
def test_departments_for_scopes_lists(market, tax, market_admin, zhouba):
    assert list(departments_for(market_admin, "org.manage_staff")) == [market]
    assert set(departments_for(zhouba, "org.manage_staff")) == {market, tax}
    assert not departments_for(market_admin, "org.manage").exists()
