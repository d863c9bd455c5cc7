from django.apps import AppConfig


class RankingConfig(AppConfig):
    name = "onewindow.ranking"
    verbose_name = "最难办事科室群众评"
