from django.urls import path

from waterportal.inquiries import views

app_name = "inquiries"

urlpatterns = [
    path("inquiries/new", views.new, name="new"),
]
