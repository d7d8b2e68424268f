"""この端末に通知する, in a real browser: the notifications page offers push (the portal
runs as `make run` does, with its development key), says in plain words when the browser
refuses, lists the member's devices and removes one without JavaScript; axe-core finds
nothing on the phone or at 1280 px.

The service worker shows a delivered push message with its link. Subscribing itself
cannot be driven here (headless Chromium has no push service to subscribe with), nor a
click on a notification; the portal's side of a subscription and of sending is tested
against a push service on loopback (waterportal/devices/tests).
"""

import json

import pytest

from e2e.conftest import DESKTOP, TENANT, Screen, axe_clean, manage
from waterportal.testing import STRONG_PASSWORD

pytestmark = pytest.mark.e2e

ADD_DEVICE = """
import base64, os
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django_scopes import scopes_disabled
from waterportal.accounts.models import User
from waterportal.devices.actions import do_subscribe_push
point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode()
with scopes_disabled():
    member = User.objects.get(tenant__slug={tenant!r}, email={email!r})
    do_subscribe_push(member, "https://fcm.googleapis.com/fcm/send/" + os.urandom(8).hex(),
                      b64(point), b64(os.urandom(16)), name="Chrome (Windows)")
"""


def test_the_notifications_page_offers_push_and_removes_a_device(phone, portal, resident, tmp_path):
    manage("shell", "-c", ADD_DEVICE.format(tenant=TENANT, email=resident), env=portal.env)
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_label("メールアドレス").fill(resident)
    page.get_by_label("パスワード").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("heading", level=1, name="水道 次郎 様").wait_for()

    page.goto(portal.url("/account/notifications"))
    screen.shows("お知らせメールの設定")
    section = page.get_by_role("region", name="この端末に通知する（プッシュ通知）")
    button = section.get_by_role("button", name="この端末で通知を受け取る")
    button.wait_for()  # shown by js/push.js: this browser has service workers and push
    assert "Chrome (Windows)" in section.inner_text()
    screen.check("notifications with push", zoom=True)
    axe_clean(page, "notifications with push (phone)")

    # Headless Chromium answers the permission request "denied", as a member who
    # said no: the page says what to do.
    button.click()
    section.get_by_text("通知が許可されませんでした").wait_for()
    axe_clean(page, "notifications, permission refused (phone)")
    page.set_viewport_size(DESKTOP)
    axe_clean(page, "notifications with push (1280 px)")

    section.get_by_role("button", name="削除").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("端末への通知を削除しました").is_visible()
    after = page.get_by_role("region", name="この端末に通知する（プッシュ通知）").inner_text()
    assert "Chrome (Windows)" not in after and "まだありません" in after


def test_the_service_worker_shows_a_push_message_with_its_link(phone, portal, tmp_path):
    """The worker's ``push`` handler, given a message as a push service would deliver it
    (DevTools' ServiceWorker.deliverPushMessage, the decrypted payload)."""
    phone.grant_permissions(["notifications"], origin=portal.base_url)
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    cdp = phone.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    (registration,) = [r for r in registrations if not r.get("isDeleted")][:1]
    message = {
        "title": "おうむ町 水道ポータル",
        "body": "新しい請求のお知らせが届きました。",
        "url": f"/?tenant={TENANT}",
        "tag": "new-bill",
    }
    # Read in the worker itself, whose handle keeps it running. A message delivered while
    # the worker is still starting can be lost (as a push service would deliver it again,
    # so does the test, a few times): the notification's tag keeps it one.
    worker = (
        phone.service_workers[0] if phone.service_workers else phone.wait_for_event("serviceworker")
    )
    shown: list[dict] = []
    for _attempt in range(5):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": portal.base_url,
                "registrationId": registration["registrationId"],
                "data": json.dumps(message, ensure_ascii=False),
            },
        )
        shown = worker.evaluate(
            """async () => {
                for (let i = 0; i < 20; i++) {
                    const found = await self.registration.getNotifications();
                    if (found.length) {
                        return found.map(n => ({title: n.title, body: n.body, tag: n.tag,
                                                url: n.data && n.data.url}));
                    }
                    await new Promise(resolve => setTimeout(resolve, 100));
                }
                return [];
            }"""
        )
        if shown:
            break
    assert shown == [
        {
            "title": "おうむ町 水道ポータル",
            "body": "新しい請求のお知らせが届きました。",
            "tag": "new-bill",
            "url": f"/?tenant={TENANT}",
        }
    ]
