"""A phone app signed in through the API, as the member sees it in their account.

The app logs in (``POST /api/v1/towns/<slug>/login``) and reads the bills; in the
browser, the account page lists the device and its recent activity in words, passes
axe-core on the phone and at 1280 px, and 「この端末をログアウト」 ends the app's token.
"""

import re

import pytest

from e2e.conftest import DESKTOP, TENANT, Screen, axe_clean
from waterportal.testing import STRONG_PASSWORD

pytestmark = pytest.mark.e2e


def test_the_account_page_lists_the_app_and_signs_it_out(phone, portal, resident, tmp_path):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    api = portal.url(f"/api/v1/towns/{TENANT}")

    login = page.request.post(
        api + "/login",
        data={
            "email": resident,
            "password": STRONG_PASSWORD,
            "device_name": "Pixel 8",
            "platform": "android",
        },
    )
    assert login.status == 200, login.text()
    token = login.json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    contracts = page.request.get(api + "/contracts", headers=bearer)
    assert contracts.status == 200
    link_id = contracts.json()["contracts"][0]["id"]
    assert page.request.get(api + f"/contracts/{link_id}/bills", headers=bearer).status == 200

    page.goto(portal.url(f"/login?tenant={TENANT}"))
    page.get_by_label("メールアドレス").fill(resident)
    page.get_by_label("パスワード").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("heading", level=1, name="水道 次郎 様").wait_for()
    page.goto(portal.url("/account"))
    screen.shows("アカウント")
    devices = page.get_by_role("region", name="アプリでのログイン（端末）")
    assert "Pixel 8（Android）" in devices.inner_text()
    assert re.search("料金の履歴", devices.inner_text()), devices.inner_text()
    screen.check("account with an app", zoom=True)
    axe_clean(page, "account with an app (phone)")
    page.set_viewport_size(DESKTOP)
    axe_clean(page, "account with an app (1280 px)")

    devices.get_by_role("button", name="この端末をログアウト").click()
    page.wait_for_load_state("load")
    assert (
        "アプリでログインしている端末はありません"
        in page.get_by_role("region", name="アプリでのログイン（端末）").inner_text()
    )
    assert page.request.get(api + "/me", headers=bearer).status == 401
