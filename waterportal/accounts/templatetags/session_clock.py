"""The signed-in session's clock, for the page that warns before the idle logout."""

from urllib.parse import urlencode

from django import template
from django.conf import settings

from waterportal.accounts.middleware import session_seconds_left
from waterportal.accounts.models import AccountKind
from waterportal.tenants.addresses import with_town

register = template.Library()


@register.simple_tag(takes_context=True)
def session_clock(context) -> dict | None:
    """``{"idle": seconds, "idle_minutes": minutes, "left": seconds}`` for a signed-in member or staff member,
    ``None`` for anyone else (a visitor, the operator in the admin): only a session with
    the idle rule is warned.

    ``left`` is counted on the server (the last request it noted), so the page's warning
    comes two minutes before the logout the server will do, not after it.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if getattr(user, "kind", None) not in (AccountKind.MEMBER, AccountKind.STAFF):
        return None
    return {
        "idle": settings.SESSION_IDLE_SECONDS,
        "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "left": session_seconds_left(request),
    }


@register.simple_tag(takes_context=True)
def login_again_url(context, login_path: str) -> str:
    """``login_path`` with this town and this page to come back to after the login.

    The town is in the address (``?tenant=``) and in the page to come back to, so the link
    works in a browser that has forgotten the town too.
    """
    request = context["request"]
    tenant = getattr(request, "tenant", None)
    query = {"tenant": tenant.slug} if tenant is not None else {}
    if request.method == "GET":
        query["next"] = with_town(request.get_full_path(), tenant)
    return f"{login_path}?{urlencode(query)}" if query else login_path
