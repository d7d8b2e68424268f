from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "waterportal.notices"
    label = "notices"
    verbose_name = "お知らせ"
