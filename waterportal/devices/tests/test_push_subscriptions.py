"""Turning push on for a browser: only the browsers' push services, valid keys, one row
per browser; the portal's VAPID key from the environment, or made once in development."""

import base64
import secrets
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from waterportal.audit.models import AuditEvent
from waterportal.devices import push
from waterportal.devices.actions import (
    MAX_PUSH_DEVICES,
    NOT_A_PUSH_SERVICE,
    PushRefused,
    do_remove_push_subscription,
    do_sign_in_app,
    do_sign_out_app,
    do_subscribe_push,
)
from waterportal.devices.checks import check_vapid_key
from waterportal.devices.models import WebPushSubscription
from waterportal.testing import Browser, make_member

pytestmark = pytest.mark.usefixtures("clock")

FCM = "https://fcm.googleapis.com/fcm/send/dXk2bm9yZXN1YnNjcmlwdGlvbg:APA91bH"


def keys(endpoint=None):
    """A new browser's subscription (on FCM unless said)."""
    return Browser(endpoint or f"{FCM}{secrets.token_urlsafe(8)}").keys()


@pytest.mark.parametrize(
    "url",
    [
        FCM,
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABf",
        "https://web.push.apple.com/QGuQyavXutnMH8",
        "https://api.push.apple.com/3/device/abc",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD",
        "https://FCM.googleapis.com:443/fcm/send/x",
    ],
)
def test_the_browsers_push_services_are_allowed(url):
    assert push.allowed_endpoint(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://fcm.googleapis.com/fcm/send/x",  # not https
        "https://fcm.googleapis.com:8443/fcm/send/x",  # another port
        "https://evil.example/fcm.googleapis.com",
        "https://fcm.googleapis.com.evil.example/x",
        "https://evilfcm.googleapis.com/x",
        "https://notify.windows.com/x",  # the wildcard is for its subdomains
        "https://user:pw@fcm.googleapis.com/x",
        "https://fcm.googleapis.com@169.254.169.254/latest/meta-data",
        "https://127.0.0.1/x",
        "https://localhost/x",
        "https://[::1]/x",
        "https://fcm.googleapis.com /x",
        "file:///etc/passwd",
        "",
        "https://fcm.googleapis.com/" + "x" * 2000,
    ],
)
def test_anything_else_is_refused(url):
    assert not push.allowed_endpoint(url)


def test_a_refused_address_is_not_stored_and_the_member_is_told_why(member, vapid):
    endpoint, p256dh, auth = keys("https://169.254.169.254/latest")
    with pytest.raises(PushRefused) as refused:
        do_subscribe_push(member, endpoint, p256dh, auth, name="Chrome (Android)")
    assert str(refused.value) == NOT_A_PUSH_SERVICE
    assert "受け付けられません" in str(refused.value)
    assert not WebPushSubscription.objects.exists()


@pytest.mark.parametrize(
    "p256dh, auth",
    [
        ("not-base64!", None),
        (base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode(), None),  # not on the curve
        (None, "c2hvcnQ"),  # a 5-byte secret
        (None, ""),
    ],
)
def test_keys_that_are_not_a_browser_s_are_refused(member, vapid, p256dh, auth):
    endpoint, good_p256dh, good_auth = keys()
    with pytest.raises(PushRefused):
        do_subscribe_push(
            member, endpoint, p256dh or good_p256dh, good_auth if auth is None else auth, name="x"
        )
    assert not WebPushSubscription.objects.exists()


def test_with_push_off_nothing_is_subscribed(member):
    with pytest.raises(PushRefused):
        do_subscribe_push(member, *keys(), name="Chrome (Android)")


def test_subscribing_is_on_record_and_the_same_browser_again_keeps_one_row(member, vapid):
    endpoint, p256dh, auth = keys(FCM)
    first = do_subscribe_push(member, endpoint, p256dh, auth, name="Chrome (Android)")
    _, new_p256dh, new_auth = keys(FCM)
    again = do_subscribe_push(member, endpoint, new_p256dh, new_auth, name="Chrome (Android)")
    assert again.pk == first.pk
    assert (again.p256dh, again.auth) == (new_p256dh, new_auth)
    assert WebPushSubscription.objects.count() == 1
    events = AuditEvent.objects.filter(action="push_subscribed", member=member)
    assert [e.data for e in events] == [{"device": first.pk, "method": "web"}] * 2


def test_a_shared_browser_turned_on_by_another_member_is_theirs_only(tenant, other_tenant, vapid):
    hanako = make_member(tenant)
    jiro = make_member(other_tenant, "jiro@example.jp")
    endpoint, p256dh, auth = keys()
    do_subscribe_push(hanako, endpoint, p256dh, auth, name="Chrome (Windows)")
    moved = do_subscribe_push(jiro, endpoint, p256dh, auth, name="Chrome (Windows)")
    assert list(WebPushSubscription.objects.all()) == [moved]
    assert moved.member == jiro and moved.tenant == other_tenant
    assert AuditEvent.objects.filter(action="push_removed", member=hanako, tenant=tenant).exists()


