"""Seed the working-day table: 2004-2026 from chinese-calendar (confirmed), 2027-2028 as
plain Monday-Friday years (provisional, until the State Council schedule is loaded)."""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from onewindow.workdays.seed import PACKAGE_SOURCE, PROVISIONAL_SOURCE, seed_rows

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    db = schema_editor.connection.alias
    rows, confirmed = seed_rows()
    existing = set(CalendarYear.objects.using(db).values_list("year", flat=True))
    wanted = {year for year in confirmed if year not in existing}
    now = timezone.now()
    CalendarDay.objects.using(db).bulk_create(
        [
            CalendarDay(
                date=row.date,
                is_workday=row.is_workday,
                kind=row.kind,
                holiday_name=row.holiday_name,
            )
            for row in rows
            if row.date.year in wanted
        ],
        batch_size=2000,
    )
    CalendarYear.objects.using(db).bulk_create(
        [
            CalendarYear(
                year=year,
                confirmed=ok,
                source=PACKAGE_SOURCE if ok else PROVISIONAL_SOURCE,
                loaded_at=now,
            )
            for year, ok in confirmed.items()
            if year in wanted
        ]
    )


def unseed(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("workdays", "CalendarDay").objects.using(db).all().delete()
    apps.get_model("workdays", "CalendarYear").objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed, elidable=False)]
