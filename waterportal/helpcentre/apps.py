from django.apps import AppConfig


class HelpcentreConfig(AppConfig):
    name = "waterportal.helpcentre"
    label = "helpcentre"
    verbose_name = "ヘルプ"