def test_beyond_the_limit_the_oldest_browser_makes_room(member, vapid, clock):
    first = do_subscribe_push(member, *keys(), name="first")
    for _ in range(MAX_PUSH_DEVICES):
        clock.shift(60)
        do_subscribe_push(member, *keys(), name="later")
    assert WebPushSubscription.objects.filter(member=member).count() == MAX_PUSH_DEVICES
    assert not WebPushSubscription.objects.filter(pk=first.pk).exists()


def test_a_member_removes_only_their_own_browser(tenant, member, vapid):
    mine = do_subscribe_push(member, *keys(), name="mine")
    other = do_subscribe_push(make_member(tenant, "tonari@example.jp"), *keys(), name="theirs")
    assert not do_remove_push_subscription(member, other.pk)
    assert do_remove_push_subscription(member, mine.pk)
    assert list(WebPushSubscription.objects.all()) == [other]
    assert AuditEvent.objects.filter(action="push_removed", member=member).count() == 1


def test_an_app_s_browser_push_ends_with_its_sign_in(member, vapid):
    sign_in, _token = do_sign_in_app(member, name="Pixel 8", source="127.0.0.1")
    do_subscribe_push(member, *keys(), name="Pixel 8", app_sign_in=sign_in)
    kept = do_subscribe_push(member, *keys(), name="Firefox (Windows)")
    do_sign_out_app(sign_in)
    assert list(WebPushSubscription.objects.all()) == [kept]


@pytest.mark.parametrize(
    "user_agent, name",
    [
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome (Android)",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari (iPhone)",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge (Windows)",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox (Mac)",
        ),
        ("", "ブラウザー"),
    ],
)
def test_a_device_is_named_from_its_user_agent(user_agent, name):
    assert push.device_name(user_agent) == name


# --- The portal's key -------------------------------------------------------------------


def raw_key() -> tuple[str, str]:
    """A private key as base64url of its 32 bytes, and its public key as a browser gets it."""
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return (
        base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
        base64.urlsafe_b64encode(public).rstrip(b"=").decode(),
    )


def test_the_key_may_be_given_raw_in_base64url(settings):
    private, public = raw_key()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = private
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:suido@town.oumu.example.jp"
    assert push.public_key() == public
    assert check_vapid_key(None) == []


def test_the_key_may_be_given_as_pem_with_escaped_newlines(settings, vapid):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = vapid.replace("\n", "\\n")
    key = push.public_key()
    assert key is not None
    assert len(base64.urlsafe_b64decode(key + "=")) == 65


@pytest.mark.parametrize(
    "key",
    [
        "not a key",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        base64.urlsafe_b64encode(b"\x00" * 32).decode(),  # zero is no private key
        base64.urlsafe_b64encode(b"\x01" * 31).decode(),
    ],
)
def test_a_malformed_key_fails_the_system_checks(db, settings, key):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = key
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:suido@town.oumu.example.jp"
    assert [e.id for e in check_vapid_key(None)] == ["devices.E001"]
    with pytest.raises(SystemCheckError, match="devices.E001"):
        call_command("check")
    with pytest.raises(push.InvalidVapidKey):
        push.public_key()


def test_a_key_without_a_subject_to_contact_fails_the_system_checks(settings, vapid):
    settings.WEBPUSH_VAPID_SUBJECT = ""
    settings.SITE_URL = "http://portal.example.jp"
    assert [e.id for e in check_vapid_key(None)] == ["devices.E002"]
    settings.SITE_URL = "https://portal.example.jp"
    assert check_vapid_key(None) == [] and push.subject() == "https://portal.example.jp"


def test_development_makes_its_key_once_and_keeps_it(settings, tmp_path):
    settings.WEBPUSH_DEV_KEY_FILE = tmp_path / "var" / "webpush-vapid.pem"
    first = push.public_key()
    assert first and settings.WEBPUSH_DEV_KEY_FILE.read_text().startswith("-----BEGIN")
    assert settings.WEBPUSH_DEV_KEY_FILE.stat().st_mode & 0o077 == 0
    push._signers.clear()  # a new process
    assert push.public_key() == first


def test_without_a_key_push_is_off_and_the_checks_are_quiet():
    assert not push.enabled() and push.public_key() is None
    assert check_vapid_key(None) == []


def test_production_without_a_key_passes_the_deploy_checks_without_warnings(tmp_path):
    environment = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "ALLOWED_HOSTS": "portal.example.jp",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # SQLite and no Redis: one town on one machine (waterportal.ops.checks).
        "ALLOW_SINGLE_HOST": "true",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "devices." not in done.stdout + done.stderr
