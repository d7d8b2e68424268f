from django.urls import path

from waterportal.staff.views import home, imports, locks, login, members

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
    path("staff/imports", imports.imports, name="imports"),
    path("staff/imports/upload", imports.upload, name="import_upload"),
    path("staff/imports/<int:run_id>", imports.import_run, name="import"),
    path("staff/imports/<int:run_id>/status", imports.import_status, name="import_status"),
]
