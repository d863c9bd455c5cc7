"""The demo district, loaded once per test module through ``load_demo`` (the services).

The load runs inside an outer transaction that is rolled back when the module ends; each
test runs in its own savepoint inside it, so tests may write (e.g. load again) freely.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from onewindow.demo.loader import LoadReport, load_demo

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[LoadReport]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        report = load_demo()
        yield report
        transaction.set_rollback(True)
