from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "waterportal.limits"
    label = "limits"
    verbose_name = "回数制限"
