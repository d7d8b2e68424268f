from django.apps import AppConfig


class WaterportalConfig(AppConfig):
    name = "waterportal"
    verbose_name = "水道ポータル"
