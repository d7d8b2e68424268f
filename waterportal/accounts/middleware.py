"""Signed-in sessions end after 30 minutes idle or 12 hours in all (8 for the town's
staff), whichever is first."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils import timezone
from django.utils.translation import gettext

from waterportal.accounts import actions

STARTED = "session_started"
SEEN = "session_seen"
SEEN_RESOLUTION = 60


def start_session_clock(request) -> None:
    now = timezone.now().timestamp()
    request.session[STARTED] = now
    request.session[SEEN] = now


def start_session_clock_on_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: every sign-in starts the clock, the admin's included."""
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)


def _absolute_limit(user) -> int:
    if getattr(user, "kind", None) == "staff":
        return settings.STAFF_SESSION_ABSOLUTE_SECONDS
    return settings.SESSION_ABSOLUTE_SECONDS


def session_seconds_left(request) -> int:
    """Seconds until this signed-in session ends if nothing more is done: 30 idle minutes
    from the last request the server noted, or the 12 (8) hours in all, whichever is first.

    The clock is noted at most once a minute (``SEEN_RESOLUTION``), so this may be up to a
    minute less than 30 minutes right after a page: the page's warning comes that early
    rather than too late.
    """
    now = timezone.now().timestamp()
    seen = request.session.get(SEEN, now)
    started = request.session.get(STARTED, now)
    left = min(
        seen + settings.SESSION_IDLE_SECONDS - now,
        started + _absolute_limit(request.user) - now,
    )
    return max(0, int(left))


def touch_session(request) -> None:
    """The resident (or staff member) is still here: the idle clock starts again now.

    For the warning's 「ログインを続ける」, which must extend the session at once, not at
    the next minute's note. The 12 (8) hours in all are not extended.
    """
    request.session[SEEN] = timezone.now().timestamp()


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            if STARTED not in request.session:
                # A session signed in before sign-ins started the clock: it starts now,
                # so that it too ends on time.
                start_session_clock(request)
            started = request.session[STARTED]
            seen = request.session.get(SEEN, now)
            idle = now - seen > settings.SESSION_IDLE_SECONDS
            staff = getattr(request.user, "kind", None) == "staff"
            limit = _absolute_limit(request.user)
            if idle or now - started > limit:
                tenant_id = request.session.get("tenant_id")
                logout(request)
                if tenant_id:
                    request.session["tenant_id"] = tenant_id
                if idle:
                    message = gettext(
                        "30分間操作がなかったため、安全のためログアウトしました。もう一度ログインしてください。"
                    )
                elif staff:
                    message = "ログインから8時間が過ぎたため、安全のためログアウトしました。もう一度ログインしてください。"
                else:
                    message = gettext(
                        "ログインから12時間が過ぎたため、安全のためログアウトしました。もう一度ログインしてください。"
                    )
                messages.info(request, message)
            elif now - seen >= SEEN_RESOLUTION:
                # Written at most once a minute: saving the session on every page would
                # cost a database write per request for a clock that needs no more.
                request.session[SEEN] = now
        return self.get_response(request)


class MemberLanguageMiddleware:
    """Keep the language a signed-in member chose with the footer's switch on the member.

    The pages follow the language cookie (``waterportal.middleware``); the emails cannot,
    since many are sent without a request (a new bill, a notice, staff's answer). So the
    member's choice is noted on the account: in one place, whichever page the switch was
    used on (signed out before logging in, during registration, on the account page).
    Only an explicit choice counts: a browser without the cookie changes nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "kind", None) == "member"
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            and not request.path.startswith(("/staff", "/admin/", "/api/"))
        ):
            language = getattr(request, "LANGUAGE_CODE", "") or ""
            if language and language != user.language:
                actions.do_change_language(user, language)
        return response
