from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "waterportal.contracts"
    label = "contracts"
    verbose_name = "契約"
