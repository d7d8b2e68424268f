"""Log filters: what the portal's logs must never hold."""

import logging
import re

# A staff invitation's secret is in its address (/staff/welcome/<id>.<secret>); Django
# logs the path of every 4xx answer (a used or expired link is a 410).
_SECRET_IN_PATH = re.compile(r"(/staff/welcome/\d+)\.[\w-]+")
# A guest's link to their inquiry (/inquiries/t/<token>): an expired one is a 404.
_INQUIRY_TOKEN_IN_PATH = re.compile(r"(/inquiries/t/)[\w-]+")
# The question typed on the help page (/help?q=…) may hold a name or a phone number;
# runserver's access lines print the query string. Any path's q= is hidden: the
# console's searches (members, "try the search") hold names too.
_QUESTION_IN_QUERY = re.compile(r"([?&;]q=)[^&\s\"'#]*")


def hide(text: str) -> str:
    """``text`` with the secrets of emailed links and the search questions replaced by ``…``
    (also the access log's, ``waterportal.lib.access_log``)."""
    text = _SECRET_IN_PATH.sub(r"\1.…", text)
    text = _INQUIRY_TOKEN_IN_PATH.sub(r"\1…", text)
    return _QUESTION_IN_QUERY.sub(r"\1…", text)


class HideLinkSecrets(logging.Filter):
    """Replaces the secret of an emailed link in a logged path, and the question of a
    search (``q=``), with ``…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(hide(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = hide(record.msg)
        return True
