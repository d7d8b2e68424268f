from django.urls import path

from waterportal.api.main import api

urlpatterns = [path("api/v1/", api.urls)]
