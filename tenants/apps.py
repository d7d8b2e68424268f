from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "自治体"

    def ready(self) -> None:
        from tenants import lookup  # noqa: F401 - connects its signal receivers
