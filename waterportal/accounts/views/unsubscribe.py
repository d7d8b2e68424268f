"""One-click unsubscribe from a notification email (RFC 8058), with no login.

Every notification email (new bills, important notices) carries ``List-Unsubscribe``
with this page's address and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``: a
mail program's button POSTs to it, with no cookie and no CSRF token, and that kind of
email is off. Opened in a browser (GET), the page asks first: mail scanners follow links,
and a GET must change nothing. The signed token (``emails.unsubscribe_token``) names the
member and the kind; it can do nothing else.
"""

from django.core import signing
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_scopes import scope

from waterportal import emails
from waterportal.accounts import actions
from waterportal.accounts.models import User
from waterportal.lib.sources import client_ip

KIND_NAMES = {"new_bill": _("新しい請求のお知らせメール"), "notices": _("重要なお知らせのメール")}
# What stopping each kind means, said before the button.
KIND_LOSSES = {
    "new_bill": _(
        "新しい請求（使用量と料金）がメールで届かなくなります。請求はポータルでいつでも見られます。"
    ),
    "notices": _(
        "断水や料金など、町からの重要なお知らせがメールで届かなくなります。"
        "お知らせはポータルでいつでも読めます。"
    ),
}


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    try:
        member_id, kind = emails.read_unsubscribe_token(token)
        member = User.members.select_related("tenant").get(pk=member_id)
    except (signing.BadSignature, User.DoesNotExist):
        return render(request, "accounts/unsubscribe_invalid.html", status=404)
    context = {"tenant": member.tenant, "kind_name": KIND_NAMES[kind], "loss": KIND_LOSSES[kind]}
    if request.method == "POST":
        with scope(tenant=member.tenant):
            actions.do_unsubscribe(member, kind, source=client_ip(request))
        return render(request, "accounts/unsubscribe_done.html", context)
    return render(request, "accounts/unsubscribe.html", context)
