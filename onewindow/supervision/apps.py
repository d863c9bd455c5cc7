from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "onewindow.supervision"
    verbose_name = "督查督办（红黄绿）"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onewindow.supervision import alerts, receivers  # noqa: F401  (templates, signals)
        from onewindow.supervision.reports.assessment import config
        from onewindow.supervision.rules import rules

        rules()  # a wrong SUPERVISION setting stops the start-up (ImproperlyConfigured)
        config()  # and so does a wrong SUPERVISION_ASSESSMENT
