"""The staff console's login: password, then 確認コード; and its logout."""

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from waterportal.accounts import second_factor, signin, texts
from waterportal.accounts.forms import LoginForm
from waterportal.accounts.models import AccountKind, User
from waterportal.accounts.views.session import keepalive_answer
from waterportal.lib.sources import client_ip
from waterportal.staff import actions
from waterportal.staff.decorators import is_console_user
from waterportal.staff.forms import SecondFactorForm
from waterportal.staff.models import RecoveryCodes
from waterportal.tenants.decorators import tenant_required

# Between the password and the 確認コード: the account waiting for its second factor.
PENDING = "staff_pending"
PENDING_SECONDS = 5 * 60
BACKEND = "waterportal.accounts.backends.TenantEmailBackend"
NOT_ENROLLED = (
    "このアカウントは、認証アプリの登録が済んでいません。管理者から届いたメールのリンクを開いて、"
    "登録してください。リンクの期限（72時間）が過ぎたときは、管理者に送り直しを依頼してください。"
)


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
                elif not actions.is_enrolled(staff):
                    # The right password, but no authenticator yet (its second factor
                    # was reset): say what to do rather than ask for a code in vain.
                    form.add_error(None, NOT_ENROLLED)
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


@require_POST
@never_cache
@tenant_required
def staff_keepalive(request):
    """The console's 「ログインを続ける」: the staff member's idle clock starts again.

    Every role, the 閲覧者 too: it changes no record, only how long this session lasts
    (as any page opened would). A 401 for the script when the session has ended.
    """
    return keepalive_answer(request, is_console_user(request))
