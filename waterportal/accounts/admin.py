"""The operator's sign-in to the admin, under the same limits as a resident's login.

The admin sees every municipality, so its login must be no easier to guess at than the
residents' one: the same limits, counted in the database (``waterportal.accounts.signin``). The
admin is Japanese only, so its message is not translated.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from waterportal.accounts import signin, texts
from waterportal.accounts.models import normalize_email
from waterportal.lib.sources import client_ip
from waterportal.limits import ratelimit


class OperatorLoginForm(AdminAuthenticationForm):
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
            signin.count_failure(None, account, source)
            raise
        signin.clear_after_success(account, source)
        return cleaned


admin.site.login_form = OperatorLoginForm
