"""Django admin for the organisation, in Chinese, opened by capability (see docs/org.md)."""

from onewindow.org.admin import letters, people, places

__all__ = ["letters", "people", "places"]
