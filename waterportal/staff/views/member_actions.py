"""Staff act on a member: revoke a link, show a waiting link now, stop and restart the
account, sign it out everywhere. Each a confirmation page (GET) whose button (POST) asks
for a reason, for 管理者 and 担当者; a second click changes nothing and says so."""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from waterportal.accounts import actions as account_actions
from waterportal.accounts.models import StaffRole, User
from waterportal.contracts import actions as contract_actions
from waterportal.contracts.models import Link
from waterportal.lib.sources import client_ip
from waterportal.staff import actions
from waterportal.staff.decorators import staff_page
from waterportal.staff.forms import ReasonForm

ACTORS = (StaffRole.MANAGER, StaffRole.CLERK)


@dataclass(frozen=True)
class Step:
    title: str
    explanation: str
    button: str
    done: str
    unchanged: str
    danger: bool = False


REVOKE = Step(
    "契約の表示を取り消す",
    "会員はこの契約の使用量や料金をポータルで見られなくなります。契約（台帳・請求）は変わりません。"
    "会員には、取り消したことをメールでお知らせします（理由は載りません）。",
    "取り消す",
    "契約の表示を取り消しました。会員にメールでお知らせしました。",
    "この契約の表示は、すでに取り消されています。何も変更していません。",
    danger=True,
)
ACTIVATE = Step(
    "今すぐ表示する",
    "表示開始待ちの契約を、次の営業日を待たずに今から会員に表示します。"
    "会員には、表示を始めたことをメールでお知らせします（理由は載りません）。",
    "今すぐ表示する",
    "契約の表示を開始しました。会員にメールでお知らせしました。",
    "この契約は表示開始待ちではありません（すでに表示中か、取り消し済み）。何も変更していません。",
)
LOCK = Step(
    "アカウントを停止",
    "会員はログインできなくなり（パスワード・ログイン用リンク・パスワード再設定のどれでも）、"
    "ログイン中の端末もすべてログアウトします。停止を解除するまで続きます。"
    "会員には、停止したことと窓口の連絡先をメールでお知らせします（理由は載りません）。",
    "アカウントを停止",
    "アカウントを停止しました。会員にメールでお知らせしました。",
    "このアカウントは、すでに停止しています。何も変更していません。",
    danger=True,
)
UNLOCK = Step(
    "停止を解除",
    "会員は、これまでのメールアドレスとパスワードで再びログインできるようになります。"
    "会員には、解除したことをメールでお知らせします（理由は載りません）。",
    "停止を解除",
    "停止を解除しました。会員にメールでお知らせしました。",
    "このアカウントは停止していません。何も変更していません。",
)
END_SESSIONS = Step(
    "すべての端末からログアウトさせる",
    "会員がログインしているすべての端末（スマートフォン・パソコン）で、次の操作からログアウトします。"
    "パスワードは変わりません。会員には、ログアウトさせたことをメールでお知らせします（理由は載りません）。",
    "すべての端末からログアウトさせる",
    "すべての端末からログアウトさせました。会員にメールでお知らせしました。",
    "この会員は、すでにログアウトさせています（ほかの操作が先に行われました）。何も変更していません。",
    danger=True,
)


def _member(request, member_id: int) -> User:
    # A withdrawn member is gone: nothing to act on, and their mail would go nowhere.
    return get_object_or_404(User.members, pk=member_id, tenant=request.tenant, is_active=True)


def _link(request, person: User, link_id: int) -> Link:
    return get_object_or_404(
        Link.objects.select_related("customer"), pk=link_id, member=person, tenant=request.tenant
    )


def _confirm(request, person: User, step: Step, do, *, link: Link | None = None, seen=None):
    """The confirmation page, and on its POST the action ``do(reason, seen)``."""
    form = ReasonForm(request.POST or None, initial={"seen": seen})
    if request.method == "POST" and form.is_valid():
        changed = do(form.cleaned_data["reason"], form.cleaned_data["seen"])
        if changed:
            messages.success(request, step.done)
        else:
            messages.info(request, step.unchanged)
        return redirect("staff:member", person.pk)
    if request.method == "GET":
        # The page names the member (name and address): a look, on record.
        actions.do_record_staff_look(
            request.user, "staff_viewed_member", source=client_ip(request), member=person
        )
    return render(
        request,
        "staff/member_action.html",
        {"person": person, "step": step, "form": form, "link": link},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_page(*ACTORS)
def revoke_link(request, member_id: int, link_id: int):
    person = _member(request, member_id)
    link = _link(request, person, link_id)
    return _confirm(
        request,
        person,
        REVOKE,
        lambda reason, seen: contract_actions.do_revoke_link_by_staff(
            link, actor=request.user, reason=reason, source=client_ip(request)
        ),
        link=link,
    )


@require_http_methods(["GET", "POST"])
@staff_page(*ACTORS)
def activate_link(request, member_id: int, link_id: int):
    person = _member(request, member_id)
    link = _link(request, person, link_id)
    return _confirm(
        request,
        person,
        ACTIVATE,
        lambda reason, seen: contract_actions.do_activate_link_now(
            link, actor=request.user, reason=reason, source=client_ip(request)
        ),
        link=link,
    )


@require_http_methods(["GET", "POST"])
@staff_page(*ACTORS)
def lock_member(request, member_id: int):
    person = _member(request, member_id)
    return _confirm(
        request,
        person,
        LOCK,
        lambda reason, seen: account_actions.do_lock_member(
            person, actor=request.user, reason=reason, source=client_ip(request)
        ),
    )


@require_http_methods(["GET", "POST"])
@staff_page(*ACTORS)
def unlock_member(request, member_id: int):
    person = _member(request, member_id)
    return _confirm(
        request,
        person,
        UNLOCK,
        lambda reason, seen: account_actions.do_unlock_member(
            person, actor=request.user, reason=reason, source=client_ip(request)
        ),
    )


@require_http_methods(["GET", "POST"])
@staff_page(*ACTORS)
def end_sessions(request, member_id: int):
    person = _member(request, member_id)
    return _confirm(
        request,
        person,
        END_SESSIONS,
        lambda reason, seen: account_actions.do_end_member_sessions(
            person,
            actor=request.user,
            reason=reason,
            source=client_ip(request),
            seen_generation=seen,
        ),
        seen=person.session_generation,
    )
