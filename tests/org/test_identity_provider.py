"""The identity-provider seam: a provider's subject maps to one account."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from onewindow.audit.models import AuditEvent
from onewindow.common.errors import ValidationFailed
from onewindow.org.auth import IdentityProviderBackend
from onewindow.org.models import User
from onewindow.org.services import applicant_account_create

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
ZHANG_ID = "11010519491231002X"


class ProvincialIdP(IdentityProviderBackend):
    """The provincial unified identity platform, as a deployment would configure it."""

    provider = "cq-ids"


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.AUTHENTICATION_BACKENDS = [
        "onewindow.org.auth.OneWindowBackend",
        "tests.org.test_identity_provider.ProvincialIdP",
    ]


CLAIMS = {"name": "张三", "resident_id": ZHANG_ID, "phone": "13800138000"}


def test_first_login_opens_an_account_and_the_second_finds_it(rf):
    user = authenticate(rf.get("/"), identity_provider="cq-ids", subject="S-1", claims=CLAIMS)
    assert user is not None
    assert (user.identity_provider, user.external_subject) == ("cq-ids", "S-1")
    assert not user.has_usable_password()
    assert user.applicants.get().resident_id == ZHANG_ID
    again = authenticate(rf.get("/"), identity_provider="cq-ids", subject="S-1", claims={})
    assert again == user
    assert User.objects.count() == 1


def test_other_providers_and_passwords_do_not_match(rf):
    assert authenticate(rf.get("/"), identity_provider="other", subject="S-1") is None
    user = authenticate(rf.get("/"), identity_provider="cq-ids", subject="S-1", claims=CLAIMS)
    assert authenticate(rf.get("/"), username=user.username, password="") is None


def test_a_local_account_is_linked_not_duplicated(rf):
    local = applicant_account_create(
        actor=None,
        username="13800138000",
        password=PASSWORD,
        display_name="张三",
        phone="13800138000",
        kind="natural",
        name="张三",
        resident_id=ZHANG_ID,
    )
    user = authenticate(rf.get("/"), identity_provider="cq-ids", subject="S-1", claims=CLAIMS)
    assert user == local
    local.refresh_from_db()
    assert local.external_subject == "S-1"
    assert AuditEvent.objects.filter(action="org.external_identity_linked").count() == 1


def test_unusable_claims_are_refused(rf):
    with pytest.raises(ValidationFailed, match="居民身份证号码校验码错误"):
        authenticate(
            rf.get("/"),
            identity_provider="cq-ids",
            subject="S-2",
            claims=CLAIMS | {"resident_id": "110105194912310021"},
        )
    assert not User.objects.exists()


def test_inactive_accounts_cannot_log_in_through_the_provider(rf):
    user = authenticate(rf.get("/"), identity_provider="cq-ids", subject="S-1", claims=CLAIMS)
    user.is_active = False
    user.save()
    assert authenticate(rf.get("/"), identity_provider="cq-ids", subject="S-1") is None
