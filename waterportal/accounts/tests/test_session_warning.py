"""Before the 30-minute idle logout the page warns and offers 「ログインを続ける」, which
extends the session in the background (WCAG 2.2.1): the endpoint it calls, and what the
page tells its script.

The dialog itself, its timing and the typed text that stays are the browser's part
(e2e/test_errors_browser.py).
"""

import datetime as dt
import re

from django.test import Client

from waterportal.testing import sign_in

KEEPALIVE = "/session/keepalive"


def body_data(html: str) -> dict[str, str]:
    body = re.search(r"<body([^>]*)>", html)
    assert body
    return dict(re.findall(r'data-([\w-]+)="([^"]*)"', body.group(1)))


def test_keepalive_extends_the_idle_time_of_a_member(signed_in, clock):
    clock.shift(dt.timedelta(minutes=28))
    kept = signed_in.post(KEEPALIVE)
    assert kept.status_code == 200
    assert kept.json() == {"signed_in": True, "seconds_left": 30 * 60}
    assert "no-store" in kept["Cache-Control"]
    # 28 + 29 minutes after the last page: without the keep-alive, long logged out.
    clock.shift(dt.timedelta(minutes=29))
    page = signed_in.get("/account")
    assert page.status_code == 200 and "hanako@example.jp" in page.text


def test_without_keepalive_the_same_wait_ends_the_session(signed_in, clock):
    """The test above can fail: the same minutes, no keep-alive."""
    clock.shift(dt.timedelta(minutes=28))
    clock.shift(dt.timedelta(minutes=29))
    page = signed_in.get("/account")
    assert page.status_code == 302 and page.url.startswith("/login")


def test_keepalive_cannot_bring_back_a_session_that_has_ended(signed_in, clock):
    clock.shift(dt.timedelta(minutes=31))
    late = signed_in.post(KEEPALIVE)
    assert late.status_code == 401 and late.json() == {"signed_in": False}
    assert signed_in.get("/account").status_code == 302


def test_keepalive_does_not_extend_the_12_hours_in_all(signed_in, clock):
    for _ in range(25):  # 12 hours 5 minutes, never idle for 30
        clock.shift(dt.timedelta(minutes=29))
        signed_in.post(KEEPALIVE)
    assert signed_in.post(KEEPALIVE).status_code == 401


def test_keepalive_is_for_members_only(portal):
    visitor = portal.post(KEEPALIVE)
    assert visitor.status_code == 401 and visitor.json() == {"signed_in": False}


def test_keepalive_answers_only_a_post(signed_in):
    assert signed_in.get(KEEPALIVE).status_code == 405


def test_keepalive_refuses_a_post_without_the_csrf_token(tenant, member, clock):
    browser = Client(enforce_csrf_checks=True)
    browser.get(f"/login?tenant={tenant.slug}")
    browser.force_login(member)
    assert browser.post(KEEPALIVE).status_code == 403


def test_another_towns_member_gets_no_keepalive_here(signed_in, other_tenant):
    # The member of おうむ町 opening きた市's address is signed out there (each town is a
    # separate account): there is no session of theirs to extend.
    there = signed_in.post(f"{KEEPALIVE}?tenant={other_tenant.slug}")
    assert there.status_code == 401


def test_a_member_page_tells_the_script_how_long_the_session_has_left(signed_in, clock):
    data = body_data(signed_in.get("/account").text)
    assert data["session-idle"] == "1800" and data["session-left"] == "1800"
    assert data["keepalive-url"] == KEEPALIVE
    # The server notes the clock at most once a minute: 50 seconds later the page says
    # 50 seconds less, so the warning comes before the logout, never after it.
    clock.shift(dt.timedelta(seconds=50))
    assert body_data(signed_in.get("/account").text)["session-left"] == "1750"


def test_the_warning_offers_to_continue_and_to_log_in_again_to_this_page(signed_in, tenant):
    html = signed_in.get("/account").text
    dialog = re.search(r"<dialog.*?</dialog>", html, re.S)
    assert dialog and "ログインを続ける" in dialog.group(0) and "ログアウトする" in dialog.group(0)
    assert "この画面に戻ります" in dialog.group(0)
    login = re.search(r'<a class="btn" href="([^"]+)">ログイン画面へ</a>', dialog.group(0))
    assert login
    assert (
        login.group(1)
        == f"/login?tenant={tenant.slug}&amp;next=%2Faccount%3Ftenant%3D{tenant.slug}"
    )


def test_a_visitor_gets_no_warning(portal):
    html = portal.get("/login").text
    assert "data-session-left" not in html and "<dialog" not in html


def test_the_console_warns_too_and_extends_a_viewers_session(console_as, clock):
    viewer = console_as("viewer")
    data = body_data(viewer.get("/staff/").text)
    assert data["keepalive-url"] == "/staff/session/keepalive"
    clock.shift(dt.timedelta(minutes=28))
    assert viewer.post("/staff/session/keepalive").json()["seconds_left"] == 30 * 60
    clock.shift(dt.timedelta(minutes=29))
    assert viewer.get("/staff/").status_code == 200


def test_the_console_keepalive_is_for_its_staff_only(portal, member, clock):
    assert portal.post("/staff/session/keepalive").status_code == 401
    sign_in(portal, member)
    # A resident is not staff: their session is not the console's to extend.
    assert portal.post("/staff/session/keepalive").status_code == 401


def test_the_members_keepalive_does_not_serve_the_console(console_as):
    assert console_as("manager").post(KEEPALIVE).status_code == 401


def test_the_consoles_notice_offers_its_own_login(console_as, tenant):
    html = console_as("clerk").get("/staff/").text
    dialog = re.search(r"<dialog.*?</dialog>", html, re.S)
    assert dialog and f'href="/staff/login?tenant={tenant.slug}"' in dialog.group(0)
    # The console's login does not come back to the page: the notice does not promise it.
    assert "この画面に戻ります" not in dialog.group(0)
    assert 'action="/staff/logout"' in dialog.group(0)
