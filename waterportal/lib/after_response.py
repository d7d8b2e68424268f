"""Work a page does after its answer has gone to the browser.

For one case: an email that the queue could not take (Redis down, or no queue at all in
development) is sent by the web process itself. Sent before the answer, it would make
the answer wait for the mail server, and only when a mail goes out: a password-reset
request for a registered address would then take longer than one for an unknown
address, and tell who has an account. Sent after it, every answer takes the same time.

Django sends ``request_finished`` when the server closes the response, after its last
byte was written (WSGI's ``close()``), in the thread that served it. Outside a request
(a task, a command, a test's own code) the work runs at once.
"""

import logging
from collections.abc import Callable
from contextvars import ContextVar

log = logging.getLogger(__name__)

_pending: ContextVar[list[Callable[[], None]] | None] = ContextVar("after_response", default=None)


def run_after_response(work: Callable[[], None]) -> None:
    """Run ``work`` once the current response has been sent, or now outside a request."""
    pending = _pending.get()
    if pending is None:
        work()
    else:
        pending.append(work)


def request_started(**kwargs) -> None:
    _pending.set([])


def request_finished(**kwargs) -> None:
    pending = _pending.get()
    _pending.set(None)
    for work in pending or ():
        try:
            work()
        except Exception:
            # The answer has gone; there is nobody left to show an error to.
            log.exception("work after the response failed")
