"""Login and logout; the member's first page is billing's home."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import ratelimit, texts
from accounts.forms import LoginForm
from accounts.models import User
from audit.actions import record
from tenants.decorators import tenant_required


def client_ip(request) -> str:
    """The address the request came from, for the per-source limits.

    Behind the TLS proxy production runs behind, REMOTE_ADDR is the proxy's (gunicorn
    does not take X-Forwarded-For into it), and every resident would share one key: ten
    mistyped passwords in the whole town would lock everyone's login. Each of the
    ``TRUSTED_PROXY_COUNT`` proxies appends the address it received from to
    X-Forwarded-For, so the client's is that many entries from the right; entries
    further left were written by the client and prove nothing. Written by hand: the rule
    is one line, and django-ipware's default reads the left-most, client-written entry.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [address for address in forwarded if address]
    if len(forwarded) < proxies:
        return remote  # not through every proxy (a health check from inside, say)
    return forwarded[-proxies]


def _check_login_limits(tenant, email: str, ip: str) -> None:
    ratelimit.check(ratelimit.LOGIN_ACCOUNT, f"{tenant.pk}:{email}")
    ratelimit.check(ratelimit.LOGIN_SOURCE, ip)


def _count_login_failure(tenant, email: str, ip: str) -> None:
    """Count a failed login; a lock it trips is written to the audit log for staff
    (the member's id when the address has an account, never the address itself)."""
    with transaction.atomic():
        account_locked = ratelimit.hit(ratelimit.LOGIN_ACCOUNT, f"{tenant.pk}:{email}")
        source_locked = ratelimit.hit(ratelimit.LOGIN_SOURCE, ip)
        if account_locked:
            member = User.objects.filter(tenant=tenant, email=email).first()
            record(tenant, "login_locked", member=member, until=account_locked.isoformat())
        if source_locked:
            record(tenant, "login_source_locked", until=source_locked.isoformat())


def _next_page(request) -> str | None:
    """The page the member was on when asked to log in (after 30 idle minutes, say), to
    go back to. A page of this portal only: a link cannot send a resident elsewhere."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith(("/login", "/logout")):
        return None
    same_site = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if same_site else None


@sensitive_post_parameters()
@tenant_required
@never_cache
def login_view(request):
    next_page = _next_page(request)
    if request.user.is_authenticated and request.user.tenant_id == request.tenant.pk:
        return redirect(next_page or "billing:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, ip = form.cleaned_data["email"], client_ip(request)
        try:
            _check_login_limits(request.tenant, email, ip)
        except ratelimit.Limited as exc:
            form.add_error(None, texts.login_locked(exc.until))
        else:
            user = authenticate(
                request, email=email, password=form.cleaned_data["password"], tenant=request.tenant
            )
            if user is None:
                _count_login_failure(request.tenant, email, ip)
                form.add_error(None, texts.LOGIN_FAILED)
            else:
                ratelimit.clear(ratelimit.LOGIN_ACCOUNT, f"{request.tenant.pk}:{email}")
                tenant_id = request.tenant.pk
                login(request, user)  # rotates the session id; starts the session clock
                request.session["tenant_id"] = tenant_id
                return redirect(next_page or "billing:home")
    return render(request, "accounts/login.html", {"form": form, "next_page": next_page})


@require_POST
def logout_view(request):
    tenant = getattr(request, "tenant", None)
    logout(request)
    if tenant is None:
        return redirect("/")
    request.session["tenant_id"] = tenant.pk
    messages.info(request, gettext("ログアウトしました。"))
    return redirect(f"/login?tenant={tenant.slug}")
