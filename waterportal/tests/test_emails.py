"""Emails without a queue (development): sent after commit, and a mail-server failure
never turns a finished action into an error page."""

import logging

from waterportal.tests.smtp import SMTPServer, free_port


def _smtp_mailer(settings, port):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }


def test_without_a_queue_mail_goes_out_through_smtp_after_commit(portal, settings):
    server = SMTPServer().start()
    try:
        _smtp_mailer(settings, server.port)
        response = portal.post("/register", {"email": "taro@example.jp"})
        assert response.status_code == 302
        (message,) = server.inbox.wait_for(1, timeout=10)
        assert "認証コード" in message["Subject"]
    finally:
        server.stop()


def test_a_dead_mail_server_does_not_break_the_page(portal, settings, caplog):
    _smtp_mailer(settings, free_port())  # nothing listens there
    with caplog.at_level(logging.ERROR):
        response = portal.post("/register", {"email": "taro@example.jp"})
    assert response.status_code == 302 and response.url == "/register/code"
    assert any("could not be sent" in r.getMessage() for r in caplog.records)
