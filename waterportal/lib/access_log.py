"""gunicorn's access log without what a logged address may hold: no query strings (a
search typed on the help page holds names), no inquiry or invitation tokens in a path.

``deploy/gunicorn.conf.py`` names this class as gunicorn's ``logger_class``.
"""

from urllib.parse import urlsplit, urlunsplit

from gunicorn.glogging import Logger

from waterportal.lib.log_filters import hide_secrets


def _path_only(address: str) -> str:
    parts = urlsplit(address)
    return hide_secrets(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = hide_secrets(environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["q"] = "-"
        atoms["r"] = f"{environ['REQUEST_METHOD']} {path} {environ['SERVER_PROTOCOL']}"
        if atoms.get("f") not in (None, "-"):
            atoms["f"] = _path_only(atoms["f"])
        # The same again as {referer}i, and the whole environ as {name}e (RAW_URI,
        # QUERY_STRING): a format naming them gets "-".
        if "{referer}i" in atoms:
            atoms["{referer}i"] = atoms["f"]
        return {name: value for name, value in atoms.items() if not name.endswith("}e")}
