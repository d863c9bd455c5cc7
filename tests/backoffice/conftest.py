"""Back-office fixtures: the demo district (module-scoped, from tests/cases), its people,
uploads and notices in a temporary folder, and cases made through the real services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from onewindow.cases.models import Case
from onewindow.common import clock
from onewindow.org.models import User
from tests.cases.conftest import hygiene_licence, people, published, zhangsan_applicant  # noqa: F401
from tests.cases.test_acceptance import submitted_case
from tests.demo.conftest import demo  # noqa: F401


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path / "media", NOTIFY_OUTBOX_DIR=tmp_path / "outbox"):
        yield tmp_path


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def as_user(people: dict[str, User]) -> Any:  # noqa: F811
    """``as_user("lisi")``: a test client logged in as that demo account."""
    return lambda username: client_for(people[username])


def online_case(name: str, user: User, *, uploaded: bool = True) -> Case:
    """A case of the demo item ``name`` submitted online now by ``user``."""
    return submitted_case(published(name), user, at=clock.now(), uploaded=uploaded)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)
