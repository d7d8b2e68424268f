"""The town's staff accounts (管理者 only): the list, adding one, and one account's page
with its changes."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from waterportal.accounts.models import StaffRole, User
from waterportal.accounts.texts import clock
from waterportal.lib.sources import client_ip
from waterportal.staff import actions
from waterportal.staff.decorators import staff_page
from waterportal.staff.forms import InviteStaffForm, StaffRoleForm

EMAIL_TAKEN = (
    "このメールアドレスは、すでに{town}の職員のアカウントで使われています。"
    "同じ人なら一覧からその職員を開いてください。別の人なら別のメールアドレスを入力してください。"
)


def _staff_of_town(request, staff_id: int) -> User:
    return get_object_or_404(actions.town_staff(request.tenant), pk=staff_id)


@staff_page(StaffRole.MANAGER)
def staff_accounts(request):
    """The town's staff, and the form to add one (posted here)."""
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff = actions.do_invite_staff(
                request.tenant,
                form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                actor=request.user,
                source=client_ip(request),
            )
        except actions.StaffEmailTaken:
            form.add_error("email", EMAIL_TAKEN.format(town=request.tenant.name))
        else:
            messages.success(
                request,
                f"{staff.email} に登録の案内をメールで送りました。リンクは72時間有効です。",
            )
            return redirect("staff:staff_account", staff.pk)
    accounts = [
        (account, actions.login_locked_until(account))
        for account in actions.town_staff(request.tenant).order_by("-is_active", "pk")
    ]
    return render(request, "staff/accounts.html", {"accounts": accounts, "form": form})


@staff_page(StaffRole.MANAGER)
def staff_account(request, staff_id: int):
    staff = _staff_of_town(request, staff_id)
    locked_until = actions.login_locked_until(staff)
    return render(
        request,
        "staff/accounts_detail.html",
        {
            "staff": staff,
            "role_form": StaffRoleForm(initial={"role": staff.staff_role}),
            "locked_until": locked_until,
            "locked_until_text": clock(locked_until) if locked_until else "",
            "is_self": staff.pk == request.user.pk,
            "invitation_pending": staff.staff_invitations.filter(
                used_at__isnull=True, voided_at__isnull=True, expires_at__gt=timezone.now()
            ).exists(),
        },
    )


def _change(request, staff_id: int, change, done: str):
    """Run ``change(staff, actor=..., source=...)`` and say how it went."""
    staff = _staff_of_town(request, staff_id)
    try:
        change(staff, actor=request.user, source=client_ip(request))
    except actions.StaffChangeRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("staff:staff_account", staff.pk)


@require_POST
@staff_page(StaffRole.MANAGER)
def change_role(request, staff_id: int):
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        _staff_of_town(request, staff_id)
        messages.error(request, "権限は、管理者・担当者・閲覧者から選んでください。")
        return redirect("staff:staff_account", staff_id)
    role = form.cleaned_data["role"]

    def change(staff, **kw):
        actions.do_change_staff_role(staff, role, **kw)

    return _change(request, staff_id, change, f"権限を{StaffRole(role).label}にしました。")


@require_POST
@staff_page(StaffRole.MANAGER)
def disable(request, staff_id: int):
    return _change(
        request,
        staff_id,
        actions.do_disable_staff,
        "アカウントを停止しました。この職員はログインできず、開いていた画面からもログアウトされます。",
    )


@require_POST
@staff_page(StaffRole.MANAGER)
def enable(request, staff_id: int):
    return _change(request, staff_id, actions.do_enable_staff, "アカウントを有効にしました。")


@require_POST
@staff_page(StaffRole.MANAGER)
def reset_second_factor(request, staff_id: int):
    return _change(
        request,
        staff_id,
        actions.do_reset_staff_second_factor,
        "認証アプリとリカバリーコードを削除し、登録し直す案内をメールで送りました。"
        "登録が済むまで、この職員はログインできません。",
    )


@require_POST
@staff_page(StaffRole.MANAGER)
def resend_invitation(request, staff_id: int):
    return _change(
        request,
        staff_id,
        actions.do_resend_staff_invitation,
        "案内のメールを送り直しました。前に送ったリンクは使えなくなります。",
    )


@require_POST
@staff_page(StaffRole.MANAGER)
def unlock_login(request, staff_id: int):
    staff = _staff_of_town(request, staff_id)
    if actions.do_unlock_staff_login(staff, actor=request.user, source=client_ip(request)):
        messages.success(
            request, "ログインの停止を解除しました。この職員は、すぐにログインできます。"
        )
    else:
        messages.info(request, "この職員のログインは止まっていません。")
    return redirect("staff:staff_account", staff.pk)
