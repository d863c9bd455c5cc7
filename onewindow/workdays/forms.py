"""The admin form to load a year's schedule by pasting the State Council notice's dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.workdays.schedule_file import parse_date_list, parse_holiday_lines


class ScheduleForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2004, max_value=2100)
    source = forms.CharField(
        label=_("依据"),
        max_length=255,
        help_text=_("国务院办公厅通知的名称或文号，例如“国办发明电〔2026〕7号”"),
    )
    holidays = forms.CharField(
        label=_("放假期间"),
        widget=forms.Textarea(attrs={"rows": 9, "cols": 60}),
        help_text=_(
            "每行一个：名称 开始日期 结束日期，例如“春节 2027-02-05 2027-02-12”；"
            "只放一天的可只写一个日期。"
        ),
    )
    makeup_days = forms.CharField(
        label=_("调休上班日"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("周六或周日上班的日期，每行一个或用逗号分隔，例如 2027-02-14"),
    )

    def clean_holidays(self) -> list[tuple[date, date, str]]:
        ranges, errors = parse_holiday_lines(self.cleaned_data["holidays"])
        if errors:
            raise forms.ValidationError(errors)
        return ranges

    def clean_makeup_days(self) -> list[date]:
        days, errors = parse_date_list(self.cleaned_data.get("makeup_days") or "")
        if errors:
            raise forms.ValidationError(errors)
        return days

    def add_domain_errors(self, fields: dict[str, Any]) -> None:
        """Show the service's field errors (``holidays[2]`` → the holidays box, item 3)."""
        for key, messages in fields.items():
            name, _sep, rest = key.partition("[")
            target = name if name in self.fields else None
            prefix = f"第 {int(rest.rstrip(']')) + 1} 项：" if rest.rstrip("]").isdigit() else ""
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(target, f"{prefix}{message}")
