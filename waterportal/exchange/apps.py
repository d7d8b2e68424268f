from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "waterportal.exchange"
    label = "exchange"
    verbose_name = "データ連携"
