"""この端末に通知する: the notifications page offers push when the portal has a key, takes
this browser's subscription, lists the member's devices and removes one; another
member's or another town's device is a 404."""

import pytest

from waterportal.audit.models import AuditEvent
from waterportal.devices import push
from waterportal.devices.actions import do_subscribe_push
from waterportal.devices.models import WebPushSubscription
from waterportal.testing import JIRO, Browser, make_member, sign_in, text_of

PAGE = "/account/notifications"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def fcm_browser(name="a") -> Browser:
    return Browser(f"https://fcm.googleapis.com/fcm/send/{name}")


def posted(browser: Browser) -> dict:
    return {"endpoint": browser.endpoint, "p256dh": browser.p256dh, "auth": browser.auth}


def test_without_a_key_the_page_offers_no_push(signed_in):
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    assert "プッシュ通知" not in text_of(response)
    assert "js/push.js" not in response.content.decode()


def test_with_a_key_the_page_offers_push_for_this_device(signed_in, vapid):
    response = signed_in.get(PAGE)
    html = response.content.decode()
    assert "この端末に通知する（プッシュ通知）" in text_of(response)
    assert "この端末で通知を受け取る" in text_of(response)
    assert f'data-push-key="{push.public_key()}"' in html
    assert 'action="/account/push"' in html and "csrfmiddlewaretoken" in html
    # The iPhone's way there: the home screen first.
    assert "/app?tenant=oumu" in html
    # The script is a file of the site's own (the CSP runs no inline script).
    assert '<script src="/static/js/push.js" defer></script>' in html
    assert "<script>" not in html
    assert "まだありません" in text_of(response)


def test_turning_push_on_lists_this_device_and_is_on_record(signed_in, member, vapid):
    browser = fcm_browser()
    response = signed_in.post(
        "/account/push", posted(browser), headers={"user-agent": ANDROID_CHROME}
    )
    assert response.status_code == 302 and response.url == PAGE
    page = text_of(signed_in.get(PAGE))
    assert "この端末で通知を受け取るようにしました" in page
    assert "Chrome (Android)" in page and "2026年11月25日に登録" in page
    (device,) = WebPushSubscription.objects.all()
    assert (device.member, device.endpoint) == (member, browser.endpoint)
    event = AuditEvent.objects.get(action="push_subscribed")
    assert event.member == member and event.source == "127.0.0.1"


def test_an_address_that_is_no_push_service_is_refused_in_plain_words(signed_in, vapid):
    browser = Browser("https://169.254.169.254/latest/meta-data")
    response = signed_in.post("/account/push", posted(browser), follow=True)
    assert "このブラウザーの通知の送り先は受け付けられません" in text_of(response)
    assert not WebPushSubscription.objects.exists()


def test_a_post_without_a_subscription_says_so(signed_in, vapid):
    response = signed_in.post("/account/push", {}, follow=True)
    assert "通知の登録が届きませんでした" in text_of(response)
    assert not WebPushSubscription.objects.exists()


def test_the_refusal_is_in_english_on_the_english_page(signed_in, vapid):
    signed_in.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    browser = Browser("http://fcm.googleapis.com/fcm/send/x")
    response = signed_in.post("/account/push", posted(browser), follow=True)
    assert "not accepted" in text_of(response)


def test_the_push_address_takes_only_a_post(signed_in, vapid):
    assert signed_in.get("/account/push").status_code == 405


def test_removing_a_device_works_without_javascript(signed_in, member, vapid):
    device = do_subscribe_push(member, *fcm_browser().keys(), name="Chrome (Android)")
    kept = do_subscribe_push(member, *fcm_browser("b").keys(), name="Firefox (Windows)")
    page = signed_in.get(PAGE).content.decode()
    assert f'action="/account/push/{device.pk}/remove"' in page
    response = signed_in.post(f"/account/push/{device.pk}/remove")
    assert response.status_code == 302 and response.url == PAGE
    assert list(WebPushSubscription.objects.all()) == [kept]
    assert "端末への通知を削除しました" in text_of(signed_in.get(PAGE))
    assert AuditEvent.objects.filter(action="push_removed", member=member).count() == 1


def test_another_member_s_device_is_a_404(signed_in, tenant, vapid):
    neighbour = make_member(tenant, "tonari@example.jp")
    device = do_subscribe_push(neighbour, *fcm_browser().keys(), name="theirs")
    assert signed_in.post(f"/account/push/{device.pk}/remove").status_code == 404
    assert WebPushSubscription.objects.filter(pk=device.pk).exists()


def test_another_town_s_member_gets_a_404_for_this_town_s_device(
    member, other_portal, other_tenant, vapid
):
    device = do_subscribe_push(member, *fcm_browser().keys(), name="mine")
    make_member(other_tenant, email=JIRO.email, name=JIRO.name)
    sign_in(other_portal, JIRO)
    assert other_portal.post(f"/account/push/{device.pk}/remove").status_code == 404
    assert WebPushSubscription.objects.filter(pk=device.pk).exists()
    # And their own page does not list it.
    assert "mine" not in text_of(other_portal.get(PAGE))


@pytest.mark.parametrize("path", ["/account/push", "/account/push/1/remove"])
def test_push_pages_need_a_login(portal, vapid, path):
    response = portal.post(path)
    assert response.status_code == 302 and response.url.startswith("/login")
