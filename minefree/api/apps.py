from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "minefree.api"
    label = "api"
    verbose_name = "API"
