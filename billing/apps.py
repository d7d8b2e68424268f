from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "料金"

    def ready(self) -> None:
        from billing import freshness  # noqa: F401 - connects its signal receivers
