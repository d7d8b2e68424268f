"""Where a request came from, for the limits counted per source and for the audit log."""

from django.conf import settings


def client_ip(request) -> str:
    """The address the request came from, for the per-source limits.

    Behind the TLS proxy production runs behind, REMOTE_ADDR is the proxy's (gunicorn
    does not take X-Forwarded-For into it), and every resident would share one key: ten
    mistyped passwords in the whole town would lock everyone's login. Each of the
    ``TRUSTED_PROXY_COUNT`` proxies appends the address it received from to
    X-Forwarded-For, so the client's is that many entries from the right; entries
    further left were written by the client and prove nothing. Written by hand: the rule
    is one line, and django-ipware's default reads the left-most, client-written entry.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [address for address in forwarded if address]
    if len(forwarded) < proxies:
        return remote  # not through every proxy (a health check from inside, say)
    return forwarded[-proxies]
