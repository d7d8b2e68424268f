from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "waterportal.staff"
    label = "staff"
    verbose_name = "職員"
