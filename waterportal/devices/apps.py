from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "waterportal.devices"
    label = "devices"
    verbose_name = "端末（アプリのログイン・プッシュ通知）"

    def ready(self) -> None:
        from waterportal.devices import checks  # noqa: F401  (registers the system checks)
