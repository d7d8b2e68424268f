"""The member's account: contracts (add, remove), email, password, notifications, 退会.

Every page here needs a signed-in member of the request's municipality and is sent
with ``Cache-Control: no-store``: each shows or changes personal data.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from waterportal.accounts import actions, codes, texts
from waterportal.accounts.decorators import member_page
from waterportal.accounts.forms import (
    CodeForm,
    ContractNumberForm,
    EmailChangeForm,
    NotificationsForm,
    PasswordChangeForm,
    RelationshipForm,
    WithdrawForm,
)
from waterportal.accounts.passwords import rules_text
from waterportal.contracts import actions as contract_actions
from waterportal.contracts.models import Customer, Link
from waterportal.devices import actions as device_actions
from waterportal.devices import activity
from waterportal.lib.sources import client_ip
from waterportal.limits import ratelimit
from waterportal.tenants.decorators import tenant_required
from waterportal.tenants.middleware import SESSION_KEY as TENANT_SESSION_KEY

ADD_CONTRACT_KEY = "account_add_contract"
# A checked 使用者番号 waits this long for the relationship choice, as a signup flow does.
ADD_CONTRACT_TTL = dt.timedelta(minutes=30)
NEW_EMAIL_KEY = "account_new_email"
WITHDRAWN_KEY = "account_withdrawn"


def _posted(request):
    # ``request.POST or None`` would treat an empty POST as no POST, and show no errors.
    return request.POST if request.method == "POST" else None


def _current_password_ok(request, form, field: str = "current_password") -> bool:
    """The current password (``actions.check_current_password``), its refusal on the form."""
    try:
        actions.check_current_password(
            request.user, form.cleaned_data[field], source=client_ip(request)
        )
    except ratelimit.Limited as exc:
        form.add_error(field, texts.password_check_locked(exc.until))
    except actions.CurrentPasswordWrong:
        form.add_error(field, texts.CURRENT_PASSWORD_WRONG)
    else:
        return True
    return False


def _active_links(member):
    return (
        Link.objects.filter(member=member, revoked_at__isnull=True)
        .select_related("customer")
        .order_by("created_at", "pk")
    )


def _link_row(link: Link, today: dt.date) -> dict:
    return {
        "link": link,
        "pending": link.active_from > today,
        "active_from_text": texts.japanese_date(link.active_from),
    }


@member_page
def account(request):
    today = timezone.localdate()
    rows = [_link_row(link, today) for link in _active_links(request.user)]
    recent = [
        {
            "at": row.at,
            "device": row.app_sign_in.name,
            "what": activity.described(row),
            "ok": activity.succeeded(row),
        }
        for row in device_actions.recent_requests(request.user)
    ]
    return render(
        request,
        "accounts/account_home.html",
        {
            "rows": rows,
            "sign_ins": list(device_actions.open_sign_ins(request.user)),
            "recent": recent,
        },
    )


@require_POST
@member_page
def sign_out_device(request, device_id: int):
    """「この端末をログアウト」: one of the member's open app sign-ins ends; its token
    stops working at once. Another member's device, or one already ended, is 404."""
    sign_in = get_object_or_404(device_actions.open_sign_ins(request.user), pk=device_id)
    device_actions.do_sign_out_app(sign_in, by_member_elsewhere=True, source=client_ip(request))
    messages.success(
        request, gettext("「%(name)s」をログアウトしました。") % {"name": sign_in.name}
    )
    return redirect("accounts:account")


# --- Several contracts in one account ---------------------------------------------------


@sensitive_post_parameters()
@member_page
def add_contract(request):
    """使用者番号 and カナ氏名, checked as at registration step 6 and under the same limits."""
    member = request.user
    form = ContractNumberForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            customer = contract_actions.find_contract_to_add(
                member, form.cleaned_data["number"], form.cleaned_data["kana"]
            )
        except contract_actions.ContractError as exc:
            form.add_error(None, texts.contract_refused(exc, request.tenant))
        else:
            request.session[ADD_CONTRACT_KEY] = {
                "customer_id": customer.pk,
                "checked_at": timezone.now().timestamp(),
            }
            return redirect("accounts:account_contract_relationship")
    return render(request, "accounts/account_contract_add.html", {"form": form})


def _checked_customer(request) -> Customer | None:
    """The contract the member proved in the step before, while that proof is fresh."""
    checked = request.session.get(ADD_CONTRACT_KEY)
    if not isinstance(checked, dict):
        return None
    age = timezone.now().timestamp() - checked.get("checked_at", 0)
    if not 0 <= age <= ADD_CONTRACT_TTL.total_seconds():
        request.session.pop(ADD_CONTRACT_KEY, None)
        return None
    customer_id = checked.get("customer_id")
    if not isinstance(customer_id, int):
        return None
    return Customer.objects.filter(tenant=request.tenant, pk=customer_id).first()


@member_page
def add_contract_relationship(request):
    """The relationship to the contract holder; 本人 only while no one else is 本人."""
    customer = _checked_customer(request)
    if customer is None:
        if ADD_CONTRACT_KEY in request.session or request.method == "POST":
            messages.warning(request, texts.ADD_CONTRACT_EXPIRED)
        request.session.pop(ADD_CONTRACT_KEY, None)
        return redirect("accounts:account_contract_add")
    form = RelationshipForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        relationship = form.cleaned_data["relationship"]
        try:
            link = contract_actions.do_add_contract(request.user, customer, relationship)
        except contract_actions.SelfTaken as exc:
            form.add_error("relationship", texts.contract_refused(exc, request.tenant))
        except contract_actions.ContractError as exc:
            request.session.pop(ADD_CONTRACT_KEY, None)
            messages.error(request, texts.contract_refused(exc, request.tenant))
            return redirect("accounts:account")
        else:
            request.session.pop(ADD_CONTRACT_KEY, None)
            messages.success(
                request,
                gettext(
                    "使用者番号 %(number)s を追加しました。使用量・料金は%(date)sから確認できます。"
                )
                % {"number": customer.masked_number, "date": texts.japanese_date(link.active_from)},
            )
            return redirect("accounts:account")
    return render(
        request, "accounts/account_contract_relationship.html", {"form": form, "customer": customer}
    )


