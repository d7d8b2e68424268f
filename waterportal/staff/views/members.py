"""Finding members and a member's page."""

from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from waterportal.accounts.models import StaffRole, User, normalize_email
from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import Link
from waterportal.lib.kana import customer_number_key, kana_key
from waterportal.lib.sources import client_ip
from waterportal.staff import actions
from waterportal.staff.decorators import staff_page
from waterportal.tenants import versions
from waterportal.tenants.models import TextAcceptance

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


@require_safe
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


@require_safe
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
        {
            "person": person,
            "links": links,
            "today": today,
            "history": history,
            "acceptances": TextAcceptance.objects.filter(member=person)
            .select_related("version")
            .order_by("-accepted_at", "-pk"),
            "texts_pending": versions.pending_versions(person),
            # 管理者 and 担当者 act on the member (views/member_actions.py); 閲覧者 read.
            "can_act": request.user.staff_role in (StaffRole.MANAGER, StaffRole.CLERK),
        },
    )
