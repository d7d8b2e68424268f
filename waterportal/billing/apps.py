from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "waterportal.billing"
    label = "billing"
    verbose_name = "料金"

    def ready(self) -> None:
        from waterportal.billing import receivers  # noqa: F401 - connects them
