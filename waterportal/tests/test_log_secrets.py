"""What the logs print never holds a link's secret or a typed question: every handler
that can print a path (the root's, Django's own loggers', runserver's access lines)
hides them (``waterportal.lib.log_filters.HideLinkSecrets``)."""

import contextlib
import datetime as dt
import io
import logging
from collections.abc import Iterator

import pytest

from waterportal.inquiries import actions
from waterportal.lib.log_filters import HideLinkSecrets
from waterportal.testing.inquiries import make_inquiry

QUESTION = "%E6%B0%B4%E9%81%93+%E8%8A%B1%E5%AD%90+090-1234-5678"  # 水道 花子 090-…


def _handlers_of(name: str) -> list[logging.Handler]:
    """Every handler the settings gave that a record logged on ``name`` reaches (up the
    propagation; not pytest's own capture, nor handlers that print nothing)."""
    found: list[logging.Handler] = []
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        found += [
            h
            for h in logger.handlers
            if not type(h).__module__.startswith("_pytest")
            and not isinstance(h, logging.NullHandler)
        ]
        logger = logger.parent if logger.propagate else None
    return found


@contextlib.contextmanager
def printed_by(name: str) -> Iterator[io.StringIO]:
    """What every handler reached from the logger ``name`` prints, in one buffer."""
    out = io.StringIO()
    streams = [h for h in _handlers_of(name) if isinstance(h, logging.StreamHandler)]
    previous = [h.setStream(out) for h in streams]
    try:
        yield out
    finally:
        for handler, stream in zip(streams, previous, strict=True):
            handler.setStream(stream)


@pytest.mark.parametrize(
    "name", ["django.request", "django.server", "django.security", "waterportal"]
)
def test_every_handler_that_can_print_a_path_hides_the_secrets(name):
    handlers = _handlers_of(name)
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, HideLinkSecrets) for f in handler.filters), handler


@pytest.mark.usefixtures("clock")
def test_an_expired_guest_links_404_hides_the_token_on_every_handler(
    portal, tenant, clock, settings
):
    """runserver (DEBUG) too: Django's own console handler printed the path unfiltered."""
    settings.DEBUG = True
    inquiry = make_inquiry(tenant, email="guest@example.jp")
    token = actions._guest_link(inquiry, inquiry.created_at)
    clock.shift(actions.GUEST_LINK_TTL + dt.timedelta(minutes=1))
    with printed_by("django.request") as out:
        assert portal.get(f"/inquiries/t/{token}").status_code == 404
    assert "Not Found: /inquiries/t/" in out.getvalue()
    assert token not in out.getvalue()


def test_runservers_access_line_hides_the_help_question_and_the_guest_token():
    with printed_by("django.server") as out:
        logger = logging.getLogger("django.server")
        for path in (f"/help?tenant=oumu&q={QUESTION}", f"/help?q={QUESTION}&tenant=oumu"):
            logger.info(
                '"%s" %s %s',
                f"GET {path} HTTP/1.1",
                "200",
                "5120",
                extra={"status_code": 200, "server_time": "03/Dec/2026 07:00:00"},
            )
        logger.info('"%s" %s %s', "GET /inquiries/t/SECRETtoken_1 HTTP/1.1", "404", "10")
    printed = out.getvalue()
    assert '"GET /help?tenant=oumu&q=… HTTP/1.1" 200 5120' in printed
    assert '"GET /help?q=…&tenant=oumu HTTP/1.1" 200 5120' in printed
    assert "/inquiries/t/… HTTP/1.1" in printed
    assert "090-1234-5678" not in printed and "SECRETtoken_1" not in printed
