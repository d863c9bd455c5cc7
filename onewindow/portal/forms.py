"""The search form of the online hall: every filter optional, values checked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import HandlingLevel, ItemKind, OnlineLevel, ThemeAudience


def _blank(label: str | Promise, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索事项"), max_length=100, required=False)
    department = forms.CharField(label=_("实施部门"), max_length=32, required=False)
    theme = forms.CharField(label=_("主题"), max_length=32, required=False)
    level = forms.ChoiceField(
        label=_("办理层级"), required=False, choices=_blank(_("全部层级"), HandlingLevel.choices)
    )
    kind = forms.ChoiceField(
        label=_("事项类型"), required=False, choices=_blank(_("全部类型"), ItemKind.choices)
    )
    online_level = forms.ChoiceField(
        label=_("网办深度"), required=False, choices=_blank(_("不限"), OnlineLevel.choices)
    )
    audience = forms.ChoiceField(
        label=_("服务对象"), required=False, choices=_blank(_("全部"), ThemeAudience.choices)
    )
    page = forms.IntegerField(required=False, min_value=1)

    FILTERS = ("department", "theme", "level", "kind", "online_level", "audience")

    @property
    def choice_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("level", "kind", "online_level", "audience")]

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters (an invalid one is dropped and reported as an error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.FILTERS if data.get(name)}

    def query(self) -> str:
        self.is_valid()
        return (getattr(self, "cleaned_data", {}).get("q") or "").strip()
