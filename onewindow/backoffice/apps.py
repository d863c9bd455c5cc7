from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "onewindow.backoffice"
    verbose_name = "工作人员后台"
