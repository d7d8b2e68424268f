from django.urls import path

from accounts.views import login as login_views
from accounts.views import reset, signup

app_name = "accounts"

urlpatterns = [
    path("", login_views.home, name="home"),
    path("login", login_views.login_view, name="login"),
    path("logout", login_views.logout_view, name="logout"),
    path("register", signup.register, name="register"),
    path("register/code", signup.register_code, name="register_code"),
    path("register/resend", signup.register_resend, name="register_resend"),
    path("register/profile", signup.register_profile, name="register_profile"),
    path("register/contract", signup.register_contract, name="register_contract"),
    path("register/privacy", signup.register_privacy, name="register_privacy"),
    path("register/confirm", signup.register_confirm, name="register_confirm"),
    path("register/done", signup.register_done, name="register_done"),
    path("password-reset", reset.reset_request, name="reset_request"),
    path("password-reset/code", reset.reset_code, name="reset_code"),
    path("password-reset/resend", reset.reset_resend, name="reset_resend"),
]
