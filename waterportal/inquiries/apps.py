from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "waterportal.inquiries"
    label = "inquiries"
    verbose_name = "お問い合わせ"
