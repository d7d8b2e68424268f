import re

import pytest

from waterportal.testing import choose_language

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")


def test_the_offline_page_says_what_happened_and_what_to_do_in_both_languages(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    html = response.content.decode()
    assert "<h1>インターネットにつながっていません</h1>" in html
    assert "機内モード" in html and "もう一度開く" in html
    assert 'lang="en"' in html and "You are not connected to the internet" in html
    # Stored once for everyone: no form, no CSRF token, no town.
    assert "<form" not in html and "csrfmiddlewaretoken" not in html


def test_the_offline_page_is_the_same_in_english(client, tenant):
    client.get("/login?tenant=oumu")
    japanese = client.get("/offline").content
    choose_language(client, "en")
    assert client.get("/offline").content == japanese


def test_the_offline_page_names_no_town(client, tenant):
    client.get("/login?tenant=oumu")
    assert "おうむ町" not in client.get("/offline").content.decode()


def test_the_app_page_explains_android_and_iphone(portal):
    response = portal.get("/app?tenant=oumu")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>アプリとして使う</h1>" in html
    assert "ホーム画面に追加" in html and "アプリをインストール" in html
    assert "共有ボタン" in html and "Safari" in html
    assert "「おうむ町」" in html
    assert re.search(r'src="/town/oumu/icon/[0-9a-f]{12}/192.png"', html)
    # The one-tap button waits hidden until the browser offers to install (js/pwa.js).
    assert re.search(r"<div data-install-offer hidden>\s*<button[^>]*data-install-app>", html)


def test_the_app_page_in_english(portal):
    choose_language(portal.client, "en")
    html = portal.get("/app?tenant=oumu").content.decode()
    assert "<h1>Use it as an app</h1>" in html
    body = html.split('<main class="wrap" id="main">')[1].split("</main>")[0]
    left = JAPANESE.findall(body.replace("おうむ町", ""))
    assert left == []


def test_the_app_page_is_the_towns_own(portal, other_portal):
    html = other_portal.get("/app?tenant=kita").content.decode()
    assert "きた市" in html and "おうむ町" not in html and "/town/oumu/" not in html


def test_the_app_page_needs_a_town(client, tenant):
    response = client.get("/app")
    assert response.status_code == 404
    assert "おうむ町" not in response.content.decode()
    assert client.get("/app?tenant=nowhere").status_code == 404


def test_the_account_page_and_the_footer_link_the_app_page(signed_in):
    html = signed_in.get("/account").content.decode()
    assert html.count('href="/app?tenant=oumu"') == 2  # the account's section, the footer
    assert 'href="/app?tenant=oumu"' in signed_in.get("/").content.decode()


def test_the_app_page_sends_a_member_back_to_the_account(signed_in):
    html = signed_in.get("/app").content.decode()
    assert 'href="/account"' in html
