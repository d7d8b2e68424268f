"""Log filters: what the portal's logs must never hold."""

import logging
import re

# A staff invitation's secret is in its address (/staff/welcome/<id>.<secret>); Django
# logs the path of every 4xx answer (a used or expired link is a 410).
_SECRET_IN_PATH = re.compile(r"(/staff/welcome/\d+)\.[\w-]+")
# A guest's link to their inquiry (/inquiries/t/<token>): an expired one is a 404.
_INQUIRY_TOKEN_IN_PATH = re.compile(r"(/inquiries/t/)[\w-]+")


def _hide(text: str) -> str:
    return _INQUIRY_TOKEN_IN_PATH.sub(r"\1…", _SECRET_IN_PATH.sub(r"\1.…", text))


class HideLinkSecrets(logging.Filter):
    """Replaces the secret of an emailed link in a logged path with ``…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_hide(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _hide(record.msg)
        return True
