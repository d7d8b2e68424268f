from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "waterportal.api"
    label = "api"
    verbose_name = "アプリ向け API"
