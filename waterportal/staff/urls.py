from django.urls import path

from waterportal.staff.views import home, locks, login, member_actions, members

app_name = "staff"

urlpatterns = [
    path("staff/login", login.staff_login, name="login"),
    path("staff/login/code", login.staff_login_code, name="login_code"),
    path("staff/logout", login.staff_logout, name="logout"),
    path("staff/", home.home, name="home"),
    path("staff/members", members.members, name="members"),
    path("staff/members/<int:member_id>", members.member, name="member"),
    path(
        "staff/members/<int:member_id>/links/<int:link_id>/revoke",
        member_actions.revoke_link,
        name="member_revoke_link",
    ),
    path(
        "staff/members/<int:member_id>/links/<int:link_id>/activate",
        member_actions.activate_link,
        name="member_activate_link",
    ),
    path("staff/members/<int:member_id>/lock", member_actions.lock_member, name="member_lock"),
    path(
        "staff/members/<int:member_id>/unlock", member_actions.unlock_member, name="member_unlock"
    ),
    path(
        "staff/members/<int:member_id>/sessions/end",
        member_actions.end_sessions,
        name="member_end_sessions",
    ),
    path("staff/locks", locks.locks, name="locks"),
    path("staff/locks/<int:lock_id>/unlock", locks.unlock, name="unlock"),
]