@member_page
def remove_contract(request, link_id: int):
    """GET explains what removing does; POST removes the member's view of the contract."""
    link: Link = get_object_or_404(
        Link.objects.select_related("customer"),
        pk=link_id,
        member=request.user,
        revoked_at__isnull=True,
    )
    if request.method == "POST":
        contract_actions.do_revoke_link(request.user, link)
        messages.success(
            request,
            gettext("使用者番号 %(number)s をこのアカウントの一覧から外しました。")
            % {"number": link.customer.masked_number},
        )
        return redirect("accounts:account")
    return render(request, "accounts/account_contract_remove.html", {"link": link})


# --- Email address -----------------------------------------------------------------------


@sensitive_post_parameters()
@member_page
def change_email(request):
    """A new address and the current password → a code to the new address."""
    member = request.user
    form = EmailChangeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"]
        if new_email == member.email:
            form.add_error("email", texts.EMAIL_SAME)
        elif _current_password_ok(request, form):
            try:
                actions.do_request_email_change(member, new_email)
            except codes.SendTooSoon as exc:
                form.add_error(None, texts.code_send_refused(exc))
            else:
                request.session[NEW_EMAIL_KEY] = new_email
                return redirect("accounts:account_email_code")
    return render(request, "accounts/account_email.html", {"form": form})


@sensitive_post_parameters()
@member_page
def change_email_code(request):
    new_email = request.session.get(NEW_EMAIL_KEY)
    if not new_email:
        messages.warning(request, texts.EMAIL_CHANGE_EXPIRED)
        return redirect("accounts:account_email")
    form = CodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_email(request.user, new_email, form.cleaned_data["code"])
        except codes.CodeError as exc:
            form.add_error("code", texts.code_refused(exc))
        except actions.EmailTaken:
            request.session.pop(NEW_EMAIL_KEY, None)
            messages.error(request, texts.EMAIL_CHANGE_TAKEN)
            return redirect("accounts:account_email")
        else:
            request.session.pop(NEW_EMAIL_KEY, None)
            messages.success(
                request,
                gettext(
                    "メールアドレスを変更しました。次回から新しいメールアドレスでログインしてください。"
                ),
            )
            return redirect("accounts:account")
    current = codes.current_code(request.tenant, "email", new_email)
    return render(
        request,
        "accounts/account_email_code.html",
        {
            "form": form,
            "new_email": new_email,
            "ttl_minutes": codes.ttl_minutes(),
            "expires_at": current.expires_at if current else None,
        },
    )


@require_POST
@member_page
def change_email_resend(request):
    new_email = request.session.get(NEW_EMAIL_KEY)
    if not new_email:
        messages.warning(request, texts.EMAIL_CHANGE_EXPIRED)
        return redirect("accounts:account_email")
    texts.tell_code_resent(
        request, lambda: actions.do_request_email_change(request.user, new_email)
    )
    return redirect("accounts:account_email_code")


# --- Password, notifications --------------------------------------------------------------


@sensitive_post_parameters()
@member_page
def change_password(request):
    """The current password, the new one twice; other sessions end, this one stays."""
    form = PasswordChangeForm(_posted(request), member=request.user)
    if request.method == "POST" and form.is_valid() and _current_password_ok(request, form):
        member = actions.do_change_password(request.user, form.cleaned_data["password1"])
        update_session_auth_hash(request, member)
        messages.success(
            request, gettext("パスワードを変更しました。ほかの端末でのログインは終了しました。")
        )
        return redirect("accounts:account")
    return render(
        request,
        "accounts/account_password.html",
        {"form": form, "rules": rules_text(request.tenant)},
    )


@member_page
def notifications(request):
    member = request.user
    form = NotificationsForm(
        _posted(request),
        initial={
            "notify_new_bill": member.notify_new_bill,
            "notify_notices": member.notify_notices,
        },
    )
    if request.method == "POST" and form.is_valid():
        actions.do_change_notification_settings(
            member,
            notify_new_bill=form.cleaned_data["notify_new_bill"],
            notify_notices=form.cleaned_data["notify_notices"],
        )
        messages.success(request, gettext("お知らせメールの設定を保存しました。"))
        return redirect("accounts:account")
    return render(request, "accounts/account_notifications.html", {"form": form})


# --- 退会 ---------------------------------------------------------------------------------


@sensitive_post_parameters()
@member_page
def withdraw(request):
    """Explain what is kept and what is erased; the current password and a checkbox."""
    form = WithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid() and _current_password_ok(request, form):
        tenant = request.tenant
        actions.do_withdraw_member(request.user)
        logout(request)
        # Back to their own town's pages, as after a logout.
        request.session[TENANT_SESSION_KEY] = tenant.pk
        request.session[WITHDRAWN_KEY] = True
        return redirect("accounts:account_withdrawn")
    links = _active_links(request.user)
    return render(request, "accounts/account_withdraw.html", {"form": form, "links": links})


@tenant_required
@never_cache
def withdrawn(request):
    """The goodbye page, shown once right after 退会."""
    if not request.session.pop(WITHDRAWN_KEY, False):
        return redirect("accounts:login")
    return render(request, "accounts/account_withdrawn.html")
