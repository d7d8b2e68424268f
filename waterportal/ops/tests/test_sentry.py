import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import brotli
import pytest
import sentry_sdk
from django.test import Client, override_settings
from django.urls import path

from waterportal.lib.version import __version__
from waterportal.ops import sentry
from waterportal.testing.servers import free_port

EMAIL = "taro.suido@example.jp"
NAME = "水道 太郎"
CODE = "482913"


def an_event() -> dict:
    return {
        "message": f"code {CODE} for {EMAIL}",
        "request": {
            "url": f"https://portal.example.jp/inquiries/t/secret-token?q={NAME}",
            "query_string": f"q={NAME}",
            "data": {"name": NAME, "email": EMAIL, "code": CODE},
            "cookies": {"__Host-sessionid": "abc"},
            "headers": {"Cookie": "a=b", "User-Agent": "phone", "Authorization": "Token x"},
        },
        "user": {"id": 42, "email": EMAIL, "username": NAME},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": f"no member {EMAIL}",
                    "stacktrace": {"frames": [{"function": "f", "vars": {"name": NAME}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": f"sent {CODE} to {EMAIL}"}]},
    }


def test_before_send_removes_emails_names_and_codes():
    event = sentry.before_send(an_event(), {})

    text = json.dumps(event, ensure_ascii=False)
    assert EMAIL not in text and NAME not in text and CODE not in text
    assert "secret-token" not in text
    assert event["user"] == {"id": 42}
    assert event["request"]["url"] == "https://portal.example.jp/inquiries/t/…"
    assert event["request"]["headers"] == {"User-Agent": "phone"}
    assert event["message"] == "code [code] for [email]"


def test_without_a_dsn_nothing_starts(settings):
    settings.SENTRY_DSN = ""
    assert sentry.init() is False


class Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        Collector.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def fails(request):
    raise ValueError(f"no member {EMAIL} named {NAME}")


urlpatterns = [path("fails", fails)]


@pytest.fixture
def sentry_server():
    port = free_port()
    server = HTTPServer(("127.0.0.1", port), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.received = []
    yield f"http://public@127.0.0.1:{port}/1"
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: reporting off again for the rest of the suite
    server.shutdown()


def test_an_error_is_reported_with_the_release_and_nothing_personal(sentry_server, settings):
    settings.SENTRY_DSN = sentry_server
    assert sentry.init() is True

    with override_settings(ROOT_URLCONF=__name__):
        client = Client(raise_request_exception=False)
        response = client.post(f"/fails?q={NAME}", {"email": EMAIL, "code": CODE})
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)

    body = b"".join(Collector.received).decode()
    assert '"ValueError"' in body
    assert f'"release":"waterportal@{__version__}"' in body.replace(" ", "")
    assert EMAIL not in body and NAME not in body and CODE not in body
    assert json.dumps(NAME)[1:-1] not in body  # nor escaped


STARTED = """
import django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print(client.is_active(), client.options["release"], client.options["send_default_pii"])
print(sorted(i for i in client.integrations if i in ("django", "celery")))
"""


@pytest.mark.parametrize("dsn", ["http://public@127.0.0.1:9/1", ""])
def test_the_portal_starts_reporting_when_sentry_dsn_is_set(dsn):
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    env |= {"DJANGO_SETTINGS_MODULE": "waterportal.settings", "SENTRY_DSN": dsn}

    done = subprocess.run(
        [sys.executable, "-c", STARTED], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    if dsn:
        assert done.stdout.split("\n")[:2] == [
            f"True waterportal@{__version__} False",
            "['celery', 'django']",
        ]
    else:
        assert done.stdout.startswith("False")
