from django.urls import path

from waterportal.staff import views

app_name = "staff"

urlpatterns = [
    path("staff/login", views.staff_login, name="login"),
    path("staff/login/code", views.staff_login_code, name="login_code"),
    path("staff/logout", views.staff_logout, name="logout"),
    path("staff/", views.home, name="home"),
    path("staff/members", views.members, name="members"),
    path("staff/members/<int:member_id>", views.member, name="member"),
    path("staff/locks", views.locks, name="locks"),
    path("staff/locks/<int:lock_id>/unlock", views.unlock, name="unlock"),
]
