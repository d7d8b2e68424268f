from django.urls import path

from waterportal.accounts.views import account, push, reset, session, signup, texts, unsubscribe
from waterportal.accounts.views import login as login_views

app_name = "accounts"

urlpatterns = [
    path("login", login_views.login_view, name="login"),
    path("login/link", login_views.login_link, name="login_link"),
    path("logout", login_views.logout_view, name="logout"),
    path("session/keepalive", session.keepalive, name="session_keepalive"),
    path("terms/accept", texts.texts_accept, name="texts_accept"),
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
    path("account", account.account, name="account"),
    path("account/contracts/add", account.add_contract, name="account_contract_add"),
    path(
        "account/contracts/add/relationship",
        account.add_contract_relationship,
        name="account_contract_relationship",
    ),
    path(
        "account/contracts/<int:link_id>/remove",
        account.remove_contract,
        name="account_contract_remove",
    ),
    path(
        "account/devices/<int:device_id>/sign-out",
        account.sign_out_device,
        name="account_device_sign_out",
    ),
    path("account/email", account.change_email, name="account_email"),
    path("account/email/code", account.change_email_code, name="account_email_code"),
    path("account/email/resend", account.change_email_resend, name="account_email_resend"),
    path("account/password", account.change_password, name="account_password"),
    path("account/notifications", account.notifications, name="account_notifications"),
    path("account/push", push.subscribe, name="account_push"),
    path("account/push/<int:subscription_id>/remove", push.remove, name="account_push_remove"),
    path("account/withdraw", account.withdraw, name="account_withdraw"),
    path("account/withdrawn", account.withdrawn, name="account_withdrawn"),
    path("unsubscribe/<str:token>", unsubscribe.unsubscribe, name="unsubscribe"),
]
