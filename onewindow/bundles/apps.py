from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "onewindow.bundles"
    verbose_name = "一件事一次办"
