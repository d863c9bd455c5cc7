from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "onewindow.ratings"
    verbose_name = "好差评与投诉"

    def ready(self) -> None:
        from onewindow.ratings import receivers  # noqa: F401  (connects case_concluded)
        from onewindow.ratings.messages import register_templates

        register_templates()
