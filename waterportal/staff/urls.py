from django.urls import path

from waterportal.staff import views

app_name = "staff"

urlpatterns = [
    path("staff/login", views.staff_login, name="login"),
    path("staff/login/code", views.staff_login_code, name="login_code"),
    path("staff/logout", views.staff_logout, name="logout"),
    path("staff/", views.home, name="home"),
]
