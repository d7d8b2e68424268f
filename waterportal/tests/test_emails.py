"""Emails without a queue (development): sent after commit, and a mail-server failure
never turns a finished action into an error page."""

import logging
import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from waterportal.emails import describe
from waterportal.outbox.models import OutboxEmail
from waterportal.testing import SMTPServer, free_port, smtp_mailer


def test_without_a_queue_mail_goes_out_through_smtp_after_commit(portal, settings):
    server = SMTPServer().start()
    try:
        smtp_mailer(settings, server.port)
        response = portal.post("/register", {"email": "taro@example.jp"})
        assert response.status_code == 302
        (message,) = server.inbox.wait_for(1, timeout=10)
        assert "認証コード" in message["Subject"]
    finally:
        server.stop()


def test_a_dead_mail_server_does_not_break_the_page_and_the_mail_waits_for_its_next_try(
    portal, settings, caplog
):
    smtp_mailer(settings, free_port())  # nothing listens there
    with caplog.at_level(logging.WARNING):
        response = portal.post("/register", {"email": "taro@example.jp"})
    assert response.status_code == 302 and response.url == "/register/code"
    assert any("mail delivery failed" in r.getMessage() for r in caplog.records)
    (row,) = OutboxEmail.objects.all()
    assert (row.state, row.attempts) == ("queued", 1)
    assert row.next_attempt_at > timezone.now()


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, naming them as smtplib does."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused(
            {m.to[0]: (550, f"5.1.1 <{m.to[0]}>: no such user".encode()) for m in email_messages}
        )


def test_a_refused_recipient_is_not_named_in_the_log(portal, settings, caplog):
    settings.MAILERS = {
        "default": {"BACKEND": f"{__name__}.RefusingBackend", "OPTIONS": {}},
    }
    with caplog.at_level(logging.DEBUG):
        response = portal.post("/register", {"email": "taro@example.jp"})
    assert response.status_code == 302
    assert "SMTPRecipientsRefused 550" in caplog.text
    assert "taro@example.jp" not in caplog.text  # messages and tracebacks alike


def test_a_delivery_error_is_described_by_its_kind_and_codes_only():
    refused = smtplib.SMTPRecipientsRefused({"a@example.jp": (550, b"<a@example.jp> unknown")})
    data = smtplib.SMTPDataError(554, b"5.7.1 <a@example.jp>: rejected")
    assert describe(refused) == "SMTPRecipientsRefused 550"
    assert describe(data) == "SMTPDataError 554"
    assert describe(ConnectionRefusedError(111, "Connection refused")) == (
        "ConnectionRefusedError errno 111"
    )
