from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "waterportal.tenants"
    label = "tenants"
    verbose_name = "自治体"

    def ready(self) -> None:
        from waterportal.tenants import lookup  # noqa: F401 - connects its signal receivers
