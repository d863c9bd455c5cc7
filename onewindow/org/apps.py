from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "onewindow.org"
    verbose_name = "组织机构"
