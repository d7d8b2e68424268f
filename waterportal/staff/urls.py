from django.urls import path

from waterportal.staff.views import home, locks, login, members, settings

app_name = "staff"

urlpatterns = [
    path("staff/login", login.staff_login, name="login"),
    path("staff/login/code", login.staff_login_code, name="login_code"),
    path("staff/logout", login.staff_logout, name="logout"),
    path("staff/", home.home, name="home"),
    path("staff/members", members.members, name="members"),
    path("staff/members/<int:member_id>", members.member, name="member"),
    path("staff/locks", locks.locks, name="locks"),
    path("staff/locks/<int:lock_id>/unlock", locks.unlock, name="unlock"),
    path("staff/settings", settings.settings, name="settings"),
    path("staff/settings/closed-days", settings.add_closed_day, name="add_closed_day"),
    path(
        "staff/settings/closed-days/<int:day_id>/remove",
        settings.remove_closed_day,
        name="remove_closed_day",
    ),
    path("staff/publish", settings.publish, name="publish"),
]
