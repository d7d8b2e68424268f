"""The request log of each app sign-in: 「最近の利用」 in the member's account."""

from django.utils.cache import patch_cache_control

from waterportal.devices.actions import record_request


class AppRequestLogMiddleware:
    """After an API request made with an app's token, one line: when, which endpoint (the
    route with its placeholders, never the address or a query string), what status.
    Placed after the tenant middleware, inside the town's scope.

    Every API answer is ``no-store, private`` unless the operation chose otherwise
    (``api.caching``), as the web's member pages are: a member's data, and also what
    is answered before any token exists (the token itself at login, a registration's
    state, which no shared cache could tell apart by its ``X-Registration-Key``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        sign_in = getattr(request, "app_sign_in", None)
        match = getattr(request, "resolver_match", None)
        is_api = sign_in is not None or request.path.startswith("/api/")
        if is_api and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        if sign_in is not None and match is not None:
            route = "/" + match.route.replace("<", "{").replace(">", "}")
            record_request(
                sign_in, method=request.method, endpoint=route, status=response.status_code
            )
        return response
