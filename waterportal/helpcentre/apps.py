from django.apps import AppConfig


class HelpcentreConfig(AppConfig):
    name = "waterportal.helpcentre"
    label = "helpcentre"
    verbose_name = "ヘルプ"

    def ready(self) -> None:
        from waterportal.helpcentre import receivers  # noqa: F401 - connects them
