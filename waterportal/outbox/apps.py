from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "waterportal.outbox"
    label = "outbox"
    verbose_name = "送信メール"
