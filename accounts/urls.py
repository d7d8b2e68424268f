from django.urls import path

from accounts.views import login as login_views

app_name = "accounts"

urlpatterns = [
    path("login", login_views.login_view, name="login"),
    path("logout", login_views.logout_view, name="logout"),
]
