"""gunicorn's access log without what must not be kept: the query string (a search's
question, a sign-in link's parameters), the secrets in the paths of emailed links
(``/inquiries/t/<token>``, ``/staff/welcome/<id>.<secret>``), the Referer (it holds the
same paths and queries of the page before) and every other header or environ value.

``access_log_format`` only chooses among gunicorn's atoms, and ``%(r)s`` and ``%(U)s``
carry the raw path and query: a format cannot drop them, so the atoms themselves are
rebuilt here from a short list (deploy/gunicorn.conf.py sets ``logger_class``).
"""

from gunicorn.glogging import Logger

from waterportal.lib.log_filters import hide_secrets

# What a line may show; any other atom of the format prints "-".
_KEPT = ("h", "l", "u", "t", "s", "m", "H", "b", "B", "a", "T", "D", "M", "L", "p")
# The request id: as the proxy sent it, and as the portal answered it (its middleware
# takes a safe one from the request or makes one; waterportal.lib.request_context).
_KEPT_HEADERS = ("{x-request-id}i", "{x-request-id}o")


def safe_path(path: str | None) -> str:
    """The path as the access log shows it: without the emailed links' secrets."""
    return hide_secrets(path or "-")


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        full = super().atoms(resp, req, environ, request_time)
        atoms = {key: full[key] for key in _KEPT if key in full}
        atoms.update({key: full[key] for key in _KEPT_HEADERS if key in full})
        path = safe_path(environ.get("PATH_INFO"))
        atoms["U"] = path
        atoms["r"] = (
            f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        )
        atoms["q"] = "-"
        atoms["f"] = "-"
        return atoms
