from django.apps import AppConfig


class PwaConfig(AppConfig):
    name = "waterportal.pwa"
    label = "pwa"
    verbose_name = "アプリ（ホーム画面）"
