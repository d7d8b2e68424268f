from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "waterportal.notices"
    label = "notices"
    verbose_name = "お知らせ"

    def ready(self) -> None:
        from waterportal.notices import receivers  # noqa: F401 - connects them
