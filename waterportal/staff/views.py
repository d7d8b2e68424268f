"""The staff console: its login (password, then 確認コード) and its pages."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from waterportal.accounts import second_factor, signin, texts
from waterportal.accounts.forms import LoginForm
from waterportal.accounts.models import AccountKind, StaffRole, User, normalize_email
from waterportal.audit.models import AuditEvent
from waterportal.contracts.actions import do_unlock_number
from waterportal.contracts.models import Customer, Link, NumberLock
from waterportal.exchange.models import ImportRun
from waterportal.lib.kana import customer_number_key, kana_key
from waterportal.lib.sources import client_ip
from waterportal.staff import actions
from waterportal.staff.decorators import is_console_user, staff_page
from waterportal.staff.forms import SecondFactorForm
from waterportal.staff.models import RecoveryCodes
from waterportal.tenants.decorators import tenant_required

# Between the password and the 確認コード: the account waiting for its second factor.
PENDING = "staff_pending"
PENDING_SECONDS = 5 * 60
BACKEND = "waterportal.accounts.backends.TenantEmailBackend"


def _limited(form, account: str, source: str) -> bool:
    refused = texts.login_refused(account, source)
    if refused:
        form.add_error(None, refused)
    return bool(refused)


@sensitive_post_parameters()
@tenant_required
@never_cache
def staff_login(request):
    """Step 1: メールアドレス and パスワード. Residents' accounts are not found here."""
    with translation.override("ja"):
        if is_console_user(request):
            return redirect("staff:home")
        form = LoginForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            tenant, email, ip = request.tenant, form.cleaned_data["email"], client_ip(request)
            if not _limited(form, actions.staff_account_key(tenant, email), ip):
                staff = authenticate(
                    request,
                    email=email,
                    password=form.cleaned_data["password"],
                    tenant=tenant,
                    kind=AccountKind.STAFF,
                )
                if staff is None:
                    actions.do_record_staff_login_failure(tenant, email, source=ip, step="password")
                    form.add_error(None, texts.LOGIN_FAILED)
                else:
                    request.session[PENDING] = {
                        "id": staff.pk,
                        "at": timezone.now().timestamp(),
                    }
                    return redirect("staff:login_code")
        return render(request, "staff/login.html", {"form": form})


def _pending_staff(request) -> User | None:
    pending = request.session.get(PENDING)
    if not pending or timezone.now().timestamp() - pending["at"] > PENDING_SECONDS:
        return None
    return User.objects.filter(
        pk=pending["id"], tenant=request.tenant, kind=AccountKind.STAFF, is_active=True
    ).first()


@sensitive_post_parameters()
@tenant_required
@never_cache
def staff_login_code(request):
    """Step 2: the 確認コード from the authenticator app, or a recovery code."""
    with translation.override("ja"):
        if is_console_user(request):
            return redirect("staff:home")  # a second click on ログイン, say
        staff = _pending_staff(request)
        if staff is None:
            request.session.pop(PENDING, None)
            messages.info(request, "もう一度、メールアドレスとパスワードを入力してください。")
            return redirect("staff:login")
        form = SecondFactorForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            tenant, ip = request.tenant, client_ip(request)
            account = actions.staff_account_key(tenant, staff.email)
            if not _limited(form, account, ip):
                device = second_factor.verify(staff, form.cleaned_data["code"])
                if device is None:
                    actions.do_record_staff_login_failure(
                        tenant, staff.email, source=ip, step="code"
                    )
                    form.add_error("code", second_factor.WRONG_CODE)
                else:
                    request.session.pop(PENDING, None)
                    signin.clear_after_success(account, ip)
                    login(request, staff, backend=BACKEND)
                    otp_login(request, device)
                    request.session["tenant_id"] = tenant.pk
                    recovery = isinstance(device, RecoveryCodes)
                    actions.do_record_staff_login(
                        staff, source=ip, method="recovery_code" if recovery else "totp"
                    )
                    if recovery:
                        messages.warning(
                            request,
                            f"リカバリーコードでログインしました。残りは{device.remaining}個です。"
                            "認証アプリを設定し直すよう、管理者に依頼してください。",
                        )
                    return redirect("staff:home")
        return render(request, "staff/login_code.html", {"form": form})


@require_POST
@tenant_required
def staff_logout(request):
    if request.user.is_authenticated and request.user.kind == AccountKind.STAFF:
        actions.do_record_staff_logout(request.user, source=client_ip(request))
    tenant_id = request.tenant.pk
    logout(request)
    request.session["tenant_id"] = tenant_id
    messages.info(request, "ログアウトしました。")
    return redirect("staff:login")


