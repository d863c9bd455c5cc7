from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "onewindow.licences"
    verbose_name = "证照"

    def ready(self) -> None:
        from onewindow.licences import receivers  # noqa: F401  (connects the case signals)
