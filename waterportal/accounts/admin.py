"""The admin: the operator's only, with a second factor, under the login limits.

The admin sees every municipality. Only the operator's accounts (superusers, which
belong to no town) may use it, and only after the 確認コード of their authenticator app
(django-otp's TOTP, as the staff console): a town's staff never, residents never. Its
login is no easier to guess at than the residents' one: the same limits, counted in the
database (``waterportal.accounts.signin``). The admin is Japanese only, so its
messages are not translated.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from waterportal.accounts import actions, second_factor, signin, texts
from waterportal.accounts.models import AccountKind, normalize_email
from waterportal.lib.sources import client_ip
from waterportal.limits import ratelimit


class OperatorLoginForm(OTPAdminAuthenticationForm):
    otp_token = forms.CharField(
        label="確認コード",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    # django-otp's own messages are English; the admin speaks Japanese.
    otp_error_messages = {
        "token_required": "確認コードを入力してください。認証アプリに表示されている6桁の数字です。",
        "challenge_exception": "確認コードを送れませんでした。",
        "not_interactive": "確認コードを入力してください。",
        "challenge_message": "確認コードを入力してください。",
        "invalid_token": second_factor.WRONG_CODE,
        "n_failed_attempts": "確認コードを続けて間違えたため、しばらく待ってからもう一度お試しください。",
        "verification_not_allowed": "しばらく待ってからもう一度お試しください。",
        "device_required": "確認コードを入力してください。",
    }

    def _chosen_device(self, user):
        # The code's shape picks the device (``second_factor``): there is no device
        # menu on this form.
        return second_factor.device_for(user, self.cleaned_data.get("otp_token") or "")

    def clean(self):
        account = signin.account_key(None, normalize_email(self.cleaned_data.get("username") or ""))
        source = client_ip(self.request)
        try:
            signin.check_limits(account, source)
        except ratelimit.Limited as exc:
            raise ValidationError(
                "ログインに続けて失敗したため、しばらくログインできません。"
                f"{texts.clock(exc.until)}以降にもう一度お試しください。",
                code="locked",
            ) from None
        try:
            cleaned = super().clean()
        except ValidationError:
            # A right password with a wrong code leaves the operator's account found.
            user = self.get_user()
            step = "code" if user is not None and user.is_superuser else "password"
            actions.do_record_operator_login_failure(
                self.cleaned_data.get("username") or "", source=source, step=step
            )
            raise
        signin.clear_after_success(account, source)
        actions.do_record_operator_login(self.get_user(), source=source)
        return cleaned


class OperatorAdminSite(OTPAdminSite):
    login_form = OperatorLoginForm
    login_template = "admin/operator_login.html"

    def has_permission(self, request) -> bool:
        user = request.user
        return (
            super().has_permission(request)  # active, is_staff, second factor passed
            and user.is_superuser
            and user.kind == AccountKind.OPERATOR
        )


# Every app registers its models on admin.site: that one instance becomes the operator's.
admin.site.__class__ = OperatorAdminSite
