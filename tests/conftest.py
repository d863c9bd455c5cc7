"""Shared fixtures: the named people of DESIGN.md convention 7."""

from __future__ import annotations

import pytest


@pytest.fixture
def password() -> str:
    return "Onewindow-2026"
