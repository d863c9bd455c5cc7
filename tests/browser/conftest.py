"""Real-Chromium journeys (Playwright's sync API) against pytest-django's ``live_server``.

Chromium is Debian's package at /usr/bin/chromium, driven through ``executable_path``:
``playwright install`` is never run and nothing is downloaded. Browser tests are marked
``@pytest.mark.browser`` and skipped, with the reason, only when that binary is missing.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

# Playwright's sync API runs an asyncio event loop in this thread; Django refuses database
# access from a thread with a running loop unless told it is safe (it is: one thread, sync).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("ONEWINDOW_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=zh-CN",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Chromium's own words (file picker, date fields) follow LANGUAGE (chromium-l10n); set
    # before the driver starts, which passes it on (launch(env=...) made Chromium drop
    # set_input_files).
    os.environ["LANGUAGE"] = "zh_CN:zh"
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context and page per test, zh-CN, a desktop-sized viewport."""
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="zh-CN", viewport={"width": 1280, "height": 900}, service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def screenshot(page: object, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of ``page`` as test-artifacts/<name>.png (git-ignored) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^\w.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
    return path


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextlib.contextmanager
def demo_district(folder: Path) -> Iterator[Path]:
    """The demo district, loaded through the services under fast password hashing, with
    uploads, notices and outbox files in ``folder``; the calendar reseeded before and its
    cache dropped after (the live server shares the process)."""
    from onewindow.demo.loader import load_demo
    from onewindow.workdays.selectors import invalidate_calendar
    from tests.conftest import reseed_calendar

    with override_settings(
        PASSWORD_HASHERS=FAST_HASHERS,
        MEDIA_ROOT=folder / "media",
        NOTIFY_OUTBOX_DIR=folder / "outbox",
    ):
        reseed_calendar()
        load_demo()
        try:
            yield folder
        finally:
            invalidate_calendar()


@pytest.fixture
def district(tmp_path: Path) -> Iterator[Path]:
    """``demo_district`` in the test's temporary folder (a journey needing more people
    defines its own, around ``demo_district``)."""
    with demo_district(tmp_path) as folder:
        yield folder
