from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "会員"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import start_session_clock_on_login

        user_logged_in.connect(start_session_clock_on_login, dispatch_uid="session-clock")
