from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "waterportal.tenants"
    label = "tenants"
    verbose_name = "自治体"

    def ready(self) -> None:
        from waterportal.tenants import lookup, versions  # noqa: F401 - connect their signal receivers