@staff_page()
def home(request):
    """Today's figures at a glance."""
    tenant, now = request.tenant, timezone.now()
    today = timezone.localdate(now)
    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    start_of_month = start_of_day.replace(day=1)
    members = User.members.filter(tenant=tenant, is_active=True)
    active_links = Link.objects.filter(
        tenant=tenant, revoked_at__isnull=True, active_from__lte=today
    )
    contracts = Customer.objects.filter(tenant=tenant).count()
    linked = active_links.values("customer_id").distinct().count()
    figures = {
        "registrations_today": members.filter(date_joined__gte=start_of_day).count(),
        "registrations_month": members.filter(date_joined__gte=start_of_month).count(),
        "members": members.count(),
        "active_links": active_links.count(),
        "contracts": contracts,
        "linked_share": round(100 * linked / contracts, 1) if contracts else 0,
        "locks": NumberLock.objects.filter(
            tenant=tenant, unlocked_at__isnull=True, until__gt=now
        ).count(),
    }
    last_import = ImportRun.objects.filter(tenant=tenant).order_by("-started_at").first()
    return render(request, "staff/home.html", {"figures": figures, "last_import": last_import})


# --- Members ----------------------------------------------------------------------------

SEARCH_LIMIT = 50


def _search(tenant, query: str):
    """Members of ``tenant`` by メールアドレス, name (kanji, or the contract holder's kana,
    folded as the ledger compares it) or 使用者番号."""
    members = User.members.filter(tenant=tenant)
    number = customer_number_key(query)
    if "@" in query:
        return members.filter(email__icontains=normalize_email(query)), "email"
    if number:
        linked = Link.objects.filter(tenant=tenant, customer__number=number)
        return members.filter(pk__in=linked.values("member_id")), "number"
    kana = kana_key(query)
    by_kana = Link.objects.filter(tenant=tenant, customer__name_kana_key__startswith=kana)
    return (
        members.filter(Q(name__icontains=query) | Q(pk__in=by_kana.values("member_id"))),
        "name",
    )


@staff_page()
def members(request):
    query = " ".join(request.GET.get("q", "").split())[:100]
    found = None
    if query:
        results, kind = _search(request.tenant, query)
        found = list(results.order_by("name", "pk")[: SEARCH_LIMIT + 1])
        # The list shows names and addresses: a look, on record (the query is not kept,
        # it may be a name).
        actions.do_record_staff_look(
            request.user,
            "staff_searched_members",
            source=client_ip(request),
            by=kind,
            found=len(found),
        )
    return render(
        request,
        "staff/members.html",
        {"query": query, "found": found, "limit": SEARCH_LIMIT},
    )


SIGN_IN_HISTORY = (
    "login",
    "login_failed",
    "login_locked",
    "logout",
    "password_reset",
    "password_changed",
    "email_change_requested",
    "email_changed",
    "code_locked",
)
HISTORY_WORDS = {
    "login": "ログイン",
    "login_failed": "ログイン失敗",
    "login_locked": "ログインの一時停止",
    "logout": "ログアウト",
    "password_reset": "パスワード再設定",
    "password_changed": "パスワード変更",
    "email_change_requested": "メールアドレス変更の申込み",
    "email_changed": "メールアドレス変更",
    "code_locked": "確認コードの一時停止",
}


@staff_page()
def member(request, member_id: int):
    tenant = request.tenant
    person = get_object_or_404(User.members, pk=member_id, tenant=tenant)
    links = list(
        Link.objects.filter(tenant=tenant, member=person)
        .select_related("customer")
        .order_by("-created_at")
    )
    today = timezone.localdate()
    history = [
        (event.created_at, HISTORY_WORDS.get(event.action, event.action))
        for event in AuditEvent.objects.filter(
            tenant=tenant, member=person, action__in=SIGN_IN_HISTORY
        ).order_by("-created_at")[:20]
    ]
    actions.do_record_staff_look(
        request.user, "staff_viewed_member", source=client_ip(request), member=person
    )
    return render(
        request,
        "staff/member.html",
        {"person": person, "links": links, "today": today, "history": history},
    )


# --- Customer-number locks --------------------------------------------------------------


@staff_page()
def locks(request):
    now = timezone.now()
    current = NumberLock.objects.filter(
        tenant=request.tenant, unlocked_at__isnull=True, until__gt=now
    ).order_by("-locked_at")
    return render(request, "staff/locks.html", {"locks": current})


@require_POST
@staff_page(StaffRole.MANAGER, StaffRole.CLERK)
def unlock(request, lock_id: int):
    lock = get_object_or_404(NumberLock, pk=lock_id, tenant=request.tenant)
    do_unlock_number(request.tenant, lock.number, actor=request.user)
    messages.success(request, f"使用者番号 {lock.number} のロックを解除しました。")
    return redirect("staff:locks")
