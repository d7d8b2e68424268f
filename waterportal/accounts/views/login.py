"""Login and logout; the member's first page is billing's home."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from waterportal.accounts import actions, signin, texts
from waterportal.accounts.forms import LoginForm
from waterportal.lib.sources import client_ip
from waterportal.limits import ratelimit
from waterportal.tenants.decorators import tenant_required


def safe_next_page(request) -> str | None:
    """The page the member was on when asked to log in (after 30 idle minutes, say), to
    go back to. A page of this portal only: a link cannot send a resident elsewhere."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith(("/login", "/logout")):
        return None
    same_site = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if same_site else None


def login_reason(next_page: str | None) -> str | None:
    """Why the login page was opened, when the page to go back to says it: a member-only
    notice opened from a link (by its URL name: accounts does not import notices)."""
    if not next_page:
        return None
    try:
        match = resolve(next_page.split("?", 1)[0])
    except Resolver404:
        return None
    if match.view_name == "notices:detail":
        return gettext("このお知らせを読むには、ログインしてください。")
    return None


def _sign_in(request, member) -> None:
    tenant_id = request.tenant.pk
    login(request, member)  # rotates the session id; starts the session clock
    request.session["tenant_id"] = tenant_id


@sensitive_post_parameters()
@tenant_required
@never_cache
def login_view(request):
    next_page = safe_next_page(request)
    user = request.user
    if user.is_authenticated and user.tenant_id == request.tenant.pk and user.kind == "member":
        return redirect(next_page or "billing:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            user = actions.do_sign_in_with_password(
                request.tenant,
                form.cleaned_data["email"],
                form.cleaned_data["password"],
                source=ip,
                request=request,
            )
        except ratelimit.Limited as exc:
            form.add_error(None, texts.login_limited(exc))
        except signin.AccountStopped:
            form.add_error(None, texts.account_stopped(request.tenant))
        except actions.WrongPassword:
            form.add_error(None, texts.LOGIN_FAILED)
        else:
            _sign_in(request, user)
            actions.do_record_login(user, source=ip)
            return redirect(next_page or "billing:home")
    context = {"form": form, "next_page": next_page, "reason": login_reason(next_page)}
    return render(request, "accounts/login.html", context)


@tenant_required
@never_cache
def login_link(request):
    """The one-time link mailed when an account's failed logins reached the ceiling.

    Opening it only shows a button: mail scanners open links, and must not use it up.
    The button (a POST) signs the member in.
    """
    value = request.POST.get("t") or request.GET.get("t") or ""
    if request.method == "POST":
        try:
            member = actions.do_sign_in_with_link(request.tenant, value, source=client_ip(request))
        except signin.LinkInvalid:
            pass
        except signin.AccountStopped:
            return render(
                request,
                "accounts/account_stopped.html",
                {"message": texts.account_stopped(request.tenant)},
                status=403,
            )
        else:
            _sign_in(request, member)
            messages.success(request, texts.SIGNED_IN_BY_LINK)
            return redirect("billing:home")
    else:
        try:
            signin.find_link(request.tenant, value)
        except signin.LinkInvalid:
            pass
        else:
            return render(request, "accounts/login_link.html", {"value": value})
    return render(request, "accounts/login_link_invalid.html", status=410)


@require_POST
def logout_view(request):
    tenant = getattr(request, "tenant", None)
    if tenant is not None and request.user.is_authenticated and request.user.tenant_id == tenant.pk:
        # A member's logout goes to their town's log; the operator's (signed in through
        # the admin, then on a town's page) belongs to no town's.
        actions.do_record_logout(request.user, source=client_ip(request))
    logout(request)
    if tenant is None:
        return redirect("/")
    request.session["tenant_id"] = tenant.pk
    messages.info(request, gettext("ログアウトしました。"))
    return redirect(f"/login?tenant={tenant.slug}")
