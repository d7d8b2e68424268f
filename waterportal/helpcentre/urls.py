from django.urls import path

from waterportal.helpcentre import views

app_name = "helpcentre"

urlpatterns = [
    path("help", views.help_page, name="help"),
]
