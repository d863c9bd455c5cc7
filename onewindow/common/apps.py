from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "onewindow.common"
    verbose_name = "公共"
