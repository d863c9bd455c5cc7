"""Fixtures of the bundle tests: the demo district (loaded once per module, rolled back at
its end) and the named people."""

from __future__ import annotations

from tests.demo.conftest import demo  # noqa: F401  (module-scoped demo district)
