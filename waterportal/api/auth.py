"""Who is calling: the bearer token of an app's sign-in, in the town of the path.

Written on ninja's ``HttpBearer`` but with its own reading of the header: ninja's logs
the whole header (the token) at DEBUG when the scheme is not "Bearer".
"""

from ninja.security import HttpBearer

from waterportal.api.problems import Problem
from waterportal.devices.actions import find_app_sign_in, texts_pending


class AppToken(HttpBearer):
    """A signed-in app: ``Authorization: Bearer wpa_…`` from the login's answer.

    Sets ``request.member`` and ``request.app_sign_in``. Refuses (401) a token that is
    unknown, another town's, signed out, expired, or whose member changed their password
    or was signed out everywhere, stopped or withdrawn. A member who has not accepted the
    town's new 利用規約 gets 403 ``terms_not_accepted`` on every operation but those made
    with ``before_texts=True`` (reading and accepting them, logging out).
    """

    def __init__(self, *, before_texts: bool = False):
        super().__init__()
        self.before_texts = before_texts

    def __call__(self, request):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        sign_in = find_app_sign_in(request.tenant, token)
        if sign_in is None:
            return None
        request.app_sign_in = sign_in
        request.member = sign_in.member
        if not self.before_texts and texts_pending(sign_in):
            raise Problem(
                "terms_not_accepted",
                "新しい利用規約・個人情報の取り扱いを読んで、同意してください。",
            )
        return sign_in


member = AppToken()
member_before_texts = AppToken(before_texts=True)
