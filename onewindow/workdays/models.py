from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("工作日")
    WEEKEND = "weekend", _("休息日")
    HOLIDAY = "holiday", _("法定节假日")
    MAKEUP = "makeup", _("调休上班")


class CalendarDay(models.Model):
    """One calendar day and whether it is a working day (Art. 82: makeup days count)."""

    date = models.DateField("日期", primary_key=True)
    is_workday = models.BooleanField("工作日")
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    holiday_name = models.CharField("节日", max_length=32, blank=True)

    class Meta:
        verbose_name = "日历日"
        verbose_name_plural = "日历日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class CalendarYear(models.Model):
    """A year of the calendar; ``confirmed`` once the State Council schedule is loaded."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    confirmed = models.BooleanField("已确认", default=False)
    source = models.CharField("依据", max_length=255, blank=True)
    loaded_at = models.DateTimeField("载入时间", null=True, blank=True)

    class Meta:
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年{'（已确认）' if self.confirmed else '（未确认）'}"
