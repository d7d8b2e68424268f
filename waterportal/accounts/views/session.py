"""「ログインを続ける」: the page's warning before the idle logout extends the session."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from waterportal.accounts.middleware import session_seconds_left, touch_session
from waterportal.accounts.models import AccountKind
from waterportal.tenants.decorators import tenant_required


def keepalive_answer(request, signed_in: bool) -> JsonResponse:
    """What the page's script reads: the seconds left now, or 401 when the session had
    already ended (the script then says so and offers the login); never stored."""
    if not signed_in:
        return JsonResponse({"signed_in": False}, status=401)
    touch_session(request)
    return JsonResponse({"signed_in": True, "seconds_left": session_seconds_left(request)})


@require_POST
@never_cache
@tenant_required
def keepalive(request):
    """A member of this town is still at the page: their idle clock starts again.

    Not ``member_page``: a session that has ended gets a 401 for the script, not the
    login page's HTML. The middleware has already ended a session idle for too long, so
    this cannot bring one back.
    """
    user = request.user
    member = (
        user.is_authenticated
        and user.kind == AccountKind.MEMBER
        and user.tenant_id == request.tenant.pk
    )
    return keepalive_answer(request, member)
