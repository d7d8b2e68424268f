"""The operator's sign-in to the admin, under the same limits as a resident's login.

The admin sees every municipality, so its login must be no easier to guess at than the
residents' one: 10 failures in 15 minutes lock the address, and 10 from one source
address lock that source (``accounts.ratelimit``, counted in the database). The admin is
Japanese only, so its message is not translated.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from accounts import ratelimit, texts
from accounts.models import normalize_email
from accounts.views.login import client_ip


def _account_key(username: str | None) -> str:
    # Operators have no municipality: their keys never meet a resident's ("<tenant id>:…").
    return f"operator:{normalize_email(username or '')}"


class OperatorLoginForm(AdminAuthenticationForm):
    def clean(self):
        account = _account_key(self.cleaned_data.get("username"))
        source = client_ip(self.request)
        try:
            ratelimit.check(ratelimit.LOGIN_ACCOUNT, account)
            ratelimit.check(ratelimit.LOGIN_SOURCE, source)
        except ratelimit.Limited as exc:
            raise ValidationError(
                "ログインに続けて失敗したため、しばらくログインできません。"
                f"{texts.clock(exc.until)}以降にもう一度お試しください。",
                code="locked",
            ) from None
        try:
            cleaned = super().clean()
        except ValidationError:
            ratelimit.hit(ratelimit.LOGIN_ACCOUNT, account)
            ratelimit.hit(ratelimit.LOGIN_SOURCE, source)
            raise
        ratelimit.clear(ratelimit.LOGIN_ACCOUNT, account)
        return cleaned


admin.site.login_form = OperatorLoginForm
