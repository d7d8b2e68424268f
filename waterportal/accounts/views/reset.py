"""Password reset by an emailed code, in the same style as registration."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from waterportal.accounts import actions, codes, texts
from waterportal.accounts.forms import EmailForm, ResetPasswordForm
from waterportal.accounts.models import User
from waterportal.accounts.passwords import rules_text
from waterportal.lib.sources import client_ip
from waterportal.tenants.decorators import tenant_required

SESSION_KEY = "reset_email"


@sensitive_post_parameters()
@tenant_required
@never_cache
def reset_request(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            actions.do_request_password_reset(request.tenant, email, source=client_ip(request))
        except codes.SendTooSoon as exc:
            form.add_error(None, texts.code_send_refused(exc))
        else:
            request.session[SESSION_KEY] = email
            return redirect("accounts:reset_code")
    return render(request, "accounts/reset_request.html", {"form": form})


@sensitive_post_parameters()
@tenant_required
@never_cache
def reset_code(request):
    email = request.session.get(SESSION_KEY)
    if not email:
        return redirect("accounts:reset_request")
    member = User.members.filter(tenant=request.tenant, email=email).first()
    form = ResetPasswordForm(
        request.POST or None, member=member, tenant=request.tenant, email=email
    )
    if request.method == "POST" and form.is_valid():
        try:
            # An address with no account gets a wrong code's answer (its code is a decoy).
            actions.do_reset_password(
                request.tenant, email, form.cleaned_data["code"], form.cleaned_data["password1"]
            )
        except codes.CodeError as exc:
            form.add_error("code", texts.code_refused(exc))
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(
                request,
                gettext("パスワードを変更しました。新しいパスワードでログインしてください。"),
            )
            return redirect("accounts:login")
    return render(
        request,
        "accounts/reset_code.html",
        {
            "form": form,
            "email": email,
            "ttl_minutes": codes.ttl_minutes(),
            "rules": rules_text(request.tenant),
        },
    )


@require_POST
@tenant_required
def reset_resend(request):
    email = request.session.get(SESSION_KEY)
    if not email:
        return redirect("accounts:reset_request")
    texts.tell_code_resent(
        request,
        lambda: actions.do_request_password_reset(request.tenant, email, source=client_ip(request)),
    )
    return redirect("accounts:reset_code")
