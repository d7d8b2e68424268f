from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "waterportal.accounts"
    label = "accounts"
    verbose_name = "会員"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core.signals import request_started

        # Registers how the outbox's code emails are rendered (emails.PREPARERS).
        from waterportal.accounts import code_mail  # noqa: F401
        from waterportal.accounts.decorators import remember_texts_on_login
        from waterportal.accounts.middleware import start_session_clock_on_login
        from waterportal.accounts.sessions import forget_unverified

        user_logged_in.connect(start_session_clock_on_login, dispatch_uid="session-clock")
        user_logged_in.connect(remember_texts_on_login, dispatch_uid="texts-accepted")
        request_started.connect(forget_unverified, dispatch_uid="unverified-session")
